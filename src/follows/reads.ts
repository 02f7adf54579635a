// What a user follows and the papers that makes their feed: one read service for the GraphQL
// feed (User.feed), the private Atom feed (feed.ts) and follow-driven digests
// (src/follow/digests/send.ts), so the three always list the same papers.
//
// DANGER: a user's follows and feed are theirs alone. Callers decide who is asking; nothing
// here may be reached with a user id taken from client input other than the viewer's own (or
// the owner of a verified feed token or digest subscription).
import { Prisma, type Follow } from '../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { listPapers, type PaperConnection, type PaperReads } from '../papers/reads.ts';
import type { ConnectionArgs } from '../pagination/connection.ts';

/**
 * SQL: the paper under alias `p` is by an author or in a topic that `userId` follows. The
 * candidate ids form one set (hashed once per statement), whatever the number of follows; the
 * list's own order, keyset and hidden-paper rule come from listPapers.
 */
export function followedPapers(userId: number): Prisma.Sql {
  return Prisma.sql`p.id IN (
    SELECT pa."paperId" FROM "Follow" f JOIN "PaperAuthor" pa ON pa."authorId" = f."authorId" WHERE f."userId" = ${userId}::int
    UNION
    SELECT pt."paperId" FROM "Follow" f JOIN "PaperTopic" pt ON pt."topicId" = f."topicId" WHERE f."userId" = ${userId}::int)`;
}

/** The feed's order: newest arXiv date first (papers appear in a feed when they come out). */
export const FEED_ORDER = { field: 'PUBLISHED_AT', direction: 'DESC' } as const;

/** One page of `userId`'s feed: listed papers only, newest first, keyset-paginated. */
export function followFeed(deps: PaperReads, userId: number, args: Pick<ConnectionArgs, 'first' | 'after'>, options: { withRelations?: boolean } = {}): Promise<PaperConnection> {
  return listPapers(deps, { first: args.first ?? null, after: args.after ?? null, orderBy: FEED_ORDER }, { scope: [followedPapers(userId)], ...options });
}

/** A follow by id, for its owner only (node(id)); anyone else gets null, as for a missing one. */
export async function followOf(ctx: Pick<Context, 'db' | 'viewer'>, id: number): Promise<Follow | null> {
  if (!ctx.viewer) return null;
  return ctx.db.follow.findFirst({ where: { id, userId: ctx.viewer.id } });
}
