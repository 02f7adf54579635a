// Would the citation graph make related papers more related? Issue 27 item 4: co-citation (two
// papers cited by the same work) and bibliographic coupling (two papers citing the same work) as
// an extra signal, kept only if the relatedness figure of bench/relatedness.ts improves on the
// real data: the share of a paper's top-5 related papers that share a Hugging Face keyword or a
// topic with it.
//
//   tsx bench/co-citation.ts [--data ../shared/data] [--keep]
//
// The real data (../shared/data) holds no citation graph: no reference lists, and no S2 or
// OpenAlex records. The only citation edges with real ids that can honestly be had are the
// repository's hand-written fixtures (test/fixtures/citation-graph: S2 papers and citations,
// OpenAlex works, over papers of 2026-07-31 and one 2016 paper), imported here through the real
// importer. So this measures what can be measured: the figure with and without the signal over
// every judged paper, and over the papers the signal can touch at all.
//
// The signal: graph(s, t) = works citing both s and t + works both s and t cite (distinct, any
// source). Candidates are the top-20 related papers (the API's service, terms) and every graph
// neighbour; score = term score / the best term score of s + λ × graph(s, t) / the largest
// graph(s, ·); the top 5 are judged. λ = 0 is the API's own list.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../src/platform/db/client.ts';
import { importFiles } from '../src/catalog/import/importer.ts';
import { importCitationSnapshot } from '../src/catalog/citation-graph/index.ts';
import { relatedPapers } from '../src/catalog/related/reads.ts';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import { labelShare, relatednessLabels } from '../src/catalog/related/evaluation.ts';
import { freshDatabase } from './catalog.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, keep: { type: 'boolean' } } });
const dataDir = path.resolve(values.data ?? path.join(import.meta.dirname, '../../shared/data'));
if (!fs.existsSync(dataDir)) throw new Error(`no data folder at ${dataDir}: pass --data <folder of hf-daily-papers/ and arxiv-atom/>`);
const fixtures = path.join(import.meta.dirname, '../test/fixtures/citation-graph');
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = 'catalog_co_citation';
const TOP = 5;
const CANDIDATES = 20;
const LAMBDAS = [0, 0.25, 0.5, 1, 2];

const url = await freshDatabase(adminUrl, name);
const database = createDb({ connectionString: url, poolSize: 4 });
const { db } = database;

try {
  const inputs = ['hf-daily-papers', 'arxiv-atom'].map((folder) => path.join(dataDir, folder)).filter((folder) => fs.existsSync(folder));
  const imported = await importFiles(db, inputs);
  await rebuildRelated(db);
  const snapshots = [
    ['s2-papers', ['s2-papers.jsonl']],
    ['s2-citations', ['s2-citations-1.jsonl', 's2-citations-2.jsonl.gz']],
    ['openalex-works', ['openalex-works.jsonl.gz']],
  ] as const;
  for (const [kind, files] of snapshots) {
    const report = await importCitationSnapshot(url, kind, files.map((file) => path.join(fixtures, file)));
    if (report.status !== 'imported') throw new Error(`${kind}: ${report.status} ${report.reason ?? ''}`);
  }
  const [edges] = await db.$queryRaw<{ both: number; one: number; papers: number }[]>`
    SELECT count(*) FILTER (WHERE "citingPaperId" IS NOT NULL AND "citedPaperId" IS NOT NULL)::int AS both,
      count(*) FILTER (WHERE ("citingPaperId" IS NULL) <> ("citedPaperId" IS NULL))::int AS one,
      (SELECT count(DISTINCT id)::int FROM (SELECT "citingPaperId" AS id FROM "Citation" UNION SELECT "citedPaperId" FROM "Citation") x WHERE id IS NOT NULL) AS papers
    FROM "Citation"`;

  const data = await relatednessLabels(db);
  const judged = data.labelled;
  const related = await relatedPapers(database.reader, judged, CANDIDATES);

  // graph(s, t): co-citation (a work citing both) + coupling (a work both cite), listed papers only.
  const graphRows = await db.$queryRaw<{ s: number; t: number; n: number }[]>`
    WITH ends AS (
      SELECT c.source::text || ':' || c."citingId" AS citing, coalesce('p' || c."citedPaperId", c.source::text || ':' || c."citedId") AS cited,
        c."citingPaperId", c."citedPaperId" FROM "Citation" c),
    pairs AS (
      SELECT a."citedPaperId" AS s, b."citedPaperId" AS t, count(DISTINCT a.citing) AS n FROM ends a JOIN ends b ON b.citing = a.citing
      WHERE a."citedPaperId" IS NOT NULL AND b."citedPaperId" IS NOT NULL AND a."citedPaperId" <> b."citedPaperId" GROUP BY 1, 2
      UNION ALL
      SELECT a."citingPaperId", b."citingPaperId", count(DISTINCT a.cited) FROM ends a JOIN ends b ON b.cited = a.cited
      WHERE a."citingPaperId" IS NOT NULL AND b."citingPaperId" IS NOT NULL AND a."citingPaperId" <> b."citingPaperId" GROUP BY 1, 2)
    SELECT s, t, sum(n)::int AS n FROM pairs
    JOIN "Paper" ps ON ps.id = s AND ps."hiddenAt" IS NULL JOIN "Paper" pt ON pt.id = t AND pt."hiddenAt" IS NULL
    GROUP BY 1, 2`;
  const graph = new Map<number, Map<number, number>>();
  for (const { s, t, n } of graphRows) {
    if (!graph.has(s)) graph.set(s, new Map());
    graph.get(s)!.set(t, n);
  }

  const ranked = (lambda: number) => {
    const lists = new Map<number, number[]>();
    for (const s of judged) {
      const terms = related.get(s) ?? [];
      const best = Math.max(...terms.map((r) => r.score), Number.EPSILON);
      const links = graph.get(s) ?? new Map<number, number>();
      const most = Math.max(...links.values(), 1);
      const score = new Map<number, number>();
      for (const r of terms) score.set(r.paper.id, r.score / best);
      if (lambda > 0) for (const [t, n] of links) score.set(t, (score.get(t) ?? 0) + (lambda * n) / most);
      lists.set(
        s,
        [...score].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, TOP).map(([t]) => t),
      );
    }
    return lists;
  };

  const touched = judged.filter((s) => graph.has(s));
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const base = ranked(0);
  console.log(`imported ${imported.papersCreated} papers; citation fixtures: ${edges!.both} edges with both ends in the catalog, ${edges!.one} with one, over ${edges!.papers} catalog papers`);
  console.log(`papers judged: ${judged.length}; with a co-citation or coupling neighbour: ${touched.length}`);
  console.log(`| λ | share of top-${TOP} sharing a keyword or topic, all judged papers | over the ${touched.length} the graph touches | top-5 lists changed |`);
  console.log('| ---: | ---: | ---: | ---: |');
  for (const lambda of LAMBDAS) {
    const lists = ranked(lambda);
    const all = labelShare(data, judged, (id) => lists.get(id) ?? []);
    const near = labelShare(data, touched, (id) => lists.get(id) ?? []);
    const changed = judged.filter((id) => (lists.get(id) ?? []).join() !== (base.get(id) ?? []).join()).length;
    console.log(`| ${lambda} | ${pct(all.share)} (${all.papers} papers) | ${pct(near.share)} (${near.papers} papers) | ${changed} |`);
  }
} finally {
  await database.close();
  if (!values.keep) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }
}
