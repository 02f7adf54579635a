// The benchmark's data: a demo catalog at scale (src/catalog/demo/generate.ts) in a database of its own
// on a real PostgreSQL, reused across runs while it still holds the same catalog.
//
// A database is reused when its COMMENT (the marker, written last, after ANALYZE) names the
// same generator version, size and seed, it was generated at most MAX_AGE_DAYS ago (trending
// windows and daily pages are relative to now: an old catalog would have an empty WEEK), and
// its row counts still match. Anything else is dropped and generated again.
//
// The benchmark writes to it (upvotes, API tokens). Everything it writes is taken back before
// and after measuring: votes cast after the catalog's `today` are the benchmark's (the generator
// casts none later), and bench tokens carry the name BENCH_TOKEN_NAME.
import pg from 'pg';
import { createDb } from '../src/platform/db/client.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { generateDemoCatalog, type DemoSummary } from '../src/catalog/demo/generate.ts';
import { generateToken } from '../src/catalog/users/tokens.ts';

/** Bump when the generator or what the bench expects of the data changes. */
const MARKER_VERSION = 1;
const MAX_AGE_DAYS = 3;
export const BENCH_TOKEN_NAME = 'bench';

export interface CatalogSpec {
  /** postgresql://... of a role that may create databases; its path is ignored. */
  adminUrl: string;
  papers: number;
  seed: number;
  log: (message: string) => void;
}

export interface Marker {
  version: number;
  papers: number;
  seed: number;
  /** ISO instant passed to the generator as `today`. */
  today: string;
  counts: DemoSummary;
  generateMs: number;
  analyzeMs: number;
}

export interface BenchCatalog {
  name: string;
  url: string;
  marker: Marker;
  reused: boolean;
  /** Rows actually in the tables (checked at every run). */
  rows: Record<string, number>;
}

export function databaseName(papers: number): string {
  return papers % 1000 === 0 ? `catalog_bench_${papers / 1000}k` : `catalog_bench_${papers}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
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
  const name = databaseName(spec.papers);
  const url = withDatabase(spec.adminUrl, name);
  const existing = await readMarker(spec.adminUrl, name);
  if (fresh(existing, spec)) {
    // New migrations (others keep adding them) apply to a reused catalog too.
    const applied = await applyMigrations(url);
    if (applied.length) spec.log(`${name}: applied ${applied.join(', ')}`);
    await restoreCatalog(url, existing);
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
  const database = createDb({ connectionString: url, poolSize: 2 });
  const { db } = database;
  let counts: DemoSummary;
  const started = performance.now();
  try {
    spec.log(`${name}: generating ${spec.papers} papers (seed ${spec.seed}, today ${today.toISOString()})`);
    counts = await generateDemoCatalog(db, { papers: spec.papers, seed: spec.seed, today, onProgress: (m) => spec.log(`  ${m}`) });
  } finally {
    await database.close();
  }
  const generateMs = Math.round(performance.now() - started);
  const analyzeStarted = performance.now();
  await withClient(url, (client) => client.query('VACUUM ANALYZE'));
  const analyzeMs = Math.round(performance.now() - analyzeStarted);
  const marker: Marker = { version: MARKER_VERSION, papers: spec.papers, seed: spec.seed, today: today.toISOString(), counts, generateMs, analyzeMs };
  const rows = await withClient(url, countRows);
  // The marker goes last: an interrupted generation leaves no marker and is redone next time.
  await withClient(spec.adminUrl, (client) =>
    client.query(`COMMENT ON DATABASE ${ident(name)} IS ${pg.escapeLiteral(JSON.stringify(marker))}`),
  );
  spec.log(`${name}: generated in ${(generateMs / 1000).toFixed(1)} s, VACUUM ANALYZE ${(analyzeMs / 1000).toFixed(1)} s: ${JSON.stringify(rows)}`);
  return { name, url, marker, reused: false, rows };
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
  return withClient(url, async (client) => {
    await client.query(`DELETE FROM "ApiToken" WHERE name = $1`, [BENCH_TOKEN_NAME]);
    const { rows } = await client.query<{ id: number }>(
      `SELECT id FROM "User" WHERE role = 'READER' ORDER BY md5(id::text) LIMIT $1`,
      [count],
    );
    const tokens = rows.map((row) => ({ ...generateToken(), userId: row.id }));
    await client.query(
      `INSERT INTO "ApiToken" ("userId", name, prefix, "tokenHash")
       SELECT u, $1, p, h FROM unnest($2::int[], $3::text[], $4::text[]) AS t(u, p, h)`,
      [BENCH_TOKEN_NAME, tokens.map((t) => t.userId), tokens.map((t) => t.prefix), tokens.map((t) => t.tokenHash)],
    );
    return tokens.map(({ token, userId }) => ({ token, userId }));
  });
}
