// The RUM access method (https://github.com/postgrespro/rum; Debian `postgresql-NN-rum`), where
// the server has it: an index over a tsvector that yields rows in rank order
// (`ORDER BY vector <=> query LIMIT n`), so the top of a search is read without ranking every
// match. Optional, and detected the way pgvector is (src/platform/embeddings/path.ts):
//   - in pg_available_extensions, and installed by the process that migrates
//     (CREATE EXTENSION IF NOT EXISTS rum), never by a migration: migrations run on any
//     PostgreSQL 15-18, with RUM or not, and on the embedded database, which has none;
//   - a RUM index over a large table takes minutes to build, so it is built with CREATE INDEX
//     CONCURRENTLY in the background of the start (writes go on meanwhile), or beforehand by a
//     script; until it is valid, `RankedIndex.ready()` is false and readers take the GIN path.
// This module knows no table: the domain that owns the index names it and gives its definition
// (src/catalog/papers/search-index.ts).
import pg from 'pg';
import type { Db } from './client.ts';

export interface RumExtension {
  /** The version the server would install; null when it has no RUM. */
  readonly available: string | null;
  /** The version installed in this database; null when not installed. */
  readonly installed: string | null;
}

export async function detectRum(db: Db): Promise<RumExtension> {
  const rows = await db.$queryRaw<{ available: string | null; installed: string | null }[]>`
    SELECT default_version AS available, installed_version AS installed FROM pg_available_extensions WHERE name = 'rum'`;
  return { available: rows[0]?.available ?? null, installed: rows[0]?.installed ?? null };
}

export type RumStatus =
  | { readonly state: 'installed'; readonly version: string }
  | { readonly state: 'off'; readonly reason: 'disabled' | 'rum unavailable' | 'rum not installed'; readonly detail: string };

/**
 * Installs RUM where the server offers it (`install`: the migrating process), and says whether
 * this database has it. Never throws for a server without RUM: that is the normal case.
 */
export async function enableRum(db: Db, options: { install?: boolean } = {}): Promise<RumStatus> {
  let rum = await detectRum(db);
  if (rum.available === null) return { state: 'off', reason: 'rum unavailable', detail: 'this PostgreSQL server offers no "rum" extension (pg_available_extensions): search ranks on GIN' };
  if (rum.installed === null && options.install !== false) {
    try {
      await db.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS rum');
    } catch (error) {
      // Typically a role that may not create extensions: a DBA can run the statement once.
      return { state: 'off', reason: 'rum not installed', detail: `CREATE EXTENSION rum failed (${(error as Error).message.split('\n')[0]}): run it as a privileged role, then restart` };
    }
    rum = await detectRum(db);
  }
  if (rum.installed === null) return { state: 'off', reason: 'rum not installed', detail: 'rum is available but not installed in this database (CREATE EXTENSION rum)' };
  return { state: 'installed', version: rum.installed };
}

/** An index that a reader may use once it exists and is valid (built concurrently elsewhere). */
export interface RankedIndex {
  readonly name: string;
  /** Whether the index was valid at the last look; a stale answer starts a new look, never waits for it. */
  ready(): boolean;
  /** Looks now (tests, scripts, the start). */
  refresh(): Promise<boolean>;
}

/** How long a "not ready" answer is trusted before the catalog is asked again. */
const RECHECK_MS = 30_000;

/**
 * Watches `name` in `db`'s catalog: not ready while it is absent, being built, or left invalid
 * by a failed build; ready from the first look that finds it valid, for good (an index dropped
 * by hand afterwards makes searches slower, not wrong: the statements do not name it).
 */
export function watchIndex(db: Db, name: string, now: () => number = Date.now): RankedIndex {
  let valid = false;
  let checkedAt = -Infinity;
  let looking: Promise<boolean> | undefined;
  const refresh = (): Promise<boolean> =>
    (looking ??= db
      .$queryRaw<{ valid: boolean }[]>`SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass(${name})`
      .then((rows) => (valid = rows[0]?.valid === true))
      .catch(() => valid)
      .finally(() => {
        checkedAt = now();
        looking = undefined;
      }));
  return {
    name,
    ready() {
      if (!valid && now() - checkedAt > RECHECK_MS && !looking) void refresh();
      return valid;
    },
    refresh,
  };
}

export interface IndexBuild {
  /** 'exists': it was valid already; 'built': this call built it; 'elsewhere': another session is building it. */
  outcome: 'exists' | 'built' | 'elsewhere';
  ms: number;
}

/**
 * Builds `name` with `CREATE INDEX CONCURRENTLY` (`definition`: what follows `ON`), on a
 * connection of its own (a build over millions of rows must not hold one of the pool's for
 * minutes). Writes to the table go on meanwhile. An invalid index left by an interrupted build
 * is dropped and built again, unless another session is building it right now (two instances
 * starting together: the second leaves it to the first).
 */
export async function buildIndexConcurrently(url: string, name: string, definition: string): Promise<IndexBuild> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A build may take long: no statement_timeout of the server's default applies to it.
    await client.query('SET statement_timeout = 0');
    const { rows } = await client.query<{ valid: boolean; building: boolean }>(
      `SELECT i.indisvalid AS valid,
              EXISTS (SELECT 1 FROM pg_stat_progress_create_index s WHERE s.index_relid = i.indexrelid) AS building
       FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
      [name],
    );
    const existing = rows[0];
    if (existing?.valid) return { outcome: 'exists', ms: Math.round(performance.now() - started) };
    if (existing?.building) return { outcome: 'elsewhere', ms: Math.round(performance.now() - started) };
    if (existing) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    await client.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${definition}`);
    return { outcome: 'built', ms: Math.round(performance.now() - started) };
  } finally {
    await client.end();
  }
}
