// `npm run bench:vectors -- [--papers 20000] [--sample 100] [--hide 50] [--dir .data/bench-vectors] [--rebuild-index]`
//
// The embedding path's HNSW index (src/platform/embeddings/hnsw.ts) against exact search, on the
// embedded database (PGlite with @electric-sql/pglite-pgvector: the PostgreSQL of this machine
// has no pgvector). A demo catalog of `--papers` papers (seed 42; 100 users and one vote per
// paper, which the vectors do not need) is generated into `<dir>-<papers>` and reused by later
// runs, its papers embedded with the built-in hashing embedder (512 dimensions), then the index
// built as the migrating process builds it. Generating runs in one transaction that the demo
// generator gives 20 ms per paper: run it on a quiet machine (20k papers took 141 s alone).
//
// Measured, one statement at a time on the one PGlite backend, for `--sample` papers (every
// (papers / sample)-th):
// - exact: the top 10 by an exact scan (ORDER BY distance + 0: no index), what every related
//   list cost before the index, and the truth recall is measured against;
// - the production statement of Paper.related (src/catalog/related/embeddings/reads.ts) for
//   one paper, first 10, at several hnsw.ef_search: recall@10 (the share of the exact top 10
//   it returns) and time; and for a page of 20 papers in one statement;
// - hidden neighbours: for 10 of the papers, their `--hide` nearest hidden (in a transaction,
//   rolled back), the list must still hold 10 papers, none hidden, against the exact top 10
//   of what is left;
// - "for you" (first 20) of 10 readers, against the same statement with the index dropped in a
//   transaction (rolled back);
// - the HYBRID ranking (200 deep) by a paper's vector, over all listed papers and over one
//   topic's papers (a filter that keeps ~1 %): rows against the exact scan's, and time.
// Report (Markdown) on stdout; progress on stderr.
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Prisma } from '../src/generated/prisma/client.ts';
import { generateDemoCatalog } from '../src/catalog/demo/generate.ts';
import { embeddingStatements } from '../src/catalog/related/embeddings/reads.ts';
import { refreshEmbeddings } from '../src/catalog/related/embeddings/refresh.ts';
import { createDb } from '../src/platform/db/client.ts';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { hashingEmbedder } from '../src/platform/embeddings/hashing.ts';
import { embeddingOf, ensureHnswIndex, hnswIndexName, HNSW_EF_SEARCH, HNSW_MAX_SCAN_TUPLES, HNSW_PROFILE_EF_SEARCH, ofModel } from '../src/platform/embeddings/hnsw.ts';
import { enableEmbeddings } from '../src/platform/embeddings/path.ts';

const { values } = parseArgs({
  options: {
    papers: { type: 'string', default: '20000' },
    sample: { type: 'string', default: '100' },
    hide: { type: 'string', default: '50' },
    dir: { type: 'string', default: '.data/bench-vectors' },
    'rebuild-index': { type: 'boolean', default: false },
  },
});
const PAPERS = Number(values.papers);
const SAMPLE = Number(values.sample);
const HIDE = Number(values.hide);
const K = 10;
const EF_VARIANTS = [HNSW_EF_SEARCH, 64, 100];
const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

const embedder = hashingEmbedder();
const v = (alias: string) => embeddingOf(alias, embedder);
const started = performance.now();
const dataDir = path.resolve(`${values.dir}-${PAPERS}`);
const server = await startEmbeddedPostgres({ dataDir });
const client = new pg.Client({ connectionString: server.url });
try {
  await applyMigrations(server.url);
  const database = createDb({ connectionString: server.url, poolSize: 1, prepare: false });
  const { db } = database;
  const setup: string[] = [];
  const papers = await db.paper.count();
  if (papers === 0) {
    const t = performance.now();
    await generateDemoCatalog(db, { papers: PAPERS, seed: 42, users: 100, votes: PAPERS, onProgress: log });
    setup.push(`generated ${PAPERS} papers in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  } else if (papers !== PAPERS) {
    throw new Error(`${dataDir} holds ${papers} papers, not ${PAPERS}: delete it or pass another --dir`);
  } else setup.push(`reused ${papers} papers in ${dataDir}`);
  const refresh = await refreshEmbeddings(db, embedder, { batchSize: 1000 });
  setup.push(`embedded ${refresh.embedded} papers (${refresh.unchanged} current already) in ${(refresh.ms / 1000).toFixed(0)} s`);
  // A reused catalog keeps its index: --rebuild-index measures the build again.
  if (values['rebuild-index']) await db.$executeRawUnsafe(`DROP INDEX IF EXISTS "${hnswIndexName(embedder)}"`);
  // As the migrating process does: the extension, then the index.
  const status = await enableEmbeddings(db, embedder);
  if (status.status.state !== 'on') throw new Error(`embedding path off: ${status.status.detail}`);
  const build = await ensureHnswIndex(db, embedder);
  setup.push(`pgvector ${status.status.pgvector}; HNSW index ${status.status.indexDetail ?? 'reused'}${build.ready ? '' : ` (${build.reason})`}`);
  await db.$executeRawUnsafe('ANALYZE "Paper", "PaperEmbedding"');
  await database.close();
  await client.connect();
  const [size] = (await client.query(`SELECT pg_size_pretty(pg_relation_size($1::regclass)) AS index, pg_size_pretty(pg_total_relation_size('"PaperEmbedding"')) AS "table" FROM (SELECT 1) x`, [`"${hnswIndexName(embedder)}"`])).rows;
  setup.push(`index ${size.index}, PaperEmbedding ${size.table} with its indexes`);
  for (const line of setup) log(line);

  const ids = (
    await client.query<{ id: number }>(
      `SELECT id FROM (SELECT e."paperId" AS id, row_number() OVER (ORDER BY e."paperId") AS i FROM "PaperEmbedding" e JOIN "Paper" p ON p.id = e."paperId"
       WHERE ${ofModel('e', embedder)} AND p."hiddenAt" IS NULL) x WHERE i % $1 = 0 ORDER BY id LIMIT $2`,
      [Math.max(1, Math.floor(PAPERS / SAMPLE)), SAMPLE],
    )
  ).rows.map((r) => r.id);

  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t = performance.now();
    const result = await fn();
    return [result, performance.now() - t];
  };
  const EXACT = `
    SELECT e."paperId" AS id FROM (SELECT ${v('s')} AS q FROM "PaperEmbedding" s WHERE s."paperId" = $1 AND ${ofModel('s', embedder)}) s
    CROSS JOIN "PaperEmbedding" e JOIN "Paper" p ON p.id = e."paperId"
    WHERE ${ofModel('e', embedder)} AND e."paperId" <> $1 AND p."hiddenAt" IS NULL AND (${v('e')} <=> s.q) < 1
    ORDER BY (${v('e')} <=> s.q) + 0, e."paperId" LIMIT $2`;
  const exactTop = async (id: number, n = K) => (await client.query<{ id: number }>(EXACT, [id, n])).rows.map((r) => r.id);

  log(`exact top ${K} of ${ids.length} papers`);
  const truth = new Map<number, number[]>();
  const exactMs: number[] = [];
  for (const id of ids) {
    const [top, ms] = await timed(() => exactTop(id));
    truth.set(id, top);
    exactMs.push(ms);
  }

  const recallOf = (got: number[], want: number[]) => (want.length === 0 ? 1 : want.filter((x) => got.includes(x)).length / want.length);
  const rows: string[][] = [];
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  rows.push([`exact scan (no index)`, '1.000', fmt(pct(exactMs, 50)), fmt(pct(exactMs, 99)), fmt(mean(exactMs))]);

  // One untimed pass first: the index's pages into PGlite's buffers, so that the first variant
  // measured is not the only one that reads them.
  for (const id of ids) await client.query(embeddingStatements(embedder).related.text, [[id], K]);
  for (const ef of EF_VARIANTS) {
    const { related } = embeddingStatements(embedder, { efSearch: ef });
    log(`HNSW related, ef_search ${ef}`);
    const ms: number[] = [];
    const recall: number[] = [];
    let short = 0;
    for (const id of ids) {
      const [result, t] = await timed(() => client.query<{ id: number | null }>(related.text, [[id], K]));
      const got = result.rows.filter((r) => r.id !== null).map((r) => r.id!);
      if (got.length < truth.get(id)!.length) short++;
      recall.push(recallOf(got, truth.get(id)!));
      ms.push(t);
    }
    rows.push([`HNSW, ef_search ${ef}${ef === HNSW_EF_SEARCH ? ' (the default)' : ''}`, mean(recall).toFixed(3), fmt(pct(ms, 50)), fmt(pct(ms, 99)), fmt(mean(ms))]);
    if (short > 0) rows.at(-1)![0] += ` (${short} lists shorter than exact)`;
  }

  const { related, ranking } = embeddingStatements(embedder);
  log('a page of 20 papers in one statement');
  const pageMs: number[] = [];
  for (let i = 0; i + 20 <= ids.length; i += 20) pageMs.push((await timed(() => client.query(related.text, [ids.slice(i, i + 20), K])))[1]);

  log(`hidden neighbours: the ${HIDE} nearest of 10 papers`);
  const hiddenRows: string[] = [];
  const hiddenMs: number[] = [];
  for (const id of ids.slice(0, 10)) {
    await client.query('BEGIN');
    try {
      const nearest = await exactTop(id, HIDE);
      await client.query(`UPDATE "Paper" SET "hiddenAt" = now() WHERE id = ANY($1)`, [nearest]);
      const want = await exactTop(id);
      const [result, ms] = await timed(() => client.query<{ id: number | null }>(related.text, [[id], K]));
      const got = result.rows.filter((r) => r.id !== null).map((r) => r.id!);
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, BUFFERS OFF) ${related.text}`, [[id], K])).rows.map((r) => r['QUERY PLAN']);
      // The exact step's one-time filter (count < n), and whether what is under it ran.
      const gate = plan.findIndex((line) => /One-Time Filter: .* < \d+\)$/.test(line));
      const exactRan = gate >= 0 && !plan[gate + 1]!.includes('never executed');
      const scanned = plan.find((line) => line.includes(`Index Scan using "${hnswIndexName(embedder)}"`))?.match(/rows=([\d.]+)/)?.[1];
      hiddenMs.push(ms);
      hiddenRows.push(
        `| ${id} | ${got.length} | ${got.filter((x) => nearest.includes(x)).length} | ${recallOf(got, want).toFixed(1)} | ${scanned ?? '-'} | ${exactRan ? 'yes' : 'no'} | ${fmt(ms)} |`,
      );
    } finally {
      await client.query('ROLLBACK');
    }
  }

  log('"for you" of 10 readers');
  const readers = (await client.query<{ id: number; votes: number }>(`SELECT "userId" AS id, count(*)::int AS votes FROM "Vote" GROUP BY "userId" ORDER BY "userId" LIMIT 10`)).rows;
  const { recommended } = embeddingStatements(embedder);
  const forYou = async (userId: number) => (await client.query<{ id: number | null }>(recommended.text, [userId, 20])).rows.filter((r) => r.id !== null).map((r) => r.id!);
  const forYouMs: number[] = [];
  const forYouExactMs: number[] = [];
  const forYouRecall: number[] = [];
  for (const reader of readers) {
    const [got, ms] = await timed(() => forYou(reader.id));
    forYouMs.push(ms);
    // The exact list: the same statement without the index (dropped in a transaction rolled back).
    await client.query('BEGIN');
    try {
      await client.query(`DROP INDEX "${hnswIndexName(embedder)}"`);
      const [want, exactMsOne] = await timed(() => forYou(reader.id));
      forYouExactMs.push(exactMsOne);
      forYouRecall.push(recallOf(got, want));
    } finally {
      await client.query('ROLLBACK');
    }
  }

  log('HYBRID ranking, 200 deep');
  const [topic] = (
    await client.query<{ id: number; n: number }>(
      `SELECT "topicId" AS id, count(*)::int AS n FROM "PaperTopic" GROUP BY "topicId" ORDER BY abs(count(*) - $1::int / 100), "topicId" LIMIT 1`,
      [PAPERS],
    )
  ).rows;
  const vectorOfPaper = async (id: number) =>
    Float32Array.from((await client.query<{ embedding: number[] }>(`SELECT embedding FROM "PaperEmbedding" WHERE "paperId" = $1 AND ${ofModel(null, embedder)}`, [id])).rows[0]!.embedding);
  const listed = Prisma.sql`p."hiddenAt" IS NULL`;
  const inTopic = Prisma.sql`p."hiddenAt" IS NULL AND EXISTS (SELECT 1 FROM "PaperTopic" pt WHERE pt."paperId" = p.id AND pt."topicId" = ${topic!.id}::int)`;
  const hybridRows: string[] = [];
  for (const [label, where] of [
    ['all listed papers', listed],
    [`one topic (${topic!.n} papers)`, inTopic],
  ] as const) {
    const ms: number[] = [];
    const exact: number[] = [];
    const recall: number[] = [];
    let short = 0;
    for (const id of ids.slice(0, 10)) {
      const q = await vectorOfPaper(id);
      const sql = Prisma.sql`SELECT id FROM ${ranking(where, q, 200)} r ORDER BY rank`;
      const [result, t] = await timed(() => client.query<{ id: number }>(sql.text, sql.values as unknown[]));
      ms.push(t);
      const exactSql = Prisma.sql`
        SELECT p.id FROM "PaperEmbedding" e JOIN "Paper" p ON p.id = e."paperId"
        WHERE ${Prisma.raw(ofModel('e', embedder))} AND ${where} AND (${Prisma.raw(v('e'))} <=> ${`[${q.join(',')}]`}::vector(512)) < 1
        ORDER BY (${Prisma.raw(v('e'))} <=> ${`[${q.join(',')}]`}::vector(512)) + 0, p.id LIMIT 200`;
      const [want, te] = await timed(() => client.query<{ id: number }>(exactSql.text, exactSql.values as unknown[]));
      exact.push(te);
      const got = result.rows.map((r) => r.id);
      if (got.length < want.rows.length) short++;
      recall.push(recallOf(got, want.rows.map((r) => r.id)));
    }
    hybridRows.push(`| ${label} | ${mean(recall).toFixed(3)} | ${short} | ${fmt(pct(ms, 50))} | ${fmt(mean(ms))} | ${fmt(pct(exact, 50))} | ${fmt(mean(exact))} |`);
  }

  const out = [
    `# HNSW against exact search on the embedded database, ${PAPERS} papers`,
    '',
    `Command: \`npm run bench:vectors -- --papers ${PAPERS} --sample ${SAMPLE} --hide ${HIDE}${values['rebuild-index'] ? ' --rebuild-index' : ''}\` (${new Date().toISOString().slice(0, 10)}, ${((performance.now() - started) / 1000).toFixed(0)} s in all).`,
    '',
    ...setup.map((line) => `- ${line}`),
    `- hnsw.iterative_scan = relaxed_order, hnsw.max_scan_tuples = ${HNSW_MAX_SCAN_TUPLES}, set by each statement; one statement at a time (PGlite runs one backend)`,
    '',
    `## Paper.related(first: ${K}) of one paper, ${ids.length} papers`,
    '',
    '| scan | recall@10 | p50 ms | p99 ms | mean ms |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `A page of 20 papers in one statement (HNSW, ef_search ${HNSW_EF_SEARCH}): p50 ${fmt(pct(pageMs, 50))} ms, mean ${fmt(mean(pageMs))} ms over ${pageMs.length} pages.`,
    '',
    `## The ${HIDE} nearest neighbours hidden`,
    '',
    `Each paper's ${HIDE} nearest listed papers (exact order) hidden in a transaction, then its related list (first ${K}); recall against the exact top ${K} of what is still listed. "index rows" is what the HNSW scan returned (more than ef_search ${HNSW_EF_SEARCH}: the iterative scan went on); "exact ran" whether the fallback scan had to run.`,
    '',
    '| paper | listed | hidden in it | recall@10 | index rows | exact ran | ms |',
    '|---:|---:|---:|---:|---:|---|---:|',
    ...hiddenRows,
    '',
    `Mean ${fmt(mean(hiddenMs))} ms.`,
    '',
    `## viewer.recommendedPapers(first: 20) of ${readers.length} readers, ef_search ${HNSW_PROFILE_EF_SEARCH} (${Math.min(...readers.map((r) => r.votes))}-${Math.max(...readers.map((r) => r.votes))} upvotes each)`,
    '',
    `The production statement, against the same statement without the index (dropped in a transaction, rolled back): recall@20 ${mean(forYouRecall).toFixed(3)}; HNSW p50 ${fmt(pct(forYouMs, 50))} ms, mean ${fmt(mean(forYouMs))} ms; exact p50 ${fmt(pct(forYouExactMs, 50))} ms, mean ${fmt(mean(forYouExactMs))} ms.`,
    '',
    '## HYBRID ranking (200 deep) by a paper\'s vector, 10 papers',
    '',
    '| filter | recall@200 | lists shorter than exact | HNSW p50 ms | HNSW mean ms | exact p50 ms | exact mean ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...hybridRows,
    '',
  ].join('\n');
  process.stdout.write(out);
} finally {
  await client.end().catch(() => {});
  await server.stop();
}
