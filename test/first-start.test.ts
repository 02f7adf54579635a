// What a first start fills an empty catalog with (src/catalog/demo/first-start.ts): the real papers
// shipped in src/catalog/demo/sample/, imported through the normal importer, plus generated users and
// votes so that upvotes, trending and facets show something. And `dailyPapers` without a
// date, which the README's first example uses.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../src/platform/paths.ts';
import { SAMPLE_DIR, seedFirstStart, type FirstStartSummary } from '../src/catalog/demo/first-start.ts';
import { importFiles } from '../src/catalog/import/index.ts';
import { dataDir, testWithRealData } from './helpers/real-data.ts';
import { setupTestRunner } from './helpers/runner.ts';

const DAY_MS = 86_400_000;
const hfDir = path.join(SAMPLE_DIR, 'hf-daily-papers');
const sampleDays = fs.readdirSync(hfDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, 10)).sort();
const sampleEntries = sampleDays.flatMap((day) => (JSON.parse(fs.readFileSync(path.join(hfDir, `${day}.json`), 'utf8')) as { paper: { id: string; title: string } }[]).map((e) => ({ day, ...e.paper })));
const latestDay = sampleDays.at(-1)!;

const run = setupTestRunner({ reset: 'once' });
let summary: FirstStartSummary;
const now = new Date();

// Not the runner's scenario: seeding the whole sample gets a longer timeout than a hook's default.
beforeAll(async () => {
  summary = await seedFirstStart(run.db, { now });
  await run.platform.trending.refreshNow();
}, 180_000);

async function rows<T>(sql: string, ...values: unknown[]): Promise<T[]> {
  return run.db.$queryRawUnsafe<T[]>(sql, ...values);
}

test('the sample is a few weeks of real Hugging Face days and an arXiv response, small, with its source and licence', () => {
  expect(sampleDays.length).toBeGreaterThanOrEqual(15);
  expect(sampleDays.filter((d) => d.startsWith('2026-07'))).toHaveLength(12);
  expect(fs.readdirSync(path.join(SAMPLE_DIR, 'arxiv-atom'))).toEqual(['query-current-affiliations.xml']);
  const bytes = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? bytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
  expect(bytes(SAMPLE_DIR)).toBeLessThan(2_000_000);
  const source = fs.readFileSync(path.join(SAMPLE_DIR, 'SOURCE.md'), 'utf8');
  expect(source).toMatch(/Apache License 2\.0/);
  expect(source).toMatch(/CC0/);
  expect(source).toMatch(/huggingface\.co\/api\/daily_papers/);
});

test('a first start imports every paper of the sample, with its real title and featured day', async () => {
  expect(summary.import.ok).toBe(true);
  expect(summary.import.sources.map((s) => [path.basename(s.source), s.status])).toEqual([
    ...sampleDays.map((d) => [`${d}.json`, 'imported']),
    ['query-current-affiliations.xml', 'imported'],
  ]);
  const papers = await rows<{ arxivId: string; title: string; featuredOn: string | null }>(
    `SELECT "arxivId", title, to_char("featuredOn", 'YYYY-MM-DD') AS "featuredOn" FROM "Paper"`,
  );
  const byId = new Map(papers.map((p) => [p.arxivId, p]));
  const distinct = new Set(sampleEntries.map((e) => e.id));
  expect(papers).toHaveLength(distinct.size + 3);
  expect(summary).toMatchObject({ papers: distinct.size + 3, users: 300, latestFeaturedDay: latestDay });
  for (const entry of sampleEntries) {
    const paper = byId.get(entry.id);
    expect(paper?.title).toBe(entry.title.replace(/\s+/g, ' ').trim());
    // The earliest day a paper was listed on is its featured day.
    expect(paper!.featuredOn! <= entry.day).toBe(true);
  }
  expect(new Set(papers.map((p) => p.featuredOn).filter(Boolean))).toEqual(new Set(sampleDays));
  // The arXiv response's papers, with their categories as topics.
  expect(byId.get('2012.12142')).toMatchObject({ title: 'High-Speed Robot Navigation using Predicted Occupancy Maps', featuredOn: null });
  const [topics] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM "Topic"`);
  expect(topics!.n).toBe(summary.topics);
  expect(summary.topics).toBeGreaterThan(100);
});

test('generated users vote: upvotes are exactly the vote rows, follow Hugging Face popularity, and no vote is in the future', async () => {
  const [stats] = await rows<{ wrong: number; voted: number; papers: number; votes: number; future: number; beforeUser: number; corr: number }>(`
    SELECT (SELECT count(*)::int FROM "Paper" p WHERE p."upvoteCount" <> (SELECT count(*) FROM "Vote" v WHERE v."paperId" = p.id)) AS wrong,
           (SELECT count(*)::int FROM "Paper" WHERE "upvoteCount" > 0) AS voted,
           (SELECT count(*)::int FROM "Paper") AS papers,
           (SELECT count(*)::int FROM "Vote") AS votes,
           (SELECT count(*)::int FROM "Vote" WHERE "createdAt" > $1::timestamptz) AS future,
           (SELECT count(*)::int FROM "Vote" v JOIN "User" u ON u.id = v."userId" WHERE v."createdAt" < u."createdAt") AS "beforeUser",
           (SELECT corr("upvoteCount", "hfUpvotes")::float FROM "Paper" WHERE "hfUpvotes" IS NOT NULL) AS corr`, now.toISOString());
  expect(stats).toMatchObject({ wrong: 0, future: 0, beforeUser: 0, votes: summary.votes });
  expect(stats!.voted).toBeGreaterThan(stats!.papers * 0.7);
  expect(stats!.voted).toBeLessThan(stats!.papers);
  expect(stats!.votes).toBeGreaterThan(2000);
  expect(stats!.corr).toBeGreaterThan(0.8);
  const [roles] = await rows<{ admins: number; curators: number; readers: number }>(`
    SELECT count(*) FILTER (WHERE role = 'ADMIN')::int AS admins, count(*) FILTER (WHERE role = 'CURATOR')::int AS curators,
           count(*) FILTER (WHERE role = 'READER')::int AS readers FROM "User"`);
  expect(roles).toEqual({ admins: 1, curators: 3, readers: 296 });
});

test('trending shows something in every window, led by the newest days: votes come as if the latest sample day were today', async () => {
  const TRENDING = `query($window: TrendWindow!) {
    trendingPapers(window: $window, first: 10) { totalCount nodes { arxivId featuredOn } facets { topics(first: 5) { topic { slug } count } hasCode { withCode withoutCode } } }
  }`;
  const shift = Math.floor(now.getTime() / DAY_MS) - Date.parse(`${latestDay}T00:00:00Z`) / DAY_MS;
  const sampleDay = (days: number) => new Date(Date.parse(`${latestDay}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
  const totals: Record<string, number> = {};
  for (const window of ['DAY', 'WEEK', 'MONTH']) {
    const { trendingPapers: trending } = await run.server.data(TRENDING, { window });
    totals[window] = trending.totalCount;
    expect(trending.nodes).toHaveLength(10);
    expect(trending.facets.hasCode.withCode).toBeGreaterThan(0);
    expect(trending.facets.hasCode.withoutCode).toBeGreaterThan(0);
    // Older days' papers keep a trickle of votes, and carry the topics (ai_keywords).
    expect(trending.facets.topics.length).toBeGreaterThan(0);
    if (window !== 'MONTH') {
      // The top of the list: papers of the sample's last few days (moved to the last few days before now).
      const recent = trending.nodes.filter((n: { featuredOn: string | null }) => n.featuredOn !== null && n.featuredOn >= sampleDay(window === 'DAY' ? 3 : 9));
      expect(recent.length).toBeGreaterThanOrEqual(7);
    }
  }
  expect(totals.DAY!).toBeLessThan(totals.WEEK!);
  expect(totals.WEEK!).toBeLessThan(totals.MONTH!);
  expect(shift).toBeGreaterThan(0);
});

test('dailyPapers without a date gives the latest featured day that has listed papers', async () => {
  const DAILY = `{ dailyPapers { date previousDate nextDate papers(first: 3) { totalCount nodes { arxivId } } } }`;
  const { dailyPapers } = await run.server.data(DAILY);
  const latest = sampleEntries.filter((e) => e.day === latestDay);
  expect(dailyPapers).toMatchObject({ date: latestDay, previousDate: sampleDays.at(-2), nextDate: null });
  expect(dailyPapers.papers.totalCount).toBe(latest.length);
  expect(dailyPapers.papers.nodes).toHaveLength(3);
  expect((await run.server.data(`{ dailyPapers(date: "${latestDay}") { papers(first: 3) { nodes { arxivId } } } }`)).dailyPapers.papers.nodes).toEqual(dailyPapers.papers.nodes);

  // Hidden papers do not make a day: with every paper of the latest day hidden, the day before is the latest.
  await rows(`UPDATE "Paper" SET "hiddenAt" = now() WHERE "featuredOn" = $1::date`, latestDay);
  try {
    const hidden = await run.server.data(DAILY);
    expect(hidden.dailyPapers).toMatchObject({ date: sampleDays.at(-2), nextDate: null });
    expect(hidden.dailyPapers.papers.totalCount).toBeGreaterThan(0);
    // A day in the future (a scheduled list) is not "the latest" either; the daily feed agrees.
    await rows(`UPDATE "Paper" SET "featuredOn" = (now() + interval '2 days')::date WHERE "arxivId" = '2012.12142'`);
    expect((await run.server.data(DAILY)).dailyPapers.date).toBe(sampleDays.at(-2));
  } finally {
    await rows(`UPDATE "Paper" SET "hiddenAt" = NULL`);
    await rows(`UPDATE "Paper" SET "featuredOn" = NULL WHERE "arxivId" = '2012.12142'`);
  }
});

// The trimmed sample must lose nothing the importer reads: imported, it gives exactly the rows
// the full responses in ../shared/data give.
testWithRealData('the comparison of the demo sample with the full responses')('the trimmed sample imports to exactly the rows the full responses import to', async () => {
  const snapshot = async () => ({
    papers: await rows(`SELECT to_jsonb(p) - 'id' - 'createdAt' - 'updatedAt' - 'upvoteCount' - 'searchDocument' - 'search' AS row FROM "Paper" p ORDER BY "arxivId"`),
    bylines: await rows(`SELECT p."arxivId", pa.position, a.name, a."normalizedName", pa.affiliation FROM "PaperAuthor" pa JOIN "Paper" p ON p.id = pa."paperId" JOIN "Author" a ON a.id = pa."authorId" ORDER BY 1, 2`),
    topics: await rows(`SELECT p."arxivId", tp.slug, tp.name FROM "PaperTopic" pt JOIN "Paper" p ON p.id = pt."paperId" JOIN "Topic" tp ON tp.id = pt."topicId" ORDER BY 1, 2`),
  });
  const files = (dir: string) => [
    ...sampleDays.map((d) => path.join(dir, 'hf-daily-papers', `${d}.json`)),
    path.join(dir, 'arxiv-atom', 'query-current-affiliations.xml'),
  ];
  await run.t.reset();
  expect((await importFiles(run.db, files(SAMPLE_DIR))).ok).toBe(true);
  const trimmed = await snapshot();
  await run.t.reset();
  expect((await importFiles(run.db, files(dataDir))).ok).toBe(true);
  const full = await snapshot();
  expect(trimmed.papers.length).toBeGreaterThan(400);
  expect(trimmed).toEqual(full);
}, 120_000);

test('dailyPapers without a date on an empty catalog is today, with no papers', async () => {
  await run.t.reset();
  const today = new Date().toISOString().slice(0, 10);
  const { dailyPapers } = await run.server.data(`{ dailyPapers { date previousDate nextDate papers { totalCount nodes { id } } } }`);
  // (Just past midnight UTC, "today" may have turned over between the two reads.)
  expect([today, new Date().toISOString().slice(0, 10)]).toContain(dailyPapers.date);
  expect(dailyPapers).toMatchObject({ previousDate: null, nextDate: null, papers: { totalCount: 0, nodes: [] } });
});

test('db:seed --sample takes none of the generator\'s options, nor --force: the sample goes into an empty catalog only', async () => {
  const seed = (...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/seed.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: 'postgresql://nobody@127.0.0.1:9/never-reached' },
    });
  await expect(seed('--sample', '--papers', '50')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^--sample takes no --papers: the sample is what it is\nusage:/) });
  await expect(seed('--sample', '--force')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^--sample takes no --force/) });
}, 120_000);
