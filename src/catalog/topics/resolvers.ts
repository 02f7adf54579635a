import { Prisma, type Topic as TopicRow } from '../../generated/prisma/client.ts';
import type { QueryResolvers, TopicResolvers } from '../../generated/graphql.ts';
import { toGlobalId } from '../../platform/global-id.ts';
import { beyondPair, paginate, type KeysetOrder } from '../../platform/pagination/connection.ts';
import { keyInt, keyString } from '../../platform/pagination/keys.ts';
import { listPapers } from '../papers/index.ts';

/** Alphabetical, ties by id: index Topic(name, id) is not needed at the catalog's topic counts. */
const byName: KeysetOrder<TopicRow, Prisma.TopicWhereInput, Prisma.TopicOrderByWithRelationInput[]> = {
  name: 'topic-name',
  orderBy: [{ name: 'asc' }, { id: 'asc' }],
  reverseOrderBy: [{ name: 'desc' }, { id: 'desc' }],
  keyLength: 2,
  key: (topic) => [topic.name, topic.id],
  beyond: ([name, id], direction) => beyondPair(['name', keyString(name)], ['id', keyInt(id)], { ascending: true, direction }),
};

export const Query: Pick<QueryResolvers, 'topic' | 'topics'> = {
  topic: (_parent, { slug }, ctx) => ctx.db.topic.findUnique({ where: { slug: slug.trim().toLowerCase() } }),
  topics: (_parent, args, ctx) =>
    paginate({
      args,
      order: byName,
      where: {},
      and: (a, b) => ({ AND: [a, b] }),
      find: (query) => ctx.db.topic.findMany(query),
      count: (where) => ctx.db.topic.count({ where }),
    }),
};

export const Topic: TopicResolvers = {
  id: (topic) => toGlobalId('Topic', topic.id),
  parent: (topic, _args, ctx) => (topic.parentId === null ? null : ctx.loaders.topicById.load(topic.parentId)),
  children: (topic, _args, ctx) => ctx.loaders.childrenByTopicId.load(topic.id),
  papers: (topic, args, ctx) =>
    listPapers(ctx, args, { scope: [Prisma.sql`EXISTS (SELECT 1 FROM "PaperTopic" pt WHERE pt."paperId" = p.id AND pt."topicId" = ${topic.id})`] }),
  paperCount: (topic, _args, ctx) => ctx.loaders.paperCountByTopicId.load(topic.id),
};
