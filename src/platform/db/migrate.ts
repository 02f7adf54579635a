// Applies prisma/migrations/ the way `prisma migrate deploy` does (same `_prisma_migrations`
// bookkeeping and advisory lock), through the WebAssembly schema engine.
//
// The engine is loaded only when a migration is pending: it is 5 MB of WebAssembly, and once
// compiled and run it kept 12-30 MB more of a serving process's memory for good (commit
// message). A database whose `_prisma_migrations` lists every folder as finished is up to date
// without it, which one SELECT tells. Anything else (a new folder, a failed migration, no table
// yet) goes to the engine, which applies or explains.
import pg from 'pg';
import { migrationNames } from './migration-folders.ts';

const UNDEFINED_TABLE = '42P01';

/** True when every migration folder is recorded as finished and none failed. */
export async function migrationsUpToDate(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; finished: boolean; rolledBack: boolean }>(
      'SELECT migration_name AS name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack" FROM _prisma_migrations',
    );
    if (rows.some((row) => !row.finished && !row.rolledBack)) return false;
    const finished = new Set(rows.filter((row) => row.finished && !row.rolledBack).map((row) => row.name));
    return migrationNames().every((name) => finished.has(name));
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** Returns the names of the migrations it applied (none when the database is up to date). */
export async function applyMigrations(connectionString: string): Promise<string[]> {
  if (await migrationsUpToDate(connectionString)) return [];
  const { migrationsList, noFilters, withSchemaEngine } = await import('./schema-engine.ts');
  return withSchemaEngine(connectionString, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: migrationsList(),
      filters: noFilters,
    });
    return appliedMigrationNames;
  });
}
