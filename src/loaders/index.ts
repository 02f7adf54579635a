// Every DataLoader of a request, built per request in the context (never at module scope:
// a cache shared between requests would serve one viewer's data to another).
//
// The batch contract, written once: dedupe the keys, one query with `IN`, then answer in the
// order of the keys — `null` for a missing row (one-to-one), `[]` for none (one-to-many).
import DataLoader from 'dataloader';
import type { Author, Paper, PaperAuthor, Topic, User } from '../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { listedPaper } from '../papers/visibility.ts';

function byId<T extends { id: number }>(load: (ids: number[]) => Promise<T[]>) {
  return new DataLoader<number, T | null>(async (ids) => {
    const rows = await load([...new Set(ids)]);
    const map = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function grouped<K, V>(load: (keys: K[]) => Promise<[K, V][]>) {
  return new DataLoader<K, V[]>(async (keys) => {
    const groups = new Map<K, V[]>();
    for (const [key, value] of await load([...new Set(keys)])) {
      const group = groups.get(key);
      if (group) group.push(value);
      else groups.set(key, [value]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}

function counted<K>(load: (keys: K[]) => Promise<[K, number][]>) {
  return new DataLoader<K, number>(async (keys) => {
    const counts = new Map(await load([...new Set(keys)]));
    return keys.map((key) => counts.get(key) ?? 0);
  });
}

export function createLoaders(db: Db, viewer: User | null = null) {
  const loaders = {
    /** Whether the viewer upvoted each paper. Per viewer, hence per request: never share it. */
    viewerHasUpvoted: new DataLoader<number, boolean>(async (paperIds) => {
      if (!viewer) return paperIds.map(() => false);
      const votes = await db.vote.findMany({
        where: { userId: viewer.id, paperId: { in: [...new Set(paperIds)] } },
        select: { paperId: true },
      });
      const voted = new Set(votes.map((vote) => vote.paperId));
      return paperIds.map((id) => voted.has(id));
    }),

    paperById: byId<Paper>((ids) => db.paper.findMany({ where: { id: { in: ids } } })),
    authorById: byId<Author>((ids) => db.author.findMany({ where: { id: { in: ids } } })),
    topicById: byId<Topic>((ids) => db.topic.findMany({ where: { id: { in: ids } } })),
    userById: byId<User>((ids) => db.user.findMany({ where: { id: { in: ids } } })),

    /** Byline order; primes authorById, so `authors` and `byline` cost one statement. */
    bylineByPaperId: grouped<number, PaperAuthor>(async (paperIds) => {
      const rows = await db.paperAuthor.findMany({
        where: { paperId: { in: paperIds } },
        orderBy: [{ paperId: 'asc' }, { position: 'asc' }],
        include: { author: true },
      });
      for (const { author } of rows) loaders.authorById.prime(author.id, author);
      return rows.map(({ author: _author, ...entry }) => [entry.paperId, entry]);
    }),
    topicsByPaperId: grouped<number, Topic>(async (paperIds) => {
      const rows = await db.paperTopic.findMany({ where: { paperId: { in: paperIds } }, include: { topic: true } });
      // Sorted here: ordering by the related name in SQL made Postgres read every topic.
      rows.sort((a, b) => a.topic.name.localeCompare(b.topic.name) || a.topicId - b.topicId);
      for (const row of rows) loaders.topicById.prime(row.topic.id, row.topic);
      return rows.map((row) => [row.paperId, row.topic]);
    }),
    childrenByTopicId: grouped<number, Topic>(async (parentIds) => {
      const rows = await db.topic.findMany({
        where: { parentId: { in: parentIds } },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      });
      return rows.map((row) => [row.parentId!, row]);
    }),
    paperCountByAuthorId: counted<number>(async (authorIds) => {
      // Listed papers only: counting hidden ones would tell that they exist.
      const rows = await db.paperAuthor.groupBy({ by: ['authorId'], where: { authorId: { in: authorIds }, paper: listedPaper }, _count: { _all: true } });
      return rows.map((row) => [row.authorId, row._count._all]);
    }),
    paperCountByTopicId: counted<number>(async (topicIds) => {
      const rows = await db.paperTopic.groupBy({ by: ['topicId'], where: { topicId: { in: topicIds }, paper: listedPaper }, _count: { _all: true } });
      return rows.map((row) => [row.topicId, row._count._all]);
    }),
  };
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;
