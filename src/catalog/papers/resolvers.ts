import type { BylineEntryResolvers, HuggingFacePaperResolvers, PaperConnectionResolvers, PaperEdgeResolvers, PaperResolvers, QueryResolvers } from '../../generated/graphql.ts';
import { badInput, truncate } from '../../platform/errors.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { arxivAbsUrl, arxivPdfUrl, normalizeArxivId } from './arxiv-id.ts';
import { listPapers } from './list.ts';
import { paperByArxivId, paperById } from './reads.ts';
import { isCurator } from '../users/index.ts';
import { paperSelection } from './selection.ts';
import type { BylineEntry as BylineWithAuthor } from './loaders.ts';
import { hasHuggingFace, hfLinks, hfOrganization, hfStrings } from './hugging-face.ts';

const authorsOf = (byline: BylineWithAuthor[]) => byline.map((entry) => entry.author);

export const Query: Pick<QueryResolvers, 'paper' | 'papers' | 'trendingPapers'> = {
  async paper(_parent, { id, arxivId }, ctx, info) {
    if ((id == null) === (arxivId == null)) {
      throw badInput('Pass exactly one of id or arxivId', id == null ? 'id' : 'arxivId');
    }
    if (id != null) return paperById(ctx, fromGlobalIdOf('Paper', id));
    const normalized = normalizeArxivId(arxivId!);
    if (!normalized) {
      throw badInput(`arxivId must look like 2406.12345 (optionally with a version, v2); got "${truncate(arxivId!)}"`, 'arxivId');
    }
    return paperByArxivId(ctx, normalized, { withRelations: paperSelection(info).withRelations });
  },

  papers: (_parent, args, ctx, info) => listPapers(ctx, args, paperSelection(info)),
  trendingPapers: (_parent, { window, ...args }, ctx, info) =>
    listPapers(ctx, { ...args, orderBy: { field: 'TRENDING', direction: 'DESC', window } }, paperSelection(info)),
};

export const Paper: Omit<PaperResolvers, 'viewerHasUpvoted'> = {
  id: (paper) => toGlobalId('Paper', paper.id),
  upvotes: (paper) => paper.upvoteCount,
  // The byline entries carry their authors: one promise per paper, none per author.
  authors: (paper, _args, ctx) => ctx.loaders.bylineByPaperId.load(paper.id).then(authorsOf),
  byline: (paper, _args, ctx) => ctx.loaders.bylineByPaperId.load(paper.id),
  aiKeywords: (paper) => (Array.isArray(paper.aiKeywords) ? paper.aiKeywords.filter((k): k is string => typeof k === 'string') : null),
  huggingFace: (paper) => (hasHuggingFace(paper) ? paper : null),
  topics: (paper, _args, ctx) => ctx.loaders.topicsByPaperId.load(paper.id),
  submittedBy: (paper, _args, ctx) => (paper.submittedById === null ? null : ctx.loaders.userById.load(paper.submittedById)),
  hiddenAt: (paper, _args, ctx) => (isCurator(ctx.viewer) ? paper.hiddenAt : null),
  arxivUrl: (paper) => arxivAbsUrl(paper.arxivId),
  pdfUrl: (paper) => arxivPdfUrl(paper.arxivId),
};

export const BylineEntry: BylineEntryResolvers = {
  // Entries from the byline loader carry their author; others (none today) look it up.
  author: (entry, _args, ctx) => ('author' in entry ? (entry as BylineWithAuthor).author : ctx.loaders.authorById.load(entry.authorId).then((author) => author!)),
};

// totalCount is every connection's (src/graphql/connections.ts); whether it is exact, the paper lists' own.
export const PaperConnection: Pick<PaperConnectionResolvers, 'totalCountIsExact'> = {
  totalCountIsExact: (connection) => connection.totalCountIsExact?.() ?? true,
};

export const PaperEdge: PaperEdgeResolvers = {
  highlight: (edge) => edge.highlight,
};

export const HuggingFacePaper: HuggingFacePaperResolvers = {
  upvotes: (paper) => paper.hfUpvotes,
  comments: (paper) => paper.hfComments,
  submitter: (paper) => paper.hfSubmitterHandle,
  thumbnail: (paper) => paper.hfThumbnail,
  mediaUrls: (paper) => hfStrings(paper.hfMediaUrls),
  submitterOrganization: (paper) => hfOrganization(paper.hfSubmitterOrganization),
  models: (paper) => hfLinks(paper.hfModels),
  datasets: (paper) => hfLinks(paper.hfDatasets),
  spaces: (paper) => hfLinks(paper.hfSpaces),
};
