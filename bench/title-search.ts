// Does a paper's title find it? For each real paper in ../shared/data (Hugging Face daily papers
// and arXiv responses), `papers(query: <its exact title>, first: 1)` as the API answers it (the
// read service the resolver calls): the share of papers that come first, on each ranking path
// (GIN; RUM where the server has it). The goal: at least 99 %.
//
//   tsx bench/title-search.ts [--catalog catalog_bench_100k] [--paths gin,rum] [--data ../shared/data]
//
// The real papers are imported with the project's importer into a scratch database on
// BENCH_ADMIN_URL's server: an empty one, or with --catalog a copy of that bench catalog (its
// generated papers share the real ones' vocabulary, so common title words match thousands).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../src/platform/db/client.ts';
import { importFiles } from '../src/catalog/import/importer.ts';
import { createPaperLoaders, listPapers } from '../src/catalog/papers/index.ts';
import { buildSearchIndex, SEARCH_RUM_INDEX } from '../src/catalog/papers/search-index.ts';
import { enableRum, type RankedIndex } from '../src/platform/db/rum.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { trendingScores } from '../src/catalog/papers/trending.ts';
import { freshDatabase } from './catalog.ts';

const { values } = parseArgs({ options: { catalog: { type: 'string' }, paths: { type: 'string' }, data: { type: 'string' } } });
const dataDir = path.resolve(values.data ?? path.join(import.meta.dirname, '../../shared/data'));
if (!fs.existsSync(dataDir)) throw new Error(`no data folder at ${dataDir}: pass --data <folder of hf-daily-papers/ and arxiv-atom/>`);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = 'catalog_title_search';
const paths = (values.paths ?? 'gin,rum').split(',');

// A copy of the bench catalog needs it idle: CREATE DATABASE ... TEMPLATE refuses one in use.
const url = await freshDatabase(adminUrl, name, values.catalog);
const pools = createDb({ connectionString: url, poolSize: 4 });
const { db } = pools;
try {
  // A copy of a catalog that a RUM run left its index in: without --paths rum, measure what a
  // server with SEARCH_RUM=off has (the planner may read any @@ through a RUM index, and RUM 1.3
  // can crash the server on a query with exclusions: src/catalog/papers/ranked-search.ts).
  if (!paths.includes('rum')) await db.$executeRawUnsafe(`DROP INDEX IF EXISTS ${SEARCH_RUM_INDEX}`);
  const before = await db.$queryRaw<{ id: number }[]>`SELECT coalesce(max(id), 0)::int AS id FROM "Paper"`;
  const inputs = ['hf-daily-papers', 'arxiv-atom'].map((folder) => path.join(dataDir, folder)).filter((folder) => fs.existsSync(folder));
  const imported = await importFiles(db, inputs);
  const real = await db.$queryRaw<{ id: number; title: string }[]>`
    SELECT id, title FROM "Paper" WHERE id > ${before[0]!.id} AND "hiddenAt" IS NULL ORDER BY id`;
  const total = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Paper"`;
  console.log(`${imported.papersCreated} real papers imported, ${real.length} listed, into a catalog of ${total[0]!.n}`);
  await db.$executeRawUnsafe('ANALYZE');

  let rumOn = false;
  const searchIndex: RankedIndex = { name: SEARCH_RUM_INDEX, ready: () => rumOn, refresh: async () => rumOn };
  const platform = createPlatform(pools, { trending: trendingScores(db), searchIndex });
  if (paths.includes('rum')) {
    const status = await enableRum(db);
    if (status.state !== 'installed') throw new Error(`--paths rum: ${status.detail}`);
    const built = await buildSearchIndex(url);
    console.log(`RUM ${status.version}: ${SEARCH_RUM_INDEX} ${built.outcome} (${(built.ms / 1000).toFixed(1)} s)`);
  }
  for (const p of paths) {
    rumOn = p === 'rum';
    const misses: string[] = [];
    const started = performance.now();
    for (const paper of real) {
      const deps = { platform, reader: pools.reader, loaders: createPaperLoaders(pools.reader) };
      const { nodes } = await listPapers(deps, { query: paper.title.slice(0, 256), first: 1 });
      if (nodes[0]?.id !== paper.id) misses.push(`  ${paper.id} "${paper.title}" → ${nodes[0] ? `${nodes[0].id} "${nodes[0].title}"` : 'nothing'}`);
    }
    const share = (100 * (real.length - misses.length)) / real.length;
    console.log(`\n${p}: ${real.length - misses.length} of ${real.length} titles find their paper first: ${share.toFixed(1)} % (${((performance.now() - started) / real.length).toFixed(1)} ms a search)`);
    if (misses.length) console.log(misses.join('\n'));
  }
} finally {
  await pools.close();
}
