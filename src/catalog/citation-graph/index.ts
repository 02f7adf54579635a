// The citation graph domain's service surface: what other domains may use of it (the dependency
// rule `domain-to-domain-through-services`, .dependency-cruiser.cjs). Everything else in this
// folder is the domain's own.
export { createCitationGraphLoaders, type CitationGraphLoaders } from './loaders.ts';
export { formatSnapshotReport, importCitationSnapshot, type SnapshotKind, type SnapshotOptions, type SnapshotReport } from './import.ts';
export { monthOf, mostCitedPapers } from './reads.ts';
