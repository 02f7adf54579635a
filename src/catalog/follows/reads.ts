// What a user follows and the papers that makes their feed: one read service for the GraphQL
// feed (User.feed), the private Atom feed (feed.ts) and follow-driven digests
// (src/catalog/digests/send.ts), so the three always list the same papers.
//
// DANGER: a user's follows and feed are theirs alone. Callers decide who is asking; nothing
// here may be reached with a user id taken from client input other than the viewer's own (or
// the owner of a verified feed token or digest subscription).
import { Prisma, type Follow } from '../../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { listPapers, type ListOptions, type PaperConnection } from '../papers/index.ts';
import type { PaperReads } from '../papers/index.ts';
import type { ConnectionArgs } from '../../platform/pagination/connection.ts';

function candidates(userId: number, union: 'UNION' | 'UNION ALL'): Prisma.Sql {
  return Prisma.sql`
    SELECT pa."paperId" FROM "Follow" f JOIN "PaperAuthor" pa ON pa."authorId" = f."authorId" WHERE f."userId" = ${userId}::int
    ${Prisma.raw(union)}
    SELECT pt."paperId" FROM "Follow" f JOIN "PaperTopic" pt ON pt."topicId" = f."topicId" WHERE f."userId" = ${userId}::int`;
}

/**
 * SQL: the paper under alias `p` is by an author or in a topic that `userId` follows. Postgres
 * makes this a semi-join: it reads every candidate paper, then sorts (cost grows with the number
 * of candidates). Right for few candidates and for lists ordered by something else (digests).
 */
export function followedPapers(userId: number): Prisma.Sql {
  return Prisma.sql`p.id IN (${candidates(userId, 'UNION')})`;
}

/**
 * SQL: the same condition as a filter on a hashed set (`IS TRUE` keeps Postgres from turning it
 * into a join), so that a newest-first list walks the Paper(publishedAt, id) index and stops at
 * the page's end: right when the candidates are many (a reader following big topics), where the
 * semi-join would read thousands of papers for 20; wrong when they are few (the walk would cross
 * the whole catalog to find them).
 */
export function followedPapersWalk(userId: number): Prisma.Sql {
  return Prisma.sql`(p.id IN (${candidates(userId, 'UNION')})) IS TRUE`;
}

/**
 * Candidates above which the feed walks the index. The semi-join reads C papers; the walk reads
 * about pageSize × N / C of N papers: equal near C = sqrt(21 N), 1,450 at 100k papers, 4,600 at
 * 1M. Measured in bench/results/2026-11-30-follows.md.
 */
export const WALK_ABOVE_CANDIDATES = 2000;

const CANDIDATE_PROBE = (userId: number) =>
  Prisma.sql`SELECT count(*)::int AS n FROM (${candidates(userId, 'UNION ALL')} LIMIT ${WALK_ABOVE_CANDIDATES + 1}) c`;

/** The feed's order: newest arXiv date first (papers appear in a feed when they come out). */
export const FEED_ORDER = { field: 'PUBLISHED_AT', direction: 'DESC' } as const;

/**
 * One page of `userId`'s feed: listed papers only, newest first, keyset-paginated. One small
 * statement first counts the candidates (stopping at the threshold) to pick the plan above.
 */
export async function followFeed(deps: PaperReads, userId: number, args: Pick<ConnectionArgs, 'first' | 'after'>, options: Pick<ListOptions, 'withRelations' | 'columns'> = {}): Promise<PaperConnection> {
  const reader = deps.reader;
  const [{ n }] = (await reader.rows<{ n: number }>(CANDIDATE_PROBE(userId))) as [{ n: number }];
  const scope = n > WALK_ABOVE_CANDIDATES ? followedPapersWalk(userId) : followedPapers(userId);
  return listPapers(deps, { first: args.first ?? null, after: args.after ?? null, orderBy: FEED_ORDER }, { scope: [scope], ...options });
}

/** A follow by id, for its owner only (node(id)); anyone else gets null, as for a missing one. */
export async function followOf(ctx: Pick<Context, 'db' | 'viewer'>, id: number): Promise<Follow | null> {
  if (!ctx.viewer) return null;
  return ctx.db.follow.findFirst({ where: { id, userId: ctx.viewer.id } });
}
