// The approximate nearest-neighbour index of the embedding path: one HNSW index (pgvector) per
// model, on PaperEmbedding's real[] cast to vector(dimensions), partial on the model's rows:
//
//   CREATE INDEX "PaperEmbedding_hnsw_<key>" ON "PaperEmbedding"
//     USING hnsw ((embedding::vector(512)) vector_cosine_ops)
//     WHERE model = 'catalog-hashing-v1' AND dimensions = 512
//
// Created, like the extension, by the process that migrates (./path.ts), never by a migration:
// the migrations run on servers without pgvector, where the type does not exist. The planner
// uses it only for a statement that orders by `embeddingOf(alias) <=> <vector>` with a LIMIT and
// has `ofModel(alias)` among its conditions (the index's predicate), so the statements
// (src/catalog/related/embeddings/reads.ts) are built from the same pieces as the index.
//
// An HNSW scan stops after hnsw.ef_search candidates, BEFORE the statement's other conditions
// (hidden papers, a search filter): without more, a filter would shorten the list. pgvector 0.8
// iterative scans go on through the graph until the LIMIT is met or hnsw.max_scan_tuples
// visited; the statements set them for themselves (`scanSettings`), and fall back to an exact
// scan when even that comes up short.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { Embedder } from './embedder.ts';

type Model = Pick<Embedder, 'model' | 'dimensions'>;

/**
 * hnsw.ef_search, the candidates of the first pass and of each further one, at least the
 * statement's LIMIT. 40 is pgvector's default: recall@10 0.989 against exact search on 20k
 * papers of the hashing embedder (bench/results/2026-12-07-vectors.md); 64 and 100 gained 0.003
 * and 0.006, for 1.3-1.7x the time in two runs and within the machine's noise in a third.
 */
export const HNSW_EF_SEARCH = 40;
/**
 * hnsw.ef_search of "for you", whose query is the centroid of a reader's profile: a point far
 * from every paper, where the graph's first candidates are poor. Recall@20 against exact search
 * for 10 readers of 87-770 upvotes on 20k papers: 0.795 at 40, 0.960 at 100, 0.985 at 200,
 * 1.000 at 400, in the same time (130-170 ms, most of it the centroid).
 */
export const HNSW_PROFILE_EF_SEARCH = 200;
/**
 * hnsw.max_scan_tuples: how far an iterative scan goes (tuples visited) before it gives up and
 * the statement scans exactly instead. pgvector's default, set explicitly so that the server's
 * configuration does not decide how long a list is.
 */
export const HNSW_MAX_SCAN_TUPLES = 20_000;
/** pgvector's limit for an HNSW index on `vector`: wider models are scanned exactly. */
export const HNSW_MAX_DIMENSIONS = 2000;

/** A SQL string literal (standard_conforming_strings, on since PostgreSQL 9.1). */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A short name for a model and dimension, in statement and index names (which are per model). */
export function modelKey({ model, dimensions }: Model): string {
  return createHash('sha256').update(`${model}\0${dimensions}`).digest('hex').slice(0, 10);
}

/** SQL type of the model's vectors. */
export function vectorType({ dimensions }: Pick<Model, 'dimensions'>): string {
  if (!Number.isSafeInteger(dimensions) || dimensions < 1 || dimensions > 16_000) throw new RangeError(`dimensions must be from 1 to 16000; got ${dimensions}`);
  return `vector(${dimensions})`;
}

/** `alias.column`, or the bare column for the index's definition (alias null). */
const column = (alias: string | null, name: string) => (alias === null ? name : `${alias}.${name}`);

/** SQL: the embedding of the row under `alias` as a vector: the index's expression, exactly. */
export function embeddingOf(alias: string | null, model: Pick<Model, 'dimensions'>): string {
  return `(${column(alias, 'embedding')}::${vectorType(model)})`;
}

/**
 * SQL: the row under `alias` is a vector of this model: the index's predicate. The model is part
 * of the text, not a parameter: a partial index is chosen only for a condition the planner sees.
 */
export function ofModel(alias: string | null, { model, dimensions }: Model): string {
  return `${column(alias, 'model')} = ${literal(model)} AND ${column(alias, 'dimensions')} = ${dimensions}`;
}

export function hnswIndexName(model: Model): string {
  return `PaperEmbedding_hnsw_${modelKey(model)}`;
}

/**
 * Whether this pgvector has iterative index scans (0.8.0 and later). Earlier ones reserve the
 * `hnsw.` prefix without these settings: setting them there is an error, not a no-op.
 */
export function hasIterativeScans(pgvector: string): boolean {
  const [major = 0, minor = 0] = pgvector.split('.').map(Number);
  return major > 0 || minor >= 8;
}

/**
 * SQL: a select list that sets this statement's scan settings and yields them as `hnsw_*`
 * columns. `efSearch` is an SQL expression (e.g. `greatest(40, $2)`). set_config(..., true)
 * holds until the end of the statement's transaction: the statement itself, outside a
 * transaction block, so nothing leaks to the next statement on the connection. Without
 * `iterative` (pgvector before 0.8) only ef_search: a scan then stops after it, and a list that
 * comes up short is completed by the exact step of the statements.
 *
 * DANGER: pgvector reads the settings when a scan starts. The statements compute these columns
 * in the relation that also yields the query vector, which the index scan takes as its argument:
 * the settings are in place before any scan can start.
 */
export function scanSettings(efSearch: string, iterative = true): string {
  return [
    ...(iterative ? [`set_config('hnsw.iterative_scan', 'relaxed_order', true) AS hnsw_iterative_scan`] : []),
    `set_config('hnsw.ef_search', (${efSearch})::text, true) AS hnsw_ef_search`,
    ...(iterative ? [`set_config('hnsw.max_scan_tuples', '${HNSW_MAX_SCAN_TUPLES}', true) AS hnsw_max_scan_tuples`] : []),
  ].join(', ');
}

export type HnswIndexState = 'valid' | 'invalid' | 'missing';

export async function hnswIndexState(db: Db, model: Model): Promise<HnswIndexState> {
  const rows = await db.$queryRaw<{ valid: boolean }[]>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relname = ${hnswIndexName(model)} AND c.relnamespace = current_schema()::regnamespace`;
  return rows.length === 0 ? 'missing' : rows[0]!.valid ? 'valid' : 'invalid';
}

export interface HnswBuild {
  /** Whether the index exists and is valid now. */
  readonly ready: boolean;
  /** Milliseconds spent building it (0 when it was there already). */
  readonly ms: number;
  /** Why there is none, when there is none. */
  readonly reason?: string;
}

/** Memory for a build, at least: a graph that fits in it is built several times faster. */
const BUILD_MAINTENANCE_WORK_MEM = '256MB';

/**
 * Creates the model's HNSW index unless it is there (the migrating process, at start). One
 * transaction: a failed build leaves nothing behind. It takes a SHARE lock on PaperEmbedding
 * while it builds (reads go on; the embedding refresh waits): seconds for an empty or small
 * table, minutes for 20k vectors of 512 dimensions on the embedded database
 * (bench/results/2026-12-07-vectors.md). Never throws: without the index, scans are exact.
 */
export async function ensureHnswIndex(db: Db, model: Model): Promise<HnswBuild> {
  if (model.dimensions > HNSW_MAX_DIMENSIONS) return { ready: false, ms: 0, reason: `${model.dimensions} dimensions: pgvector indexes at most ${HNSW_MAX_DIMENSIONS}` };
  const state = await hnswIndexState(db, model);
  if (state === 'valid') return { ready: true, ms: 0 };
  const name = `"${hnswIndexName(model)}"`;
  const started = performance.now();
  try {
    await db.$transaction(
      async (tx) => {
        if (state === 'invalid') await tx.$executeRawUnsafe(`DROP INDEX IF EXISTS ${name}`);
        // The pool's statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS) is for requests, not for
        // this: a build cut short would be retried, and cut short, at every start.
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = 0`);
        // Raised for this transaction only, never lowered below the server's own setting.
        await tx.$queryRawUnsafe(
          `SELECT set_config('maintenance_work_mem', (greatest(pg_size_bytes(current_setting('maintenance_work_mem')), pg_size_bytes('${BUILD_MAINTENANCE_WORK_MEM}')) / 1024)::text || 'kB', true)`,
        );
        await tx.$executeRawUnsafe(`CREATE INDEX IF NOT EXISTS ${name} ON "PaperEmbedding" USING hnsw (${embeddingOf(null, model)} vector_cosine_ops) WHERE ${ofModel(null, model)}`);
      },
      // A build is not cut short: it takes as long as the vectors already stored need.
      { maxWait: 60_000, timeout: 24 * 3600_000 },
    );
  } catch (error) {
    return { ready: false, ms: 0, reason: `CREATE INDEX failed (${(error as Error).message.trim().split('\n').at(-1)})` };
  }
  return { ready: true, ms: Math.round(performance.now() - started) };
}

/**
 * Drops the HNSW indexes of every other model (`npm run embeddings:refresh -- --prune`, which
 * deletes their vectors): an index is named by a hash of its model, so they are found by name
 * prefix on PaperEmbedding. Returns the names dropped.
 */
export async function dropOtherHnswIndexes(db: Db, model: Model): Promise<string[]> {
  const others = await db.$queryRaw<{ name: string }[]>`
    SELECT indexname AS name FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = 'PaperEmbedding'
      AND starts_with(indexname, 'PaperEmbedding_hnsw_') AND indexname <> ${hnswIndexName(model)}
    ORDER BY indexname`;
  for (const { name } of others) await db.$executeRawUnsafe(`DROP INDEX IF EXISTS "${name.replaceAll('"', '""')}"`);
  return others.map((o) => o.name);
}
