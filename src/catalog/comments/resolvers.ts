// Comments: Paper.comments and Paper.commentCount, the Comment type, and the commentAdded
// subscription. Writes are in mutations.ts; the reads and the rules of who sees what in reads.ts.
import type { CommentResolvers, PaperResolvers, SubscriptionResolvers } from '../../generated/graphql.ts';
import type { Comment as CommentRow } from '../../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { isCurator } from '../users/index.ts';
import { badInput, ErrorCode } from '../../platform/errors.ts';
import { channels, type CatalogEvent } from '../../platform/events/bus.ts';
import { createLoaders } from '../context.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { GraphQLError } from 'graphql';
import { commentPage, showsContent, stateOf, viewerCanEdit } from './reads.ts';
import { isListed } from '../papers/index.ts';

export const Paper: Pick<PaperResolvers, 'comments' | 'commentCount'> = {
  comments: (paper, { orderBy, ...args }, ctx) => commentPage(ctx, { kind: 'paper', id: paper.id, order: orderBy ?? 'NEWEST' }, args),
  commentCount: (paper) => paper.commentCount,
};

export const Comment: CommentResolvers = {
  id: (comment) => toGlobalId('Comment', comment.id),
  async paper(comment, _args, ctx) {
    // Reached through a paper the viewer may see (reads.ts): the row exists.
    const paper = await ctx.loaders.paperById.load(comment.paperId);
    if (!paper) throw new Error(`comment ${comment.id} without its paper ${comment.paperId}`);
    return paper;
  },
  author: (comment, _args, ctx) => (showsContent(ctx.viewer, comment) ? ctx.loaders.userById.load(comment.authorId) : null),
  body: (comment, _args, ctx) => (showsContent(ctx.viewer, comment) ? comment.body : null),
  bodyHtml: (comment, _args, ctx) => (showsContent(ctx.viewer, comment) ? comment.bodyHtml : null),
  state: (comment) => stateOf(comment),
  createdAt: (comment) => comment.createdAt,
  editedAt: (comment) => comment.editedAt,
  edited: (comment) => comment.editedAt !== null,
  parent: (comment, _args, ctx) => (comment.parentId === null ? null : ctx.loaders.comments().byId.load(comment.parentId)),
  replies: (comment, args, ctx) => commentPage(ctx, { kind: 'replies', id: comment.id }, args),
  viewerCanEdit: (comment, _args, ctx) => viewerCanEdit(ctx.viewer, comment),
  hiddenReason: (comment, _args, ctx) => (isCurator(ctx.viewer) ? comment.hiddenReason : null),
};

function commentOf(event: CatalogEvent | undefined, ctx: Context): CommentRow {
  // Over HTTP, graphql-js runs `resolve` alone, without `subscribe` and so without an event.
  if (!event || event.type !== 'commentAdded') {
    throw new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP', {
      extensions: { code: ErrorCode.BAD_REQUEST },
    });
  }
  // Fresh loaders per event: a subscription's context outlives any one event's data.
  ctx.loaders = createLoaders(ctx.platform, ctx.viewer);
  ctx.loaders.comments().byId.prime(event.comment.id, event.comment);
  return event.comment;
}

export const Subscription: Required<Pick<SubscriptionResolvers, 'commentAdded'>> = {
  commentAdded: {
    async subscribe(_parent, { paperId }, ctx) {
      const id = fromGlobalIdOf('Paper', paperId, 'paperId');
      if (!ctx.events) commentOf(undefined, ctx);
      // Listening starts before the check, so no comment between the two goes unseen.
      const events = ctx.events!.listen(channels.comments(id), { filter: (event) => event.type === 'commentAdded' });
      const paper = await ctx.db.paper.findUnique({ where: { id }, select: { hiddenAt: true } });
      // Listed papers only, for curators too: a hidden paper takes no comments (addComment).
      if (!paper || !isListed(paper)) {
        await events.return?.();
        throw badInput('No listed paper has this id', 'paperId');
      }
      return events;
    },
    resolve: (event: CatalogEvent, _args: unknown, ctx: Context) => commentOf(event, ctx),
  },
};
