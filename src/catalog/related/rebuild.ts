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
   * Also queue every paper's precomputed related papers (./neighbours.ts) to be computed again
   * against the new vectors: hours of the background job at 100k papers on two cores. Default:
   * the lists keep the neighbours they have (the snapshot moves every vector a little) until
   * their paper changes.
   */
  lists?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export async function rebuildRelated(db: Db, options: RebuildOptions = {}): Promise<RebuildReport> {
  const batchSize = options.batchSize ?? 2000;
  let started = performance.now();
  // Terms of one paper only are left out: a missing term reads as df = 1 anyway.
  // One statement reads every paper's text (a minute or two at 100k papers): no time limit.
  await db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL statement_timeout = 0');
      await tx.$executeRaw`DELETE FROM "RelatedTerm"`;
      await tx.$executeRaw`
        INSERT INTO "RelatedTerm" (term, df)
        SELECT w.term, count(*)::int FROM "Paper" p CROSS JOIN LATERAL catalog_related_words(p.title, p.abstract) w
        GROUP BY w.term HAVING count(*) > 1`;
      await tx.$executeRaw`INSERT INTO "RelatedTerm" (term, df) SELECT '', count(*)::int FROM "Paper"`;
    },
    { timeout: 60 * 60_000, maxWait: 60_000 },
  );
  const snapshotMs = performance.now() - started;

  started = performance.now();
  const ids = (await db.$queryRaw<{ id: number }[]>`SELECT id FROM "Paper" ORDER BY id`).map((row) => row.id);
  for (let i = 0; i < ids.length; i += batchSize) {
    const batch = ids.slice(i, i + batchSize);
    await db.$executeRaw`SELECT catalog_related_refresh(${batch}::int[], ${options.lists ?? false})`;
    options.onProgress?.(Math.min(i + batchSize, ids.length), ids.length);
  }
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
