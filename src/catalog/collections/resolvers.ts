// The Collection type and User.collections. Who sees what is decided in reads.ts: a Collection
// parent here has already passed that check (node(id), a payload to its owner, or a list
// filtered to what the viewer may see).
import type { Prisma, Collection as CollectionRow } from '../../generated/prisma/client.ts';
import type { CollectionItemResolvers, CollectionResolvers, UserResolvers } from '../../generated/graphql.ts';
import { citePapers, type CitationFormat } from '../citations/index.ts';
import type { Context } from '../context.ts';
import { toGlobalId } from '../../platform/global-id.ts';
import { newestById, paginate } from '../../platform/pagination/connection.ts';
import { allCollectionItems, collectionItems } from './reads.ts';

/** Newest first. */
const byNewest = newestById<CollectionRow, Prisma.CollectionWhereInput, Prisma.CollectionOrderByWithRelationInput>('collection-newest');

export function collectionFeedPath(collection: Pick<CollectionRow, 'id'>): string {
  return `/feeds/collections/${toGlobalId('Collection', collection.id)}.atom`;
}

/**
 * A collection's citation file per request, operation and format: formatting 1,000 papers
 * costs 150-300 ms of CPU a format, and `nodes(ids: [one collection × 25])` asks for the same
 * file 25 times. Kept per query operation only (a mutation may change the collection between
 * two of its fields), keyed by the operation's context: it goes away with the request and is
 * never seen by another one (viewer and hidden papers are decided per request).
 */
const citationsOfOperation = new WeakMap<Context, Map<string, Promise<string>>>();

async function citeCollection(ctx: Context, collection: CollectionRow, format: CitationFormat): Promise<string> {
  return citePapers(ctx.loaders, (await allCollectionItems(ctx, collection.id)).map((item) => item.paper), format, ctx.deadline);
}

function citeCollectionOnce(ctx: Context, collection: CollectionRow, format: CitationFormat): Promise<string> {
  let files = citationsOfOperation.get(ctx);
  if (!files) citationsOfOperation.set(ctx, (files = new Map()));
  const key = `${collection.id}:${format}`;
  let file = files.get(key);
  if (!file) files.set(key, (file = citeCollection(ctx, collection, format)));
  return file;
}

export const Collection: CollectionResolvers = {
  id: (collection) => toGlobalId('Collection', collection.id),
  owner: async (collection, _args, ctx) => (await ctx.loaders.userById.load(collection.ownerId))!,
  items: (collection, args, ctx) => collectionItems(ctx, collection.id, args),
  citation: (collection, { format }, ctx, info) =>
    info.operation.operation === 'query' ? citeCollectionOnce(ctx, collection, format) : citeCollection(ctx, collection, format),
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
