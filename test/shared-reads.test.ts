// Point reads shared by concurrent requests (src/platform/db/shared-reads.ts): the paper pages asked for
// together cost one statement, and sharing changes nothing a request sees.
import { createContext } from '../src/catalog/context.ts';
import { readerUntil, type Reader, type ReadStatement } from '../src/platform/db/reader.ts';
import { sharedRead, sharedRows } from '../src/platform/db/shared-reads.ts';
import { paperByArxivId, paperReads } from '../src/catalog/papers/reads.ts';
import type { Db } from '../src/platform/db/client.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { day } from './helpers/scenarios.ts';

const PAPER = `query ($arxivId: String!) { paper(arxivId: $arxivId) { arxivId title authors { name } topics { slug } } }`;

/** Papers 2501.00001 to 2501.00006, one author each, all in topic vision; the sixth hidden. */
async function sixPapers(db: Db) {
  const curator = await db.user.create({ data: { handle: 'cura', displayName: 'Cura', role: 'CURATOR' } });
  const topic = await db.topic.create({ data: { slug: 'vision', name: 'Vision' } });
  for (let i = 1; i <= 6; i++) {
    const author = await db.author.create({ data: { name: `Author ${i}`, normalizedName: `author ${i}` } });
    await db.paper.create({
      data: {
        arxivId: `2501.0000${i}`,
        title: `Paper ${i}`,
        abstract: 'a',
        publishedAt: new Date('2025-01-01T00:00:00Z'),
        featuredOn: day('2025-01-02'),
        ...(i === 6 ? { hiddenAt: new Date(), hiddenById: curator.id, hiddenReason: 'spam' } : {}),
        authors: { create: [{ authorId: author.id, position: 0 }] },
        topics: { create: [{ topicId: topic.id }] },
      },
    });
  }
}

const run = setupTestRunner({ scenario: sixPapers, reset: 'once' });

test('paper pages asked for together cost one statement, and each request gets its own paper with its relations', async () => {
  run.t.queries.length = 0;
  const ids = ['2501.00001', '2501.00002', '2501.00003', '2501.00004', '2501.00005'];
  const results = await Promise.all(ids.map((arxivId) => run.server.data(PAPER, { arxivId })));
  expect(results.map((r) => r.paper)).toEqual(
    ids.map((arxivId) => ({ arxivId, title: `Paper ${Number(arxivId.slice(-1))}`, authors: [{ name: `Author ${Number(arxivId.slice(-1))}` }], topics: [{ slug: 'vision' }] })),
  );
  expect(run.t.queries).toHaveLength(1);
  expect(run.t.queries[0]).toMatch(/"arxivId" = ANY\(\$1::text\[\]\)/);
});

test('two requests for the same paper in one batch both get its authors and topics', async () => {
  // The first request's row has its relation columns taken off when they are primed: the
  // second must have a row of its own.
  run.t.queries.length = 0;
  const [a, b] = await Promise.all([run.server.data(PAPER, { arxivId: '2501.00003' }), run.server.data(PAPER, { arxivId: '2501.00003' })]);
  expect(a.paper).toEqual({ arxivId: '2501.00003', title: 'Paper 3', authors: [{ name: 'Author 3' }], topics: [{ slug: 'vision' }] });
  expect(b.paper).toEqual(a.paper);
  expect(run.t.queries).toHaveLength(1);
});

test('who may see a paper is decided per request: a hidden paper in a shared batch exists for the curator only', async () => {
  const curator = await run.db.user.findUniqueOrThrow({ where: { handle: 'cura' } });
  run.t.queries.length = 0;
  const [anonymous, asCurator] = await Promise.all([run.server.data(PAPER, { arxivId: '2501.00006' }), run.server.as(curator).data(PAPER, { arxivId: '2501.00006' })]);
  expect(anonymous.paper).toBeNull();
  expect(asCurator.paper).toMatchObject({ arxivId: '2501.00006', authors: [{ name: 'Author 6' }] });
  expect(run.t.queries).toHaveLength(1);
});

test('a request past its deadline sends nothing and fails OPERATION_TIMEOUT; the batch of the others goes on', async () => {
  const late = createContext(run.platform, null, { at: performance.now() - 1, timeoutMs: 50 });
  const onTime = createContext(run.platform, null, { at: performance.now() + 60_000, timeoutMs: 60_000 });
  run.t.queries.length = 0;
  const [failed, found] = await Promise.allSettled([paperByArxivId(late, '2501.00001'), paperByArxivId(onTime, '2501.00002')]);
  expect(failed.status === 'rejected' && (failed.reason as { extensions?: { code?: string } }).extensions?.code).toBe('OPERATION_TIMEOUT');
  expect(found.status === 'fulfilled' && found.value?.arxivId).toBe('2501.00002');
  expect(run.t.queries).toHaveLength(1);
});

test('reads outside a request (feeds, scripts) share batches too, and requests that arrive later make a batch of their own', async () => {
  run.t.queries.length = 0;
  const reads = paperReads(run.platform);
  const [one, two] = await Promise.all([paperByArxivId(reads, '2501.00001'), paperByArxivId(reads, '2501.00002')]);
  expect([one?.arxivId, two?.arxivId]).toEqual(['2501.00001', '2501.00002']);
  expect((await paperByArxivId(reads, '2501.00004'))?.arxivId).toBe('2501.00004');
  expect(run.t.queries).toHaveLength(2);
});

test('the same list asked for together is read once; each request gets the whole page, and other lists are read apart', async () => {
  const NEWEST = `query ($first: Int!) { papers(first: $first) { totalCount nodes { arxivId authors { name } } } }`;
  const expected = (n: number) => ['2501.00005', '2501.00004', '2501.00003', '2501.00002', '2501.00001'].slice(0, n);
  run.t.queries.length = 0;
  const results = await Promise.all([3, 3, 3, 2].map((first) => run.server.data(NEWEST, { first })));
  expect(results.map((r) => r.papers.nodes.map((p: { arxivId: string }) => p.arxivId))).toEqual([expected(3), expected(3), expected(3), expected(2)]);
  // Relations come with the page's rows: every request has them.
  expect(results.every((r) => r.papers.nodes.every((p: { authors: unknown[] }) => p.authors.length === 1))).toBe(true);
  expect(results.map((r) => r.papers.totalCount)).toEqual([5, 5, 5, 5]);
  // One page statement for first: 3, one for first: 2, one count (the same for both).
  expect(run.t.queries).toHaveLength(3);
});

describe('sharedRows', () => {
  test('identical statements are sent once and each caller gets rows of its own; other values, names or a Date for a string are sent apart', async () => {
    const calls: ReadStatement[] = [];
    const reader: Reader = {
      async rows<R>(statement: ReadStatement) {
        calls.push(statement);
        return [{ v: statement.values[0] }] as R[];
      },
    };
    const at = new Date('2025-01-02T00:00:00Z');
    const same = { text: 'SELECT $1 AS v', values: [1] };
    const [a, b, c, d, e] = await Promise.all([
      sharedRows<{ v: unknown }>(reader, same),
      sharedRows<{ v: unknown }>(reader, { ...same }),
      sharedRows<{ v: unknown }>(reader, { text: same.text, values: [2] }),
      sharedRows<{ v: unknown }>(reader, { text: same.text, values: [at] }),
      sharedRows<{ v: unknown }>(reader, { text: same.text, values: [at.toISOString()] }),
    ]);
    expect(calls.map((call) => call.values[0])).toEqual([1, 2, at, at.toISOString()]);
    expect([a, b, c, d, e]).toEqual([[{ v: 1 }], [{ v: 1 }], [{ v: 2 }], [{ v: at }], [{ v: at.toISOString() }]]);
    expect(b![0]).not.toBe(a![0]);
  });
});

describe('sharedRead', () => {
  /** A reader that records each statement and answers rows { k, n } for the keys it is given. */
  function recording(fail?: Error) {
    const calls: { statement: ReadStatement; name?: string; deadlineAt?: number }[] = [];
    const reader: Reader = {
      async rows<R>(statement: ReadStatement, name?: string, deadline?: { at: number }) {
        calls.push({ statement, ...(name ? { name } : {}), ...(deadline ? { deadlineAt: deadline.at } : {}) });
        if (fail) throw fail;
        return (statement.values[0] as number[]).flatMap((k) => (k < 0 ? [] : [{ k, n: 1 }, { k, n: 2 }])) as R[];
      },
    };
    return { reader, calls };
  }
  const read = () => sharedRead<number, { k: number; n: number }>({ name: 'test_rows', text: 'SELECT k FROM x WHERE k = ANY($1)', keyOf: (row) => row.k });

  test('one statement over the union of the keys; each caller gets the rows of its keys, as objects of its own', async () => {
    const { reader, calls } = recording();
    const shared = read();
    const [a, b, c] = await Promise.all([shared.rows(reader, [1, 2]), shared.rows(reader, [2, 3]), shared.rows(reader, [-1])]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.statement.values).toEqual([[1, 2, 3, -1]]);
    expect(calls[0]!.name).toBe('test_rows');
    expect(a).toEqual([{ k: 1, n: 1 }, { k: 1, n: 2 }, { k: 2, n: 1 }, { k: 2, n: 2 }]);
    expect(b).toEqual([{ k: 2, n: 1 }, { k: 2, n: 2 }, { k: 3, n: 1 }, { k: 3, n: 2 }]);
    expect(c).toEqual([]);
    expect(b[0]).not.toBe(a[2]);
  });

  test('a failed statement fails every request of its batch', async () => {
    const { reader } = recording(new Error('connection lost'));
    const shared = read();
    const settled = await Promise.allSettled([shared.rows(reader, [1]), shared.rows(reader, [2])]);
    expect(settled.map((s) => s.status === 'rejected' && (s.reason as Error).message)).toEqual(['connection lost', 'connection lost']);
  });

  test('requests share a batch only on the same reader, and wait for a connection until the latest of their deadlines', async () => {
    const primary = recording();
    const replica = recording();
    const shared = read();
    const soon = { at: performance.now() + 10_000, timeoutMs: 10_000 };
    const later = { at: performance.now() + 20_000, timeoutMs: 20_000 };
    await Promise.all([
      shared.rows(readerUntil(replica.reader, soon), [1]),
      shared.rows(readerUntil(replica.reader, later), [2]),
      shared.rows(readerUntil(primary.reader, soon), [3]),
    ]);
    expect(replica.calls.map((c) => [c.statement.values, c.deadlineAt])).toEqual([[[[1, 2]], later.at]]);
    expect(primary.calls.map((c) => c.statement.values)).toEqual([[[3]]]);
    // A caller without a deadline (a script): the batch waits as the pool does.
    await Promise.all([shared.rows(readerUntil(replica.reader, soon), [4]), shared.rows(replica.reader, [5])]);
    expect(replica.calls[1]!.deadlineAt).toBeUndefined();
  });

  test('the plain pg reader answers a shared read like any other', async () => {
    const shared = sharedRead<string, { arxivId: string }>({ name: 'test_arxiv', text: 'SELECT "arxivId" FROM "Paper" WHERE "arxivId" = ANY($1::text[]) ORDER BY 1', keyOf: (row) => row.arxivId });
    const [a, b] = await Promise.all([shared.rows(run.platform.reader, ['2501.00001', 'none']), shared.rows(run.platform.reader, ['2501.00002'])]);
    expect(a).toEqual([{ arxivId: '2501.00001' }]);
    expect(b).toEqual([{ arxivId: '2501.00002' }]);
  });
});
