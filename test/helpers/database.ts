// Each test file gets a database of its own, migrated with the project's real migrations:
// a fresh database on DATABASE_URL's server when it is set (CI), else an in-memory embedded
// Postgres (a newcomer's machine). Tests call `reset()` to start from empty tables.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { trendingScores } from '../../src/catalog/papers/trending.ts';
import { createDb, type Database, type Db } from '../../src/platform/db/client.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { startEmbeddedPostgres, EMBEDDED_POOL_SIZE } from '../../src/platform/db/embedded.ts';
import { applyMigrations } from '../../src/platform/db/migrate.ts';

export interface TestDatabase {
  readonly url: string;
  readonly db: Db;
  /**
   * The platform object over this database (src/platform/platform.ts), as the server builds it.
   * A test may swap in another (the embedding path on): operations run after read it.
   */
  platform: Platform;
  /** Every SQL statement the app's client sent since the last `queries.length = 0`. */
  readonly queries: string[];
  /** Empties every table (ids restart), keeping the migrations' bookkeeping. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The platform object over a database a test opened itself (createDb), as the server builds it. */
export function testPlatform(database: Database): Platform {
  return createPlatform(database, { trending: trendingScores(database.db) });
}

export const usingRealPostgres = Boolean(process.env.DATABASE_URL);

export interface TestDatabaseOptions {
  /**
   * 'embedded': an in-memory embedded Postgres even when DATABASE_URL is set, for what only it
   * has here (pgvector, from @electric-sql/pglite-pgvector). Default: as described above.
   */
  kind?: 'default' | 'embedded';
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const embedded = options.kind === 'embedded' || !usingRealPostgres;
  const { url, drop } = embedded ? await createEmbedded() : await createServerDatabase(process.env.DATABASE_URL!);
  try {
    await applyMigrations(url);
  } catch (error) {
    await drop(); // a running embedded database would keep jest from ever exiting
    throw error;
  }
  const queries: string[] = [];
  const database = createDb({
    connectionString: url,
    poolSize: embedded ? EMBEDDED_POOL_SIZE : 20,
    prepare: !embedded,
    onQuery: (sql) => queries.push(sql),
  });
  const { db } = database;
  const platform = testPlatform(database);
  const tables = await db.$queryRaw<{ name: string }[]>`
    SELECT quote_ident(tablename) AS name FROM pg_tables
    WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
  const truncate = `TRUNCATE ${tables.map((t) => t.name).join(', ')} RESTART IDENTITY CASCADE`;
  return {
    url,
    db,
    platform,
    queries,
    async reset() {
      await db.$executeRawUnsafe(truncate);
      queries.length = 0;
    },
    async close() {
      await database.close();
      await drop();
    },
  };
}

async function createServerDatabase(serverUrl: string) {
  const name = `catalog_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function createEmbedded() {
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.url, drop: () => embedded.stop() };
}
