// The migration folders of prisma/migrations, read by the start-up check (./migrate.ts) and by
// the schema engine's runner (./schema-engine.ts) alike, without loading the engine.
import fs from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../paths.ts';

/** The migration folders, in the order they apply. */
export function migrationNames(): string[] {
  if (!fs.existsSync(migrationsDir)) return [];
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}
