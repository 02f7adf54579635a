// viewer.feed at 100k papers: `tsx bench/follows.ts` (after `npm run bench` built catalog_bench_100k).
//
// The shared bench catalog is left untouched: it is copied to catalog_bench_100k_follows (as a
// template, or by pg_dump when another session holds it), migrated to this branch, and given
// follows. Two kinds of readers, 500 each, with their own API tokens:
//   typical: the authors of 2 random papers (about 14) and 3 random topics;
//   heavy:   the authors of 8 random papers (about 54) and the 5 largest topics (thousands of
//            papers to choose the newest from).
// Then the API (dist/, as production runs it) answers `viewer { feed(first: 20) }` with authors
// and topics under 16 connections, per kind, and EXPLAIN ANALYZE shows the feed statement of
// one reader of each kind. Writes bench/results/<date>-follows.{md,json}.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { withDatabase } from './catalog.ts';
import { runLoad, type LoadResult } from './load.ts';
import { apiServer, buildApi, freePort, ROOT, startServer } from './processes.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { createDb } from '../src/platform/db/client.ts';
import { benchPlatform } from './platform.ts';
import type { ReadStatement } from '../src/platform/db/reader.ts';
import { followFeed } from '../src/catalog/follows/reads.ts';
import { paperReads } from '../src/catalog/papers/reads.ts';
import { generateToken } from '../src/catalog/users/tokens.ts';

const ADMIN = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SOURCE = 'catalog_bench_100k';
const TARGET = 'catalog_bench_100k_follows';
const READERS = 500;
const CONNECTIONS = 16;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 15);
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** The same page of the catalog's newest-by-arXiv-date list, signed in: the reference in this run. */
const NEWEST = `query Newest($first: Int!) { papers(first: $first, orderBy: { field: PUBLISHED_AT }) { nodes { arxivId title publishedAt upvotes authors { name } topics { slug } } pageInfo { endCursor hasNextPage } } }`;
const FEED = `query Feed($first: Int!) { viewer { feed(first: $first) { nodes { arxivId title publishedAt upvotes authors { name } topics { slug } } pageInfo { endCursor hasNextPage } } } }`;

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function copyCatalog(): Promise<string> {
  const url = withDatabase(ADMIN, TARGET);
  const exists = await sql(ADMIN, `SELECT 1 FROM pg_database WHERE datname = $1`, [TARGET]);
  if (exists.length) {
    log(`${TARGET} exists: reused`);
    return url;
  }
  for (let attempt = 0; attempt < 12; attempt++) {
    try {
      await sql(ADMIN, `CREATE DATABASE ${TARGET} TEMPLATE ${SOURCE}`);
      log(`${TARGET} copied from ${SOURCE} (template)`);
      return url;
    } catch (error) {
      if (!/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
  log(`${SOURCE} stays busy: copying it with pg_dump instead`);
  await sql(ADMIN, `CREATE DATABASE ${TARGET}`);
  execSync(`pg_dump --no-owner "${withDatabase(ADMIN, SOURCE)}" | psql -q "${url}" > /dev/null`, { stdio: ['ignore', 'inherit', 'inherit'], shell: '/bin/bash' });
  await sql(url, 'VACUUM ANALYZE');
  return url;
}

interface Reader {
  userId: number;
  token: string;
}

/** 500 readers of a kind: follows written, tokens created (previous bench rows replaced). */
async function seedReaders(url: string, kind: 'typical' | 'heavy', offset: number): Promise<Reader[]> {
  const users = await sql<{ id: number }>(url, `SELECT id FROM "User" WHERE role = 'READER' ORDER BY md5(id::text) OFFSET $1 LIMIT $2`, [offset, READERS]);
  const ids = users.map((u) => u.id);
  await sql(url, `DELETE FROM "Follow" WHERE "userId" = ANY($1)`, [ids]);
  await sql(url, `DELETE FROM "ApiToken" WHERE "userId" = ANY($1) AND name = 'bench-follows'`, [ids]);
  // Authors: those of a few random papers each (as users follow authors they read; the bench
  // catalog has 6.8 authors a paper); topics: 3 random ones, or the 5 largest for heavy readers.
  const papersPerReader = kind === 'typical' ? 2 : 8;
  const followers: number[] = [];
  const paperIds: number[] = [];
  for (const userId of ids) {
    for (let k = 0; k < papersPerReader; k++) {
      followers.push(userId);
      paperIds.push(1 + Math.floor(Math.random() * 100_000));
    }
  }
  await sql(url, `
    INSERT INTO "Follow" ("userId", "authorId")
    SELECT DISTINCT c.u, pa."authorId" FROM unnest($1::int[], $2::int[]) AS c(u, p) JOIN "PaperAuthor" pa ON pa."paperId" = c.p
    ON CONFLICT DO NOTHING`, [followers, paperIds]);
  const topics = (await sql<{ id: number }>(url, kind === 'typical'
    ? `SELECT id FROM "Topic"`
    : `SELECT "topicId" AS id FROM "PaperTopic" GROUP BY "topicId" ORDER BY count(*) DESC LIMIT 5`)).map((t) => t.id);
  const topicUsers: number[] = [];
  const topicIds: number[] = [];
  for (const userId of ids) {
    const chosen = kind === 'typical' ? [...new Set(Array.from({ length: 3 }, () => topics[Math.floor(Math.random() * topics.length)]!))] : topics;
    for (const topicId of chosen) {
      topicUsers.push(userId);
      topicIds.push(topicId);
    }
  }
  await sql(url, `INSERT INTO "Follow" ("userId", "topicId") SELECT * FROM unnest($1::int[], $2::int[]) ON CONFLICT DO NOTHING`, [topicUsers, topicIds]);
  const tokens = ids.map((userId) => ({ userId, ...generateToken() }));
  await sql(
    url,
    `INSERT INTO "ApiToken" ("userId", name, prefix, "tokenHash") SELECT u, 'bench-follows', p, h FROM unnest($1::int[], $2::text[], $3::text[]) AS t(u, p, h)`,
    [tokens.map((t) => t.userId), tokens.map((t) => t.prefix), tokens.map((t) => t.tokenHash)],
  );
  await sql(url, `ANALYZE "Follow"`);
  return tokens.map(({ userId, token }) => ({ userId, token }));
}

/** The statement the feed sends for this reader, as listPapers builds it, under EXPLAIN ANALYZE. */
async function explainFeed(url: string, userId: number): Promise<{ plan: string; candidates: number }> {
  const db = createDb({ connectionString: url, poolSize: 1 });
  try {
    // The last statement is the page (the first is the candidate probe).
    let captured: ReadStatement | undefined;
    const real = db.reader;
    const capturing = { rows: <R>(statement: ReadStatement, name?: string) => ((captured = statement), real.rows<R>(statement, name)) };
    await followFeed({ ...paperReads(benchPlatform(db)), reader: capturing }, userId, { first: 20 }, { withRelations: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${captured!.text}`, captured!.values as unknown[]); // warm
      const plan = (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${captured!.text}`, captured!.values as unknown[])).rows.map((r) => r['QUERY PLAN']).join('\n');
      const [{ n }] = (await client.query(`
        SELECT count(*)::int AS n FROM (
          SELECT pa."paperId" FROM "Follow" f JOIN "PaperAuthor" pa ON pa."authorId" = f."authorId" WHERE f."userId" = $1
          UNION SELECT pt."paperId" FROM "Follow" f JOIN "PaperTopic" pt ON pt."topicId" = f."topicId" WHERE f."userId" = $1) c`, [userId])).rows;
      return { plan, candidates: n };
    } finally {
      await client.end();
    }
  } finally {
    await db.close();
  }
}

async function main() {
  const url = await copyCatalog();
  log('migrating the copy to this branch');
  const applied = await applyMigrations(url);
  log(applied.length ? `applied ${applied.join(', ')}` : 'no pending migration');
  const typical = await seedReaders(url, 'typical', 0);
  const heavy = await seedReaders(url, 'heavy', READERS);
  const follows = (await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM "Follow"`))[0]!.n;
  log(`${follows} follows for ${2 * READERS} readers`);

  const explains = { typical: await explainFeed(url, typical[0]!.userId), heavy: await explainFeed(url, heavy[0]!.userId) };

  // BENCH_SKIP_BUILD=1: dist/ is already this tree's build.
  if (!process.env.BENCH_SKIP_BUILD) buildApi(log);
  const logFile = path.join(os.tmpdir(), `bench-follows-${process.pid}.log`);
  const port = await freePort();
  const server = await startServer({
    name: 'api',
    ...apiServer('dist'),
    env: { DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', SEED_DEMO: 'false', RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '1000000', TRENDING_REFRESH_SECONDS: '86400' },
    logFile,
    // The API recomputes trending scores (1M votes) before it is ready: minutes on a busy machine.
    readyTimeoutMs: 600_000,
  });
  const results: Record<string, LoadResult> = {};
  try {
    for (const [kind, readers] of [['newest (reference)', typical], ['typical', typical], ['heavy', heavy]] as const) {
      let i = 0;
      const query = kind === 'newest (reference)' ? NEWEST : FEED;
      const next = () => {
        const reader = readers[i++ % readers.length]!;
        return { path: '/graphql', body: JSON.stringify({ query, variables: { first: 20 } }), headers: { 'content-type': 'application/json', authorization: `Bearer ${reader.token}` } };
      };
      await runLoad({ url: server.url, connections: CONNECTIONS, durationS: 3, maxRequests: 5_000, next }); // warm-up
      results[kind] = await runLoad({ url: server.url, connections: CONNECTIONS, durationS: DURATION_S, maxRequests: 250_000, next });
      log(`${kind}: ${JSON.stringify(results[kind])}`);
    }
  } finally {
    await server.stop();
  }

  const date = new Date().toISOString().slice(0, 10);
  const out = path.join(ROOT, 'bench/results', `${date}-follows`);
  const loadavg = os.loadavg();
  fs.writeFileSync(`${out}.json`, JSON.stringify({ date: new Date().toISOString(), loadavg, connections: CONNECTIONS, durationS: DURATION_S, follows, results, explains }, null, 2));
  log(`wrote ${path.relative(ROOT, out)}.json`);
}

await main();
