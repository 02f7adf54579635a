// Upvotes. Paper.upvoteCount always equals the paper's Vote rows: each change of a vote and
// of the count happens in ONE statement, so concurrent requests cannot lose an update
// (UPDATE takes the paper's row lock and recomputes from the newest row version), and the
// (userId, paperId) primary key makes a second upvote a no-op instead of a second vote.
import { Prisma, type Paper as PaperRow } from '../../generated/prisma/client.ts';
import type { MutationResolvers, PaperResolvers, UserResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { beyondPair, paginate, type KeysetOrder } from '../../platform/pagination/connection.ts';
import { keyInt, keyTimestamp } from '../../platform/pagination/keys.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { PAPER_COLUMNS } from '../papers/index.ts';
import { LISTED, listedPaper } from '../papers/index.ts';

async function changeVote(ctx: Context, paperGlobalId: string, action: 'add' | 'remove') {
  const paperId = fromGlobalIdOf('Paper', paperGlobalId, 'paperId');
  const userId = ctx.viewer!.id;
  return payload({ paper: null }, async () => {
    // Only listed papers take votes: the INSERT selects the paper, so a missing or hidden one
    // inserts nothing, fails no foreign key, and the UPDATE finds no row.
    const rows =
      action === 'add'
        ? await ctx.db.$queryRaw<PaperRow[]>`
            WITH vote AS (
              INSERT INTO "Vote" ("userId", "paperId")
              SELECT ${userId}, p.id FROM "Paper" p WHERE p.id = ${paperId} AND ${LISTED}
              ON CONFLICT DO NOTHING
              RETURNING 1)
            UPDATE "Paper" p SET "upvoteCount" = p."upvoteCount" + (SELECT count(*) FROM vote)
            WHERE p.id = ${paperId} AND ${LISTED}
            RETURNING ${PAPER_COLUMNS}`
        : await ctx.db.$queryRaw<PaperRow[]>`
            WITH vote AS (
              DELETE FROM "Vote" WHERE "userId" = ${userId} AND "paperId" = ${paperId}
              RETURNING 1)
            UPDATE "Paper" p SET "upvoteCount" = p."upvoteCount" - (SELECT count(*) FROM vote)
            WHERE p.id = ${paperId} AND ${LISTED}
            RETURNING ${PAPER_COLUMNS}`;
    const paper = rows[0];
    if (!paper) throw new UserErrors([userError(['paperId'], 'NOT_FOUND', 'No paper has this id')]);
    ctx.loaders.paperById.clear(paper.id).prime(paper.id, paper);
    ctx.loaders.viewerHasUpvoted.clear(paper.id).prime(paper.id, action === 'add');
    ctx.events?.paperUpdated(paper);
    return { paper };
  });
}

export const Mutation: Pick<MutationResolvers, 'upvotePaper' | 'removeUpvote'> = {
  upvotePaper: (_parent, { paperId }, ctx) => changeVote(ctx, paperId, 'add'),
  removeUpvote: (_parent, { paperId }, ctx) => changeVote(ctx, paperId, 'remove'),
};

export const Paper: Pick<PaperResolvers, 'viewerHasUpvoted'> = {
  viewerHasUpvoted: (paper, _args, ctx) => ctx.loaders.viewerHasUpvoted.load(paper.id),
};

type VoteWithPaper = Prisma.VoteGetPayload<{ include: { paper: true } }>;

/** Most recent vote first: index Vote(userId, createdAt). */
const byVoteTime: KeysetOrder<VoteWithPaper, Prisma.VoteWhereInput, Prisma.VoteOrderByWithRelationInput[]> = {
  name: 'votes',
  orderBy: [{ createdAt: 'desc' }, { paperId: 'desc' }],
  reverseOrderBy: [{ createdAt: 'asc' }, { paperId: 'asc' }],
  keyLength: 2,
  key: (vote) => [vote.createdAt.toISOString(), vote.paperId],
  beyond: ([at, id], direction) => beyondPair(['createdAt', keyTimestamp(at)], ['paperId', keyInt(id)], { ascending: false, direction }),
};

export const User: Pick<UserResolvers, 'upvotedPapers'> = {
  async upvotedPapers(user, args, ctx) {
    const votes = await paginate({
      args,
      order: byVoteTime,
      where: { userId: user.id, paper: listedPaper },
      and: (a, b) => ({ AND: [a, b] }),
      find: (query) => ctx.db.vote.findMany({ ...query, include: { paper: true } }),
      count: (where) => ctx.db.vote.count({ where }),
    });
    const edges = votes.edges.map((edge) => ({ cursor: edge.cursor, node: edge.node.paper, highlight: null }));
    return {
      ...votes,
      edges,
      nodes: edges.map((edge) => edge.node),
      facets: {
        from: Prisma.sql`"Paper" p`,
        where: Prisma.sql`${LISTED} AND EXISTS (SELECT 1 FROM "Vote" v WHERE v."paperId" = p.id AND v."userId" = ${user.id})`,
      },
    };
  },
};
