// The benchmark's data: a demo catalog at scale (src/catalog/demo/generate.ts) in a database of its own
// on a real PostgreSQL, reused across runs while it still holds the same catalog.
//
// A database is reused when its COMMENT (the marker, written last, after ANALYZE) names the
// same generator version, size and seed, it was generated at most MAX_AGE_DAYS ago (trending
// windows and daily pages are relative to now: an old catalog would have an empty WEEK), and
// its row counts still match. Anything else is dropped and generated again.
//
// Alone, to build (or check) a catalog before a bench: `npx tsx bench/catalog.ts --papers 1000000`
// (prints each phase's time; BENCH_ADMIN_URL as for the benches). `--database NAME` builds into
// another database than catalog_bench_<N>k (experiments on the generator, without touching the
// catalog the benches use); `--drop` drops that database after (only with --database).
//
// The benchmark writes to it (upvotes, API tokens). Everything it writes is taken back before
// and after measuring: votes cast after the catalog's `today` are the benchmark's (the generator
// casts none later), and bench tokens carry the name BENCH_TOKEN_NAME.
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../src/platform/db/client.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { DEFAULT_DEMO_DAYS, generateDemoCatalogInParallel, type DemoSummary } from '../src/catalog/demo/generate.ts';
import { deferIndexes, restoreIndexesInParallel, type Sql } from '../src/catalog/demo/bulk.ts';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import { CpuMeter } from './cpu.ts';
import { generateToken } from '../src/catalog/users/tokens.ts';

/** Bump when the generator or what the bench expects of the data changes. */
const MARKER_VERSION = 2;
/**
 * Connections the build works on at once (rows, indexes, term vectors, VACUUM): one per core of
 * the machine the benches run on (2 here), so PostgreSQL's share of the build uses them all.
 */
const BUILD_CONNECTIONS = 2;
const MAX_AGE_DAYS = 3;
export const BENCH_TOKEN_NAME = 'bench';

export interface CatalogSpec {
  /** postgresql://... of a role that may create databases; its path is ignored. */
  adminUrl: string;
  papers: number;
  seed: number;
  log: (message: string) => void;
  /** Database name; default databaseName(papers), the one the benches use. */
  database?: string;
}

export interface Marker {
  version: number;
  papers: number;
  seed: number;
  /** ISO instant passed to the generator as `today`. */
  today: string;
  counts: DemoSummary;
  /** Featured days the papers are spread over (catalogs before 2026-12-07: 60 at every size). */
  days?: number;
  /** Writing every row, bulk mode: indexes, constraints and derived data built after the load. */
  generateMs: number;
  /** The related-papers statistics and term vectors (rebuildRelated), after the generation. */
  relatedMs?: number;
  analyzeMs: number;
  /** pg_database_size after VACUUM ANALYZE. */
  databaseBytes?: number;
  /**
   * Cores used on average over the whole build: by the generator (node), by its PostgreSQL
   * backends, and by everything else on the machine meanwhile (others' work on a shared machine);
   * cpuSeconds: the build's own CPU time (node and PostgreSQL), which others' load does not change much.
   */
  buildCpu?: { node: number; postgres: number; foreign: number; cpuSeconds: number };
}

export interface BenchCatalog {
  name: string;
  url: string;
  marker: Marker;
  reused: boolean;
  /** Rows actually in the tables (checked at every run). */
  rows: Record<string, number>;
}

/**
 * Featured days a catalog is spread over: as many papers a day as the 100k catalog has in its 60
 * days, so a daily page is the same size at every scale (and no arXiv month overflows its
 * 99,999 ids: 1M papers in 60 days would).
 */
export function catalogDays(papers: number): number {
  return Math.max(DEFAULT_DEMO_DAYS, Math.round((papers * DEFAULT_DEMO_DAYS) / 100_000));
}

export function databaseName(papers: number): string {
  return papers % 1000 === 0 ? `catalog_bench_${papers / 1000}k` : `catalog_bench_${papers}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A database `name` made anew on the admin's server (dropped first if it exists; a copy of
 * `template` when given, which must be idle) with every migration applied; its URL.
 */
export async function freshDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''}`);
  });
  const url = withDatabase(adminUrl, name);
  await applyMigrations(url);
  return url;
}

/** A client of its own for `fn`, ended after it (bench scripts' one-off statements). */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function readMarker(adminUrl: string, name: string): Promise<Marker | null | 'missing'> {
  return withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [name],
    );
    if (rows.length === 0) return 'missing';
    try {
      return JSON.parse(rows[0]!.comment ?? 'null') as Marker | null;
    } catch {
      return null;
    }
  });
}

export async function countRows(client: pg.ClientBase): Promise<Record<string, number>> {
  const { rows } = await client.query<Record<string, number>>(`
    SELECT (SELECT count(*) FROM "Paper")::int AS papers, (SELECT count(*) FROM "Author")::int AS authors,
           (SELECT count(*) FROM "Topic")::int AS topics, (SELECT count(*) FROM "User")::int AS users,
           (SELECT count(*) FROM "Vote")::int AS votes, (SELECT count(*) FROM "PaperAuthor")::int AS "paperAuthors",
           (SELECT count(*) FROM "PaperTopic")::int AS "paperTopics"`);
  return rows[0]!;
}

/** Takes back what a benchmark wrote: votes cast after the catalog's `today`, bench tokens. */
export async function restoreCatalog(url: string, marker: Marker): Promise<{ votesRemoved: number }> {
  return withClient(url, async (client) => {
    await client.query('BEGIN');
    const removed = await client.query<{ paperId: number }>(
      `DELETE FROM "Vote" WHERE "createdAt" > $1::timestamptz RETURNING "paperId"`,
      [marker.today],
    );
    if (removed.rowCount) {
      // Paper.upvoteCount must stay exactly the number of vote rows (an API invariant).
      await client.query(
        `UPDATE "Paper" p SET "upvoteCount" = (SELECT count(*) FROM "Vote" v WHERE v."paperId" = p.id)
         WHERE p.id = ANY($1::int[])`,
        [[...new Set(removed.rows.map((r) => r.paperId))]],
      );
    }
    await client.query(`DELETE FROM "ApiToken" WHERE name = $1`, [BENCH_TOKEN_NAME]);
    await client.query('COMMIT');
    return { votesRemoved: removed.rowCount ?? 0 };
  });
}

function fresh(marker: Marker | null | 'missing', spec: CatalogSpec): marker is Marker {
  if (marker === null || marker === 'missing') return false;
  const ageDays = (Date.now() - Date.parse(marker.today)) / 86_400_000;
  return marker.version === MARKER_VERSION && marker.papers === spec.papers && marker.seed === spec.seed && ageDays >= 0 && ageDays <= MAX_AGE_DAYS;
}

/** The bench database of `spec.papers` papers: reused when its marker says so, else built. */
export async function ensureCatalog(spec: CatalogSpec): Promise<BenchCatalog> {
  const name = spec.database ?? databaseName(spec.papers);
  const url = withDatabase(spec.adminUrl, name);
  let existing = await readMarker(spec.adminUrl, name);
  // Another process building this catalog (a 1M build takes a while; benches of several people
  // share the server) is waited for, not dropped from under it.
  for (let waited = 0; !fresh(existing, spec) && existing !== 'missing'; waited++) {
    const others = await withClient(spec.adminUrl, async (client) =>
      Number((await client.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name])).rows[0].n),
    );
    if (others === 0) break;
    if (waited % 10 === 0) spec.log(`${name}: ${others} other connection(s) to it and no marker yet: waiting for the process building it`);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    existing = await readMarker(spec.adminUrl, name);
  }
  if (fresh(existing, spec)) {
    // New migrations (others keep adding them) apply to a reused catalog too.
    const applied = await applyMigrations(url);
    if (applied.length) spec.log(`${name}: applied ${applied.join(', ')}`);
    await restoreCatalog(url, existing);
    // A build's settings (rebuildRelatedIn) stopped before it could reset them must not shape the plans measured.
    await withClient(spec.adminUrl, async (client) => {
      await client.query(`ALTER DATABASE ${ident(name)} RESET work_mem`);
      await client.query(`ALTER DATABASE ${ident(name)} RESET maintenance_work_mem`);
    });
    // Catalogs generated before the bench made the related-papers statistics have none yet.
    if (await withClient(url, async (client) => (await client.query(`SELECT NOT EXISTS (SELECT 1 FROM "RelatedTerm") AS missing`)).rows[0].missing)) {
      spec.log(`${name}: no related-papers statistics yet: rebuilding them`);
      // Indexes kept: this catalog has its marker already, so an interrupted rebuild must not
      // leave it reusable without them.
      await rebuildRelatedIn(url, spec.log, { deferIndex: false });
    }
    const rows = await withClient(url, countRows);
    const c = existing.counts;
    if (rows.papers === c.papers && rows.votes === c.votes && rows.authors === c.authors && rows.users === c.users && rows.topics === c.topics) {
      if (applied.length) await withClient(url, (client) => client.query('ANALYZE'));
      spec.log(`${name}: reusing the catalog generated as of ${existing.today} (${rows.papers} papers, ${rows.votes} votes)`);
      return { name, url, marker: existing, reused: true, rows };
    }
    spec.log(`${name}: row counts ${JSON.stringify(rows)} differ from the marker: generating again`);
  } else if (existing !== 'missing') {
    spec.log(`${name}: marker ${JSON.stringify(existing)?.slice(0, 200)} is not for this catalog (or older than ${MAX_AGE_DAYS} days): generating again`);
  }

  await withClient(spec.adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${ident(name)}`);
  });
  await applyMigrations(url);
  // Whole minutes: the catalog (dates, arXiv ids) depends only on seed and today.
  const today = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const database = createDb({ connectionString: url, poolSize: BUILD_CONNECTIONS + 1 });
  const { db } = database;
  let counts: DemoSummary;
  const days = catalogDays(spec.papers);
  const cpuSampler = sampleCpu(url);
  const started = performance.now();
  try {
    spec.log(`${name}: generating ${spec.papers} papers over ${days} days (seed ${spec.seed}, today ${today.toISOString()}) on ${BUILD_CONNECTIONS} connections`);
    // Bulk, on several connections (src/catalog/demo/write.ts, writeCatalogInParallel; not
    // atomic: the marker, written last, is what says this database is whole): indexes, keys and
    // derived data built after the load; the term vectors are left to rebuildRelatedIn below,
    // which computes them against fresh idf.
    counts = await generateDemoCatalogInParallel(db, {
      papers: spec.papers,
      seed: spec.seed,
      today,
      days,
      termVectors: false,
      connections: BUILD_CONNECTIONS,
      // With the build's CPU time so far: phases compared by it, not by their wall time alone, on a shared machine.
      onProgress: (m) => spec.log(`  ${m} [build CPU ${cpuSampler.seconds()} s, load ${os.loadavg()[0]!.toFixed(1)}]`),
    });
  } finally {
    await database.close();
  }
  const generateMs = Math.round(performance.now() - started);
  const relatedMs = await rebuildRelatedIn(url, (m) => spec.log(`${m} [build CPU ${cpuSampler.seconds()} s, load ${os.loadavg()[0]!.toFixed(1)}]`));
  const analyzeStarted = performance.now();
  await vacuumAnalyze(url, BUILD_CONNECTIONS);
  const analyzeMs = Math.round(performance.now() - analyzeStarted);
  const databaseBytes = await withClient(url, async (client) => Number((await client.query(`SELECT pg_database_size(current_database()) AS bytes`)).rows[0].bytes));
  const buildCpu = cpuSampler.stop();
  const marker: Marker = { version: MARKER_VERSION, papers: spec.papers, seed: spec.seed, today: today.toISOString(), counts, days, generateMs, relatedMs, analyzeMs, databaseBytes, buildCpu };
  const rows = await withClient(url, countRows);
  // The marker goes last: an interrupted generation leaves no marker and is redone next time.
  await withClient(spec.adminUrl, (client) =>
    client.query(`COMMENT ON DATABASE ${ident(name)} IS ${pg.escapeLiteral(JSON.stringify(marker))}`),
  );
  spec.log(
    `${name}: generated in ${(generateMs / 1000).toFixed(1)} s, related statistics ${(relatedMs / 1000).toFixed(1)} s, ` +
      `VACUUM ANALYZE ${(analyzeMs / 1000).toFixed(1)} s, ${(databaseBytes / 2 ** 30).toFixed(2)} GiB: ${JSON.stringify(rows)}; ` +
      `cores used on average: node ${buildCpu.node}, PostgreSQL ${buildCpu.postgres}, others' work ${buildCpu.foreign}; the build's CPU time ${buildCpu.cpuSeconds} s (load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')})`,
  );
  return { name, url, marker, reused: false, rows };
}

/** VACUUM ANALYZE of every table, `connections` tables at a time, the largest first. */
async function vacuumAnalyze(url: string, connections: number): Promise<void> {
  const tables = await withClient(url, async (client) =>
    (
      await client.query<{ name: string }>(
        `SELECT relname::text AS name FROM pg_class WHERE relkind IN ('r', 'm') AND relnamespace = current_schema()::regnamespace ORDER BY pg_total_relation_size(oid) DESC, relname`,
      )
    ).rows.map((r) => r.name),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, () =>
      withClient(url, async (client) => {
        while (next < tables.length) await client.query(`VACUUM (ANALYZE) ${ident(tables[next++]!)}`);
      }),
    ),
  );
}

/**
 * Where the CPU goes during a build, sampled every 2 s (a backend that ends between two samples
 * is missed: the generator's connections live for a whole phase).
 */
function sampleCpu(url: string): { stop(): NonNullable<Marker['buildCpu']>; seconds(): number } {
  const meter = new CpuMeter(url, () => []);
  const sum = { node: 0, postgres: 0, foreign: 0, seconds: 0 };
  let last = meter.snapshot();
  const sample = () => {
    const now = meter.snapshot();
    const share = CpuMeter.share(last, now);
    const seconds = (now.at - last.at) / 1000;
    sum.node += share.loadGenerator * seconds;
    sum.postgres += share.postgres * seconds;
    sum.foreign += share.foreign * seconds;
    sum.seconds += seconds;
    last = now;
  };
  const timer = setInterval(sample, 2000);
  return {
    /** The build's CPU time so far (node and its PostgreSQL backends). */
    seconds() {
      sample();
      return Math.round(sum.node + sum.postgres);
    },
    stop() {
      clearInterval(timer);
      sample();
      const per = (n: number) => Math.round((n / Math.max(0.001, sum.seconds)) * 100) / 100;
      return { node: per(sum.node), postgres: per(sum.postgres), foreign: per(sum.foreign), cpuSeconds: Math.round(sum.node + sum.postgres) };
    },
  };
}

/**
 * The related-papers idf snapshot and every paper's term vector against it (what
 * `npm run related:rebuild` does after a bulk import); returns how long it took.
 */
async function rebuildRelatedIn(url: string, log: (message: string) => void, { deferIndex = true } = {}): Promise<number> {
  const name = ident(decodeURIComponent(new URL(url).pathname.slice(1)));
  // Sorts of 20,000 papers' words in memory, and the vectors' secondary index built once at the
  // end rather than kept through 25 million inserts (at 1M papers). The settings are the bench
  // database's own, for the connections opened here, and reset after.
  await withClient(url, (client) => client.query(`ALTER DATABASE ${name} SET work_mem = '256MB'`));
  await withClient(url, (client) => client.query(`ALTER DATABASE ${name} SET maintenance_work_mem = '512MB'`));
  const database = createDb({ connectionString: url, poolSize: BUILD_CONNECTIONS + 1 });
  const started = performance.now();
  try {
    // Only on a catalog without its marker yet: one interrupted here is generated again.
    const deferred = deferIndex ? await deferIndexes(database.db, ['PaperTerm']) : { indexes: [], constraints: [] };
    const report = await rebuildRelated(database.db, { batchSize: 20_000, connections: BUILD_CONNECTIONS });
    const indexStarted = performance.now();
    const transaction = <T>(fn: (sql: Sql) => Promise<T>) => database.db.$transaction((tx) => fn(tx), { maxWait: 60_000, timeout: 3_600_000 });
    await restoreIndexesInParallel({ transaction }, deferred, BUILD_CONNECTIONS);
    await database.db.$executeRawUnsafe('ANALYZE "PaperTerm"');
    log(
      `  related statistics: ${report.terms} terms, ${report.vectorRows} vector rows (snapshot ${(report.snapshotMs / 1000).toFixed(1)} s, ` +
        `vectors ${(report.vectorsMs / 1000).toFixed(1)} s, vacuum ${(report.vacuumMs / 1000).toFixed(1)} s, indexes ${((performance.now() - indexStarted) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await database.close();
    await withClient(url, (client) => client.query(`ALTER DATABASE ${name} RESET work_mem`));
    await withClient(url, (client) => client.query(`ALTER DATABASE ${name} RESET maintenance_work_mem`));
  }
  return Math.round(performance.now() - started);
}

export interface BenchToken {
  token: string;
  userId: number;
}

/**
 * API tokens for `count` readers, spread over the user ids. Stored hashed like any token (the
 * secrets live only in this process); the previous run's bench tokens are deleted first.
 */
export async function createBenchTokens(url: string, count: number): Promise<BenchToken[]> {
  const userIds = await withClient(url, async (client) =>
    (await client.query<{ id: number }>(`SELECT id FROM "User" WHERE role = 'READER' ORDER BY md5(id::text) LIMIT $1`, [count])).rows.map((r) => r.id),
  );
  return createTokensFor(url, userIds);
}

/** A bench API token for each of these users (the previous run's bench tokens are deleted first). */
export async function createTokensFor(url: string, userIds: readonly number[]): Promise<BenchToken[]> {
  return withClient(url, async (client) => {
    await client.query(`DELETE FROM "ApiToken" WHERE name = $1`, [BENCH_TOKEN_NAME]);
    const tokens = userIds.map((userId) => ({ ...generateToken(), userId }));
    await client.query(
      `INSERT INTO "ApiToken" ("userId", name, prefix, "tokenHash")
       SELECT u, $1, p, h FROM unnest($2::int[], $3::text[], $4::text[]) AS t(u, p, h)`,
      [BENCH_TOKEN_NAME, tokens.map((t) => t.userId), tokens.map((t) => t.prefix), tokens.map((t) => t.tokenHash)],
    );
    return tokens.map(({ token, userId }) => ({ token, userId }));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { papers: { type: 'string', default: '100000' }, seed: { type: 'string', default: '42' }, database: { type: 'string' }, drop: { type: 'boolean', default: false } },
  });
  if (values.drop && !values.database) throw new Error('--drop only goes with --database NAME: the benches\' catalogs are kept');
  const adminUrl = process.env.BENCH_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const log = (message: string) => console.log(`[catalog ${new Date().toISOString().slice(11, 19)}] ${message}`);
  const catalog = await ensureCatalog({ adminUrl, papers: Number(values.papers), seed: Number(values.seed), log, database: values.database });
  console.log(JSON.stringify({ name: catalog.name, reused: catalog.reused, marker: catalog.marker, rows: catalog.rows }));
  if (values.drop) await withClient(adminUrl, (client) => client.query(`DROP DATABASE ${ident(catalog.name)} WITH (FORCE)`));
}
