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
import { Prisma, type Comment } from '../../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { isCurator } from '../users/index.ts';
import type { User } from '../../generated/prisma/client.ts';
import { decodeCursor, encodeCursor, pageRequest, toConnection, type ConnectionArgs, type Connection } from '../../platform/pagination/connection.ts';
import { keyInt, keyTimestamp } from '../../platform/pagination/keys.ts';
import { canSee } from '../papers/index.ts';
import { cursorName, directionOf, groupCondition, type CommentList } from './loaders.ts';

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
  const comment = await ctx.loaders.comments().byId.load(id);
  if (!comment) return null;
  const paper = await ctx.loaders.paperById.load(comment.paperId);
  return paper && canSee(ctx.viewer, paper) ? comment : null;
}

/** One page of a list of comments (keyset on createdAt, id; never OFFSET). */
export async function commentPage(ctx: Context, list: CommentList, args: ConnectionArgs): Promise<Connection<Comment>> {
  const request = pageRequest(args);
  const backward = request.direction === 'backward';
  const direction = directionOf(list, backward);
  const name = cursorName(list);
  const loaders = ctx.loaders.comments();
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
