// EXPLAIN ANALYZE of the SQL the API sends: runs operations in process over a Prisma client that
// logs each statement with its parameters (reads go through Prisma here, the same SQL text the
// pool would prepare), then explains each captured SELECT.
//
//   BENCH_DB=postgresql://postgres@127.0.0.1:5432/catalog_bench_100k npx tsx bench/explain.ts
// (the database `npm run bench` builds) prints the plan lines of the main access paths that name
// scans and timings; bench/discovery.ts calls explainOperations for its report.
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { createServer } from '../src/http/server.ts';
import { createContext } from '../src/catalog/context.ts';
import { prismaPlatform } from './platform.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/logger.ts';

export interface ExplainRequest {
  name: string;
  document: string;
  variables: Record<string, unknown>;
  /** Signed in as this user (no token: the viewer is handed to the context directly). */
  viewerId?: number;
}

export interface ExplainedStatement {
  sql: string;
  params: unknown[];
  plan: string[];
}

export interface ExplainedOperation {
  name: string;
  /** Every statement the operation sent, reads and writes. */
  statements: number;
  /** The SELECT / WITH statements, explained. */
  explained: ExplainedStatement[];
  errors?: string;
}

/**
 * Runs each operation once (after one unrecorded run, so the plans are those of a warm process)
 * and explains its reads with `EXPLAIN (ANALYZE, BUFFERS, <options>)`.
 */
export async function explainOperations(url: string, requests: ExplainRequest[], options = 'ANALYZE, BUFFERS'): Promise<ExplainedOperation[]> {
  const captured: { query: string; params: unknown[] }[] = [];
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }), log: [{ emit: 'event', level: 'query' }] });
  db.$on('query', (e) => captured.push({ query: e.query, params: JSON.parse(e.params) as unknown[] }));
  const apollo = createServer({
    config: loadConfig({ NODE_ENV: 'production', RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '1000000', GRAPHQL_OPERATION_TIMEOUT_MS: '600000' }),
    logger: createLogger({ logLevel: 'silent' }),
  });
  await apollo.start();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const results: ExplainedOperation[] = [];
  try {
    for (const request of requests) {
      const viewer = request.viewerId === undefined ? undefined : ((await db.user.findUnique({ where: { id: request.viewerId } })) ?? undefined);
      const run = () => apollo.executeOperation({ query: request.document, variables: request.variables }, { contextValue: createContext(prismaPlatform(db), viewer) });
      await run();
      captured.length = 0;
      const response = await run();
      const errors = response.body.kind === 'single' && response.body.singleResult.errors ? JSON.stringify(response.body.singleResult.errors).slice(0, 500) : undefined;
      const statements = [...captured];
      const explained: ExplainedStatement[] = [];
      for (const { query: sql, params } of statements.filter((c) => /^\s*(SELECT|WITH)/i.test(c.query) && !/pg_advisory/.test(c.query))) {
        const plan = await client.query({ text: `EXPLAIN (${options}) ${sql}`, values: params });
        explained.push({ sql, params, plan: plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']!) });
      }
      results.push({ name: request.name, statements: statements.length, explained, ...(errors ? { errors } : {}) });
    }
  } finally {
    await client.end();
    await apollo.stop();
    await db.$disconnect();
  }
  return results;
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DB ?? 'postgresql://postgres@127.0.0.1:5432/catalog_bench_100k';
  const pgClient = new pg.Client({ connectionString: url });
  await pgClient.connect();
  const viewerId = (await pgClient.query<{ id: number }>(`SELECT "userId" AS id FROM "Vote" LIMIT 1`)).rows[0]?.id;
  const day = (await pgClient.query<{ day: string }>(`SELECT to_char(max("featuredOn"), 'YYYY-MM-DD') AS day FROM "Paper"`)).rows[0]!.day;
  // A page-500 cursor of the newest list: the 25,000th featured paper.
  const row = (await pgClient.query<{ day: string; id: number }>(
    `SELECT to_char("featuredOn", 'YYYY-MM-DD') AS day, id FROM "Paper" WHERE "featuredOn" IS NOT NULL AND "hiddenAt" IS NULL ORDER BY "featuredOn" DESC, id DESC OFFSET 24999 LIMIT 1`,
  )).rows[0]!;
  await pgClient.end();
  const cursor = Buffer.from(JSON.stringify(['FEATURED_ON:DESC', row.day, row.id])).toString('base64url');
  const ops: [string, string, Record<string, unknown>][] = [
    ['daily page', `query($d: Date!) { dailyPapers(date: $d) { papers(first: 50) { nodes { id title upvotes viewerHasUpvoted authors { name } topics { slug } } } } }`, { d: day }],
    ['trending', `{ trendingPapers(window: WEEK, first: 50) { nodes { id title } } }`, {}],
    ['search', `{ papers(query: "diffusion model", first: 20) { edges { node { id } highlight { title abstract } } } }`, {}],
    ['deep page 500', `query($a: String) { papers(first: 50, after: $a) { nodes { id } } }`, { a: cursor }],
    ['topic page', `{ topic(slug: "computer-vision") { papers(first: 20, orderBy: { field: UPVOTES }) { nodes { id } } } }`, {}],
    ['author search', `{ authors(query: "wei zh", first: 20) { nodes { name } } }`, {}],
  ];
  const results = await explainOperations(url, ops.map(([name, document, variables]) => ({ name, document, variables, ...(viewerId === undefined ? {} : { viewerId }) })), 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON');
  for (const result of results) {
    if (result.errors) console.log(result.name, result.errors);
    console.log(`\n=== ${result.name}: ${result.statements} statements`);
    for (const { sql, plan } of result.explained) {
      console.log('  ' + sql.replace(/\s+/g, ' ').slice(0, 90) + '…');
      for (const l of plan.filter((l) => /Index|Seq Scan|Bitmap|Execution Time|Limit/.test(l)).slice(0, 6)) console.log('     ' + l.trim());
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
