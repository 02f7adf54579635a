// KEYWORD search at scale: `papers(query:, first: 20)` with snippets, four kinds of query (a
// common word, a rare word, three words, a quoted phrase), each loaded in turn at 16 connections
// against the daily page in the same run, on each ranking path the database offers (GIN always;
// RUM where the server has the extension), then the EXPLAIN ANALYZE of each kind's statements
// as the API sends them.
//
//   tsx bench/search.ts <database> [--seconds 15] [--connections 16] [--paths gin,rum] [--no-explain] [--no-load]
//
// The database: a bench catalog (npm run bench makes catalog_bench_100k), migrated. With `rum` in
// --paths, the RUM extension and index are installed as the server's start does
// (src/platform/db/rum.ts, src/catalog/papers/search-index.ts): CREATE INDEX CONCURRENTLY, waited for.
// The API is built in this process (as bench/related.ts does), its platform's search index
// switched per path; each query variant is drawn per request.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/platform/db/client.ts';
import type { RankedIndex } from '../src/platform/db/rum.ts';
import { buildApp, listen } from '../src/http/app.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServer } from '../src/http/server.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { trendingScores } from '../src/catalog/papers/trending.ts';
import { createPaperLoaders, listPapers } from '../src/catalog/papers/index.ts';
import type { Reader, ReadStatement } from '../src/platform/db/reader.ts';
import { withDatabase } from './catalog.ts';
import { CpuMeter } from './cpu.ts';
import { runLoad } from './load.ts';
import { OPERATIONS, rng, type HttpCall } from './operations.ts';
import { QUERY_POOLS, SEARCH as SEARCH_DOCUMENT } from './discovery.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: 'string' }, connections: { type: 'string' }, paths: { type: 'string' }, 'no-explain': { type: 'boolean' }, 'no-load': { type: 'boolean' } },
});
const database = positionals[0];
if (!database) throw new Error('usage: tsx bench/search.ts <database> [--seconds 15] [--connections 16] [--paths gin,rum] [--no-explain]');
const seconds = Number(values.seconds ?? 15);
const connections = Number(values.connections ?? 16);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const url = withDatabase(adminUrl, database);
const API_ENV = { NODE_ENV: 'production', LOG_LEVEL: 'warn', SEED_DEMO: 'false', RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '1000000', TRENDING_REFRESH_SECONDS: '86400' };

/**
 * The four kinds of the discovery bench (bench/discovery.ts, issue 24's goals), each a few
 * variants drawn per request; HYBRID draws from all four.
 */
export const SEARCH_KINDS: Record<string, readonly string[]> = {
  common: QUERY_POOLS.common,
  rare: QUERY_POOLS.rare,
  three: QUERY_POOLS.words,
  phrase: QUERY_POOLS.phrase,
};
const client = new pg.Client({ connectionString: url });
await client.connect();
const paths = (values.paths ?? 'gin,rum').split(',');
// Imported only for the RUM path, so that the same script measures a tree from before it (`--paths gin`).
const RUM_INDEX = 'catalog_paper_search_rum_idx';
if (paths.includes('rum')) {
  const { enableRum } = await import('../src/platform/db/rum.ts');
  const { buildSearchIndex } = await import('../src/catalog/papers/search-index.ts');
  const db = createDb({ connectionString: url, poolSize: 1 });
  const status = await enableRum(db.db);
  await db.close();
  if (status.state !== 'installed') throw new Error(`--paths rum: ${status.detail}`);
  const built = await buildSearchIndex(url);
  console.log(`RUM ${status.version}: ${RUM_INDEX} ${built.outcome} (${(built.ms / 1000).toFixed(1)} s)`);
}
const counts: Record<string, number[]> = {};
for (const [kind, queries] of Object.entries(SEARCH_KINDS)) {
  counts[kind] = [];
  for (const q of queries) {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "Paper" WHERE "hiddenAt" IS NULL AND "searchVector" @@ websearch_to_tsquery('english', $1)`, [q]);
    counts[kind]!.push(rows[0].n);
  }
}
const total = Number((await client.query(`SELECT count(*) FROM "Paper" WHERE "hiddenAt" IS NULL`)).rows[0].count);
console.log(`${total} listed papers; matches per query:`);
for (const [kind, queries] of Object.entries(SEARCH_KINDS)) console.log(`  ${kind}: ${queries.map((q, i) => `${q} ${counts[kind]![i]}`).join(', ')}`);
const days = (await client.query<{ day: string }>(`SELECT to_char("featuredOn", 'YYYY-MM-DD') AS day FROM "Paper" WHERE "featuredOn" IS NOT NULL AND "hiddenAt" IS NULL
  GROUP BY "featuredOn" HAVING count(*) >= 50 ORDER BY "featuredOn" DESC LIMIT 8`)).rows.slice(1).map((r) => r.day);

// The platform's search index, switched per path (the server's watches the catalog: src/platform/db/rum.ts).
let rumOn = false;
const searchIndex: RankedIndex = { name: RUM_INDEX, ready: () => rumOn, refresh: async () => rumOn };
const config = loadConfig({ ...API_ENV, DATABASE_URL: url });
const logger = createLogger(config);
const pools = createDb({ connectionString: url, poolSize: 10 });
const platform = createPlatform(pools, { trending: trendingScores(pools.db), searchIndex });
const apollo = createServer({ config, logger });
await apollo.start();
const meter = new CpuMeter(url, () => []);
const running = await listen(await buildApp({ apollo, platform, logger, config, rateLimiter: null }), 0, '127.0.0.1');

const post = (query: string, variables: Record<string, unknown>): HttpCall => ({
  path: '/graphql',
  body: JSON.stringify({ query, variables }),
  headers: { 'content-type': 'application/json' },
});
const random = rng(7);
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
const operations: Record<string, () => HttpCall> = {
  dailyAnon: () => post(OPERATIONS.dailyAnon.document, { date: pick(days) }),
  ...Object.fromEntries(Object.entries(SEARCH_KINDS).map(([kind, queries]) => [kind, () => post(SEARCH_DOCUMENT, { query: pick(queries), mode: 'KEYWORD' })])),
  hybrid: () => post(SEARCH_DOCUMENT, { query: pick(pick(Object.values(SEARCH_KINDS))), mode: 'HYBRID' }),
};

try {
  for (const path of values['no-load'] ? [] : paths) {
    rumOn = path === 'rum';
    // CPU per answer (this process: API and load generator; PostgreSQL: the database's backends),
    // which the other work on a shared machine disturbs much less than req/s.
    console.log(`\n## ${path}\n\n| operation | req/s | p50 ms | p99 ms | × daily | failed | CPU ms per answer: node / pg | daily's CPU per answer ÷ this one's | other work (cores) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|`);
    let daily = NaN;
    let dailyCpu = NaN;
    for (const [name, next] of Object.entries(operations)) {
      await runLoad({ url: running.url, connections, durationS: 3, maxRequests: 100_000, next });
      const before = meter.snapshot();
      const r = await runLoad({ url: running.url, connections, durationS: seconds, maxRequests: 1_000_000, next });
      const cpu = CpuMeter.share(before, meter.snapshot());
      const nodeMs = (cpu.loadGenerator * 1000) / r.rps;
      const pgMs = (cpu.postgres * 1000) / r.rps;
      if (name === 'dailyAnon') (daily = r.rps), (dailyCpu = nodeMs + pgMs);
      console.log(
        `| ${name} | ${r.rps.toFixed(1)} | ${r.latency.p50.toFixed(1)} | ${r.latency.p99.toFixed(1)} | ${(r.rps / daily).toFixed(2)} | ${r.non2xx + r.graphqlErrors + r.errors} | ` +
          `${nodeMs.toFixed(2)} / ${pgMs.toFixed(2)} | ${(dailyCpu / (nodeMs + pgMs)).toFixed(2)} | ${cpu.foreign.toFixed(2)} |`,
      );
    }
  }
} finally {
  await running.close();
  await apollo.stop();
}

// The recall cost: of the exact top 20 (ts_rank_cd over every listed match, as before the bound),
// how many each path's first page holds, per query; and what the page favours: how many of its
// 20 are among the newest 10 % of the matches (by publishedAt, then id, as the newest list).
console.log(`\n## recall@20 against ranking every match · of the page, among the newest 10 % of matches\n\n| kind | query | matches | ${paths.map((p) => `${p} recall | ${p} newest 10 %`).join(' | ')} |\n|---|---|---:|${paths.map(() => '---:|---:').join('|')}|`);
for (const [kind, queries] of Object.entries(SEARCH_KINDS)) {
  for (const [i, q] of queries.entries()) {
    const { rows } = await client.query<{ id: number }>(`SELECT p.id FROM "Paper" p CROSS JOIN websearch_to_tsquery('english', $1) q
      WHERE p."hiddenAt" IS NULL AND p."searchVector" @@ q ORDER BY ts_rank_cd(p."searchVector", q) DESC, p.id DESC LIMIT 20`, [q]);
    const exact = new Set(rows.map((r) => r.id));
    const newest = new Set((await client.query<{ id: number }>(`SELECT p.id FROM "Paper" p CROSS JOIN websearch_to_tsquery('english', $1) q
      WHERE p."hiddenAt" IS NULL AND p."searchVector" @@ q ORDER BY p."publishedAt" DESC, p.id DESC LIMIT $2`, [q, Math.ceil(counts[kind]![i]! / 10)])).rows.map((r) => r.id));
    const shares: string[] = [];
    for (const path of paths) {
      rumOn = path === 'rum';
      const page = await listPapers({ platform, reader: platform.reader, loaders: createPaperLoaders(platform.reader) }, { query: q, first: 20 });
      shares.push(`${page.nodes.filter((paper) => exact.has(paper.id)).length}/${exact.size}`);
      shares.push(`${page.nodes.filter((paper) => newest.has(paper.id)).length}/${page.nodes.length}`);
    }
    console.log(`| ${kind} | ${q} | ${counts[kind]![i]} | ${shares.join(' | ')} |`);
  }
}

// The statements of one request of each kind, as the API sends them, then EXPLAIN ANALYZE'd.
if (!values['no-explain']) {
  for (const path of paths) {
    rumOn = path === 'rum';
    for (const [kind, queries] of Object.entries(SEARCH_KINDS)) {
      const sent: ReadStatement[] = [];
      const capturing: Reader = { rows: (statement, name, deadline) => (sent.push(statement), platform.reader.rows(statement, name, deadline)) };
      const deps = { platform, reader: capturing, loaders: createPaperLoaders(capturing) };
      const connection = await listPapers(deps, { query: queries[0], first: 20 }, { withRelations: true });
      await connection.totalCount();
      for (const statement of sent) {
        const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement.text}`, statement.values as unknown[]);
        console.log(`\n### ${path}, ${kind}: ${queries[0]}\n\n\`\`\`\n${statement.text.replace(/\s+/g, ' ').slice(0, 2000)}\n\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\``);
      }
    }
  }
}
await pools.close();
await client.end();
