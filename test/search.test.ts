// KEYWORD search that does not touch every match (src/catalog/papers/ranked-search.ts): a page
// ranked among bounded candidates, counts bounded at SEARCH_COUNT_CAP and marked, on both
// ranking paths: GIN (every server, and the embedded database) and RUM (where the server has
// the extension: the test server here, once `postgresql-15-rum` is installed).
import { SEARCH_CANDIDATES } from '../src/catalog/papers/ranked-search.ts';
import { keywordCandidates } from '../src/catalog/papers/index.ts';
import { SEARCH_COUNT_CAP, searchQuery } from '../src/catalog/papers/search.ts';
import { buildSearchIndex, SEARCH_RUM_INDEX, searchIndexOf } from '../src/catalog/papers/search-index.ts';
import { LISTED } from '../src/catalog/papers/visibility.ts';
import { detectRum, enableRum, type RankedIndex } from '../src/platform/db/rum.ts';
import type { Db } from '../src/platform/db/client.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { atomDir, describeWithRealData, hfDir } from './helpers/real-data.ts';
import { importFiles } from '../src/catalog/import/importer.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/platform/db/open.ts';

// More papers matching "model" than the count's cap (and the candidates' bound): every one has
// it in its abstract; 2 in 3 have "training", 1 in 5 code. Ids are the order of insertion.
const BULK = SEARCH_COUNT_CAP + 50;

async function bulkCatalog(db: Db): Promise<{ target: number; ids: number[] }> {
  await db.$executeRaw`
    INSERT INTO "Paper" ("arxivId", title, abstract, "publishedAt", "featuredOn", "githubRepo", "updatedAt")
    SELECT '2501.' || lpad(i::text, 5, '0'),
           'Study ' || i || CASE WHEN i % 7 = 0 THEN ' of a model' ELSE '' END,
           'We train a model' || CASE WHEN i % 3 <> 0 THEN ' with training data' ELSE '' END || CASE WHEN i % 11 = 0 THEN ', a survey' ELSE '' END
             || ' and measure ' || md5(i::text),
           timestamptz '2025-01-01' + i * interval '1 hour', date '2025-02-01' + (i % 30),
           CASE WHEN i % 5 = 0 THEN 'https://github.com/x/r' || i END, now()
    FROM generate_series(1, ${BULK}) i`;
  // Its title holds only words that every paper has: found by its title, not by rare words.
  const [target] = await db.$queryRaw<{ id: number }[]>`
    INSERT INTO "Paper" ("arxivId", title, abstract, "publishedAt", "updatedAt")
    VALUES ('2502.00001', 'Model Training Data', 'A model of training data.', '2025-03-01', now()) RETURNING id`;
  const ids = await db.$queryRaw<{ id: number }[]>`SELECT id FROM "Paper" ORDER BY id`;
  return { target: target!.id, ids: ids.map((r) => r.id) };
}

const SEARCH = `query($q: String!, $n: Int, $after: String) { papers(query: $q, first: $n, after: $after) {
  totalCount totalCountIsExact pageInfo { hasNextPage endCursor }
  edges { node { arxivId title } highlight { title } }
  facets { countsAreExact hasCode { withCode withoutCode } } } }`;

const run = setupTestRunner({ scenario: bulkCatalog, reset: 'once' });

/** The page's ranking as ts_rank_cd orders every listed match (what the API answered before bounds). */
async function exactRanking(q: string): Promise<string[]> {
  const rows = await run.db.$queryRaw<{ arxivId: string }[]>`
    SELECT p."arxivId" FROM "Paper" p CROSS JOIN websearch_to_tsquery('english', ${q}) q
    WHERE ${LISTED} AND p."searchVector" @@ q ORDER BY ts_rank_cd(p."searchVector", q) DESC, p.id DESC`;
  return rows.map((r) => r.arxivId);
}

async function allPages(q: string, n: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  do {
    const { papers }: any = await run.server.data(SEARCH, { q, n, after });
    seen.push(...papers.edges.map((e: any) => e.node.arxivId));
    after = papers.pageInfo.hasNextPage ? papers.pageInfo.endCursor : null;
  } while (after);
  return seen;
}

/** What both ranking paths must answer alike. */
function rankingPathTests(path: () => Promise<RankedIndex | null>) {
  let index: RankedIndex | null;
  beforeAll(async () => {
    index = await path();
    run.t.platform = { ...run.t.platform, searchIndex: index };
  });

  test('under the cap: the exact count and facets, and the exact ranking of every match', async () => {
    const q = 'survey'; // 1 paper in 11: 95 matches, fewer than the candidates
    const { papers } = await run.server.data(SEARCH, { q, n: 100 });
    const exact = await exactRanking(q);
    expect(exact.length).toBeLessThan(SEARCH_CANDIDATES);
    expect(papers.totalCount).toBe(exact.length);
    expect(papers.totalCountIsExact).toBe(true);
    expect(papers.facets.countsAreExact).toBe(true);
    expect(papers.facets.hasCode.withCode + papers.facets.hasCode.withoutCode).toBe(exact.length);
    expect(papers.edges.map((e: any) => e.node.arxivId)).toEqual(exact);
  });

  test('over the cap: totalCount is the cap, marked inexact, and so are the facets', async () => {
    const { papers } = await run.server.data(SEARCH, { q: 'model', n: 5 });
    expect((await exactRanking('model')).length).toBe(BULK + 1);
    expect(papers).toMatchObject({ totalCount: SEARCH_COUNT_CAP, totalCountIsExact: false, facets: { countsAreExact: false } });
    expect(papers.facets.hasCode.withCode + papers.facets.hasCode.withoutCode).toBe(SEARCH_COUNT_CAP);
    expect(papers.edges).toHaveLength(5);
    expect(papers.pageInfo.hasNextPage).toBe(true);
  });

  test('a title made of common words still finds its paper first, with highlights', async () => {
    const { papers } = await run.server.data(SEARCH, { q: 'Model Training Data', n: 3 });
    expect(papers.edges[0]).toEqual({ node: { arxivId: '2502.00001', title: 'Model Training Data' }, highlight: { title: '<mark>Model</mark> <mark>Training</mark> <mark>Data</mark>' } });
    // Two papers in three hold those words: more than the candidates, fewer than the cap.
    expect(papers.totalCount).toBe((await exactRanking('Model Training Data')).length);
    expect(papers.totalCount).toBeGreaterThan(2 * SEARCH_CANDIDATES);
  });

  test('pages through the bounded candidates without gaps or repeats, best first', async () => {
    const pages = await allPages('training', 100);
    expect(new Set(pages).size).toBe(pages.length);
    // Every candidate is a match; at most the two sources' worth of them.
    expect(pages.length).toBeGreaterThanOrEqual(SEARCH_CANDIDATES);
    expect(pages.length).toBeLessThanOrEqual(2 * SEARCH_CANDIDATES);
    const exact = await exactRanking('training');
    const rank = new Map(exact.map((id, i) => [id, i]));
    for (const id of pages) expect(rank.has(id)).toBe(true);
    // Ranked among themselves as ts_rank_cd orders them.
    expect([...pages].sort((a, b) => rank.get(a)! - rank.get(b)!)).toEqual(pages);
  });

  test('web-search syntax: phrases, exclusions and OR', async () => {
    const phrase = await allPages('"training data" -survey', 100);
    const exclusion = await exactRanking('"training data" -survey');
    for (const id of phrase) expect(exclusion).toContain(id);
    expect(phrase.length).toBeGreaterThanOrEqual(Math.min(exclusion.length, SEARCH_CANDIDATES));
    const either = await run.server.data(SEARCH, { q: 'survey OR "Model Training Data"', n: 100 });
    expect(either.papers.totalCount).toBe((await exactRanking('survey OR "Model Training Data"')).length);
    expect(either.papers.edges[0].node.arxivId).toBe('2502.00001');
  });

  test('exclusions alone list the papers without the word (never through RUM: see search.ts `negated`)', async () => {
    const q = '-survey';
    expect(searchQuery(q, false).negated).toBe(true);
    expect(searchQuery('self-supervised "a-b"', false).negated).toBe(false);
    const exact = new Set(await exactRanking(q));
    const { papers } = await run.server.data(SEARCH, { q, n: 100 });
    expect(papers.edges).toHaveLength(100);
    for (const edge of papers.edges) expect(exact.has(edge.node.arxivId)).toBe(true);
    expect(papers).toMatchObject({ totalCount: Math.min(exact.size, SEARCH_COUNT_CAP), totalCountIsExact: exact.size <= SEARCH_COUNT_CAP });
  });

  test('hidden papers are never listed, ranked or counted', async () => {
    const hide = (arxivIds: string[]) => run.db.$executeRaw`UPDATE "Paper" SET "hiddenAt" = now() WHERE "arxivId" = ANY(${arxivIds}::text[])`;
    try {
      // The title's paper, and enough "model" papers that exactly the cap remains listed.
      const { ids } = run.scenario;
      const extra = (await exactRanking('model')).filter((id) => id !== '2502.00001').slice(0, BULK + 1 - SEARCH_COUNT_CAP - 1);
      await hide(['2502.00001', ...extra]);
      const model = (await run.server.data(SEARCH, { q: 'model', n: 100 })).papers;
      expect(model).toMatchObject({ totalCount: SEARCH_COUNT_CAP, totalCountIsExact: true, facets: { countsAreExact: true } });
      const title = (await run.server.data(SEARCH, { q: 'Model Training Data', n: 100 })).papers;
      expect(title.edges.map((e: any) => e.node.arxivId)).not.toContain('2502.00001');
      const all = await allPages('model', 100);
      for (const hidden of ['2502.00001', ...extra]) expect(all).not.toContain(hidden);
      expect(ids.length).toBe(BULK + 1);
    } finally {
      await run.db.$executeRaw`UPDATE "Paper" SET "hiddenAt" = NULL`;
    }
  });
}

describe('GIN path (every server; the embedded database)', () => {
  rankingPathTests(async () => null);

  test('a one-word query takes no title candidates: exactly SEARCH_CANDIDATES matches are ranked', async () => {
    // "training" is in 2 papers in 3 (and in the titles of none but one): more than the candidates.
    expect((await exactRanking('training')).length).toBeGreaterThan(SEARCH_CANDIDATES);
    expect(await allPages('training', 100)).toHaveLength(SEARCH_CANDIDATES);
  });

  test('a page and its totalCount are one statement: the count comes from the matches the candidates come from', async () => {
    const COUNTED = `query($q: String!, $n: Int, $after: String) { papers(query: $q, first: $n, after: $after) {
      totalCount totalCountIsExact pageInfo { endCursor } edges { node { arxivId } } } }`;
    for (const [q, total, exact] of [['Model Training Data', (await exactRanking('Model Training Data')).length, true], ['model', SEARCH_COUNT_CAP, false]] as const) {
      run.t.queries.length = 0;
      const first = (await run.server.data(COUNTED, { q, n: 10 })).papers;
      expect(first).toMatchObject({ totalCount: total, totalCountIsExact: exact });
      expect(run.t.queries.filter((sql) => sql.includes('"searchVector" @@'))).toHaveLength(1);
      // A later page counts the same, and so does a page past the last (counted on its own).
      const second = (await run.server.data(COUNTED, { q, n: 10, after: first.pageInfo.endCursor })).papers;
      expect(second).toMatchObject({ totalCount: total, totalCountIsExact: exact });
      let page: any = { pageInfo: { hasNextPage: true, endCursor: null } };
      while (page.pageInfo.hasNextPage) page = (await run.server.data(SEARCH, { q, n: 100, after: page.pageInfo.endCursor })).papers;
      const past = (await run.server.data(COUNTED, { q, n: 10, after: page.pageInfo.endCursor })).papers;
      expect(past.edges).toEqual([]);
      expect(past).toMatchObject({ totalCount: total, totalCountIsExact: exact });
    }
  });

  test('the search document is kept in the row (STORAGE MAIN), not in TOAST', async () => {
    const [column] = await run.db.$queryRaw<{ storage: string }[]>`
      SELECT attstorage::text AS storage FROM pg_attribute WHERE attrelid = '"Paper"'::regclass AND attname = 'searchVector'`;
    expect(column!.storage).toBe('m');
  });

  describe('a best match that is old and last in storage order', () => {
    // Older than every other paper, inserted last (so last in storage order too), and the best
    // match by far of "survey": three times, in its abstract. Under the bound it is a candidate
    // whatever the order the candidates are read in.
    const OLD = '1901.00001';
    beforeAll(async () => {
      await run.db.$executeRaw`INSERT INTO "Paper" ("arxivId", title, abstract, "publishedAt", "updatedAt")
        VALUES (${OLD}, 'An old paper', 'A survey of training data: we measure a survey, measure training data, measure a survey of training data.', '2019-01-01', now())`;
    });
    afterAll(async () => {
      await run.db.$executeRaw`DELETE FROM "Paper" WHERE "arxivId" = ${OLD}`;
    });

    test('up to SEARCH_CANDIDATES matches: the old paper ranks first, as in the exact ranking', async () => {
      const exact = await exactRanking('survey');
      expect(exact.length).toBeLessThanOrEqual(SEARCH_CANDIDATES);
      expect(exact[0]).toBe(OLD);
      expect(await allPages('survey', 40)).toEqual(exact);
    });
  });
});

describe('RUM path (where the server has the extension)', () => {
  let available = false;
  rankingPathTests(async () => {
    available = (await detectRum(run.db)).available !== null;
    if (!available) {
      console.warn('The server offers no "rum" extension (apt-get install postgresql-15-rum): the RUM path runs on GIN here.');
      return null;
    }
    const index = searchIndexOf(run.db);
    expect(await index.refresh()).toBe(false); // not before it is built
    expect(index.ready()).toBe(false);
    expect(await enableRum(run.db)).toMatchObject({ state: 'installed' });
    expect((await buildSearchIndex(run.t.url)).outcome).toBe('built');
    expect((await buildSearchIndex(run.t.url)).outcome).toBe('exists');
    expect(await index.refresh()).toBe(true);
    return index;
  });

  test('the candidates are read from the RUM index in rank order', async () => {
    if (!available) return;
    // On a table this small a sort or a scan would be cheaper: told to avoid them, the planner
    // shows that the statement matches the index's ordering (the operator over a constant).
    const [, , , plan] = await run.db.$transaction([
      run.db.$executeRaw`SET LOCAL enable_seqscan = off`,
      run.db.$executeRaw`SET LOCAL enable_bitmapscan = off`,
      run.db.$executeRaw`SET LOCAL enable_sort = off`,
      run.db.$queryRaw<{ 'QUERY PLAN': string }[]>`EXPLAIN ${keywordCandidates(run.t.platform, [LISTED], searchQuery('model', false))}`,
    ]);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain(`Index Scan using ${SEARCH_RUM_INDEX}`);
    expect(text).toMatch(/Order By: \("searchVector" <=> /);
  });
});

describe('SEARCH_RUM', () => {
  test('off by default: the server installs and builds nothing; on: RUM where the server offers it', async () => {
    expect(loadConfig({}).searchRum).toBe('off');
    expect(loadConfig({ SEARCH_RUM: 'on' }).searchRum).toBe('on');
    expect(() => loadConfig({ SEARCH_RUM: 'auto' })).toThrow('SEARCH_RUM');
    const off = await openDatabase({ databaseUrl: run.t.url, dataDir: '.data', searchRum: 'off' });
    try {
      expect(off.rum).toMatchObject({ state: 'off', reason: 'disabled' });
    } finally {
      await off.close();
    }
    if (!process.env.DATABASE_URL) return; // the embedded database has no RUM: covered above by the GIN path
    const on = await openDatabase({ databaseUrl: run.t.url, dataDir: '.data', searchRum: 'on' });
    try {
      const available = (await detectRum(on.db)).available !== null;
      expect(on.rum.state).toBe(available ? 'installed' : 'off');
    } finally {
      await on.close();
    }
  });
});

describeWithRealData('titles of real papers')('titles of real papers', () => {
  // A sample of the real data (bench/title-search.ts measures all of it, on both paths).
  test('each paper of two days of Hugging Face papers is found first by its exact title', async () => {
    await run.t.reset();
    await importFiles(run.db, [`${hfDir}/2024-06-13.json`, `${hfDir}/2025-03-11.json`, atomDir]);
    const papers = await run.db.$queryRaw<{ arxivId: string; title: string }[]>`SELECT "arxivId", title FROM "Paper" ORDER BY id`;
    expect(papers.length).toBeGreaterThan(20);
    for (const searchIndex of [null, run.t.platform.searchIndex]) {
      run.t.platform = { ...run.t.platform, searchIndex };
      for (const paper of papers) {
        const { papers: found } = await run.server.data(SEARCH, { q: paper.title, n: 1 });
        expect([paper.title, found.edges[0]?.node.arxivId]).toEqual([paper.title, paper.arxivId]);
      }
    }
  });
});
