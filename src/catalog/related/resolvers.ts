// Paper.related and User.recommendedPapers (HYBRID search lives with the paper lists:
// src/catalog/papers/list.ts, its SQL in ./hybrid.ts).
import type { PaperResolvers, UserResolvers } from '../../generated/graphql.ts';
import { paperSelection } from '../papers/index.ts';
import { recommendedPapers, relatedCount, type PaperColumns, type ScoredPaper } from './reads.ts';
import type { Context } from '../context.ts';

/** Whole papers are cached for the request; rows of listing columns only are never cached as papers. */
function primed(ctx: Context, list: ScoredPaper[], columns: PaperColumns): ScoredPaper[] {
  if (columns === 'all') for (const { paper } of list) ctx.loaders.paperById.prime(paper.id, paper);
  return list;
}

export const Paper: Pick<PaperResolvers, 'related'> = {
  // Only the columns the related papers' fields show (src/catalog/papers/selection.ts).
  related: async (paper, { first }, ctx, info) => {
    const { columns } = paperSelection(info);
    return primed(ctx, await ctx.loaders.related(relatedCount(first), columns).load(paper.id), columns);
  },
};

export const User: Pick<UserResolvers, 'recommendedPapers'> = {
  // What a user upvoted, collected and follows is theirs: anyone else, admins included, gets null.
  recommendedPapers: async (user, { first }, ctx, info) => {
    if (ctx.viewer?.id !== user.id) return null;
    const { columns } = paperSelection(info);
    return primed(ctx, await recommendedPapers(ctx.reader, user.id, relatedCount(first), ctx.platform.embeddings, columns), columns);
  },
};
