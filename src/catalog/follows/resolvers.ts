// Mutation.followAuthor / followTopic / unfollow / rotateFeedToken, User.follows, User.feed and
// the Follow type. Follows and the feed are the user's own: anyone else, admins included, gets
// null, and someone else's follow id is "not found".
import type { Prisma, Follow as FollowRow } from '../../generated/prisma/client.ts';
import type { FollowResolvers, FollowTargetResolvers, MutationResolvers, UserResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { newestById, paginate } from '../../platform/pagination/connection.ts';
import { paperSelection } from '../papers/index.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { feedPath, rotateFeedToken } from './feed-token.ts';
import { followFeed } from './reads.ts';

/** Enough for anyone's reading; keeps the feed's candidate set and the digest's bounded. */
export const MAX_FOLLOWS = 1000;

/** Most recent first. */
const byNewest = newestById<FollowRow, Prisma.FollowWhereInput, Prisma.FollowOrderByWithRelationInput>('follow-newest');

async function follow(ctx: Context, target: { authorId: number } | { topicId: number }, field: string): Promise<{ follow: FollowRow }> {
  const userId = ctx.viewer!.id;
  const exists = 'authorId' in target ? await ctx.loaders.authorById.load(target.authorId) : await ctx.loaders.topicById.load(target.topicId);
  if (!exists) throw new UserErrors([userError([field], 'NOT_FOUND', `No ${'authorId' in target ? 'author' : 'topic'} has this id`)]);
  const count = await ctx.db.follow.count({ where: { userId } });
  if (count >= MAX_FOLLOWS) {
    throw new UserErrors([userError([field], 'INVALID', `You follow ${count} authors and topics, the most allowed: unfollow some first`)]);
  }
  // Idempotent under concurrency: the unique key decides, and a second call finds the first's row.
  const key = 'authorId' in target ? { userId_authorId: { userId, authorId: target.authorId } } : { userId_topicId: { userId, topicId: target.topicId } };
  const row = await ctx.db.follow.upsert({ where: key, create: { userId, ...target }, update: {} });
  return { follow: row };
}

export const Mutation: Pick<MutationResolvers, 'followAuthor' | 'followTopic' | 'unfollow' | 'rotateFeedToken'> = {
  followAuthor: (_parent, { authorId }, ctx) =>
    payload({ follow: null }, () => follow(ctx, { authorId: fromGlobalIdOf('Author', authorId, 'authorId') }, 'authorId')),

  followTopic: (_parent, { topicId }, ctx) =>
    payload({ follow: null }, () => follow(ctx, { topicId: fromGlobalIdOf('Topic', topicId, 'topicId') }, 'topicId')),

  unfollow: (_parent, { id }, ctx) =>
    payload({ unfollowedId: null }, async () => {
      const followId = fromGlobalIdOf('Follow', id, 'id');
      // Only the caller's own rows: someone else's follow id removes nothing and says nothing.
      const removed = await ctx.db.follow.deleteMany({ where: { id: followId, userId: ctx.viewer!.id } });
      return { unfollowedId: removed.count === 1 ? id : null };
    }),

  rotateFeedToken: (_parent, _args, ctx) =>
    payload({ token: null, feedPath: null }, async () => {
      const token = await rotateFeedToken(ctx.db, ctx.viewer!.id);
      return { token, feedPath: feedPath(token) };
    }),
};

export const User: Pick<UserResolvers, 'follows' | 'feed'> = {
  follows: (user, args, ctx) =>
    ctx.viewer?.id !== user.id
      ? null
      : paginate({
          args,
          order: byNewest,
          where: { userId: user.id },
          and: (a, b) => ({ AND: [a, b] }),
          find: (query) => ctx.db.follow.findMany(query),
          count: (where) => ctx.db.follow.count({ where }),
        }),
  feed: (user, args, ctx, info) => (ctx.viewer?.id !== user.id ? null : followFeed(ctx, user.id, args, paperSelection(info))),
};

export const Follow: FollowResolvers = {
  id: (row) => toGlobalId('Follow', row.id),
  async target(row, _args, ctx) {
    const target = row.authorId !== null ? await ctx.loaders.authorById.load(row.authorId) : await ctx.loaders.topicById.load(row.topicId!);
    // Authors and topics are never deleted while followed (the follow cascades with them).
    if (!target) throw new Error(`follow ${row.id} points at nothing`);
    return target;
  },
};

export const FollowTarget: FollowTargetResolvers = {
  __resolveType: (target) => ('slug' in target ? 'Topic' : 'Author'),
};

