// EXPLAIN ANALYZE of the SQL the API sends for its main access paths: runs each operation
// in process, captures Prisma's statements with their parameters, and explains them.
//   BENCH_DB=postgresql://postgres@127.0.0.1:5432/catalog_bench_100k npx tsx bench/explain.ts
// (the database `npm run bench` builds). Prints the plan lines that name scans and timings.
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { createServer } from '../src/http/server.ts';
import { createContext } from '../src/catalog/context.ts';
import { prismaPlatform } from './platform.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/logger.ts';
const url = process.env.BENCH_DB ?? 'postgresql://postgres@127.0.0.1:5432/catalog_bench_100k';
const captured: { query: string; params: unknown[] }[] = [];
const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }), log: [{ emit: 'event', level: 'query' }] });
db.$on('query', (e) => captured.push({ query: e.query, params: JSON.parse(e.params) }));
const apollo = createServer({ config: loadConfig({ NODE_ENV: 'production', RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '1000000' }), logger: createLogger({ logLevel: 'silent' }) });
await apollo.start();
const viewer = await db.user.findFirst({ where: { votes: { some: {} } } });
const day = (await db.paper.findFirst({ where: { featuredOn: { not: null } }, orderBy: { featuredOn: 'desc' } }))!.featuredOn!.toISOString().slice(0, 10);
// A page-500 cursor of the newest list: the 25,000th featured paper.
const row = (await db.paper.findMany({ where: { featuredOn: { not: null }, hiddenAt: null }, orderBy: [{ featuredOn: 'desc' }, { id: 'desc' }], skip: 24999, take: 1 }))[0]!;
const cursor = Buffer.from(JSON.stringify(['FEATURED_ON:DESC', row.featuredOn!.toISOString().slice(0, 10), row.id])).toString('base64url');
const ops: [string, string, Record<string, unknown>][] = [
  ['daily page', `query($d: Date!) { dailyPapers(date: $d) { papers(first: 50) { nodes { id title upvotes viewerHasUpvoted authors { name } topics { slug } } } } }`, { d: day }],
  ['trending', `{ trendingPapers(window: WEEK, first: 50) { nodes { id title } } }`, {}],
  ['trending (scores fresh)', `{ trendingPapers(window: WEEK, first: 50) { nodes { id title } } }`, {}],
  ['search', `{ papers(query: "diffusion model", first: 20) { edges { node { id } highlight { title abstract } } } }`, {}],
  ['deep page 500', `query($a: String) { papers(first: 50, after: $a) { nodes { id } } }`, { a: cursor }],
  ['topic page', `{ topic(slug: "computer-vision") { papers(first: 20, orderBy: { field: UPVOTES }) { nodes { id } } } }`, {}],
  ['author search', `{ authors(query: "wei zh", first: 20) { nodes { name } } }`, {}],
];
const client = new pg.Client({ connectionString: url });
await client.connect();
for (const [name, query, variables] of ops) {
  captured.length = 0;
  const res = await apollo.executeOperation({ query, variables }, { contextValue: createContext(prismaPlatform(db), viewer) });
  if (res.body.kind === 'single' && res.body.singleResult.errors) console.log(name, JSON.stringify(res.body.singleResult.errors));
  console.log(`\n=== ${name}: ${captured.length} statements`);
  for (const { query: sql, params } of captured.filter((c) => /^\s*(SELECT|WITH)/i.test(c.query) && !/pg_advisory/.test(c.query))) {
    const plan = await client.query({ text: `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`, values: params as unknown[] });
    const lines = plan.rows.map((r: any) => r['QUERY PLAN'] as string);
    const interesting = lines.filter((l) => /Index|Seq Scan|Bitmap|Execution Time|Limit/.test(l)).slice(0, 6);
    console.log('  ' + sql.replace(/\s+/g, ' ').slice(0, 90) + '…');
    for (const l of interesting) console.log('     ' + l.trim());
  }
}
await client.end(); await apollo.stop(); await db.$disconnect();
