// Precomputed related papers (src/catalog/related/neighbours.ts): the queue the writers fill, the
// drain that computes the lists and proposes changed papers to other lists, reads that take the
// lists (or compute live a paper that has none yet), hidden papers that never show and never
// shorten a list, one statement for a page, and the background job under the leader lease.
import { Writable } from 'node:stream';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import { drainRelated, relatedBacklog } from '../src/catalog/related/neighbours.ts';
import { relatedRefreshJob } from '../src/catalog/related/job.ts';
import { liveNeighbours } from '../src/catalog/related/reads.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { createLogger } from '../src/platform/logger.ts';
import { connectRedis, type RedisLink } from '../src/platform/redis/client.ts';
import { takeTurns } from '../src/platform/redis/turns.ts';
import type { Db } from '../src/platform/db/client.ts';
import type { User } from '../src/generated/prisma/client.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { testRedisPrefix, testRedisUrl } from './helpers/redis.ts';
import { THEMED, themedCatalog as themedScenario, type ThemedKey } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';

async function themedCatalog(db: Db) {
  const catalog = await themedScenario(db);
  await rebuildRelated(db);
  return catalog;
}

const RELATED = `query($id: ID!, $n: Int) { paper(id: $id) { related(first: $n) { score paper { id title } } } }`;
const SUBMIT = `mutation($input: SubmitPaperInput!) { submitPaper(input: $input) { paper { id } userErrors { code message } } }`;
const HIDE = `mutation($id: ID!) { hidePaper(paperId: $id) { userErrors { code } } }`;

const run = setupTestRunner({ scenario: themedCatalog, reset: 'each' });
const gid = (key: ThemedKey) => toGlobalId('Paper', run.scenario.ids[key]);
const keyOf = (id: string) => THEMED.find((spec) => gid(spec.key) === id)?.key ?? id;

async function relatedOf(id: string, n = 10, as: User | null = null): Promise<{ score: number; paper: { id: string; title: string } }[]> {
  const { paper } = await run.server.as(as).data(RELATED, { id, n });
  return paper.related;
}

/** Every paper's neighbours computed from scratch now (all papers, hidden ones too): what a list should hold. */
async function fromScratch(k = 120): Promise<Map<number, number[]>> {
  const rows = await run.db.$queryRawUnsafe<{ id: number; ids: number[] | null }[]>(
    `SELECT s.id, (SELECT array_agg(x."paperId" ORDER BY x.score DESC, x."paperId") FROM (${liveNeighbours('s.id', String(k), false)}) x) AS ids FROM "Paper" s`,
  );
  return new Map(rows.map((row) => [row.id, row.ids ?? []]));
}

async function storedLists(): Promise<Map<number, { neighbours: number[]; scores: number[]; truncated: boolean }>> {
  const rows = await run.db.paperNeighbours.findMany();
  return new Map(rows.map((row) => [row.paperId, { neighbours: row.neighbours, scores: row.scores, truncated: row.truncated }]));
}

async function submit(title: string, abstract: string, arxivId: string): Promise<string> {
  const { submitPaper } = await run.server.as(run.scenario.reader).data(SUBMIT, { input: { arxivId, title, abstract, authors: ['Grace Hopper'] } });
  expect(submitPaper.userErrors).toEqual([]);
  return submitPaper.paper.id;
}

describe('the queue and the drain', () => {
  test('every paper is queued by its write; the drain computes its list and empties the queue', async () => {
    expect(await relatedBacklog(run.db)).toMatchObject({ queued: THEMED.length });
    const report = await drainRelated(run.db, { batchSize: 4 });
    expect(report).toMatchObject({ papers: THEMED.length, batches: 3, remaining: 0 });
    expect(await relatedBacklog(run.db)).toEqual({ queued: 0, oldestMs: 0 });
    const stored = await storedLists();
    expect(stored.size).toBe(THEMED.length);
    // Drained in batches, the lists are those computed from scratch.
    const scratch = await fromScratch();
    for (const [id, list] of stored) expect(list.neighbours).toEqual(scratch.get(id));
    // Nine papers, a list of 120: every list is whole.
    for (const list of stored.values()) expect(list.truncated).toBe(false);
  });

  test('a first fill, two workers side by side: nothing is proposed, every list is the one computed from scratch', async () => {
    const report = await drainRelated(run.db, { batchSize: 2, workers: 2 });
    expect(report).toMatchObject({ papers: THEMED.length, remaining: 0, listsUpdated: 0 });
    const scratch = await fromScratch();
    const stored = await storedLists();
    expect(stored.size).toBe(THEMED.length);
    for (const [id, list] of stored) expect(list.neighbours).toEqual(scratch.get(id));
    // A paper written again after the lists: the lists (their snapshots did not see it) are
    // proposed to again, one of unknown age (computed before snapshots were kept) too.
    const [diff1] = THEMED.map((t) => run.scenario.ids[t.key]);
    await run.db.$executeRawUnsafe(`UPDATE "PaperNeighbours" SET "seenXmax" = NULL, neighbours = '{}', scores = '{}' WHERE "paperId" = $1`, diff1);
    const other = [...scratch.get(diff1!)!][0]!;
    await run.db.$executeRawUnsafe(`SELECT catalog_related_refresh(ARRAY[$1]::int[])`, other);
    const again = await drainRelated(run.db);
    expect(again).toMatchObject({ papers: 1 });
    expect(again.listsUpdated).toBeGreaterThanOrEqual(1);
    expect((await storedLists()).get(diff1!)!.neighbours).toEqual([other]);
  });

  test('reads take the stored list once there is one: same papers and scores as the live answer', async () => {
    const live = new Map<ThemedKey, Awaited<ReturnType<typeof relatedOf>>>();
    for (const { key } of THEMED) live.set(key, await relatedOf(gid(key)));
    await drainRelated(run.db);
    for (const { key } of THEMED) {
      const stored = await relatedOf(gid(key));
      expect(stored.map((r) => r.paper.id)).toEqual(live.get(key)!.map((r) => r.paper.id));
      stored.forEach((r, i) => expect(r.score).toBeCloseTo(live.get(key)![i]!.score, 5));
    }
    // The read is the stored list: put in another order, it is served in that order.
    const diff1 = run.scenario.ids.diff1;
    const [list] = await run.db.paperNeighbours.findMany({ where: { paperId: diff1 } });
    await run.db.paperNeighbours.update({ where: { paperId: diff1 }, data: { neighbours: [...list!.neighbours].reverse() } });
    expect((await relatedOf(gid('diff1'), 100)).map((r) => r.paper.id)).toEqual([...list!.neighbours].reverse().map((id) => toGlobalId('Paper', id)));
  });

  test('a new paper has its related papers at once (live), and is in its neighbours\' lists after the drain', async () => {
    await drainRelated(run.db);
    const id = await submit('Tactile Robot Grasping of Deformable Objects', 'A robot hand with tactile sensors learns grasping policies for deformable objects.', '2502.00001');
    const paperId = (await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2502.00001' } })).id;
    expect(await relatedBacklog(run.db)).toMatchObject({ queued: 1 });
    expect(await run.db.paperNeighbours.findUnique({ where: { paperId } })).toBeNull();
    // Its own: computed live, the robotics papers first.
    expect((await relatedOf(id, 2)).map((r) => keyOf(r.paper.id)).sort()).toEqual(['robot1', 'robot2']);
    // Others' lists: as drained before it came.
    expect((await relatedOf(gid('robot1'))).map((r) => r.paper.id)).not.toContain(id);

    const report = await drainRelated(run.db);
    expect(report).toMatchObject({ papers: 1, remaining: 0 });
    expect(report.listsUpdated).toBeGreaterThanOrEqual(2);
    expect((await relatedOf(gid('robot1'), 1)).map((r) => r.paper.id)).toEqual([id]);
    expect((await relatedOf(gid('robot2'))).map((r) => r.paper.id)).toContain(id);
    // The incremental lists are those computed from scratch.
    const scratch = await fromScratch();
    for (const [paper, list] of await storedLists()) expect(list.neighbours).toEqual(scratch.get(paper));
  });

  test('a changed title, or a new topic, is queued and moves the paper in the other lists', async () => {
    await drainRelated(run.db);
    const { misc, robot1 } = run.scenario.ids;
    expect((await relatedOf(gid('robot1'), 1)).map((r) => keyOf(r.paper.id))).toEqual(['robot2']);
    await run.db.paper.update({ where: { id: misc }, data: { title: 'Robot Grasping with Tactile Sensors', abstract: 'A tactile robot gripper learns grasping policies.' } });
    expect(await relatedBacklog(run.db)).toMatchObject({ queued: 1 });
    await drainRelated(run.db);
    expect((await relatedOf(gid('robot1'), 1)).map((r) => keyOf(r.paper.id))).toEqual(['misc']);
    let scratch = await fromScratch();
    for (const [paper, list] of await storedLists()) expect(list.neighbours).toEqual(scratch.get(paper));

    // A topic that only diff1 and robot1 share: both are queued (their vectors changed).
    const topic = await run.db.topic.create({ data: { slug: 'odd-pair', name: 'Odd pair' } });
    await run.db.paperTopic.createMany({ data: [{ paperId: run.scenario.ids.diff1, topicId: topic.id }, { paperId: robot1, topicId: topic.id }] });
    expect(await relatedBacklog(run.db)).toMatchObject({ queued: 2 });
    await drainRelated(run.db);
    scratch = await fromScratch();
    for (const [paper, list] of await storedLists()) expect(list.neighbours).toEqual(scratch.get(paper));
  });

  test('a paper queued again while its batch computes stays queued for the next one', async () => {
    const { misc } = run.scenario.ids;
    const [before] = await run.db.relatedQueue.findMany({ where: { paperId: misc } });
    // A change made between the drain's read of the queue and its removal: seq moves.
    await run.db.paper.update({ where: { id: misc }, data: { title: 'A Note on Robot Evaluation' } });
    const [after] = await run.db.relatedQueue.findMany({ where: { paperId: misc } });
    expect(after!.seq).not.toBe(before!.seq);
    expect(after!.queuedAt).toEqual(before!.queuedAt);
    await run.db.$executeRawUnsafe(
      `DELETE FROM "RelatedQueue" q USING unnest($1::int[], $2::bigint[]) d(id, seq) WHERE d.id = q."paperId" AND d.seq = q.seq`,
      [misc],
      [before!.seq],
    );
    expect(await run.db.relatedQueue.count({ where: { paperId: misc } })).toBe(1);
  });
});

describe('hidden papers', () => {
  test('never shown, and never make a list shorter than asked: past the stored head, the paper is computed live', async () => {
    // Lists of 2: each is truncated (there are more papers with a positive score).
    await drainRelated(run.db, { neighbours: 2 });
    const { curator } = run.scenario;
    const lists = await storedLists();
    const diff1 = lists.get(run.scenario.ids.diff1)!;
    expect(diff1.truncated).toBe(true);
    expect(diff1.neighbours.map((id) => keyOf(toGlobalId('Paper', id))).sort()).toEqual(['diff2', 'diff3']);
    // Computed live (4 asked, 2 stored): the order to expect.
    const wanted = (await relatedOf(gid('diff1'), 5)).map((r) => keyOf(r.paper.id));
    expect(wanted.slice(0, 2).sort()).toEqual(['diff2', 'diff3']);

    await run.server.as(curator).data(HIDE, { id: gid('diff2') });
    for (const viewer of [null, run.scenario.reader, curator]) {
      // Both stored papers asked for, one hidden: the list is computed live, whole.
      expect((await relatedOf(gid('diff1'), 2, viewer)).map((r) => keyOf(r.paper.id))).toEqual(wanted.filter((key) => key !== 'diff2').slice(0, 2));
      expect((await relatedOf(gid('diff1'), 4, viewer)).map((r) => keyOf(r.paper.id))).toEqual(wanted.filter((key) => key !== 'diff2').slice(0, 4));
    }
    // One asked for: the stored head fills it without the hidden paper.
    expect((await relatedOf(gid('diff1'), 1)).map((r) => keyOf(r.paper.id))).toEqual(['diff3']);
  });

  test('a whole list (every paper with a positive score) with a hidden paper answers the rest, no more exist', async () => {
    await drainRelated(run.db);
    const robot2 = (await storedLists()).get(run.scenario.ids.robot2)!;
    expect(robot2.truncated).toBe(false);
    const all = await relatedOf(gid('robot2'), 100);
    expect(all).toHaveLength(robot2.neighbours.length);
    await run.server.as(run.scenario.curator).data(HIDE, { id: gid('robot1') });
    const rest = await relatedOf(gid('robot2'), 100);
    expect(rest.map((r) => r.paper.id)).toEqual(all.filter((r) => keyOf(r.paper.id) !== 'robot1').map((r) => r.paper.id));
  });

  test('never recommended from the lists', async () => {
    await drainRelated(run.db);
    const { reader, curator } = run.scenario;
    const UPVOTE = `mutation($id: ID!) { upvotePaper(paperId: $id) { userErrors { code } } }`;
    const RECOMMENDED = `query($n: Int) { viewer { recommendedPapers(first: $n) { score paper { id } } } }`;
    await run.server.as(reader).data(UPVOTE, { id: gid('llm1') });
    await run.server.as(reader).data(UPVOTE, { id: gid('llm3') });
    const keys = async () => ((await run.server.as(reader).data(RECOMMENDED, { n: 100 })).viewer.recommendedPapers as { paper: { id: string } }[]).map((r) => keyOf(r.paper.id));
    expect((await keys())[0]).toBe('llm2');
    await run.server.as(curator).data(HIDE, { id: gid('llm2') });
    expect(await keys()).not.toContain('llm2');
    expect(await keys()).not.toContain('llm1');
  });
});

describe('a page of papers', () => {
  test('related papers of a page of 20 take one statement, stored lists and live ones alike', async () => {
    // Eleven more papers, so that a page has 20; half of them drained.
    for (let i = 0; i < 11; i++) {
      await submit(`Robot Grasping Study ${i}`, `A tactile robot gripper variant ${i} learns grasping policies for objects.`, `2502.${String(i + 10).padStart(5, '0')}`);
    }
    await drainRelated(run.db, { maxBatches: 1, batchSize: 10 });
    expect((await relatedBacklog(run.db)).queued).toBe(THEMED.length + 11 - 10);
    const PAGE = `query($n: Int!) { papers(first: $n, orderBy: { field: PUBLISHED_AT }) {
      nodes { title related(first: 3) { score paper { title authors { name } topics { slug } } } }
    } }`;
    const count = async (n: number) => {
      run.t.queries.length = 0;
      const { papers } = await run.server.data(PAGE, { n });
      expect(papers.nodes).toHaveLength(n);
      // The robotics papers have three (the new ones among them), stored or live.
      for (const node of papers.nodes) if (/Robot/.test(node.title)) expect(node.related).toHaveLength(3);
      return { all: run.t.queries.length, related: run.t.queries.filter((sql) => sql.includes('"PaperNeighbours"')).length };
    };
    // The page with its papers' relations; related of all its papers (one statement); the related
    // papers' bylines and topics, unless the page had them all (a page of the whole catalog).
    expect(await count(20)).toEqual({ all: 2, related: 1 });
    expect(await count(2)).toEqual({ all: 3, related: 1 });
  });
});

describe('the background job', () => {
  let prefix: string;
  let cleanup: () => Promise<void>;
  const links: RedisLink[] = [];
  const quiet = createLogger({ logLevel: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
  beforeAll(async () => ({ prefix, cleanup } = await testRedisPrefix()));
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close()));
    await cleanup?.();
  });

  test('runs on the instance holding the lease, drains what writers queue, and passes on when that instance stops', async () => {
    const drained = { a: 0, b: 0 };
    const instance = (name: 'a' | 'b') => {
      const link = connectRedis(testRedisUrl, prefix, quiet);
      links.push(link);
      const job = relatedRefreshJob(run.db, { intervalMs: 100, onRun: (report) => (drained[name] += report.papers) });
      return takeTurns(link, 'related', job, { leaseMs: 600, logger: quiet });
    };
    const a = instance('a');
    const b = instance('b');
    const listed = async (arxivId: string) => {
      const paper = await run.db.paper.findUnique({ where: { arxivId } });
      return paper !== null && (await run.db.paperNeighbours.count({ where: { paperId: paper.id } })) === 1;
    };
    try {
      // Counted when a run ends (after the queue is empty).
      await until(() => drained.a + drained.b === THEMED.length, 'the scenario to be drained', 10_000);
      expect((await relatedBacklog(run.db)).queued).toBe(0);
      // One instance did it all.
      expect(Math.min(drained.a, drained.b)).toBe(0);
      const holder = drained.a > 0 ? 'a' : 'b';

      await submit('Tactile Robot Grasping of Deformable Objects', 'A robot hand with tactile sensors learns grasping policies.', '2502.00001');
      await until(() => listed('2502.00001'), 'the new paper to have its list', 10_000);
      expect(drained[holder === 'a' ? 'b' : 'a']).toBe(0);

      await (holder === 'a' ? a : b).stop();
      await submit('Dexterous Tactile Grasping', 'A dexterous robot hand grasps objects with tactile sensing.', '2502.00002');
      await until(() => listed('2502.00002'), 'the other instance to drain the next paper', 10_000);
      await until(() => drained[holder === 'a' ? 'b' : 'a'] === 1, 'the other instance\'s run to end', 10_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);
});
