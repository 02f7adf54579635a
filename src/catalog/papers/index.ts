// The papers domain's service surface: what other domains may use of it (the dependency rule
// `domain-to-domain-through-services`, .dependency-cruiser.cjs). Everything else in this folder
// is the domain's own.
export { arxivAbsUrl, arxivPdfUrl, normalizeArxivId } from './arxiv-id.ts';
export { LISTING_COLUMNS_P, PAPER_COLUMNS, PAPER_COLUMNS_P } from './columns.ts';
export { paperDetails } from './details.ts';
export { type HfLinks, type HfOrganization } from './hugging-face.ts';
export { listPapers, type ListOptions, type PaperConnection, type PaperListArgs } from './list.ts';
export { createPaperLoaders, type AuthorBase, type PaperLoaders } from './loaders.ts';
export { latestFeaturedDay, paperById, paperReads, type HybridRanker, type PaperReads } from './reads.ts';
export { paperSelection } from './selection.ts';
export { keywordCandidates, SEARCH_CANDIDATES } from './ranked-search.ts';
export { LISTED, canSee, isListed, listedPaper } from './visibility.ts';
export { featuredEvents, paperHiddenEvent, paperRef, paperUnhiddenEvent, paperUpdatedEvent, papersUpdatedEvents } from './events.ts';
