// Embedded PostgreSQL: PGlite (Postgres in WebAssembly) served on 127.0.0.1 by pglite-socket,
// so the app reaches it through the same `pg` driver and Prisma adapter as a real server.
//
// PGlite is a single backend: queries from all connections run one after another, and while a
// connection holds an open transaction the others wait. Code that opens a transaction and then
// awaits a query on another connection deadlocks here (it works on real Postgres): keep every
// query of a transaction on the transaction's own client.
//
// pgvector is offered (loaded into the WebAssembly build, listed in pg_available_extensions) but
// not installed: the embedding path of related papers installs it when it is turned on, and
// builds the model's HNSW index (src/platform/embeddings/path.ts and hnsw.ts), as it would on
// a real server. @electric-sql/pglite-pgvector 0.0.15 ships pgvector 0.8.7: iterative index scans.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** postgresql:// URL of the socket server */
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder of the database files; undefined keeps everything in memory (tests). */
  dataDir?: string;
  /** 0 picks a free port. */
  port?: number;
}

/** How many pg connections the socket accepts (the app's pool, a psql, a CLI at once). */
export const EMBEDDED_MAX_CONNECTIONS = 10;

/**
 * The app's pool size on the embedded database: one. PGlite runs one backend for all
 * connections, so more connections add no parallelism, and concurrent interactive
 * transactions on several connections were seen to break the protocol ("unnamed prepared
 * statement does not exist"). With one connection, requests simply queue.
 */
export const EMBEDDED_POOL_SIZE = 1;

/** What every embedded database is opened with: the extensions it offers. */
const PGLITE_OPTIONS = { extensions: { vector } } satisfies PGliteOptions;

export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  const db = options.dataDir ? await openDataDir(options.dataDir) : await PGlite.create(PGLITE_OPTIONS);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  return {
    url: `postgresql://postgres@127.0.0.1:${address.port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * A data folder left half-made by an interrupted first start cannot be opened again, so a new
 * database is initialised in a sibling folder and renamed into place only once it works.
 */
async function openDataDir(dataDir: string): Promise<PGlite> {
  const dir = path.resolve(dataDir);
  if (fs.existsSync(dir)) {
    try {
      return await PGlite.create(dir, PGLITE_OPTIONS);
    } catch (error) {
      throw new Error(
        `The embedded database in ${dir} cannot be opened (${(error as Error).message}). ` +
          `Move or delete that folder to start with a fresh database.`,
        { cause: error },
      );
    }
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = `${dir}.init-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const fresh = await PGlite.create(staging, PGLITE_OPTIONS);
  await fresh.close();
  fs.renameSync(staging, dir);
  return PGlite.create(dir, PGLITE_OPTIONS);
}
