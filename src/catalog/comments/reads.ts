// The comment read service: pages of a paper's comments and of a comment's replies, what a
// viewer may see of a comment, and the lookup of one comment by id.
//
// DANGER: a comment is reachable only through a paper the viewer may see (src/catalog/papers/
// visibility.ts): comments of a hidden paper exist for curators only, like the paper. Every
// read for a client goes through `reachableComment` or starts from a Paper the resolvers
// already checked.
//
// First pages (no cursor) are batched per request: `papers { comments(first: 5) { ... replies } }`
// reads each level in one statement (a window function numbers each group's rows), not one
// statement per paper or comment. Pages after a cursor are one keyset query each.
import DataLoader from 'dataloader';
import { Prisma, type Comment } from '../../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { isCurator } from '../users/index.ts';
import type { User } from '../../generated/prisma/client.ts';
import { decodeCursor, encodeCursor, pageRequest, toConnection, type ConnectionArgs, type Connection } from '../../platform/pagination/connection.ts';
import { keyInt, keyTimestamp } from '../../platform/pagination/keys.ts';
import { canSee } from '../papers/index.ts';
import type { Loaders } from '../context.ts';

/** How long after posting its author may edit a comment. */
export const EDIT_WINDOW_MS = 24 * 60 * 60 * 1000;

export type CommentState = 'VISIBLE' | 'DELETED' | 'HIDDEN';

export function stateOf(comment: Pick<Comment, 'deletedAt' | 'hiddenAt'>): CommentState {
  if (comment.deletedAt) return 'DELETED';
  if (comment.hiddenAt) return 'HIDDEN';
  return 'VISIBLE';
}

/**
 * Whether the viewer sees the comment's body and author: not once deleted (by its author, for
 * everyone), and once hidden only curators, who must judge it.
 */
export function showsContent(viewer: User | null, comment: Pick<Comment, 'deletedAt' | 'hiddenAt'>): boolean {
  if (comment.deletedAt) return false;
  return comment.hiddenAt === null || isCurator(viewer);
}

export function viewerCanEdit(viewer: User | null, comment: Pick<Comment, 'authorId' | 'createdAt' | 'deletedAt' | 'hiddenAt'>, now = Date.now()): boolean {
  return viewer?.id === comment.authorId && stateOf(comment) === 'VISIBLE' && now - comment.createdAt.getTime() < EDIT_WINDOW_MS;
}

/** The comment with this id if the viewer may see its paper, else null (never a hint it exists). */
export async function reachableComment(ctx: Context, id: number): Promise<Comment | null> {
  const comment = await commentLoaders(ctx).byId.load(id);
  if (!comment) return null;
  const paper = await ctx.loaders.paperById.load(comment.paperId);
  return paper && canSee(ctx.viewer, paper) ? comment : null;
}

/** A list of comments: a paper's top-level ones, or one comment's replies. */
export type CommentList = { kind: 'paper'; id: number; order: 'NEWEST' | 'OLDEST' } | { kind: 'replies'; id: number };

type Direction = 'asc' | 'desc';

function directionOf(list: CommentList, walkBackward: boolean): Direction {
  // Replies read as a conversation: oldest first.
  const newestFirst = list.kind === 'paper' && list.order === 'NEWEST';
  return newestFirst !== walkBackward ? 'desc' : 'asc';
}

const cursorName = (list: CommentList) => (list.kind === 'paper' ? `comments-${list.order.toLowerCase()}` : 'replies');

function groupCondition(list: Pick<CommentList, 'kind'>, ids: number[]): Prisma.Sql {
  return list.kind === 'paper' ? Prisma.sql`c."paperId" = ANY(${ids}::int[]) AND c."parentId" IS NULL` : Prisma.sql`c."parentId" = ANY(${ids}::int[])`;
}

const groupColumn = (list: Pick<CommentList, 'kind'>) => Prisma.raw(list.kind === 'paper' ? 'c."paperId"' : 'c."parentId"');

interface FirstPageKey {
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

// Per request: keyed by the request's own Loaders object, which lives exactly as long as the
// request (or one subscription event), so nothing cached here outlives it or crosses viewers.
const perRequest = new WeakMap<Loaders, CommentLoaders>();

export function commentLoaders(ctx: Context): CommentLoaders {
  let loaders = perRequest.get(ctx.loaders);
  if (!loaders) perRequest.set(ctx.loaders, (loaders = createCommentLoaders(ctx)));
  return loaders;
}

function createCommentLoaders(ctx: Context): CommentLoaders {
  const db = ctx.db;
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

/** One page of a list of comments (keyset on createdAt, id; never OFFSET). */
export async function commentPage(ctx: Context, list: CommentList, args: ConnectionArgs): Promise<Connection<Comment>> {
  const request = pageRequest(args);
  const backward = request.direction === 'backward';
  const direction = directionOf(list, backward);
  const name = cursorName(list);
  const loaders = commentLoaders(ctx);
  let rows: Comment[];
  if (request.cursor === null) {
    rows = await loaders.firstRows.load({ kind: list.kind, id: list.id, direction, take: request.take + 1 });
  } else {
    const argument = backward ? 'before' : 'after';
    const [at, id] = decodeCursor(name, request.cursor, 2, argument);
    const createdAt = keyTimestamp(at);
    const commentId = keyInt(id);
    const dir = Prisma.raw(direction);
    const beyond = direction === 'desc' ? Prisma.sql`(c."createdAt", c.id) < (${createdAt}, ${commentId})` : Prisma.sql`(c."createdAt", c.id) > (${createdAt}, ${commentId})`;
    rows = await ctx.db.$queryRaw<Comment[]>`
      SELECT c.* FROM "Comment" c
      WHERE ${groupCondition(list, [list.id])} AND ${beyond}
      ORDER BY c."createdAt" ${dir}, c.id ${dir}
      LIMIT ${request.take + 1}`;
  }
  for (const row of rows) loaders.byId.prime(row.id, row);
  return toConnection(
    rows,
    request,
    (node) => ({ cursor: encodeCursor(name, [node.createdAt.toISOString(), node.id]), node }),
    () => loaders.count.load({ kind: list.kind, id: list.id }),
  );
}
