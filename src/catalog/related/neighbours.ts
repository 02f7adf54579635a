// Precomputed related papers: each paper's NEIGHBOURS nearest papers by term vectors, kept in
// PaperNeighbours (ids best first, with their scores), so that Paper.related is one indexed
// read. See the related_neighbours migration for the queue.
//
// How the lists stay current. Every change of a paper's term vector (inserted, title or abstract
// edited, topics changed, the rebuild) queues the paper in RelatedQueue, in the writer's own
// transaction (catalog_related_refresh). The background job (src/main.ts, under the leader lease
// with Redis) drains the queue in batches of DRAIN_BATCH papers, oldest first, one transaction a
// batch, papers without a list before papers whose list is only stale:
//   1. the batch's own lists, computed from scratch (the live statement of ./reads.ts, hidden
//      papers included, LIMIT NEIGHBOURS);
//   2. the lists of other papers: a batch paper Z is proposed, at its new exact score, to every
//      list that holds it (its old score is stale) and to every paper of its own new list (the
//      score is symmetric: Z may now be near them). A list takes Z when it is not truncated (it
//      holds every paper with a positive score) or when Z scores at least the list's lowest
//      score; a list that held Z and no longer takes it drops it (the rest is still the true
//      order: every paper outside a list scores at most its lowest). Each list is cut back to
//      NEIGHBOURS, and marked truncated when something was cut.
// Approximations, as for the live path: candidates come from the heads of the shared terms'
// posting lists (./reads.ts), and a changed paper is proposed to the lists that hold it and to
// its own neighbours, not to every paper it might now enter.
//
// Readers are never blocked (a batch replaces rows in one transaction), and writers never wait on
// the drain: the queue's entries are read without locks and removed after the batch commits, in a
// transaction of their own that skips an entry a writer holds, and keeps one a writer queued again
// meanwhile (its seq moved), so that vector is computed by the next batch.
//
// DANGER: the lists hold hidden papers (hiding and unhiding then cost nothing here). Every read of
// them filters with LISTED before its LIMIT (./reads.ts).
import type { Db } from '../../platform/db/client.ts';
import { MAX_PAGE_SIZE } from '../../platform/pagination/connection.ts';
import { liveNeighbours } from './reads.ts';

/**
 * Papers kept per list: a page of MAX_PAGE_SIZE plus room for hidden ones, so that filtering them
 * out rarely leaves fewer than `first` (when it does, that paper is computed live: ./reads.ts).
 */
export const NEIGHBOURS = MAX_PAGE_SIZE + 20;
/** Papers drained per transaction: a few seconds of work at 100k papers. */
export const DRAIN_BATCH = 50;
/** Held by a drain's batch: two drains (a script and the job) never update the same lists at once. */
const DRAIN_LOCK = 7_366_024;

export interface DrainOptions {
  /** Papers per transaction (DRAIN_BATCH). */
  batchSize?: number;
  /** Stop after this many batches (default: until the queue is empty). */
  maxBatches?: number;
  /** Checked between batches: true stops the drain (the job's stop). */
  stopped?: () => boolean;
  /** Tests: a smaller list size. */
  neighbours?: number;
}

export interface DrainReport {
  /** Queued papers whose lists were computed. */
  papers: number;
  batches: number;
  /** Other papers' lists changed by the batches' proposals. */
  listsUpdated: number;
  /** The longest time a drained paper had waited in the queue (ms): the freshness achieved. */
  maxWaitMs: number;
  ms: number;
  /** Papers still queued when the drain stopped (0: caught up). */
  remaining: number;
}

// Step 1: the batch's own lists ($1 ids, $2 the list size). A paper with no neighbour gets an
// empty, untruncated list: it is computed, and has none.
const COMPUTE_SQL = (k: number) => `
  INSERT INTO "PaperNeighbours" ("paperId", neighbours, scores, truncated, "computedAt")
  SELECT s.id, coalesce(r.ids, '{}'), coalesce(r.scores, '{}'), r.n >= ${k}, now()
  FROM "Paper" s
  CROSS JOIN LATERAL (
    SELECT array_agg(x."paperId" ORDER BY x.score DESC, x."paperId") AS ids,
           array_agg(x.score::real ORDER BY x.score DESC, x."paperId") AS scores, count(*) AS n
    FROM (${liveNeighbours('s.id', String(k), false)}) x
  ) r
  WHERE s.id = ANY($1::int[])
  ON CONFLICT ("paperId") DO UPDATE
  SET neighbours = EXCLUDED.neighbours, scores = EXCLUDED.scores, truncated = EXCLUDED.truncated, "computedAt" = EXCLUDED."computedAt"`;

// Step 2 ($1 the batch): proposals (y, z, score) of batch papers z to other papers' lists y, then
// each such list rebuilt from its other entries and the proposals it takes (see the top).
const PROPOSE_SQL = (k: number) => `
  WITH holders AS (
    SELECT y."paperId" AS y, u.id AS z
    FROM "PaperNeighbours" y CROSS JOIN LATERAL unnest(y.neighbours) u(id)
    WHERE y.neighbours && $1::int[] AND u.id = ANY($1::int[]) AND NOT y."paperId" = ANY($1::int[])
  ), proposals AS (
    -- A list that holds z always changes (z's score, or z dropped); another only if it takes z:
    -- lists left as they are are not rewritten.
    SELECT DISTINCT ON (pr.y, pr.z) pr.y, pr.z, pr.score
    FROM (
      SELECT h.y, h.z, true AS held, coalesce((
        SELECT sum(a.weight * b.weight) FROM "PaperTerm" a JOIN "PaperTerm" b ON b."paperId" = h.z AND b.term = a.term
        WHERE a."paperId" = h.y), 0)::real AS score
      FROM holders h
      UNION ALL
      SELECT u.id, z."paperId", false, u.score
      FROM "PaperNeighbours" z CROSS JOIN LATERAL unnest(z.neighbours, z.scores) u(id, score)
      WHERE z."paperId" = ANY($1::int[]) AND NOT u.id = ANY($1::int[])
    ) pr
    JOIN "PaperNeighbours" l ON l."paperId" = pr.y
    WHERE pr.held OR (pr.score > 0 AND (NOT l.truncated OR pr.score >= (SELECT min(s) FROM unnest(l.scores) s)))
    ORDER BY pr.y, pr.z, pr.held DESC
  )
  UPDATE "PaperNeighbours" y
  SET (neighbours, scores, truncated) = (
    SELECT coalesce(array_agg(m.id ORDER BY m.score DESC, m.id) FILTER (WHERE m.r <= ${k}), '{}'),
           coalesce(array_agg(m.score ORDER BY m.score DESC, m.id) FILTER (WHERE m.r <= ${k}), '{}'),
           y.truncated OR count(*) > ${k}
    FROM (
      SELECT e.id, e.score, row_number() OVER (ORDER BY e.score DESC, e.id) AS r
      FROM (
        SELECT u.id, u.score FROM unnest(y.neighbours, y.scores) u(id, score)
        WHERE NOT EXISTS (SELECT 1 FROM proposals pr WHERE pr.y = y."paperId" AND pr.z = u.id)
        UNION ALL
        SELECT pr.z, pr.score FROM proposals pr
        WHERE pr.y = y."paperId" AND pr.score > 0
          AND (NOT y.truncated OR pr.score >= (SELECT min(s) FROM unnest(y.scores) s))
      ) e
    ) m
  )
  WHERE y."paperId" IN (SELECT DISTINCT pr.y FROM proposals pr)`;

interface Queued {
  paperId: number;
  seq: bigint;
  waitMs: number;
}

/**
 * Computes the lists of queued papers, a batch per transaction, until the queue is empty (or
 * `maxBatches`, or `stopped()`). Safe beside writers and readers; two drains take turns.
 */
export async function drainRelated(db: Db, options: DrainOptions = {}): Promise<DrainReport> {
  const batchSize = options.batchSize ?? DRAIN_BATCH;
  const k = options.neighbours ?? NEIGHBOURS;
  const started = performance.now();
  const report: DrainReport = { papers: 0, batches: 0, listsUpdated: 0, maxWaitMs: 0, ms: 0, remaining: 0 };
  while (!options.stopped?.() && (options.maxBatches === undefined || report.batches < options.maxBatches)) {
    // Papers without a list first: they are the ones computed live on every read.
    const batch = await db.$queryRawUnsafe<Queued[]>(
      `SELECT q."paperId", q.seq, (extract(epoch FROM clock_timestamp() - q."queuedAt") * 1000)::float8 AS "waitMs"
       FROM "RelatedQueue" q
       ORDER BY EXISTS (SELECT 1 FROM "PaperNeighbours" n WHERE n."paperId" = q."paperId"), q."queuedAt", q."paperId"
       LIMIT $1`,
      batchSize,
    );
    if (batch.length === 0) break;
    const ids = batch.map((row) => row.paperId);
    const updated = await db.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${DRAIN_LOCK})::text`);
        await tx.$executeRawUnsafe(COMPUTE_SQL(k), ids);
        return tx.$executeRawUnsafe(PROPOSE_SQL(k), ids);
      },
      { timeout: 10 * 60_000, maxWait: 60_000 },
    );
    // Only the entries computed here: one a writer holds or queued again stays for the next batch.
    await db.$executeRawUnsafe(
      `DELETE FROM "RelatedQueue" WHERE "paperId" IN (
         SELECT q."paperId" FROM "RelatedQueue" q JOIN unnest($1::int[], $2::bigint[]) d(id, seq) ON d.id = q."paperId" AND d.seq = q.seq
         FOR UPDATE OF q SKIP LOCKED)`,
      ids,
      batch.map((row) => row.seq),
    );
    report.papers += batch.length;
    report.batches++;
    report.listsUpdated += updated;
    report.maxWaitMs = Math.max(report.maxWaitMs, ...batch.map((row) => row.waitMs));
  }
  const [left] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "RelatedQueue"`);
  report.remaining = left!.n;
  report.ms = performance.now() - started;
  return report;
}

/** How far behind the lists are: papers queued, and how long the oldest has waited (ms; 0 when none). */
export async function relatedBacklog(db: Db): Promise<{ queued: number; oldestMs: number }> {
  const [row] = await db.$queryRawUnsafe<{ queued: number; oldestMs: number }[]>(
    `SELECT count(*)::int AS queued, coalesce(extract(epoch FROM clock_timestamp() - min("queuedAt")) * 1000, 0)::float8 AS "oldestMs" FROM "RelatedQueue"`,
  );
  return row!;
}
