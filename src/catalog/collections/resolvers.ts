// The Collection type and User.collections. Who sees what is decided in reads.ts: a Collection
// parent here has already passed that check (node(id), a payload to its owner, or a list
// filtered to what the viewer may see).
import type { Prisma, Collection as CollectionRow } from '../../generated/prisma/client.ts';
import type { CollectionItemResolvers, CollectionResolvers, UserResolvers } from '../../generated/graphql.ts';
import { citePapers } from '../citations/index.ts';
import { toGlobalId } from '../../platform/global-id.ts';
import { newestById, paginate } from '../../platform/pagination/connection.ts';
import { allCollectionItems, collectionItems } from './reads.ts';

/** Newest first. */
const byNewest = newestById<CollectionRow, Prisma.CollectionWhereInput, Prisma.CollectionOrderByWithRelationInput>('collection-newest');

export function collectionFeedPath(collection: Pick<CollectionRow, 'id'>): string {
  return `/feeds/collections/${toGlobalId('Collection', collection.id)}.atom`;
}

export const Collection: CollectionResolvers = {
  id: (collection) => toGlobalId('Collection', collection.id),
  owner: async (collection, _args, ctx) => (await ctx.loaders.userById.load(collection.ownerId))!,
  items: (collection, args, ctx) => collectionItems(ctx, collection.id, args),
  citation: async (collection, { format }, ctx) => citePapers(ctx.loaders, (await allCollectionItems(ctx, collection.id)).map((item) => item.paper), format),
  feedPath: (collection) => (collection.public ? collectionFeedPath(collection) : null),
};

export const CollectionItem: CollectionItemResolvers = {
  paper: (item) => item.paper,
};

export const User: Pick<UserResolvers, 'collections'> = {
  // DANGER: the owner sees every collection, anyone else only the public ones.
  collections: (user, args, ctx) =>
    paginate({
      args,
      order: byNewest,
      where: ctx.viewer?.id === user.id ? { ownerId: user.id } : { ownerId: user.id, public: true },
      and: (a, b) => ({ AND: [a, b] }),
      find: (query) => ctx.db.collection.findMany(query),
      count: (where) => ctx.db.collection.count({ where }),
    }),
};
