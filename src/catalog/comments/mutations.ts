// addComment, editComment, deleteComment, hideComment.
//
// Paper.commentCount counts the paper's comments that are neither deleted nor hidden, and is
// changed in the SAME transaction as the comment. Each change is guarded by the comment's own
// state in its UPDATE's WHERE (`"deletedAt" IS NULL`), and a concurrent change of the same
// comment waits for the row lock and re-reads the row, so a comment deleted and hidden at once
// leaves the count exactly once: the count never drifts.
import type { MutationResolvers } from '../../generated/graphql.ts';
import type { Comment } from '../../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { forbidden } from '../../platform/errors.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { LISTED } from '../papers/index.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { text } from '../../platform/validation.ts';
import { writeOutbox } from '../../platform/events/outbox.ts';
import { EDIT_WINDOW_MS, reachableComment } from './reads.ts';
import { MAX_COMMENT_LENGTH, renderComment } from './render.ts';

const REASON_MAX = 500;

function body(value: string, field: string[]): string {
  return text(value, field, { max: MAX_COMMENT_LENGTH, multiline: true, label: 'body' });
}

async function existingComment(ctx: Context, globalId: string, field: string[]): Promise<Comment> {
  const comment = await reachableComment(ctx, fromGlobalIdOf('Comment', globalId, field.at(-1)));
  if (!comment) throw new UserErrors([userError(field, 'NOT_FOUND', 'No comment has this id')]);
  return comment;
}

/** The comment as it now is, with this request's cache told. */
async function reloaded(ctx: Context, id: number): Promise<Comment> {
  const comment = await ctx.db.comment.findUniqueOrThrow({ where: { id } });
  ctx.loaders.comments().byId.clear(id).prime(id, comment);
  ctx.loaders.paperById.clear(comment.paperId);
  return comment;
}

export const Mutation: Pick<MutationResolvers, 'addComment' | 'editComment' | 'deleteComment' | 'hideComment'> = {
  addComment: (_parent, { input }, ctx) =>
    payload({ comment: null }, async () => {
      const paperId = fromGlobalIdOf('Paper', input.paperId, 'paperId');
      const parentGlobalId = input.parentId ?? null;
      const parentId = parentGlobalId === null ? null : fromGlobalIdOf('Comment', parentGlobalId, 'parentId');
      const source = body(input.body, ['input', 'body']);
      const html = renderComment(source);
      const comment = await ctx.db.$transaction(async (tx) => {
        // Only listed papers take comments. The UPDATE also locks the paper's row until commit.
        const counted = await tx.$executeRaw`UPDATE "Paper" p SET "commentCount" = p."commentCount" + 1 WHERE p.id = ${paperId} AND ${LISTED}`;
        if (counted === 0) throw new UserErrors([userError(['input', 'paperId'], 'NOT_FOUND', 'No paper has this id')]);
        let threadId: number | null = null;
        if (parentId !== null) {
          const parent = await tx.comment.findUnique({ where: { id: parentId } });
          if (!parent || parent.paperId !== paperId) {
            throw new UserErrors([userError(['input', 'parentId'], 'NOT_FOUND', 'No comment of this paper has this id')]);
          }
          if (parent.deletedAt || parent.hiddenAt) {
            throw new UserErrors([userError(['input', 'parentId'], 'INVALID', 'The comment was deleted or hidden and takes no replies')]);
          }
          // One level of replies: an answer to a reply joins the same thread.
          threadId = parent.parentId ?? parent.id;
        }
        const created = await tx.comment.create({ data: { paperId, authorId: ctx.viewer!.id, parentId: threadId, body: source, bodyHtml: html } });
        // Its webhook event commits with it; the paper is listed (checked above, its row locked).
        await writeOutbox(tx, [{
          type: 'comment.created',
          data: {
            comment: { id: toGlobalId('Comment', created.id) },
            paper: { id: toGlobalId('Paper', paperId) },
            parent: threadId === null ? null : { id: toGlobalId('Comment', threadId) },
            author: { id: toGlobalId('User', ctx.viewer!.id) },
          },
        }]);
        return created;
      });
      ctx.loaders.comments().byId.prime(comment.id, comment);
      ctx.loaders.paperById.clear(paperId);
      ctx.events?.commentAdded(comment);
      return { comment };
    }),

  editComment: (_parent, { input }, ctx) =>
    payload({ comment: null }, async () => {
      const comment = await existingComment(ctx, input.commentId, ['input', 'commentId']);
      if (comment.authorId !== ctx.viewer!.id) throw forbidden('Only the comment’s author can edit it');
      if (comment.deletedAt || comment.hiddenAt) {
        throw new UserErrors([userError(['input', 'commentId'], 'INVALID', 'A deleted or hidden comment cannot be edited')]);
      }
      const now = new Date();
      if (now.getTime() - comment.createdAt.getTime() >= EDIT_WINDOW_MS) {
        throw new UserErrors([userError(['input', 'commentId'], 'EXPIRED', `A comment can be edited for 24 hours after posting; this one was posted at ${comment.createdAt.toISOString()}`)]);
      }
      const source = body(input.body, ['input', 'body']);
      if (source === comment.body) return { comment }; // nothing changed: not marked edited
      // Guarded like the checks above, in the statement: a delete or hide in between wins.
      const { count } = await ctx.db.comment.updateMany({
        where: { id: comment.id, deletedAt: null, hiddenAt: null },
        data: { body: source, bodyHtml: renderComment(source), editedAt: now },
      });
      if (count === 0) throw new UserErrors([userError(['input', 'commentId'], 'INVALID', 'A deleted or hidden comment cannot be edited')]);
      return { comment: await reloaded(ctx, comment.id) };
    }),

  deleteComment: (_parent, { commentId }, ctx) =>
    payload({ comment: null }, async () => {
      const comment = await existingComment(ctx, commentId, ['commentId']);
      if (comment.authorId !== ctx.viewer!.id) throw forbidden('Only the comment’s author can delete it (curators hide comments: hideComment)');
      if (comment.deletedAt) return { comment };
      await ctx.db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ hiddenAt: Date | null }[]>`
          UPDATE "Comment" SET "deletedAt" = now() WHERE id = ${comment.id} AND "deletedAt" IS NULL RETURNING "hiddenAt"`;
        // A hidden comment had already left the count.
        if (rows.length === 1 && rows[0]!.hiddenAt === null) {
          await tx.$executeRaw`UPDATE "Paper" SET "commentCount" = "commentCount" - 1 WHERE id = ${comment.paperId}`;
        }
      });
      return { comment: await reloaded(ctx, comment.id) };
    }),

  hideComment: (_parent, { commentId, reason }, ctx) =>
    payload({ comment: null }, async () => {
      const comment = await existingComment(ctx, commentId, ['commentId']);
      const why = text(reason, ['reason'], { max: REASON_MAX });
      if (comment.hiddenAt) return { comment }; // already hidden: nothing to record
      await ctx.db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ deletedAt: Date | null }[]>`
          UPDATE "Comment" SET "hiddenAt" = now(), "hiddenById" = ${ctx.viewer!.id}, "hiddenReason" = ${why}
          WHERE id = ${comment.id} AND "hiddenAt" IS NULL RETURNING "deletedAt"`;
        if (rows.length === 0) return; // hidden by someone else meanwhile
        if (rows[0]!.deletedAt === null) {
          await tx.$executeRaw`UPDATE "Paper" SET "commentCount" = "commentCount" - 1 WHERE id = ${comment.paperId}`;
        }
        await tx.curationEvent.create({
          data: { actorId: ctx.viewer!.id, action: 'comment.hide', paperId: comment.paperId, details: { commentId: comment.id, reason: why } },
        });
      });
      return { comment: await reloaded(ctx, comment.id) };
    }),
};
