// npm run db:seed -- [--papers N] [--seed S] [--days D] [--today DATE] [--force]
// npm run db:seed -- --sample
//
// Adds the generated demo catalog (--sample: the real papers a first start shows) to the app's
// database: DATABASE_URL when set, else the embedded database under DATA_DIR (migrations are
// applied first either way). Refuses a catalog that already has papers unless --force (never
// for --sample), so a real catalog never gets demo papers by accident.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { cliPlatform } from './platform.ts';
import { seedFirstStart } from '../catalog/demo/first-start.ts';
import { DEFAULT_DEMO_DAYS, DEFAULT_DEMO_PAPERS, DEFAULT_DEMO_SEED, MAX_DEMO_PAPERS, generateDemoCatalog, integerRange, isCatalogEmpty, type DemoOptions } from '../catalog/demo/generate.ts';

const USAGE = `usage: npm run db:seed -- [--papers N] [--seed S] [--days D] [--today YYYY-MM-DD] [--force]
       npm run db:seed -- --sample
  --sample      the real papers of src/catalog/demo/sample (through the importer) with generated users and
                votes: what a first start fills an empty embedded catalog with (empty catalogs only)
  --papers N    papers to add, 1-${MAX_DEMO_PAPERS} (default ${DEFAULT_DEMO_PAPERS}; 100000 for load tests)
  --seed S      integer; the same seed and day give the same catalog (default ${DEFAULT_DEMO_SEED})
  --days D      days, up to today, the papers are featured over, 1-3650 (default ${DEFAULT_DEMO_DAYS})
  --today DATE  generate as of this day or instant instead of now (ISO 8601, UTC)
  --force       add to a catalog that already has papers (same-named authors, users, topics are reused)`;

class UsageError extends Error {}

function integer(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^-?\d[\d_]*$/.test(raw) ? Number(raw.replace(/_/g, '')) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be ${integerRange(min, max)}; got "${raw}"`);
  }
  return value;
}

function day(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (!iso.test(raw) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--today must be a date like 2026-03-04 or an ISO instant like 2026-03-04T18:00:00Z; got "${raw}"`);
  }
  return date;
}

function parse(argv: string[]): (DemoOptions & { force: boolean; sample: boolean }) | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        papers: { type: 'string' },
        seed: { type: 'string' },
        days: { type: 'string' },
        today: { type: 'string' },
        force: { type: 'boolean', default: false },
        sample: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  if (values.sample) {
    const generatorOnly = (['papers', 'seed', 'days', 'today', 'force'] as const).filter((k) => values[k] !== undefined && values[k] !== false);
    if (generatorOnly.length) throw new UsageError(`--sample takes no --${generatorOnly.join(', --')}: the sample is what it is`);
  }
  return {
    papers: integer('papers', values.papers, 1, MAX_DEMO_PAPERS) ?? DEFAULT_DEMO_PAPERS,
    seed: integer('seed', values.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    days: integer('days', values.days, 1, 3650),
    today: day(values.today),
    force: values.force ?? false,
    sample: values.sample ?? false,
  };
}

/** Where the data goes, without the password a DATABASE_URL may carry. */
function describe(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return `the embedded database in ${dataDir}`;
  const url = new URL(databaseUrl);
  return `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 1;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    if (database.applied.length) console.log(`Applied migrations: ${database.applied.join(', ')}`);
    const where = describe(config.databaseUrl, config.dataDir);
    if (!options.force && !(await isCatalogEmpty(database.db))) {
      console.error(
        `The catalog in ${where} already has papers; refusing to add demo data to it. ` +
          'Run again with --force to add the demo catalog anyway.',
      );
      return 1;
    }
    const { force, sample, ...demo } = options;
    if (sample) {
      console.log(`Adding the sample of real papers to ${where}...`);
      const started = performance.now();
      const summary = await seedFirstStart(database.db);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `Catalog now has ${summary.papers} papers, ${summary.authors} authors and ${summary.topics} topics; ` +
          `added ${summary.users} users and ${summary.votes} votes in ${seconds} s.`,
      );
      await cliPlatform(database, config).trending.refreshNow();
      return 0;
    }
    console.log(`Adding ${demo.papers} demo papers to ${where}${force ? ' (--force)' : ''}...`);
    const started = performance.now();
    const summary = await generateDemoCatalog(database.db, {
      ...demo,
      onProgress: (message) => console.log(`  ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const n = (x: number) => x.toLocaleString('en-US');
    console.log(
      `Added ${n(summary.papers)} papers, ${n(summary.authors)} authors, ${n(summary.topics)} topics, ` +
        `${n(summary.users)} users and ${n(summary.votes)} votes in ${seconds} s.`,
    );
    // A running server would recompute these within TRENDING_REFRESH_SECONDS; do it now.
    await cliPlatform(database, config).trending.refreshNow();
    return 0;
  } finally {
    await database.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
