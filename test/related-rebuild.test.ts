// The full rebuild of the related-papers statistics (src/catalog/related/rebuild.ts): its idf
// snapshot, counted from the search documents, is the one catalog_related_words counts from the
// texts, and its vectors, on one connection or several, are those the write triggers compute.
import { generateDemoCatalog } from '../src/catalog/demo/generate.ts';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import { setupTestRunner } from './helpers/runner.ts';

const run = setupTestRunner({ server: false });

/** The demo's texts name authors ("Wang et al."), whose names are in the bylines too. */
const demo = () => generateDemoCatalog(run.db, { papers: 300, seed: 7, today: new Date('2026-03-04T15:00:00.000Z') });

const VECTORS = `SELECT md5(string_agg(x::text, '|' ORDER BY x."paperId", x.term)) AS vectors, count(*)::int AS rows FROM "PaperTerm" x`;

test('the snapshot counted from the search documents is the one catalog_related_words counts from titles and abstracts', async () => {
  await demo();
  // A word of a byline only (weight B) is not the paper's: it must not count.
  await run.db.$executeRawUnsafe(`UPDATE "Author" SET name = name || ' Zyxwvutsrq' WHERE id IN (SELECT "authorId" FROM "PaperAuthor" WHERE position = 0 LIMIT 5)`);
  await rebuildRelated(run.db);
  const [diff] = await run.db.$queryRawUnsafe<{ extra: number; missing: number; terms: number; byline: number }[]>(`
    WITH from_texts AS (
      SELECT w.term, count(*)::int AS df FROM "Paper" p CROSS JOIN LATERAL catalog_related_words(p.title, p.abstract) w
      GROUP BY w.term HAVING count(*) > 1
      UNION ALL SELECT '', count(*)::int FROM "Paper")
    SELECT (SELECT count(*)::int FROM (SELECT term, df FROM "RelatedTerm" EXCEPT SELECT * FROM from_texts) x) AS extra,
           (SELECT count(*)::int FROM (SELECT * FROM from_texts EXCEPT SELECT term, df FROM "RelatedTerm") x) AS missing,
           (SELECT count(*)::int FROM "RelatedTerm") AS terms,
           (SELECT count(*)::int FROM "RelatedTerm" WHERE term = 'zyxwvutsrq') AS byline`);
  expect(diff).toEqual({ extra: 0, missing: 0, terms: expect.any(Number), byline: 0 });
  expect(diff!.terms).toBeGreaterThan(200);
});

test('vectors rebuilt on two connections are those of one refresh of every paper', async () => {
  await demo();
  await rebuildRelated(run.db, { batchSize: 40, connections: 2 });
  const [parallel] = await run.db.$queryRawUnsafe<{ vectors: string; rows: number }[]>(VECTORS);
  expect(parallel!.rows).toBeGreaterThan(300 * 10);
  await run.db.$executeRawUnsafe(`SELECT catalog_related_refresh(ARRAY(SELECT id FROM "Paper"), false)`);
  expect((await run.db.$queryRawUnsafe<{ vectors: string; rows: number }[]>(VECTORS))[0]).toEqual(parallel);
});
