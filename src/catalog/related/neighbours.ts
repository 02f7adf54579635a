// Precomputed related papers: each paper's NEIGHBOURS nearest papers by term vectors, kept in
// PaperNeighbours (ids best first, with their scores), so that Paper.related is one indexed
// read. See the related_neighbours migration for the queue.
//
// How the lists stay current. Every change of a paper's term vector (inserted, title or abstract
// edited, topics changed, the rebuild) queues the paper in RelatedQueue, in the writer's own
// transaction (catalog_related_refresh), with that transaction's id (xid). The background job
// (src/main.ts, under the leader lease with Redis), or `npm run related:fill` for a first fill,
// drains the queue in batches of DRAIN_BATCH papers, oldest first, papers without a list before
// papers whose list is only stale, each batch in two transactions:
//   1. the batch's own lists, computed from scratch (the live statement of ./reads.ts, hidden
//      papers included, LIMIT NEIGHBOURS), each stamped with the snapshot it was computed in
//      (seenXmax, seenRunning): it saw the vectors of every transaction finished then;
//   2. the lists of other papers computed before Z's vector was written (Z's writer not finished
//      in their snapshot; the others took Z's current vector into account already): a batch paper Z is
//      proposed, at its new exact score, to every such list that holds it (its old score is
//      stale) and to every paper of its own new list (the
//      score is symmetric: Z may now be near them). A list takes Z when it is not truncated (it
//      holds every paper with a positive score) or when Z scores at least the list's lowest
//      score; a list that held Z and no longer takes it drops it (the rest is still the true
//      order: every paper outside a list scores at most its lowest). Each list is cut back to
//      NEIGHBOURS, and marked truncated when something was cut.
// A first fill (after the migration, a bulk load, `related:rebuild --lists`) writes every vector
// before any list is computed: no list is ever stale for a batch paper, step 2 proposes nothing,
// and each list is the one computed from scratch from the current vectors (what a read computes
// live). That, and two workers, made the first fill several times faster (README, "Related papers").
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
/**
 * Step 1 holds it shared (drains compute their own batches' lists side by side: disjoint rows),
 * step 2 exclusive: proposals wait for every list still being computed, and two drains (a script
 * and the job, or two workers) never update the same lists at once.
 */
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
  /**
   * Drains run side by side on disjoint papers (id modulo workers), each on a connection of its
   * own: their lists are computed at once (step 1), their proposals in turn (step 2). Default 1.
   */
  workers?: number;
  /** Only these papers of the queue (a bench's papers). */
  only?: readonly number[];
  /** Called after each batch (progress). */
  onBatch?: (report: DrainReport) => void;
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
  /** Time in step 1 (the batches' own lists) and step 2 (proposals), summed over workers (ms). */
  computeMs: number;
  proposeMs: number;
  /** Papers still queued when the drain stopped (0: caught up). */
  remaining: number;
}

// Step 1: the batch's own lists ($1 ids, $2 the list size). A paper with no neighbour gets an
// empty, untruncated list: it is computed, and has none. seenXmax, seenRunning: this statement's
// snapshot, whose every finished transaction's vectors are in this list's computation.
const COMPUTE_SQL = (k: number) => `
  INSERT INTO "PaperNeighbours" ("paperId", neighbours, scores, truncated, "computedAt", "seenXmax", "seenRunning")
  SELECT s.id, coalesce(r.ids, '{}'), coalesce(r.scores, '{}'), r.n >= ${k}, now(), snap.xmax, snap.running
  FROM (
    SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
           ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) x) AS running
  ) snap
  CROSS JOIN "Paper" s
  CROSS JOIN LATERAL (
    SELECT array_agg(x."paperId" ORDER BY x.score DESC, x."paperId") AS ids,
           array_agg(x.score::real ORDER BY x.score DESC, x."paperId") AS scores, count(*) AS n
    FROM (${liveNeighbours('s.id', String(k), false)}) x
  ) r
  WHERE s.id = ANY($1::int[])
  ON CONFLICT ("paperId") DO UPDATE
  SET neighbours = EXCLUDED.neighbours, scores = EXCLUDED.scores, truncated = EXCLUDED.truncated,
      "computedAt" = EXCLUDED."computedAt", "seenXmax" = EXCLUDED."seenXmax", "seenRunning" = EXCLUDED."seenRunning"`;

// A list y computed before batch paper z's vector was written ($2: each batch paper's writing
// transaction, in $1's order): only such a list can hold a stale score of z, or lack z. z's
// writer has committed (its queue entry is read): a list whose snapshot had it finished (below
// the snapshot's xmax, not among its running transactions) saw z's current vector. Unknown
// either side: stale.
const STALE = (list: string, z: string) =>
  `(${list}."seenXmax" IS NULL OR ${z}.xid IS NULL OR ${z}.xid >= ${list}."seenXmax" OR ${z}.xid = ANY(${list}."seenRunning"))`;

// Step 2 ($1 the batch, $2 their writers' xids): proposals (y, z, score) of batch papers z to
// other papers' lists y that are stale for z (STALE), then each such list rebuilt from its other
// entries and the proposals it takes (see the top). In a first fill (every vector written before
// any list), no list is stale for any batch paper: nothing is proposed, nothing rewritten.
const PROPOSE_SQL = (k: number) => `
  WITH batch AS (
    SELECT b.id, b.xid FROM unnest($1::int[], $2::bigint[]) b(id, xid)
  ), holders AS (
    SELECT y."paperId" AS y, b.id AS z, b.xid
    FROM "PaperNeighbours" y CROSS JOIN LATERAL unnest(y.neighbours) u(id)
    JOIN batch b ON b.id = u.id
    WHERE y.neighbours && $1::int[] AND NOT y."paperId" = ANY($1::int[]) AND ${STALE('y', 'b')}
  ), proposals AS (
    -- A list that holds z always changes (z's score, or z dropped); another only if it takes z:
    -- lists left as they are are not rewritten.
    SELECT DISTINCT ON (pr.y, pr.z) pr.y, pr.z, pr.score
    FROM (
      SELECT h.y, h.z, h.xid, true AS held, coalesce((
        SELECT sum(a.weight * b.weight) FROM "PaperTerm" a JOIN "PaperTerm" b ON b."paperId" = h.z AND b.term = a.term
        WHERE a."paperId" = h.y), 0)::real AS score
      FROM holders h
      UNION ALL
      SELECT u.id, z."paperId", b.xid, false, u.score
      FROM "PaperNeighbours" z JOIN batch b ON b.id = z."paperId"
      CROSS JOIN LATERAL unnest(z.neighbours, z.scores) u(id, score)
      WHERE NOT u.id = ANY($1::int[])
    ) pr
    JOIN "PaperNeighbours" l ON l."paperId" = pr.y
    WHERE ${STALE('l', 'pr')}
      AND (pr.held OR (pr.score > 0 AND (NOT l.truncated OR pr.score >= (SELECT min(s) FROM unnest(l.scores) s))))
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
  xid: bigint | null;
  waitMs: number;
}

/**
 * Computes the lists of queued papers, a batch per transaction pair, until the queue is empty (or
 * `maxBatches`, or `stopped()`). Safe beside writers and readers, and beside other drains.
 */
export async function drainRelated(db: Db, options: DrainOptions = {}): Promise<DrainReport> {
  const workers = options.workers ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new Error(`workers must be a positive integer; got ${workers}`);
  const started = performance.now();
  const report: DrainReport = { papers: 0, batches: 0, listsUpdated: 0, maxWaitMs: 0, ms: 0, computeMs: 0, proposeMs: 0, remaining: 0 };
  // A worker that fails stops the others after their batch; the first error is thrown once all have.
  let failed = false;
  const own: DrainOptions = { ...options, stopped: () => failed || (options.stopped?.() ?? false) };
  const results = await Promise.allSettled(
    Array.from({ length: workers }, (_, worker) =>
      drainWorker(db, own, worker, workers, report).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  const [left] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "RelatedQueue"`);
  report.remaining = left!.n;
  report.ms = performance.now() - started;
  return report;
}

async function drainWorker(db: Db, options: DrainOptions, worker: number, workers: number, report: DrainReport): Promise<void> {
  const batchSize = options.batchSize ?? DRAIN_BATCH;
  const k = options.neighbours ?? NEIGHBOURS;
  const only = options.only ? [...options.only] : null;
  while (!options.stopped?.() && (options.maxBatches === undefined || report.batches < options.maxBatches)) {
    // Papers without a list first: they are the ones computed live on every read. A worker
    // takes its own share of the papers (id modulo workers): the batches are disjoint.
    const batch = await db.$queryRawUnsafe<Queued[]>(
      `SELECT q."paperId", q.seq, q.xid, (extract(epoch FROM clock_timestamp() - q."queuedAt") * 1000)::float8 AS "waitMs"
       FROM "RelatedQueue" q
       WHERE q."paperId" % $2 = $3 AND ($4::int[] IS NULL OR q."paperId" = ANY($4::int[]))
       ORDER BY EXISTS (SELECT 1 FROM "PaperNeighbours" n WHERE n."paperId" = q."paperId"), q."queuedAt", q."paperId"
       LIMIT $1`,
      batchSize,
      workers,
      worker,
      only,
    );
    if (batch.length === 0) break;
    const ids = batch.map((row) => row.paperId);
    // Step 1 under the shared lock: batches of several workers compute their own lists at once
    // (each writes only its papers' rows).
    let t = performance.now();
    await db.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock_shared(${DRAIN_LOCK})::text`);
        await tx.$executeRawUnsafe(COMPUTE_SQL(k), ids);
      },
      { timeout: 10 * 60_000, maxWait: 60_000 },
    );
    report.computeMs += performance.now() - t;
    // Step 2 under the exclusive lock: it waits for every batch still computing, so each list
    // computed before a batch paper's vector was written is committed, and seen stale, here.
    t = performance.now();
    const updated = await db.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${DRAIN_LOCK})::text`);
        return tx.$executeRawUnsafe(PROPOSE_SQL(k), ids, batch.map((row) => row.xid));
      },
      { timeout: 10 * 60_000, maxWait: 60_000 },
    );
    report.proposeMs += performance.now() - t;
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
    options.onBatch?.(report);
  }
}

/** How far behind the lists are: papers queued, and how long the oldest has waited (ms; 0 when none). */
export async function relatedBacklog(db: Db): Promise<{ queued: number; oldestMs: number }> {
  const [row] = await db.$queryRawUnsafe<{ queued: number; oldestMs: number }[]>(
    `SELECT count(*)::int AS queued, coalesce(extract(epoch FROM clock_timestamp() - min("queuedAt")) * 1000, 0)::float8 AS "oldestMs" FROM "RelatedQueue"`,
  );
  return row!;
}
