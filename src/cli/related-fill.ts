// npm run related:fill [-- --workers 2] [--batch 200] [--queue-missing] [--minutes N]
// Drains the related-papers queue now (src/catalog/related/neighbours.ts), in the database of
// DATABASE_URL (or the embedded one in DATA_DIR), with several workers on disjoint papers: the
// first fill after the migration, a bulk load or `npm run related:rebuild -- --lists`, which the
// server's job (one worker, batches of 50) would take hours over. Safe while the API serves and
// beside the server's job. Prints progress (papers/s) and a JSON report.
// --queue-missing: first queue every paper that has no list and is not queued (a catalog loaded
// in bulk, around the triggers).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { drainRelated } from '../catalog/related/neighbours.ts';

const USAGE = 'usage: npm run related:fill [-- --workers <n, default 2>] [--batch <papers per batch, default 200>] [--queue-missing] [--minutes <stop after>]';

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a positive number; got "${value}"\n${USAGE}`);
  return n;
}

async function main(): Promise<number> {
  let values;
  let workers: number, batchSize: number, minutes: number;
  try {
    ({ values } = parseArgs({ options: { workers: { type: 'string' }, batch: { type: 'string' }, minutes: { type: 'string' }, 'queue-missing': { type: 'boolean' } } }));
    workers = Math.round(positive('workers', values.workers, 2));
    batchSize = Math.round(positive('batch', values.batch, 200));
    minutes = positive('minutes', values.minutes, Infinity);
  } catch (error) {
    console.error((error as Error).message.includes('usage') ? (error as Error).message : `${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  if (!config.databaseUrl && workers > 1) {
    // The embedded database runs one statement at a time on one backend: workers would only queue.
    console.error(`the embedded database has one backend: one worker, not ${workers}`);
    workers = 1;
  }
  // No statement time limit: a batch computes up to --batch lists in one statement.
  const database = await openDatabase(config.database ? { ...config, database: { ...config.database, statementTimeoutMs: 0 } } : config, { poolSize: workers + 2 });
  try {
    const { db } = database;
    if (values['queue-missing']) {
      const queued = await db.$executeRawUnsafe(
        `INSERT INTO "RelatedQueue" ("paperId", xid)
         SELECT p.id, pg_current_xact_id()::text::bigint FROM "Paper" p
         WHERE NOT EXISTS (SELECT 1 FROM "PaperNeighbours" n WHERE n."paperId" = p.id)
         ON CONFLICT ("paperId") DO NOTHING`,
      );
      console.error(`queued ${queued} papers without a list`);
    }
    const started = performance.now();
    let reported = started;
    const report = await drainRelated(db, {
      workers,
      batchSize,
      stopped: () => performance.now() - started > minutes * 60_000,
      onBatch: (r) => {
        if (performance.now() - reported > 10_000) {
          reported = performance.now();
          const s = (reported - started) / 1000;
          console.error(`${r.papers} papers in ${s.toFixed(0)} s: ${(r.papers / s).toFixed(1)} papers/s (step 1 ${(r.computeMs / 1000).toFixed(0)} s, step 2 ${(r.proposeMs / 1000).toFixed(0)} s over ${workers} workers)`);
        }
      },
    });
    console.log(JSON.stringify({ ...report, papersPerSecond: Math.round((report.papers / (report.ms / 1000)) * 10) / 10, workers, batchSize }));
    return 0;
  } finally {
    await database.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
