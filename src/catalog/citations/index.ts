// The citations domain's service surface: what other domains may use of it (the dependency rule
// `domain-to-domain-through-services`, .dependency-cruiser.cjs). Everything else in this folder
// is the domain's own.
export { citePapers } from './cite.ts';
export type { CitationFormat } from './format.ts';
