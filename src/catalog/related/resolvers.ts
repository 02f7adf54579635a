// Paper.related and User.recommendedPapers (HYBRID search lives with the paper lists:
// src/catalog/papers/list.ts, its SQL in ./hybrid.ts).
import type { PaperResolvers, UserResolvers } from '../../generated/graphql.ts';
import { recommendedPapers, relatedCount, type ScoredPaper } from './reads.ts';
import type { Context } from '../context.ts';

function primed(ctx: Context, list: ScoredPaper[]): ScoredPaper[] {
  for (const { paper } of list) ctx.loaders.paperById.prime(paper.id, paper);
  return list;
}

export const Paper: Pick<PaperResolvers, 'related'> = {
  related: async (paper, { first }, ctx) => primed(ctx, await ctx.loaders.related(relatedCount(first)).load(paper.id)),
};

export const User: Pick<UserResolvers, 'recommendedPapers'> = {
  // What a user upvoted, collected and follows is theirs: anyone else, admins included, gets null.
  recommendedPapers: async (user, { first }, ctx) => {
    if (ctx.viewer?.id !== user.id) return null;
    return primed(ctx, await recommendedPapers(ctx.reader, user.id, relatedCount(first), ctx.platform.embeddings));
  },
};
