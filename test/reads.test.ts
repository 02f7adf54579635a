// The papers read service (src/catalog/papers/reads.ts) as feeds, digests and scripts use it: without
// a GraphQL context, through the plain-pg reader, with the hidden-paper rule applied.
import { PrismaPg } from '@prisma/adapter-pg';
import { createDb, prismaReader, type Db } from '../src/platform/db/client.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { listPapers } from '../src/catalog/papers/list.ts';
import { paperByArxivId, paperById, paperReads } from '../src/catalog/papers/reads.ts';
import { usingRealPostgres, testPlatform } from './helpers/database.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { day } from './helpers/scenarios.ts';

/** A listed paper and a hidden one, by the same author; the curator who hid it. */
async function listedAndHidden(db: Db) {
  const curator = await db.user.create({ data: { handle: 'cura', displayName: 'Cura', role: 'CURATOR' } });
  const author = await db.author.create({ data: { name: 'Ada Lovelace', normalizedName: 'ada lovelace' } });
  const paper = (i: number, hidden: boolean) =>
    db.paper.create({
      data: {
        arxivId: `2407.0000${i}`,
        title: `Paper ${i}`,
        abstract: 'a',
        publishedAt: new Date('2024-06-01T10:20:30.456Z'),
        featuredOn: day('2024-07-01'),
        aiKeywords: ['x', 'y'],
        ...(hidden ? { hiddenAt: new Date(), hiddenById: curator.id, hiddenReason: 'spam' } : {}),
        authors: { create: [{ authorId: author.id, position: 0 }] },
      },
    });
  return { listedId: (await paper(1, false)).id, hiddenId: (await paper(2, true)).id };
}

const run = setupTestRunner({ scenario: listedAndHidden, server: false, reset: 'once' });

test('rows read through pg have the shapes Prisma gives: DATE at UTC midnight, timestamps, JSON', async () => {
  const { listedId } = run.scenario;
  const viaPrisma = await run.db.paper.findUniqueOrThrow({ where: { id: listedId } });
  const viaPg = await paperById(paperReads(run.platform), listedId);
  expect(viaPg).toEqual(viaPrisma);
  expect(viaPg!.featuredOn!.toISOString()).toBe('2024-07-01T00:00:00.000Z');
});

test('a list never holds a hidden paper, whoever reads; a hidden paper opened by id exists for curators only', async () => {
  const { listedId, hiddenId } = run.scenario;
  const anonymous = paperReads(run.platform);
  const list = await listPapers(anonymous, { first: 10 });
  expect(list.nodes.map((p) => p.id)).toEqual([listedId]);
  expect(await paperById(anonymous, hiddenId)).toBeNull();
  expect(await paperByArxivId(anonymous, '2407.00002')).toBeNull();

  const curator = await run.db.user.findUniqueOrThrow({ where: { handle: 'cura' } });
  const asCurator = paperReads(run.platform, curator);
  expect((await listPapers(asCurator, { first: 10 })).nodes.map((p) => p.id)).toEqual([listedId]);
  expect((await paperById(asCurator, hiddenId))?.id).toBe(hiddenId);
  expect((await paperByArxivId(asCurator, '2407.00002'))?.id).toBe(hiddenId);
});

test('reads through pg are counted like Prisma statements', async () => {
  run.t.queries.length = 0;
  await paperByArxivId(paperReads(run.platform), '2407.00001');
  expect(run.t.queries).toHaveLength(1);
  expect(run.t.queries[0]).toMatch(/FROM "Paper" p WHERE p."arxivId" = ANY\(\$1::text\[\]\)/);
});

test('a Prisma client built elsewhere than createDb reads the same rows through Prisma', async () => {
  const { listedId } = run.scenario;
  const other = new PrismaClient({ adapter: new PrismaPg({ connectionString: run.t.url, max: 1 }) });
  try {
    const fallback = { ...run.platform, db: other, reader: prismaReader(other), primaryReader: prismaReader(other) };
    const [viaFallback, viaPool] = await Promise.all([paperById(paperReads(fallback), listedId), paperById(paperReads(run.platform), listedId)]);
    expect(viaFallback).toEqual(viaPool);
    expect(await prismaReader(other).rows({ text: 'SELECT $1::int + 1 AS n', values: [1] })).toEqual([{ n: 2 }]);
  } finally {
    await other.$disconnect();
  }
});

test('a new connection reads again where an earlier one prepared the same statements', async () => {
  const { listedId } = run.scenario;
  // The embedded PGlite keeps one session for every connection: named statements of a closed
  // connection are still there, so there reads run unnamed (createDb's prepare).
  for (let i = 0; i < 2; i++) {
    const database = createDb({ connectionString: run.t.url, poolSize: 1, prepare: usingRealPostgres });
    try {
      expect((await paperById(paperReads(testPlatform(database)), listedId))?.id).toBe(listedId);
    } finally {
      await database.close();
    }
  }
});

test('relations read with a page (one statement) equal those the loaders read: bylines in order with their authors, topics by name', async () => {
  const { listedId } = run.scenario;
  const author2 = await run.db.author.create({ data: { name: 'Alan Turing', normalizedName: 'alan turing' } });
  const [zeta, alpha] = [await run.db.topic.create({ data: { slug: 'zeta', name: 'Zeta' } }), await run.db.topic.create({ data: { slug: 'alpha', name: 'Alpha' } })];
  await run.db.paperAuthor.create({ data: { paperId: listedId, authorId: author2.id, position: 1, affiliation: 'Bletchley', hidden: true } });
  await run.db.paperTopic.createMany({ data: [{ paperId: listedId, topicId: zeta.id }, { paperId: listedId, topicId: alpha.id }] });

  const viaLoaders = paperReads(run.platform);
  const byline = await viaLoaders.loaders.bylineByPaperId.load(listedId);
  const topics = await viaLoaders.loaders.topicsByPaperId.load(listedId);
  expect(byline.map((entry) => [entry.position, entry.author.name, entry.affiliation, entry.hidden])).toEqual([
    [0, 'Ada Lovelace', null, false],
    [1, 'Alan Turing', 'Bletchley', true],
  ]);
  expect(topics.map((topic) => topic.slug)).toEqual(['alpha', 'zeta']);

  // What a paper shows of them: the same from either path.
  const shown = (entries: { position: number; hidden: boolean; affiliation: string | null; author: { id: number; name: string } }[]) =>
    entries.map(({ position, hidden, affiliation, author }) => ({ position, hidden, affiliation, author: { id: author.id, name: author.name } }));
  const shownTopics = (list: { id: number; name: string; slug: string; parentId: number | null }[]) => list.map(({ id, name, slug, parentId }) => ({ id, name, slug, parentId }));
  for (const read of [
    async (deps: ReturnType<typeof paperReads>) => (await listPapers(deps, { first: 5 }, { withRelations: true })).nodes,
    async (deps: ReturnType<typeof paperReads>) => [await paperByArxivId(deps, '2407.00001', { withRelations: true })],
  ]) {
    const deps = paperReads(run.platform);
    run.t.queries.length = 0;
    const papers = await read(deps);
    expect(papers.map((paper) => paper!.id)).toContain(listedId);
    // The row is a Paper again: the relation columns were taken off it.
    expect(Object.keys(papers[0]!)).not.toContain('relByline');
    expect(shown(await deps.loaders.bylineByPaperId.load(listedId))).toEqual(shown(byline));
    expect(shownTopics(await deps.loaders.topicsByPaperId.load(listedId))).toEqual(shownTopics(topics));
    expect(run.t.queries).toHaveLength(1);
  }
});
