import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, migrationsUpToDate } from '../src/platform/db/migrate.ts';
import { migrationNames } from '../src/platform/db/migration-folders.ts';
import { diffDatamodels, isEmptyMigration, latestSchemaSnapshot, readSchema } from '../src/platform/db/schema-engine.ts';
import { migrationsDir } from '../src/platform/paths.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

// What a database looks like, read from the catalogs: tables, columns with types, nullability
// and defaults, indexes, constraints and enums, in a stable order.
const DESCRIBE = `
  SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
         || ' ' || coalesce(column_default, '') AS what
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
  UNION ALL
  SELECT 'index', indexdef FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' AND indexname NOT LIKE 'catalog\_%'
  UNION ALL
  SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ('_prisma_migrations', '"_prisma_migrations"')
  UNION ALL
  SELECT 'enum', t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
  ORDER BY 1, 2`;

async function describe(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ kind: string; what: string }>(DESCRIBE)).rows.map((r) => `${r.kind}: ${r.what}`);
  } finally {
    await client.end();
  }
}

let migrated: TestDatabase;
let direct: TestDatabase;

beforeAll(async () => {
  [migrated, direct] = [await createTestDatabase(), await createTestDatabase()];
});
afterAll(async () => {
  await migrated?.close();
  await direct?.close();
});

test('every migration folder is in Prisma format with the schema it produces beside it', () => {
  const dirs = fs.readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory());
  expect(dirs.length).toBeGreaterThan(0);
  for (const dir of dirs) {
    expect(dir.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    expect(fs.existsSync(path.join(migrationsDir, dir.name, 'migration.sql'))).toBe(true);
  }
  expect(fs.readFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
});

test('prisma/schema.prisma has no change that lacks a migration (run npm run db:migrate:new)', async () => {
  const pending = await diffDatamodels(direct.url, latestSchemaSnapshot(), readSchema());
  expect(isEmptyMigration(pending) ? '' : pending).toBe('');
});

test('the migrations build exactly the database that schema.prisma describes (no drift)', async () => {
  // `direct`: the SQL Prisma generates for an empty database straight from schema.prisma.
  const sql = await diffDatamodels(direct.url, null, readSchema());
  const client = new pg.Client({ connectionString: direct.url });
  await client.connect();
  await client.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
  await client.query(sql);
  await client.end();

  const [fromMigrations, fromSchema] = [await describe(migrated.url), await describe(direct.url)];
  expect(fromMigrations.length).toBeGreaterThan(40);
  expect(fromMigrations).toEqual(fromSchema);
});

test('the hand-written objects (catalog_*) that schema.prisma cannot express are there', async () => {
  const client = new pg.Client({ connectionString: migrated.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`
      SELECT proname AS name FROM pg_proc WHERE proname LIKE 'catalog\\_%'
      UNION ALL SELECT tgname FROM pg_trigger WHERE tgname LIKE 'catalog\\_%'
      UNION ALL SELECT indexname FROM pg_indexes WHERE indexname LIKE 'catalog\\_%'
      ORDER BY 1`);
    expect(rows.map((r) => r.name)).toEqual([
      'catalog_author_name_words_idx',
      'catalog_author_search',
      'catalog_author_search_row',
      'catalog_byline_search_delete',
      'catalog_byline_search_insert',
      'catalog_byline_search_statement',
      'catalog_paper_search',
      'catalog_paper_search_row',
      'catalog_paper_search_vector',
      'catalog_paper_title_search_idx',
      'catalog_related_live',
      'catalog_related_paper_insert', // function and trigger
      'catalog_related_paper_insert',
      'catalog_related_paper_update',
      'catalog_related_paper_update',
      'catalog_related_refresh',
      'catalog_related_topics_changed',
      'catalog_related_topics_delete',
      'catalog_related_topics_insert',
      'catalog_related_words',
    ]);
  } finally {
    await client.end();
  }
});

test('applying the migrations again applies nothing', async () => {
  expect(await applyMigrations(migrated.url)).toEqual([]);
});

test('a database with every migration finished is up to date without the engine; an unfinished or missing one is not', async () => {
  // What start-up checks before loading the schema engine (src/platform/db/migrate.ts).
  expect(await migrationsUpToDate(migrated.url)).toBe(true);
  const last = migrationNames().at(-1)!;
  const client = new pg.Client({ connectionString: migrated.url });
  await client.connect();
  try {
    const { rows: [saved] } = await client.query('SELECT * FROM _prisma_migrations WHERE migration_name = $1', [last]);
    // Failed half-way: the engine must see it (and refuse to go on).
    await client.query('UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = $1', [last]);
    expect(await migrationsUpToDate(migrated.url)).toBe(false);
    // A folder the database has no record of: pending.
    await client.query('DELETE FROM _prisma_migrations WHERE migration_name = $1', [last]);
    expect(await migrationsUpToDate(migrated.url)).toBe(false);
    const columns = Object.keys(saved);
    await client.query(
      `INSERT INTO _prisma_migrations (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((c) => saved[c]),
    );
    expect(await migrationsUpToDate(migrated.url)).toBe(true);
    // No bookkeeping table at all: a new database.
    await client.query('ALTER TABLE _prisma_migrations RENAME TO _prisma_migrations_away');
    try {
      expect(await migrationsUpToDate(migrated.url)).toBe(false);
    } finally {
      await client.query('ALTER TABLE _prisma_migrations_away RENAME TO _prisma_migrations');
    }
  } finally {
    await client.end();
  }
});
