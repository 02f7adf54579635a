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
// The same process creates the model's HNSW index (./hnsw.ts): the similarity statements use it
// with iterative scans, so that a filter (hidden papers, a search filter) never shortens a list,
// and scan exactly where it is missing (a server process that does not migrate, before the
// migrating one has built it; a model wider than pgvector indexes). See
// src/catalog/related/embeddings/reads.ts.
import type { Db } from '../db/client.ts';
import type { Embedder } from './embedder.ts';
import { ensureHnswIndex, hnswIndexState } from './hnsw.ts';

export interface EmbeddingPath {
  readonly embedder: Embedder;
  /** The pgvector version installed. */
  readonly pgvector: string;
}

export type EmbeddingStatus =
  | {
      readonly state: 'on';
      readonly model: string;
      readonly dimensions: number;
      readonly pgvector: string;
      /** 'hnsw': the model's HNSW index is there; 'exact': every scan reads every vector of the model, with `indexDetail` saying why. */
      readonly index: 'hnsw' | 'exact';
      readonly indexDetail?: string;
    }
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
  /**
   * Install pgvector when it is available but not installed, and build the model's HNSW index
   * when it is missing (the migrating process); default true.
   */
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
  let index: Pick<Extract<EmbeddingStatus, { state: 'on' }>, 'index' | 'indexDetail'>;
  if (options.install !== false) {
    const build = await ensureHnswIndex(db, embedder);
    index = build.ready ? { index: 'hnsw', ...(build.ms > 0 ? { indexDetail: `built in ${build.ms} ms` } : {}) } : { index: 'exact', indexDetail: build.reason! };
  } else {
    const state = await hnswIndexState(db, embedder);
    index = state === 'valid' ? { index: 'hnsw' } : { index: 'exact', indexDetail: 'no valid HNSW index of this model yet: the migrating process builds it' };
  }
  return {
    path: { embedder, pgvector: pgvector.installed },
    status: { state: 'on', model: embedder.model, dimensions: embedder.dimensions, pgvector: pgvector.installed, ...index },
  };
}
