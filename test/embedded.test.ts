// The embedded database path, which a newcomer's `npm start` takes. It runs in CI too, where
// the other test files use the real PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/platform/db/open.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-embedded-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a first start creates and migrates the data folder; a second start reuses it', async () => {
  const first = await openDatabase({ databaseUrl: undefined, dataDir: dir });
  try {
    expect(first.embedded).toBe(true);
    const migrations = fs.readdirSync(path.resolve('prisma/migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(first.applied).toEqual(migrations);
    expect(migrations[0]).toMatch(/_init$/);
    await first.db.user.create({ data: { handle: 'kept', displayName: 'Kept' } });
    // pgvector is offered (src/platform/db/embedded.ts), not installed until asked for.
    expect(await first.db.$queryRaw`SELECT installed_version FROM pg_available_extensions WHERE name = 'vector'`).toEqual([{ installed_version: null }]);
    await first.db.$executeRawUnsafe('CREATE EXTENSION vector');
  } finally {
    await first.close();
  }
  expect(fs.readdirSync(dir)).toEqual(['pg']); // no staging folder left behind

  const second = await openDatabase({ databaseUrl: undefined, dataDir: dir });
  try {
    expect(second.applied).toEqual([]);
    expect(await second.db.user.findMany({ select: { handle: true } })).toEqual([{ handle: 'kept' }]);
    // An installed pgvector works again after a restart (the extension is loaded at every open).
    expect(await second.db.$queryRaw`SELECT ('[3,4]'::vector <=> '[6,8]'::vector)::float8 AS d`).toEqual([{ d: 0 }]);
  } finally {
    await second.close();
  }
  // Three embedded starts (staging, first, second), two with the migrations: 15 s on an idle
  // machine, past jest's 60 s when the suite's workers share two busy cores.
}, 180_000);

test('a data folder that is not a database stops the start with what to do', async () => {
  fs.mkdirSync(path.join(dir, 'pg'));
  fs.writeFileSync(path.join(dir, 'pg', 'PG_VERSION'), 'garbage');
  await expect(openDatabase({ databaseUrl: undefined, dataDir: dir })).rejects.toThrow(
    /^The embedded database in .*pg cannot be opened \(.*\)\. Move or delete that folder to start with a fresh database\.$/s,
  );
});
