// The authors domain's service surface: what other domains may use of it (the dependency rule
// `domain-to-domain-through-services`, .dependency-cruiser.cjs). Everything else in this folder
// is the domain's own.
export { aliasedAuthorIds, liveAuthorId } from './aliases.ts';
export { normalizeAuthorName } from './normalize.ts';
