// The demo catalog generator (src/catalog/demo/): deterministic, realistic at demo size, and keeping
// the catalog's invariants (upvoteCount = votes, contiguous bylines, unique arXiv ids).
import { generateDemoCatalog, generateDemoCatalogInParallel, isCatalogEmpty, normalizeAuthorName, type DemoOptions } from '../src/catalog/demo/generate.ts';
import { NameGenerator, namesakeInitials } from '../src/catalog/demo/names.ts';
import { Rng } from '../src/catalog/demo/random.ts';
import { setupTestRunner } from './helpers/runner.ts';

/** A Wednesday afternoon: today's papers have had a few hours of votes. */
const TODAY = new Date('2026-03-04T15:00:00.000Z');
/** The demo size, for the tests about its shape; invariants are checked on a smaller one. */
const DEMO: DemoOptions = { papers: 600, seed: 7, today: TODAY };
const SMALL: DemoOptions = { ...DEMO, papers: 300 };

const run = setupTestRunner({ server: false });

async function rows<T>(sql: string): Promise<T[]> {
  return run.db.$queryRawUnsafe<T[]>(sql);
}
async function row<T>(sql: string): Promise<T> {
  return (await rows<T>(sql))[0]!;
}

/** md5 of every row of every table the generator writes, in key order (ids and timestamps included). */
const FINGERPRINT = `
  SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) FROM "Paper" x) AS papers,
         (SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) FROM "Author" x) AS authors,
         (SELECT md5(string_agg(x::text, '|' ORDER BY x."paperId", x.position)) FROM "PaperAuthor" x) AS bylines,
         (SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) FROM "Topic" x) AS topics,
         (SELECT md5(string_agg(x::text, '|' ORDER BY x."paperId", x."topicId")) FROM "PaperTopic" x) AS tags,
         (SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) FROM "User" x) AS users,
         (SELECT md5(string_agg(x::text, '|' ORDER BY x."userId", x."paperId")) FROM "Vote" x) AS votes`;

test('isCatalogEmpty is true while there are no papers, whatever else exists, and false after the demo', async () => {
  expect(await isCatalogEmpty(run.db)).toBe(true);
  await run.db.user.create({ data: { handle: 'someone', displayName: 'Someone' } });
  expect(await isCatalogEmpty(run.db)).toBe(true);
  await generateDemoCatalog(run.db, { ...DEMO, papers: 20 });
  expect(await isCatalogEmpty(run.db)).toBe(false);
});

test('the summary counts exactly the rows written, scaled from the paper count', async () => {
  const summary = await generateDemoCatalog(run.db, DEMO);
  const counts = await row<Record<string, number>>(`
    SELECT (SELECT count(*)::int FROM "Paper") AS papers, (SELECT count(*)::int FROM "Author") AS authors,
           (SELECT count(*)::int FROM "Topic") AS topics, (SELECT count(*)::int FROM "User") AS users,
           (SELECT count(*)::int FROM "Vote") AS votes`);
  expect(summary).toEqual(counts);
  expect(summary).toMatchObject({ papers: 600, authors: 1800, topics: 20, users: 300 });
  expect(summary.votes).toBeGreaterThan(5000);
  expect(summary.votes).toBeLessThanOrEqual(6100);
});

test('the same seed and day give identical rows, ids and timestamps included; another seed does not', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const first = await row<Record<string, string>>(FINGERPRINT);
  await run.t.reset();
  await generateDemoCatalog(run.db, SMALL);
  expect(await row<Record<string, string>>(FINGERPRINT)).toEqual(first);
  await run.t.reset();
  await generateDemoCatalog(run.db, { ...SMALL, seed: 8 });
  const other = await row<Record<string, string>>(FINGERPRINT);
  expect(other.papers).not.toBe(first.papers);
  expect(other.votes).not.toBe(first.votes);
});

/** What the triggers derive from those rows: search documents are in Paper's rows already. */
const DERIVED = `
  SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x."paperId", x.term)) FROM "PaperTerm" x) AS vectors,
         (SELECT md5(string_agg(x::text, '|' ORDER BY x."paperId")) FROM "PaperCitationCount" x) AS "citationCounts",
         (SELECT count(*)::int FROM "Paper" WHERE "searchVector" IS NULL) AS "withoutSearchVector"`;

/** Indexes, constraints and triggers of the public schema, as the migrations left them. */
const SCHEMA = `
  SELECT (SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = current_schema()) AS indexes,
         (SELECT string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated, E'\n' ORDER BY conrelid::regclass::text, conname)
            FROM pg_constraint WHERE connamespace = current_schema()::regnamespace) AS constraints,
         (SELECT string_agg(tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text, E'\n' ORDER BY tgrelid::regclass::text, tgname)
            FROM pg_trigger WHERE NOT tgisinternal) AS triggers`;

test('bulk mode writes the same rows, ids and derived data included, and leaves the schema as it found it', async () => {
  const schema = await row<Record<string, string>>(SCHEMA);
  await generateDemoCatalog(run.db, SMALL);
  const rowByRow = { ...(await row<Record<string, string>>(FINGERPRINT)), ...(await row<Record<string, unknown>>(DERIVED)) };
  expect(rowByRow).toMatchObject({ withoutSearchVector: 0 });
  await run.t.reset();
  await generateDemoCatalog(run.db, { ...SMALL, bulk: true });
  expect({ ...(await row<Record<string, string>>(FINGERPRINT)), ...(await row<Record<string, unknown>>(DERIVED)) }).toEqual(rowByRow);
  expect(await row<Record<string, string>>(SCHEMA)).toEqual(schema);
  // The sequences went on from the last id, as row-by-row inserts leave them.
  const next = await run.db.user.create({ data: { handle: 'after-bulk', displayName: 'After Bulk' } });
  expect(next.id).toBe(SMALL.papers / 2 + 1);
});

test('bulk mode on two connections (the bench) writes the same rows, ids and derived data included, and leaves the schema as it found it', async () => {
  const schema = await row<Record<string, string>>(SCHEMA);
  await generateDemoCatalog(run.db, SMALL);
  const rowByRow = { ...(await row<Record<string, string>>(FINGERPRINT)), ...(await row<Record<string, unknown>>(DERIVED)) };
  await run.t.reset();
  // Batches of 40 papers, so that both connections write several.
  const summary = await generateDemoCatalogInParallel(run.db, { ...SMALL, connections: 2, papersPerBatch: 40 });
  expect(summary).toEqual(await row(`SELECT (SELECT count(*)::int FROM "Paper") AS papers, (SELECT count(*)::int FROM "Author") AS authors,
    (SELECT count(*)::int FROM "Topic") AS topics, (SELECT count(*)::int FROM "User") AS users, (SELECT count(*)::int FROM "Vote") AS votes`));
  expect({ ...(await row<Record<string, string>>(FINGERPRINT)), ...(await row<Record<string, unknown>>(DERIVED)) }).toEqual(rowByRow);
  expect(await row<Record<string, string>>(SCHEMA)).toEqual(schema);
  const next = await run.db.user.create({ data: { handle: 'after-parallel', displayName: 'After Parallel' } });
  expect(next.id).toBe(SMALL.papers / 2 + 1);
  const paper = await row<{ next: number }>(`SELECT nextval(pg_get_serial_sequence('"Paper"', 'id'))::int AS next`);
  expect(paper.next).toBe(SMALL.papers + 1);
});

test('unique author names outnumbering the given and family names apart by middle initials, without retried draws', () => {
  // The first 20 + 400 + 8,000 namesakes: one, two, then three distinct initials each.
  const initials = Array.from({ length: 8420 }, (_, k) => namesakeInitials(k));
  expect(new Set(initials).size).toBe(8420);
  expect(initials.slice(0, 20).every((m) => /^ [A-Z]\.$/.test(m))).toBe(true);
  expect(initials.slice(20, 420).every((m) => /^ [A-Z]\. [A-Z]\.$/.test(m))).toBe(true);
  expect(initials[420]).toMatch(/^ [A-Z]\. [A-Z]\. [A-Z]\.$/);
  // 150,000 names from ~112,000 given-and-family pairs (the 1M bench catalog draws 3 million).
  const generator = new NameGenerator(new Rng(1));
  const taken = new Set<string>();
  const names = Array.from({ length: 150_000 }, () => generator.unique(taken));
  expect(new Set(names.map((n) => normalizeAuthorName(n.full))).size).toBe(150_000);
  expect(names.filter((n) => n.full.includes('.')).length).toBeGreaterThan(30_000);
});

test('bulk mode refuses a catalog with rows, and changes nothing', async () => {
  await generateDemoCatalog(run.db, { ...SMALL, papers: 20 });
  const before = await row<Record<string, string>>(FINGERPRINT);
  await expect(generateDemoCatalog(run.db, { ...SMALL, bulk: true })).rejects.toThrow('Bulk mode writes into empty tables only; "Topic" has rows');
  expect(await row<Record<string, string>>(FINGERPRINT)).toEqual(before);
});

test('upvoteCount is exactly the number of Vote rows of every paper; popularity is skewed and some papers have none', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const stats = await row<{ wrong: number; zero: number; max: number; median: number }>(`
    SELECT count(*) FILTER (WHERE p."upvoteCount" <> coalesce(v.n, 0))::int AS wrong,
           count(*) FILTER (WHERE p."upvoteCount" = 0)::int AS zero,
           max(p."upvoteCount")::int AS max,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY p."upvoteCount")::int AS median
      FROM "Paper" p LEFT JOIN (SELECT "paperId", count(*) AS n FROM "Vote" GROUP BY 1) v ON v."paperId" = p.id`);
  expect(stats.wrong).toBe(0);
  expect(stats.zero).toBeGreaterThan(0);
  expect(stats.max).toBeGreaterThan(5 * stats.median);
});

test('votes are cast between the start of the featured day and today; recent votes go to recent papers (trending)', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const stats = await row<{ early: number; late: number; votes: number; lastDay: number; lastDayRecent: number; voters: number; users: number }>(`
    SELECT count(*) FILTER (WHERE v."createdAt" < p."featuredOn"::timestamp AT TIME ZONE 'UTC')::int AS early,
           count(*) FILTER (WHERE v."createdAt" > '${TODAY.toISOString()}')::int AS late,
           count(*)::int AS votes,
           count(*) FILTER (WHERE v."createdAt" > timestamptz '${TODAY.toISOString()}' - interval '1 day')::int AS "lastDay",
           count(*) FILTER (WHERE v."createdAt" > timestamptz '${TODAY.toISOString()}' - interval '1 day'
                              AND p."featuredOn" >= date '${TODAY.toISOString().slice(0, 10)}' - 2)::int AS "lastDayRecent",
           count(DISTINCT v."userId")::int AS voters,
           (SELECT count(*)::int FROM "User") AS users
      FROM "Vote" v JOIN "Paper" p ON p.id = v."paperId"`);
  expect(stats).toMatchObject({ early: 0, late: 0 });
  expect(stats.lastDay).toBeGreaterThan(stats.votes * 0.02);
  expect(stats.lastDayRecent).toBeGreaterThan(stats.lastDay * 0.5);
  expect(stats.voters).toBeGreaterThan(stats.users / 2);
});

test('bylines have 1 to 15 authors at positions 0..n-1, and some authors are on many papers', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const bylines = await row<{ broken: number; solo: number; full: number; papers: number }>(`
    SELECT count(*) FILTER (WHERE n < 1 OR n > 15 OR lo <> 0 OR hi <> n - 1 OR distinctAuthors <> n)::int AS broken,
           count(*) FILTER (WHERE n = 1)::int AS solo, count(*) FILTER (WHERE n = 15)::int AS full,
           (SELECT count(*)::int FROM "Paper" p WHERE NOT EXISTS (SELECT 1 FROM "PaperAuthor" pa WHERE pa."paperId" = p.id)) AS papers
      FROM (SELECT "paperId", count(*) AS n, min(position) AS lo, max(position) AS hi, count(DISTINCT "authorId") AS distinctAuthors
              FROM "PaperAuthor" GROUP BY 1) b`);
  expect(bylines).toMatchObject({ broken: 0, papers: 0 });
  expect(bylines.solo).toBeGreaterThan(0);
  expect(bylines.full).toBeGreaterThan(0);

  const authors = await row<{ max: number; once: number; orphans: number; total: number }>(`
    SELECT max(n)::int AS max, count(*) FILTER (WHERE n = 1)::int AS once,
           (SELECT count(*)::int FROM "Author" a WHERE NOT EXISTS (SELECT 1 FROM "PaperAuthor" pa WHERE pa."authorId" = a.id)) AS orphans,
           count(*)::int AS total
      FROM (SELECT "authorId", count(*) AS n FROM "PaperAuthor" GROUP BY 1) c`);
  expect(authors.orphans).toBe(0);
  expect(authors.max).toBeGreaterThanOrEqual(15);
  expect(authors.once / authors.total).toBeGreaterThan(0.3);
});

test('authors are stored under the catalog-wide normalized name', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const authors = await run.db.author.findMany({ select: { name: true, normalizedName: true } });
  expect(authors.filter((a) => a.normalizedName !== normalizeAuthorName(a.name))).toEqual([]);
  expect(authors.some((a) => a.name !== a.name.normalize('NFKD').replace(/\p{M}/gu, ''))).toBe(true); // accents exist
  expect(normalizeAuthorName('  José   GARCÍA ')).toBe('jose garcia');
});

test('papers are featured over the window: ~10-15 per weekday, weekends sparse, some days empty', async () => {
  await generateDemoCatalog(run.db, DEMO);
  const days = await rows<{ day: string; dow: number; n: number }>(`
    SELECT d::date::text AS day, extract(dow FROM d)::int AS dow, count(p.id)::int AS n
      FROM generate_series(date '2026-03-04' - 59, date '2026-03-04', interval '1 day') d
      LEFT JOIN "Paper" p ON p."featuredOn" = d::date GROUP BY 1, 2 ORDER BY 1`);
  const outside = await row<{ n: number }>(`SELECT count(*)::int AS n FROM "Paper" WHERE "featuredOn" IS NULL OR "featuredOn" NOT BETWEEN date '2026-03-04' - 59 AND date '2026-03-04'`);
  expect(outside.n).toBe(0);
  const weekdays = days.filter((d) => d.dow >= 1 && d.dow <= 5);
  const weekends = days.filter((d) => d.dow === 0 || d.dow === 6);
  const mean = (list: typeof days) => list.reduce((s, d) => s + d.n, 0) / list.length;
  expect(mean(weekdays)).toBeGreaterThanOrEqual(10);
  expect(mean(weekdays)).toBeLessThanOrEqual(15);
  expect(mean(weekends)).toBeLessThan(2);
  expect(days.filter((d) => d.n === 0).length).toBeGreaterThan(0);
  expect(days[days.length - 1]).toMatchObject({ day: '2026-03-04' });
  expect(days[days.length - 1]!.n).toBeGreaterThan(0);
});

test('publishedAt is 0-10 days before featuredOn; arXiv ids are unique YYMM.NNNNN of that month', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const stats = await row<{ notBefore: number; tooEarly: number; malformed: number; wrongMonth: number; ids: number; papers: number }>(`
    SELECT count(*) FILTER (WHERE "publishedAt" >= "featuredOn"::timestamp AT TIME ZONE 'UTC')::int AS "notBefore",
           count(*) FILTER (WHERE "publishedAt" < ("featuredOn" - 10)::timestamp AT TIME ZONE 'UTC')::int AS "tooEarly",
           count(*) FILTER (WHERE "arxivId" !~ '^[0-9]{4}\\.[0-9]{5}$')::int AS malformed,
           count(*) FILTER (WHERE left("arxivId", 4) <> to_char("publishedAt" AT TIME ZONE 'UTC', 'YYMM'))::int AS "wrongMonth",
           count(DISTINCT "arxivId")::int AS ids, count(*)::int AS papers
      FROM "Paper"`);
  expect(stats).toMatchObject({ notBefore: 0, tooEarly: 0, malformed: 0, wrongMonth: 0, ids: 300, papers: 300 });
});

test('topics form a two-level tree of kebab-case slugs; every paper has 1-3 of them', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const tree = await row<{ roots: number; parents: number; deep: number; badSlugs: number }>(`
    SELECT count(*) FILTER (WHERE t."parentId" IS NULL)::int AS roots,
           count(DISTINCT t."parentId")::int AS parents,
           count(*) FILTER (WHERE p."parentId" IS NOT NULL)::int AS deep,
           count(*) FILTER (WHERE t.slug !~ '^[a-z0-9]+(-[a-z0-9]+)*$')::int AS "badSlugs"
      FROM "Topic" t LEFT JOIN "Topic" p ON p.id = t."parentId"`);
  expect(tree).toMatchObject({ deep: 0, badSlugs: 0 });
  expect(tree.parents).toBeGreaterThan(0);
  expect(tree.roots).toBeGreaterThan(1);
  expect(await run.db.topic.findUnique({ where: { slug: 'image-generation' }, include: { parent: true } })).toMatchObject({
    name: 'Image Generation',
    parent: { slug: 'computer-vision' },
  });
  const perPaper = await row<{ lo: number; hi: number; untagged: number }>(`
    SELECT min(n)::int AS lo, max(n)::int AS hi,
           (SELECT count(*)::int FROM "Paper" p WHERE NOT EXISTS (SELECT 1 FROM "PaperTopic" pt WHERE pt."paperId" = p.id)) AS untagged
      FROM (SELECT count(*) AS n FROM "PaperTopic" GROUP BY "paperId") x`);
  expect(perPaper).toEqual({ lo: 1, hi: 3, untagged: 0 });
});

test('about 40% of papers link code (with stars), about 20% a project page; titles are not lorem ipsum', async () => {
  await generateDemoCatalog(run.db, DEMO);
  const links = await row<{ code: number; page: number; badRepo: number; starsMismatch: number }>(`
    SELECT avg(("githubRepo" IS NOT NULL)::int)::float AS code, avg(("projectPage" IS NOT NULL)::int)::float AS page,
           count(*) FILTER (WHERE "githubRepo" !~ '^https://github\\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+$')::int AS "badRepo",
           count(*) FILTER (WHERE ("githubRepo" IS NULL) <> ("githubStars" IS NULL))::int AS "starsMismatch"
      FROM "Paper"`);
  expect(links).toMatchObject({ badRepo: 0, starsMismatch: 0 });
  expect(links.code).toBeGreaterThan(0.3);
  expect(links.code).toBeLessThan(0.5);
  expect(links.page).toBeGreaterThan(0.12);
  expect(links.page).toBeLessThan(0.28);
  const papers = await run.db.paper.findMany({ select: { title: true, abstract: true } });
  expect(new Set(papers.map((p) => p.title)).size).toBeGreaterThan(590);
  for (const { title, abstract } of papers) {
    expect(title).not.toMatch(/lorem|ipsum|undefined|null|\{|\}/i);
    expect(abstract).not.toMatch(/lorem|ipsum|undefined|\{|\}/i);
    expect(abstract.length).toBeGreaterThan(300);
  }
});

test('users: one admin, a few curators, many readers with lowercase handles; most papers have a submitter', async () => {
  await generateDemoCatalog(run.db, DEMO);
  const roles = await rows<{ role: string; n: number }>(`SELECT role::text, count(*)::int AS n FROM "User" GROUP BY 1 ORDER BY 1`);
  expect(Object.fromEntries(roles.map((r) => [r.role, r.n]))).toEqual({ ADMIN: 1, CURATOR: 3, READER: 296 });
  expect(await run.db.user.findUnique({ where: { handle: 'admin' } })).toMatchObject({ role: 'ADMIN' });
  const users = await run.db.user.findMany({ select: { handle: true, displayName: true } });
  expect(users.filter((u) => !/^[a-z][a-z0-9-]{2,29}$/.test(u.handle) || u.displayName.trim() === '')).toEqual([]);
  const submitted = await row<{ share: number }>(`SELECT avg(("submittedById" IS NOT NULL)::int)::float AS share FROM "Paper"`);
  expect(submitted.share).toBeGreaterThan(0.75);
});

test('the optional metadata shows up on some papers: arXiv category and comment, Hugging Face counts, affiliations', async () => {
  await generateDemoCatalog(run.db, SMALL);
  const meta = await row<Record<string, number>>(`
    SELECT count(*) FILTER (WHERE "primaryCategory" IS NULL)::int AS "noCategory",
           count(*) FILTER (WHERE "arxivComment" IS NOT NULL)::int AS comment,
           count(*) FILTER (WHERE "arxivUpdatedAt" IS NOT NULL)::int AS revised,
           count(*) FILTER (WHERE "arxivUpdatedAt" <= "publishedAt" OR "arxivUpdatedAt" > '${TODAY.toISOString()}')::int AS "badRevision",
           count(*) FILTER (WHERE "hfUpvotes" IS NOT NULL)::int AS hf,
           count(*) FILTER (WHERE jsonb_typeof("aiKeywords") = 'array')::int AS keywords,
           (SELECT count(DISTINCT "paperId")::int FROM "PaperAuthor" WHERE affiliation IS NOT NULL) AS affiliated
      FROM "Paper"`);
  expect(meta).toMatchObject({ noCategory: 0, badRevision: 0 });
  for (const key of ['comment', 'revised', 'hf', 'keywords', 'affiliated']) {
    expect(meta[key]).toBeGreaterThan(30);
    expect(meta[key]).toBeLessThan(300);
  }
});

test('a tiny catalog still shows every feature: 1 and 15 authors, with and without code, a paper without votes', async () => {
  await generateDemoCatalog(run.db, { ...DEMO, papers: 3 });
  const stats = await row<Record<string, number>>(`
    SELECT (SELECT count(*)::int FROM (SELECT 1 FROM "PaperAuthor" GROUP BY "paperId" HAVING count(*) = 1) x) AS solo,
           (SELECT count(*)::int FROM (SELECT 1 FROM "PaperAuthor" GROUP BY "paperId" HAVING count(*) = 15) x) AS full,
           count(*) FILTER (WHERE "githubRepo" IS NOT NULL)::int AS code,
           count(*) FILTER (WHERE "githubRepo" IS NULL)::int AS "noCode",
           count(*) FILTER (WHERE "upvoteCount" = 0)::int AS unvoted
      FROM "Paper"`);
  for (const key of ['solo', 'full', 'code', 'noCode', 'unvoted']) expect(stats[key]).toBeGreaterThan(0);
});

test('a second catalog on top of the first (seed CLI --force) reuses authors, users and topics and skips taken arXiv ids', async () => {
  const first = await generateDemoCatalog(run.db, SMALL);
  await generateDemoCatalog(run.db, SMALL);
  const counts = await row<Record<string, number>>(`
    SELECT (SELECT count(*)::int FROM "Paper") AS papers, (SELECT count(DISTINCT "arxivId")::int FROM "Paper") AS ids,
           (SELECT count(*)::int FROM "Author") AS authors, (SELECT count(*)::int FROM "User") AS users,
           (SELECT count(*)::int FROM "Topic") AS topics,
           (SELECT count(*)::int FROM "Paper" p WHERE p."upvoteCount" <> (SELECT count(*) FROM "Vote" v WHERE v."paperId" = p.id)) AS wrong`);
  expect(counts).toEqual({ papers: 600, ids: 600, authors: first.authors, users: first.users, topics: first.topics, wrong: 0 });
});

test('options are validated with messages that say what was expected', async () => {
  await expect(generateDemoCatalog(run.db, { papers: 0 })).rejects.toThrow('Demo option papers must be an integer from 1 to 1000000; got 0');
  await expect(generateDemoCatalog(run.db, { papers: 10, days: 1.5 })).rejects.toThrow('Demo option days must be an integer from 1 to 3650; got 1.5');
  await expect(generateDemoCatalog(run.db, { papers: 10, today: new Date('nope') })).rejects.toThrow('Demo option today must be a valid Date');
  await expect(generateDemoCatalog(run.db, { papers: 10, topics: 5000 })).rejects.toThrow(/Demo option topics must be an integer from 1 to \d+; got 5000/);
  expect(await isCatalogEmpty(run.db)).toBe(true);
});
