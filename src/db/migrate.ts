// Applies prisma/migrations/ the way `prisma migrate deploy` does (same `_prisma_migrations`
// bookkeeping and advisory lock), through the WebAssembly schema engine.
import { migrationsList, noFilters, withSchemaEngine } from './schema-engine.ts';

/** Returns the names of the migrations it applied (none when the database is up to date). */
export function applyMigrations(connectionString: string): Promise<string[]> {
  return withSchemaEngine(connectionString, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: migrationsList(),
      filters: noFilters,
    });
    return appliedMigrationNames;
  });
}
