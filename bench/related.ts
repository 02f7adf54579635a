// Latency of the related-papers features at scale: Paper.related (one paper, and each paper of
// a page of 20), viewer.recommendedPapers (readers with a few votes, and readers with 200) and
// papers(query, searchMode: HYBRID) (KEYWORD beside it), req/s and p50/p99 at 16 connections
// against the API (built in this process, listening on loopback) on a catalog database that has
// the term vectors, each operation in turn in one run, with the daily page (bench/operations.ts)
// as the reference: the last column is each operation's req/s over the daily page's. Then
// EXPLAIN ANALYZE of the related and recommendation statements.
//
//   tsx bench/related.ts <database name> [--seconds 20] [--connections 16] [--only a,b] [--runs 200]
//
// The database: the bench catalog (npm run bench makes catalog_bench_100k) migrated and
// rebuilt (DATABASE_URL=... npm run db:migrate && npm run related:rebuild), or a copy of it.
// Bench users get API tokens named "bench" (removed at the end) to ask for recommendations.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateToken } from '../src/catalog/users/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/platform/db/client.ts';
import { buildApp, listen } from '../src/http/app.ts';
import { benchPlatform } from './platform.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServer } from '../src/http/server.ts';
import { BENCH_TOKEN_NAME, withDatabase } from './catalog.ts';
import { runLoad } from './load.ts';
import { OPERATIONS, rng, SEARCH_QUERIES, type HttpCall } from './operations.ts';
import { RECOMMENDED_SQL, RELATED_SQL } from '../src/catalog/related/reads.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seconds: { type: 'string' }, connections: { type: 'string' }, only: { type: 'string' }, runs: { type: 'string' } } });
const database = positionals[0];
if (!database) throw new Error('usage: tsx bench/related.ts <database name> [--seconds 20] [--connections 16]');
const seconds = Number(values.seconds ?? 20);
const connections = Number(values.connections ?? 16);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const url = withDatabase(adminUrl, database);
// As bench/run.ts runs the API: production mode, no rate limit or cost cap in the way.
const API_ENV = { NODE_ENV: 'production', LOG_LEVEL: 'warn', SEED_DEMO: 'false', RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '1000000', TRENDING_REFRESH_SECONDS: '86400' };
const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url');

const RELATED = `query($id: ID!) { paper(id: $id) { id related(first: 10) { score paper { id arxivId title } } } }`;
const RELATED_PAGE = `query($date: Date!) { dailyPapers(date: $date) { papers(first: 20) { nodes { id related(first: 10) { score paper { id arxivId title } } } } } }`;
const RECOMMENDED = `query { viewer { recommendedPapers(first: 10) { score paper { id arxivId title } } } }`;
const RECOMMENDED_20 = `query { viewer { recommendedPapers(first: 20) { score paper { id arxivId title } } } }`;
/** Readers made for the run, each with PROFILE_VOTES votes on random listed papers (removed at the end). */
const HEAVY_READERS = 20;
const PROFILE_VOTES = 200;
const SEARCH = `query($query: String!, $mode: SearchMode) { papers(query: $query, searchMode: $mode, first: 20) {
  edges { node { id arxivId title } highlight { title abstract } } } }`;

const client = new pg.Client({ connectionString: url });
await client.connect();
const papers = (await client.query<{ id: number }>(`SELECT id FROM "Paper" WHERE "hiddenAt" IS NULL ORDER BY md5(id::text) LIMIT 2000`)).rows.map((r) => r.id);
// Users with at least 5 votes: their recommendations have a profile to start from.
const voters = (await client.query<{ id: number }>(`SELECT "userId" AS id FROM "Vote" GROUP BY "userId" HAVING count(*) >= 5 ORDER BY md5("userId"::text) LIMIT 200`)).rows.map((r) => r.id);
const tokens: string[] = [];
for (const userId of voters) {
  const { token, tokenHash, prefix } = generateToken();
  await client.query(`INSERT INTO "ApiToken" ("userId", name, prefix, "tokenHash") VALUES ($1, $2, $3, $4)`, [userId, BENCH_TOKEN_NAME, prefix, tokenHash]);
  tokens.push(token);
}
// Days of the daily page (as bench/operations.ts picks them) and of the related page (any day with 20 papers).
const dailyDates = (await client.query<{ day: string }>(`SELECT to_char("featuredOn", 'YYYY-MM-DD') AS day FROM "Paper"
  WHERE "featuredOn" IS NOT NULL AND "hiddenAt" IS NULL GROUP BY "featuredOn" HAVING count(*) >= 50 ORDER BY "featuredOn" DESC LIMIT 8`)).rows.map((r) => r.day);
const pageDates = (await client.query<{ day: string }>(`SELECT to_char("featuredOn", 'YYYY-MM-DD') AS day FROM "Paper"
  WHERE "featuredOn" IS NOT NULL AND "hiddenAt" IS NULL GROUP BY "featuredOn" HAVING count(*) >= 20 ORDER BY md5("featuredOn"::text) LIMIT 200`)).rows.map((r) => r.day);
// Readers with 200 upvotes: made here (the generated catalog has few such), votes on random listed
// papers cast over the last year, Paper.upvoteCount kept equal to the votes (and put back at the end).
await client.query(`DELETE FROM "User" WHERE handle LIKE 'bench-related-%'`);
const heavyTokens: string[] = [];
const heavyReaders: number[] = [];
for (let i = 0; i < HEAVY_READERS; i++) {
  const { rows: [user] } = await client.query<{ id: number }>(`INSERT INTO "User" (handle, "displayName") VALUES ($1, $1) RETURNING id`, [`bench-related-${i}`]);
  await client.query(`WITH v AS (
      INSERT INTO "Vote" ("userId", "paperId", "createdAt")
      SELECT $1::int, id, now() - random() * interval '365 days' FROM "Paper" WHERE "hiddenAt" IS NULL ORDER BY md5(id::text || $2::int::text) LIMIT ${PROFILE_VOTES}
      RETURNING "paperId")
    UPDATE "Paper" p SET "upvoteCount" = p."upvoteCount" + 1 FROM v WHERE p.id = v."paperId"`, [user!.id, i]);
  const { token, tokenHash, prefix } = generateToken();
  await client.query(`INSERT INTO "ApiToken" ("userId", name, prefix, "tokenHash") VALUES ($1, $2, $3, $4)`, [user!.id, BENCH_TOKEN_NAME, prefix, tokenHash]);
  heavyTokens.push(token);
  heavyReaders.push(user!.id);
}
const [votes] = (await client.query(`SELECT avg(n)::float8 AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY n) AS median FROM (
  SELECT count(*) AS n FROM "Vote" WHERE "userId" = ANY($1::int[]) GROUP BY "userId") v`, [voters])).rows;
console.log(`${papers.length} sample papers, ${pageDates.length} days of 20+ papers, ${HEAVY_READERS} readers with ${PROFILE_VOTES} votes, ${voters.length} users with >= 5 votes (votes per user: mean ${Number(votes.mean).toFixed(1)}, median ${votes.median})`);

const post = (body: unknown, token?: string): HttpCall => ({
  path: '/graphql',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
});
const random = rng(7);
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
const allOperations: Record<string, () => HttpCall> = {
  daily: () => post({ query: OPERATIONS.daily.document, variables: { date: pick(dailyDates) } }, pick(tokens)),
  related: () => post({ query: RELATED, variables: { id: globalId('Paper', pick(papers)) } }),
  relatedPage: () => post({ query: RELATED_PAGE, variables: { date: pick(pageDates) } }),
  recommended: () => post({ query: RECOMMENDED }, pick(tokens)),
  recommended200: () => post({ query: RECOMMENDED_20 }, pick(heavyTokens)),
  searchKeyword: () => post({ query: SEARCH, variables: { query: pick(SEARCH_QUERIES), mode: 'KEYWORD' } }),
  searchHybrid: () => post({ query: SEARCH, variables: { query: pick(SEARCH_QUERIES), mode: 'HYBRID' } }),
};

// In this process (the API's own construction, as tests and src/main.ts build it, without
// main.ts's background jobs): on a loaded machine a spawned API did not get ready in 2 minutes.
const config = loadConfig({ ...API_ENV, DATABASE_URL: url });
const logger = createLogger(config);
const db = createDb({ connectionString: url, poolSize: 20 });
const apollo = createServer({ config, logger });
await apollo.start();
const running = await listen(await buildApp({ apollo, platform: benchPlatform(db), logger, config, rateLimiter: null }), 0, '127.0.0.1');
const api = {
  url: running.url,
  async stop() {
    await running.close();
    await apollo.stop();
    await db.close();
  },
};
// The daily page always runs (first): the reference of the ratios.
const only = values.only?.split(',');
const operations = Object.entries(allOperations).filter(([name]) => name === 'daily' || !only || only.includes(name));
try {
  console.log(`| operation | req/s | p50 ms | p99 ms | failed | x daily req/s |`);
  console.log(`|---|---:|---:|---:|---:|---:|`);
  let daily = 0;
  for (const [name, next] of operations) {
    await runLoad({ url: api.url, connections, durationS: 3, maxRequests: 100_000, next }); // warm-up
    const r = await runLoad({ url: api.url, connections, durationS: seconds, maxRequests: 1_000_000, next });
    if (name === 'daily') daily = r.rps;
    console.log(`| ${name} | ${r.rps.toFixed(1)} | ${r.latency.p50.toFixed(1)} | ${r.latency.p99.toFixed(1)} | ${r.non2xx + r.graphqlErrors + r.errors} | ${(r.rps / daily).toFixed(2)} |`);
  }
} finally {
  await api.stop();
}

// The statements alone, one connection, nothing else running: what each costs the database
// (prepared, as the API sends them), --runs runs each (after 20 to warm up), parameters drawn as above.
const runs = Number(values.runs ?? 200);
const pages: number[][] = [];
for (const day of pageDates.slice(0, 50)) {
  const { rows } = await client.query<{ id: number }>(`SELECT id FROM "Paper" WHERE "featuredOn" = $1 AND "hiddenAt" IS NULL ORDER BY "upvoteCount" DESC, id DESC LIMIT 20`, [day]);
  pages.push(rows.map((r) => r.id));
}
console.log(`\nThe statements alone (one connection, ${runs} runs each):\n\n| statement | p50 ms | p99 ms |\n|---|---:|---:|`);
for (const [label, name, text, params] of [
  ['related, one paper (first 10)', 'b_related', RELATED_SQL.all, () => [[pick(papers)], 10]],
  ['related, a day\'s first 20 papers (first 10 each)', 'b_related', RELATED_SQL.all, () => [pick(pages), 10]],
  ['recommended, a reader with 200 upvotes (first 20)', 'b_recommended', RECOMMENDED_SQL.all, () => [pick(heavyReaders), 20]],
] as const) {
  const times: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const started = performance.now();
    await client.query({ name, text, values: params() });
    if (i >= 20) times.push(performance.now() - started); // the first 20 warm the plan and the cache
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label} | ${times[Math.floor(times.length * 0.5)]!.toFixed(1)} | ${times[Math.floor(times.length * 0.99)]!.toFixed(1)} |`);
}

// The statements as the API sends them (src/catalog/related/reads.ts), for one paper and one user.
for (const [label, text, params] of [
  ['related (one paper, first 10)', RELATED_SQL.all, [[papers[0]], 10]],
  ['related (a page of 20 papers, first 10 each)', RELATED_SQL.all, [papers.slice(0, 20), 10]],
  ['recommended (first 10)', RECOMMENDED_SQL.all, [voters[0], 10]],
  ['recommended (a reader with 200 upvotes, first 20)', RECOMMENDED_SQL.all, [heavyReaders[0], 20]],
] as const) {
  const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, params as unknown as unknown[]);
  console.log(`\nEXPLAIN ANALYZE ${label}:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
}
await client.query(`DELETE FROM "ApiToken" WHERE name = $1`, [BENCH_TOKEN_NAME]);
await client.query(`UPDATE "Paper" p SET "upvoteCount" = p."upvoteCount" - v.n
  FROM (SELECT "paperId", count(*)::int AS n FROM "Vote" WHERE "userId" IN (SELECT id FROM "User" WHERE handle LIKE 'bench-related-%') GROUP BY "paperId") v
  WHERE p.id = v."paperId"`);
await client.query(`DELETE FROM "User" WHERE handle LIKE 'bench-related-%'`);
await client.end();
