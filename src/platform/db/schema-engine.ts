// Prisma's schema engine as WebAssembly: what `prisma migrate deploy` and `prisma migrate diff`
// do, with no native engine to download (see README, "Migrations").
//
// The package's entry imports a `.wasm` module, which Node 20 cannot import, so the glue
// (`schema_engine_bg`) is imported alone and given the instantiated module by hand. The package
// version is pinned to the engine hash of the Prisma release in package.json.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { migrationsDir, schemaPath } from '../paths.ts';
import { migrationNames } from './migration-folders.ts';

export type SchemaEngine = glue.SchemaEngine;

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));

let ready: Promise<void> | undefined;

/** Instantiates the WebAssembly module once per process. */
function loadEngine(): Promise<void> {
  ready ??= (async () => {
    const wasm = fs.readFileSync(path.join(packageDir, 'schema_engine_bg.wasm'));
    // The engine arms timers (lock and connect timeouts) that it never clears; unref'd, they
    // no longer keep a finished CLI or test process alive for ten seconds.
    const imports: Record<string, unknown> = { ...glue };
    for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
      const arm = imports[name] as (...args: unknown[]) => NodeJS.Timeout;
      imports[name] = (...args: unknown[]) => arm(...args).unref();
    }
    const { instance } = await WebAssembly.instantiate(wasm, { './schema_engine_bg.js': imports as never });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  })();
  return ready;
}

export function readSchema(): string {
  return fs.readFileSync(schemaPath, 'utf8');
}

/**
 * Runs `run` with the engine open on a database, and closes both afterwards.
 *
 * Only `applyMigrations` and datamodel-to-datamodel `diff` are used: anything that describes a
 * live database (introspection, diff from a database or from the migrations folder) fails
 * under @prisma/adapter-pg 7.10, which cannot read the catalogs' one-byte `"char"` columns
 * ("Column type 'char' could not be deserialized"). See src/cli/migrate.ts.
 */
export async function withSchemaEngine<T>(connectionString: string, run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  await loadEngine();
  // Our own pool, ended here: `engine.free()` leaves the adapter's connections open, and with
  // them the session advisory lock that migrations take, which would stall the next run.
  const pool = new pg.Pool({ connectionString, max: 1 });
  try {
    const factory = new PrismaPg(pool);
    const connect = factory.connect.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      // @prisma/adapter-pg 7.10 runs a migration script by splitting it on every ";", which
      // breaks function bodies ($$ ... ; ... $$) and semicolons in comments. Postgres takes
      // the whole script as one simple query instead, and runs it as one implicit
      // transaction: a migration that fails half-way leaves nothing behind.
      adapter.executeScript = async (script: string) => {
        try {
          await pool.query(script);
        } catch (error) {
          (adapter as unknown as { onError(e: unknown): never }).onError(error);
        }
      };
      return adapter;
    };
    const adapter = bindMigrationAwareSqlAdapterFactory(factory);
    const engine = await glue.SchemaEngine.new({ datamodels: [['schema.prisma', readSchema()]] }, () => {}, adapter);
    try {
      return await run(engine);
    } finally {
      engine.free();
    }
  } finally {
    await pool.end();
  }
}

export const noFilters = { externalTables: [], externalEnums: [] };

/** The migrations folder in the shape the engine takes (Prisma's own layout). */
export function migrationsList(): glue.MigrationList {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const dirs = migrationNames();
  return {
    baseDir: migrationsDir,
    lockfile: fs.existsSync(lockPath)
      ? { path: 'migration_lock.toml', content: fs.readFileSync(lockPath, 'utf8') }
      : { path: 'migration_lock.toml', content: null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((dir) => ({
      path: dir,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: fs.readFileSync(path.join(migrationsDir, dir, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

/**
 * SQL that takes a database from datamodel `from` (null: empty) to datamodel `to`. The engine
 * insists on a reachable database although it reads nothing from it; any will do.
 */
export function diffDatamodels(connectionString: string, from: string | null, to: string): Promise<string> {
  return withSchemaEngine(connectionString, async (engine) => {
    const result = await engine.diff({
      from: from === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: to }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    } as Parameters<SchemaEngine['diff']>[0]);
    return result.stdout ?? '';
  });
}

/** The schema.prisma kept in the newest migration folder; null when there is none. */
export function latestSchemaSnapshot(): string | null {
  const dirs = migrationsList().migrationDirectories;
  for (const dir of dirs.map((d) => d.path).reverse()) {
    const snapshot = path.join(migrationsDir, dir, 'schema.prisma');
    if (fs.existsSync(snapshot)) return fs.readFileSync(snapshot, 'utf8');
  }
  return null;
}

/** What the engine answers for two datamodels that need no SQL between them. */
export function isEmptyMigration(sql: string): boolean {
  return sql.replace(/--[^\n]*/g, '').trim() === '';
}
