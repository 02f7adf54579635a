// `Paper.citedBy(first: 20)` of the hot paper at the SQL level, on bench:citation-graph's database
// (run that first): the statements the read service sends (src/catalog/citation-graph/reads.ts,
// citedByPages) with their plans, then their latency at 1 and 16 clients, each statement alone
// and one request's statements in turn, so that a change to the statements can be judged by
// ratios measured in one run, apart from HTTP, GraphQL and the pool.
//
//   tsx bench/cited-by-sql.ts [--seconds 5] [--clients 16] [--explain] [--variants] [--only-variants] [--rounds 2]
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { CitedByOrder } from '../src/generated/graphql.ts';
import { citedByPages } from '../src/catalog/citation-graph/reads.ts';
import { LISTING_COLUMNS_P, PAPER_COLUMNS_P } from '../src/catalog/papers/columns.ts';
import type { Reader, ReadStatement } from '../src/platform/db/reader.ts';
import { withDatabase } from './catalog.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '16' }, explain: { type: 'boolean', default: false }, variants: { type: 'boolean', default: false }, 'only-variants': { type: 'boolean', default: false }, rounds: { type: 'string', default: '2' } } });
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const url = withDatabase(adminUrl, 'citation_graph_bench');
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);

/** The statements citedByPages sends for one page, in order (each answered for real, so the second depends on the first). */
async function statementsOf(order: CitedByOrder, paperId: number): Promise<ReadStatement[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sent: ReadStatement[] = [];
  const reader: Reader = {
    async rows<R>(statement: ReadStatement): Promise<R[]> {
      sent.push({ text: statement.text, values: statement.values });
      return (await client.query(statement.text, statement.values as unknown[])).rows as R[];
    },
  };
  try {
    await citedByPages(reader, [paperId], order, { take: 20, direction: 'forward', cursor: null });
  } finally {
    await client.end();
  }
  return sent;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** `clients` connections running `statements` in turn (one request each time) for SECONDS: per-request latency. */
async function load(statements: ReadStatement[], clients: number): Promise<{ rps: number; p50: number; p99: number }> {
  const connections = await Promise.all(Array.from({ length: clients }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    connections.map(async (c) => {
      while (performance.now() < until) {
        const started = performance.now();
        // Prepared, as the read service sends them.
        for (const [i, s] of statements.entries()) await c.query({ name: `s${i}_${s.text.length}`, text: s.text, values: s.values as unknown[] });
        latencies.push(performance.now() - started);
        n++;
      }
    }),
  );
  await Promise.all(connections.map((c) => c.end()));
  latencies.sort((a, b) => a - b);
  return { rps: n / SECONDS, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * The walk of NEWEST (a paper cited by most of the catalog) written other ways, to compare in one
 * run: `columns` all of Paper's (as today) or the listing ones a list of titles needs
 * (src/catalog/papers/selection.ts); the edge's attributes read by a second probe per row (as
 * today) or by the walk's own probe.
 */
function walkVariant(columns: 'all' | 'listing', probe: 'two' | 'one'): ReadStatement {
  const cols = (columns === 'all' ? PAPER_COLUMNS_P : LISTING_COLUMNS_P).strings.join('');
  const aggregate = `bool_or(c."isInfluential") AS influential, string_agg(array_to_string(c.intents, ','), ',') AS intents, array_agg(c.source::text) AS sources`;
  const text =
    probe === 'two'
      ? `SELECT page.*, e.* FROM unnest($1::int[]) x(id)
         CROSS JOIN LATERAL (
           SELECT x.id AS grp, ${cols}, p."publishedAt" AS "sortKey" FROM "Paper" p
           CROSS JOIN LATERAL (SELECT 1 FROM "Citation" c WHERE c."citedPaperId" = x.id AND c."citingPaperId" = p.id LIMIT 1) hit
           WHERE p."hiddenAt" IS NULL ORDER BY p."publishedAt" DESC, p.id DESC LIMIT 21
         ) page
         CROSS JOIN LATERAL (SELECT ${aggregate} FROM "Citation" c WHERE c."citedPaperId" = x.id AND c."citingPaperId" = page.id) e`
      : `SELECT page.* FROM unnest($1::int[]) x(id)
         CROSS JOIN LATERAL (
           SELECT x.id AS grp, ${cols}, p."publishedAt" AS "sortKey", e.* FROM "Paper" p
           CROSS JOIN LATERAL (SELECT ${aggregate} FROM "Citation" c WHERE c."citedPaperId" = x.id AND c."citingPaperId" = p.id HAVING count(*) > 0) e
           WHERE p."hiddenAt" IS NULL ORDER BY p."publishedAt" DESC, p.id DESC LIMIT 21
         ) page`;
  return { text, values: [] };
}

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const { rows } = await admin.query<{ id: number; n: number }>(`SELECT "paperId" AS id, "inCatalog" AS n FROM "PaperCitationCount" ORDER BY "inCatalog" DESC LIMIT 1`);
const hot = rows[0]!;
console.log(`hot paper ${hot.id}: ${hot.n} citing papers; ${SECONDS} s per row`);
console.log('| order | statements | clients | req/s | p50 ms | p99 ms |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const order of values['only-variants'] ? [] : (['NEWEST', 'UPVOTES', 'CITATIONS'] as const)) {
  const statements = await statementsOf(order, hot.id);
  if (values.explain) {
    for (const s of statements) {
      const plan = await admin.query(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values as unknown[]);
      console.error(`--- ${order}\n${s.text}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
    }
  }
  for (const clients of [1, CLIENTS]) {
    const all = await load(statements, clients);
    console.log(`| ${order} | all ${statements.length} | ${clients} | ${all.rps.toFixed(0)} | ${all.p50.toFixed(2)} | ${all.p99.toFixed(2)} |`);
    for (const [i, s] of statements.entries()) {
      const one = await load([s], clients);
      console.log(`| ${order} | #${i + 1} alone | ${clients} | ${one.rps.toFixed(0)} | ${one.p50.toFixed(2)} | ${one.p99.toFixed(2)} |`);
    }
  }
}
if (values.variants) {
  console.log('');
  console.log('NEWEST walk statement written other ways (alternated, the same run):');
  console.log('| columns | edge probes per row | clients | req/s | p50 ms | p99 ms | rows |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  const variants = (['all', 'listing'] as const).flatMap((columns) => (['two', 'one'] as const).map((probe) => ({ columns, probe, statement: { ...walkVariant(columns, probe), values: [[hot.id]] } })));
  for (const v of variants) {
    const rows = (await admin.query(v.statement.text, v.statement.values as unknown[])).rowCount;
    if (rows !== 21) throw new Error(`variant ${v.columns}/${v.probe}: ${rows} rows`);
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const clients of [1, CLIENTS]) {
      for (const v of variants) {
        const r = await load([v.statement], clients);
        console.log(`| ${v.columns} | ${v.probe} | ${clients} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | 21 |`);
      }
    }
  }
}
await admin.end();
