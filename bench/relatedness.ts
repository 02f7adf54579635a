// Are related papers related? On the real data (../shared/data, Hugging Face daily papers and
// arXiv responses): for each listed paper with at least one Hugging Face keyword or topic, the
// share of its top-5 related papers that share at least one keyword or topic with it, against
// the same share for 5 random other papers.
//
//   tsx bench/relatedness.ts [--data ../shared/data] [--keep]
//
// Imports the data with the project's importer into a scratch database of its own on
// BENCH_ADMIN_URL's server (default postgresql://postgres@127.0.0.1:5432/postgres), runs the
// rebuild as a deployment would after a first import, lets the background job's drain compute
// every paper's precomputed list (src/catalog/related/neighbours.ts), then measures the API's
// related papers (read from those lists). Topics of imported papers
// ARE their Hugging Face keywords (and arXiv categories), and topics are terms of the vectors:
// so it also measures a words-only variant (title and abstract terms, the `#topic` terms left
// out), which owes nothing to the keywords it is judged by.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../src/platform/db/client.ts';
import { importFiles } from '../src/catalog/import/importer.ts';
import { relatedPapers } from '../src/catalog/related/reads.ts';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import { drainRelated } from '../src/catalog/related/neighbours.ts';
import { labelShare, randomLabelShare, relatednessLabels } from '../src/catalog/related/evaluation.ts';
import { rng } from './operations.ts';
import { freshDatabase } from './catalog.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, keep: { type: 'boolean' } } });
const dataDir = path.resolve(values.data ?? path.join(import.meta.dirname, '../../shared/data'));
if (!fs.existsSync(dataDir)) throw new Error(`no data folder at ${dataDir}: pass --data <folder of hf-daily-papers/ and arxiv-atom/>`);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = 'catalog_relatedness';
const TOP = 5;

const url = await freshDatabase(adminUrl, name);
const database = createDb({ connectionString: url, poolSize: 4 });
const { db } = database;

try {
  const inputs = ['hf-daily-papers', 'arxiv-atom'].map((folder) => path.join(dataDir, folder)).filter((folder) => fs.existsSync(folder));
  const imported = await importFiles(db, inputs);
  const report = await rebuildRelated(db);
  console.log(`imported ${imported.papersCreated} papers; rebuild: ${report.terms} terms in the df snapshot, ${report.vectorRows} vector rows`);
  const drained = await drainRelated(db);
  console.log(`precomputed lists: ${drained.papers} papers in ${(drained.ms / 1000).toFixed(1)} s (${drained.remaining} left)`);

  // What a paper is judged by: its Hugging Face keywords (lower case) and its topics.
  const data = await relatednessLabels(db);
  const judged = data.labelled;
  const shares = (neighbours: Map<number, number[]>) => labelShare(data, judged, (id) => neighbours.get(id) ?? []);

  // The API's related papers (the service the resolver calls).
  const related = await relatedPapers(database.reader, judged, TOP);
  const api = shares(new Map([...related].map(([id, list]) => [id, list.map((r) => r.paper.id)])));

  // Words only: the same join without the topic terms.
  const words = await db.$queryRaw<{ source: number; ids: number[] }[]>`
    SELECT s.id AS source, r.ids FROM unnest(${judged}::int[]) s(id)
    CROSS JOIN LATERAL (
      SELECT array_agg(c."paperId" ORDER BY c.score DESC, c."paperId") AS ids FROM (
        SELECT b."paperId", sum(a.weight * b.weight) AS score
        FROM "PaperTerm" a JOIN "PaperTerm" b ON b.term = a.term
        JOIN "Paper" p ON p.id = b."paperId" AND p."hiddenAt" IS NULL
        WHERE a."paperId" = s.id AND b."paperId" <> s.id AND a.term NOT LIKE '#%'
        GROUP BY b."paperId" ORDER BY score DESC, b."paperId" LIMIT ${TOP}) c) r`;
  const wordsOnly = shares(new Map(words.map((row) => [row.source, row.ids ?? []])));

  // Random: 5 other listed papers, seeded (the same every run), averaged over 20 draws.
  const randomShare = randomLabelShare(data, judged, TOP, rng(20261130));
  const withoutRelated = judged.filter((id) => (related.get(id) ?? []).length === 0).length;

  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(`papers judged (listed, with at least one keyword or topic): ${judged.length} of ${data.ids.length}; with no related paper: ${withoutRelated}`);
  console.log(`share of the top-${TOP} sharing a keyword or topic with the paper:`);
  console.log(`  related (title, abstract, topics): ${pct(api.share)}  over ${api.papers} papers`);
  console.log(`  related, words only:               ${pct(wordsOnly.share)}  over ${wordsOnly.papers} papers`);
  console.log(`  ${TOP} random papers (20 draws):       ${pct(randomShare)}`);
} finally {
  await database.close();
  if (!values.keep) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }
}
