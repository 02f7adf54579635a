// Whether the embedding path is on for a database, decided once at start-up (src/platform/db/open.ts)
// and held by the platform object (src/platform/platform.ts): an embedder is configured
// (EMBEDDINGS) AND the server offers pgvector. Off, everything runs on term weights
// (src/catalog/related/reads.ts); on, a paper with a vector of the current model is compared by
// its vector (src/catalog/related/embeddings/reads.ts), one without by its terms.
//
// pgvector is detected in pg_available_extensions (the extensions the server could install),
// and installed by the process that migrates (CREATE EXTENSION IF NOT EXISTS vector), not by a
// migration: the migrations run on any PostgreSQL 15-18, pgvector or not, and PaperEmbedding
// stores plain real[] that only the queries cast to `vector`. On the embedded database pgvector
// comes from @electric-sql/pglite-pgvector (src/platform/db/embedded.ts).
//
// No approximate (HNSW) index: the scans are exact, so a filter (hidden papers, a topic) never
// shortens a list the way an index's ef_search cut-off would; see src/catalog/related/embeddings/reads.ts for the cost.
import type { Db } from '../db/client.ts';
import type { Embedder } from './embedder.ts';

export interface EmbeddingPath {
  readonly embedder: Embedder;
  /** The pgvector version installed. */
  readonly pgvector: string;
}

export type EmbeddingStatus =
  | { readonly state: 'on'; readonly model: string; readonly dimensions: number; readonly pgvector: string }
  | { readonly state: 'off'; readonly reason: 'not configured' | 'pgvector unavailable' | 'pgvector not installed'; readonly detail: string };

export interface Pgvector {
  /** The version the server would install; null when it has no pgvector. */
  readonly available: string | null;
  /** The version installed in this database; null when not installed. */
  readonly installed: string | null;
}

export async function detectPgvector(db: Db): Promise<Pgvector> {
  const rows = await db.$queryRaw<{ available: string | null; installed: string | null }[]>`
    SELECT default_version AS available, installed_version AS installed FROM pg_available_extensions WHERE name = 'vector'`;
  return { available: rows[0]?.available ?? null, installed: rows[0]?.installed ?? null };
}

export interface EnableOptions {
  /** Install pgvector when it is available but not installed (the migrating process); default true. */
  install?: boolean;
}

/** The path, when it is on, and what to report of it either way. */
export interface Embeddings {
  readonly path: EmbeddingPath | null;
  readonly status: EmbeddingStatus;
}

const off = (reason: Extract<EmbeddingStatus, { state: 'off' }>['reason'], detail: string): Embeddings => ({ path: null, status: { state: 'off', reason, detail } });

/**
 * The path for `db` when it can be on, and why not otherwise. Never throws for a server without
 * pgvector: that is the normal case of PostgreSQL without the extension.
 */
export async function enableEmbeddings(db: Db, embedder: Embedder | null, options: EnableOptions = {}): Promise<Embeddings> {
  if (!embedder) return off('not configured', 'EMBEDDINGS is off: related papers and HYBRID search use term weights');
  let pgvector = await detectPgvector(db);
  if (pgvector.available === null) {
    return off('pgvector unavailable', 'this PostgreSQL server offers no "vector" extension (pg_available_extensions): term weights only');
  }
  if (pgvector.installed === null && options.install !== false) {
    try {
      await db.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (error) {
      // Typically a role that may not create extensions: a DBA can run the statement once.
      return off('pgvector not installed', `CREATE EXTENSION vector failed (${(error as Error).message.split('\n')[0]}): run it as a privileged role, then restart`);
    }
    pgvector = await detectPgvector(db);
  }
  if (pgvector.installed === null) {
    return off('pgvector not installed', 'pgvector is available but not installed in this database (CREATE EXTENSION vector)');
  }
  return {
    path: { embedder, pgvector: pgvector.installed },
    status: { state: 'on', model: embedder.model, dimensions: embedder.dimensions, pgvector: pgvector.installed },
  };
}
