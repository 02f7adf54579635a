// The full rebuild of the related-papers term vectors: first the document-frequency snapshot
// (RelatedTerm), then every paper's vector against it, a batch of papers per transaction.
// Writes keep each paper's vector current on their own (the catalog_related_* triggers, see
// the related_terms migration); a rebuild brings the idf statistics up to date, which writes
// never move. Run it after a first bulk import and then now and then (nightly is plenty).
//
// Readers are never blocked: the snapshot is swapped in one transaction, and each batch
// replaces its papers' rows in one transaction, so a paper always has a whole vector (the old
// or the new one).
import type { Db } from '../../platform/db/client.ts';

export interface RebuildReport {
  papers: number;
  /** Word terms in the snapshot (those in at least two papers: the others count as df = 1). */
  terms: number;
  vectorRows: number;
  snapshotMs: number;
  vectorsMs: number;
  vacuumMs: number;
}

export interface RebuildOptions {
  /** Papers per transaction; default 2000. */
  batchSize?: number;
  /**
   * Batches refreshed at once, each on a connection of its own (the pool needs that many):
   * the refresh is one CPU-bound statement per batch, so 2 on a 2-core machine take about half
   * the time when nothing else runs. Default 1.
   */
  connections?: number;
  /**
   * Also queue every paper's precomputed related papers (./neighbours.ts) to be computed again
   * against the new vectors: hours of the background job at 100k papers on two cores. Default:
   * the lists keep the neighbours they have (the snapshot moves every vector a little) until
   * their paper changes.
   */
  lists?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/**
 * What catalog_related_refresh($1, false) writes into PaperTerm (related_neighbours migration),
 * with the words read from the search documents (title: weight A, abstract: C; the byline's B
 * positions left out) instead of parsing title and abstract again in catalog_related_words:
 * tf = 2 per title occurrence + 1 per abstract one, the same word filter. About 40% less time
 * per batch. Danger: a copy of the function's formula; test/related-rebuild.test.ts compares
 * the vectors of a rebuild with those of catalog_related_refresh and fails when they drift apart.
 */
const VECTORS_FROM_SEARCH = `
  INSERT INTO "PaperTerm" ("paperId", term, weight)
  WITH n AS (
    SELECT greatest(coalesce((SELECT df FROM "RelatedTerm" WHERE term = ''), 0), 1)::float8 AS n
  ), words AS (
    SELECT p.id, w.lexeme AS term,
           (1 + ln(cardinality(w.weights) + cardinality(array_positions(w.weights, 'A')))) * ln(1 + n.n / coalesce(d.df, 1)) AS w
    FROM "Paper" p
    CROSS JOIN n
    CROSS JOIN LATERAL unnest(ts_filter(p."searchVector", '{a,c}')) w
    LEFT JOIN "RelatedTerm" d ON d.term = w.lexeme
    WHERE p.id = ANY($1::int[]) AND length(w.lexeme) BETWEEN 2 AND 40 AND w.lexeme ~ '^[[:alpha:]][[:alnum:]-]*$'
  ), top_words AS (
    SELECT id, term, w FROM (SELECT words.*, row_number() OVER (PARTITION BY id ORDER BY w DESC, term) AS r FROM words) ranked
    WHERE r <= 24
  ), topic_df AS (
    SELECT "topicId", count(*) AS df FROM "PaperTopic"
    WHERE "topicId" IN (SELECT "topicId" FROM "PaperTopic" WHERE "paperId" = ANY($1::int[]))
    GROUP BY "topicId"
  ), topics AS (
    SELECT pt."paperId" AS id, '#' || pt."topicId" AS term, 1.5 * ln(1 + greatest(n.n, t.df) / t.df) AS w
    FROM "PaperTopic" pt JOIN topic_df t USING ("topicId") CROSS JOIN n
    WHERE pt."paperId" = ANY($1::int[])
  ), kept AS (
    SELECT id, term, w FROM top_words UNION ALL SELECT id, term, w FROM topics
  )
  SELECT id, term, (w / sqrt(sum(w * w) OVER (PARTITION BY id)))::real FROM kept WHERE w > 0`;

export async function rebuildRelated(db: Db, options: RebuildOptions = {}): Promise<RebuildReport> {
  const batchSize = options.batchSize ?? 2000;
  let started = performance.now();
  // Terms of one paper only are left out: a missing term reads as df = 1 anyway.
  // Document frequencies counted by ts_stat over the search documents, which hold the words of
  // title (weight A) and abstract (C) already parsed, rather than by parsing every text again
  // with catalog_related_words (ten times faster: 2.5 s instead of 28 at 100k papers).
  // Danger: this is catalog_related_words' rule restated (its word filter, title and abstract
  // only: the byline's B positions are not counted); test/related-rebuild.test.ts checks that
  // both give the same snapshot, and fails when either changes alone.
  // One statement reads every paper: no time limit.
  await db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL statement_timeout = 0');
      await tx.$executeRaw`DELETE FROM "RelatedTerm"`;
      await tx.$executeRawUnsafe(`
        INSERT INTO "RelatedTerm" (term, df)
        SELECT word, ndoc FROM ts_stat('SELECT "searchVector" FROM "Paper"', 'ac')
        WHERE ndoc > 1 AND length(word) BETWEEN 2 AND 40 AND word ~ '^[[:alpha:]][[:alnum:]-]*$'`);
      await tx.$executeRaw`INSERT INTO "RelatedTerm" (term, df) SELECT '', count(*)::int FROM "Paper"`;
    },
    { timeout: 60 * 60_000, maxWait: 60_000 },
  );
  const snapshotMs = performance.now() - started;

  started = performance.now();
  const ids = (await db.$queryRaw<{ id: number }[]>`SELECT id FROM "Paper" ORDER BY id`).map((row) => row.id);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, options.connections ?? 1) }, async () => {
      for (let i = next; i < ids.length; i = next) {
        next = i + batchSize;
        const batch = ids.slice(i, i + batchSize);
        if (options.lists) {
          await db.$executeRaw`SELECT catalog_related_refresh(${batch}::int[], true)`;
        } else {
          // One transaction, as the function's one statement: readers see the old vector or the new one.
          await db.$transaction(
            async (tx) => {
              await tx.$executeRaw`DELETE FROM "PaperTerm" WHERE "paperId" = ANY(${batch}::int[])`;
              await tx.$executeRawUnsafe(VECTORS_FROM_SEARCH, batch);
            },
            { timeout: 60 * 60_000, maxWait: 60_000 },
          );
        }
        done += batch.length;
        options.onProgress?.(done, ids.length);
      }
    }),
  );
  // Rows of papers deleted meanwhile went with them (foreign key); nothing else is stale.
  const vectorsMs = performance.now() - started;

  started = performance.now();
  // Index-only scans of the posting lists need the visibility map that VACUUM sets.
  await db.$executeRawUnsafe('VACUUM (ANALYZE) "PaperTerm", "RelatedTerm"');
  const vacuumMs = performance.now() - started;

  const [counts] = await db.$queryRaw<{ terms: number; rows: number }[]>`
    SELECT (SELECT count(*)::int FROM "RelatedTerm") - 1 AS terms, (SELECT count(*)::int FROM "PaperTerm") AS rows`;
  return { papers: ids.length, terms: counts!.terms, vectorRows: counts!.rows, snapshotMs, vectorsMs, vacuumMs };
}
