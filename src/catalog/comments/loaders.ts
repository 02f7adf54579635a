// The comment loaders of a request: first pages of every list asked for at one level in one
// statement (a window function numbers each group's rows), counts likewise, comments by id.
// Built per request, when first asked for (src/catalog/context.ts): a request that shows no
// comment builds none.
import DataLoader from 'dataloader';
import { Prisma, type Comment } from '../../generated/prisma/client.ts';
import type { Db } from '../../platform/db/client.ts';

/** A list of comments: a paper's top-level ones, or one comment's replies. */
export type CommentList = { kind: 'paper'; id: number; order: 'NEWEST' | 'OLDEST' } | { kind: 'replies'; id: number };

export type Direction = 'asc' | 'desc';

export function directionOf(list: CommentList, walkBackward: boolean): Direction {
  // Replies read as a conversation: oldest first.
  const newestFirst = list.kind === 'paper' && list.order === 'NEWEST';
  return newestFirst !== walkBackward ? 'desc' : 'asc';
}

export const cursorName = (list: CommentList) => (list.kind === 'paper' ? `comments-${list.order.toLowerCase()}` : 'replies');

export function groupCondition(list: Pick<CommentList, 'kind'>, ids: number[]): Prisma.Sql {
  return list.kind === 'paper' ? Prisma.sql`c."paperId" = ANY(${ids}::int[]) AND c."parentId" IS NULL` : Prisma.sql`c."parentId" = ANY(${ids}::int[])`;
}

const groupColumn = (list: Pick<CommentList, 'kind'>) => Prisma.raw(list.kind === 'paper' ? 'c."paperId"' : 'c."parentId"');

export interface FirstPageKey {
  kind: CommentList['kind'];
  id: number;
  direction: Direction;
  take: number;
}

export interface CommentLoaders {
  byId: DataLoader<number, Comment | null>;
  /** The first `take` rows of a list, in walking order. */
  firstRows: DataLoader<FirstPageKey, Comment[], string>;
  /** Rows of a list (deleted and hidden ones included: they keep their place). */
  count: DataLoader<{ kind: CommentList['kind']; id: number }, number, string>;
}

/** A request's comment loaders (src/catalog/context.ts builds them when first asked for). */
export function createCommentLoaders(db: Db): CommentLoaders {
  return {
    byId: new DataLoader(async (ids) => {
      const rows = await db.comment.findMany({ where: { id: { in: [...new Set(ids)] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    firstRows: new DataLoader(
      async (keys) => {
        // One statement per shape (list kind, direction, page size): in practice one per level.
        const shapes = new Map<string, FirstPageKey[]>();
        for (const key of keys) {
          const shape = `${key.kind}:${key.direction}:${key.take}`;
          const group = shapes.get(shape);
          if (group) group.push(key);
          else shapes.set(shape, [key]);
        }
        const found = new Map<string, Comment[]>();
        for (const group of shapes.values()) {
          const { kind, direction, take } = group[0]!;
          const ids = [...new Set(group.map((key) => key.id))];
          const dir = Prisma.raw(direction);
          const rows = await db.$queryRaw<(Comment & { grp: number })[]>`
            SELECT * FROM (
              SELECT c.*, ${groupColumn({ kind })} AS grp,
                     row_number() OVER (PARTITION BY ${groupColumn({ kind })} ORDER BY c."createdAt" ${dir}, c.id ${dir}) AS rn
              FROM "Comment" c WHERE ${groupCondition({ kind }, ids)}
            ) page WHERE rn <= ${take}
            ORDER BY grp, rn`;
          for (const { grp, rn: _rn, ...row } of rows as (Comment & { grp: number; rn: bigint })[]) {
            const cacheKey = firstRowsKey({ kind, id: grp, direction, take });
            const list = found.get(cacheKey);
            if (list) list.push(row);
            else found.set(cacheKey, [row]);
          }
        }
        return keys.map((key) => found.get(firstRowsKey(key)) ?? []);
      },
      { cacheKeyFn: firstRowsKey },
    ),
    count: new DataLoader(
      async (keys) => {
        const counts = new Map<string, number>();
        for (const kind of ['paper', 'replies'] as const) {
          const ids = [...new Set(keys.filter((key) => key.kind === kind).map((key) => key.id))];
          if (ids.length === 0) continue;
          const rows = await db.$queryRaw<{ grp: number; n: number }[]>`
            SELECT ${groupColumn({ kind })} AS grp, count(*)::int AS n FROM "Comment" c
            WHERE ${groupCondition({ kind }, ids)} GROUP BY 1`;
          for (const row of rows) counts.set(`${kind}:${row.grp}`, row.n);
        }
        return keys.map((key) => counts.get(`${key.kind}:${key.id}`) ?? 0);
      },
      { cacheKeyFn: (key) => `${key.kind}:${key.id}` },
    ),
  };
}

function firstRowsKey(key: FirstPageKey): string {
  return `${key.kind}:${key.id}:${key.direction}:${key.take}`;
}
