// The discovery bench (issue 24): how fast readers *find* papers (keyword and hybrid search,
// related papers, "for you") next to the three core reads, at 100k papers and at 1M, on one
// production build of the API, 16 connections, parameters drawn per request, each operation
// loaded in turn in one run. Writes bench/results/<date>-discovery[-<name>].{md,json} with the
// EXPLAIN (ANALYZE, BUFFERS) of every statement each operation sends.
//
//   npm run bench -- --discovery --papers 1000000      (or: npm run bench:discovery -- --papers 1000000)
//
// Each operation gets a bounded time: loaded for --seconds, or, when it is slower than that
// allows (fewer than 4 answers per connection expected), sent a fixed number of requests (at
// least 2 per connection) whose every answer is waited for. So a search taking 30 s at 1M is
// measured (a duration-bound load drops the answers still in flight: it would measure nothing)
// and the whole run stays bounded. The API's own time limits are raised for the same reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDb } from '../src/platform/db/client.ts';
import { drainRelated } from '../src/catalog/related/neighbours.ts';
import { PROFILE_CTES } from '../src/catalog/related/profile.ts';
import { fromGlobalId } from '../src/platform/global-id.ts';
import { benchPlatform } from './platform.ts';
import { catalogDays, countRows, createTokensFor, databaseName, ensureCatalog, restoreCatalog, withClient, withDatabase, type BenchCatalog, type BenchToken, type Marker } from './catalog.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { CpuMeter, type CpuShare } from './cpu.ts';
import { explainOperations, type ExplainedOperation } from './explain.ts';
import { runLoad, type LoadResult } from './load.ts';
import { loadInputs, OPERATIONS, rng, type HttpCall, type Inputs } from './operations.ts';
import { apiServer, buildApi, nodeVersion, ROOT, SupervisedServer, tail } from './processes.ts';
import { f0, f2, k, mark, pct, problems, ratio, table } from './report.ts';
import { API_ENV, machine } from './run.ts';

const USAGE = `usage: npm run bench -- --discovery [--papers 1000000] [--seconds 20] [--connections 16] [--only op,op] [--name NAME]
  --papers       the largest catalog (default 1000000); 100k is measured first as the reference (100000: 100k alone)
  --seconds      load per operation (default 20); slower operations get a fixed number of requests instead (see bench/discovery.ts)
  --connections  default 16
  --only         some operations: ${'${ops}'}
  --related-job  the API fills the precomputed related lists while measuring (RELATED_REFRESH_SECONDS=30;
                 the benches' default is 0: a catalog built in bulk has no lists, and its first fill
                 competes with every read)
  --live-related measure related and "for you" on the live path: the lists of the papers read are not
                 computed first (by default they are, and kept in the catalog: see the report)
  --copy NAME    measure NAME, a copy of the catalog (CREATE DATABASE NAME TEMPLATE catalog_bench_100k),
                 instead of the shared catalog: this branch's migrations and lists go to the copy only
                 (one size: with --papers 100000 or the copy's size); the marker is read from the original
  --name         report name: bench/results/<date>-discovery-NAME.md (default: bench/results/<date>-discovery.md)
env: BENCH_ADMIN_URL  PostgreSQL where the bench databases are created (default postgresql://postgres@127.0.0.1:5432/postgres)`;

/**
 * The API's limits raised so that slow operations are measured, not cut (see the head comment),
 * and no connection kept from anonymous reads: with it, one anonymous client's 16 connections
 * of slow reads are shed (503 SERVICE_OVERLOADED), as designed for a public server.
 */
const DISCOVERY_API_ENV: Record<string, string> = {
  ...API_ENV,
  DATABASE_RESERVED_CONNECTIONS: '0',
  GRAPHQL_OPERATION_TIMEOUT_MS: '300000',
  DATABASE_STATEMENT_TIMEOUT_MS: '300000',
  DATABASE_POOL_TIMEOUT_MS: '300000',
};
const REQUEST_TIMEOUT_S = 300;
const REFERENCE_PAPERS = 100_000;

/** The search every KEYWORD and HYBRID operation loads (bench/search.ts loads the same). */
export const SEARCH = `query Search($query: String!, $mode: SearchMode) {
  papers(query: $query, searchMode: $mode, first: 20) {
    totalCount
    edges {
      node { id arxivId title publishedAt upvotes authors { id name } }
      highlight { title abstract }
    }
  }
}`;
const RELATED_ONE = `query Related($id: ID!) {
  paper(id: $id) { id related(first: 10) { score paper { id arxivId title } } }
}`;
const RELATED_PAGE = `query RelatedPage($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Paper { id arxivId title related(first: 10) { score paper { id arxivId title } } } }
}`;
const RECOMMENDED = `query ForYou {
  viewer { recommendedPapers(first: 20) { score paper { id arxivId title } } }
}`;

/**
 * Search queries by kind, drawn per request. The shares of papers they match are measured on
 * each catalog and reported; a "common" word must match more than 10 % of the papers.
 * Words of the generator's vocabulary (src/catalog/demo/vocabulary.ts, text.ts); the rare ones
 * are method names, which a few papers in 10,000 carry.
 */
export const QUERY_POOLS = {
  common: ['model', 'training', 'learning', 'data', 'performance'],
  rare: ['NexusSplat', 'OrionBot', 'PrismVLA', 'NovaSpeech', 'MiniPix'],
  words: ['video diffusion transformer', 'reinforcement learning reward', 'language model reasoning', 'depth estimation benchmark', 'sparse attention inference'],
  phrase: ['"large language models"', '"novel view synthesis"', '"retrieval-augmented generation"', '"diffusion transformers"', '"monocular depth estimation"'],
} as const;
type QueryKind = keyof typeof QUERY_POOLS;
const COMMON_SHARE = 0.1;

export const DISCOVERY_OPERATIONS = [
  'dailyAnon', 'paper', 'newest',
  'searchCommon', 'searchRare', 'searchWords', 'searchPhrase', 'searchHybrid',
  'relatedOne', 'relatedPage', 'recommended',
] as const;
export type DiscoveryOperation = (typeof DISCOVERY_OPERATIONS)[number];

interface OperationSpec {
  title: string;
  document: string;
  /** The daily page is the reference every ratio is taken to. */
  reference?: true;
  /** The issue's p99 goal at 1M, ms. */
  goalP99Ms?: number;
}

export const SPECS: Record<DiscoveryOperation, OperationSpec> = {
  dailyAnon: { title: 'daily page, 50 papers with authors and topics', document: OPERATIONS.dailyAnon.document, reference: true },
  paper: { title: 'paper page', document: OPERATIONS.paper.document },
  newest: { title: 'newest list, 50 papers', document: OPERATIONS.newest.document },
  searchCommon: { title: `KEYWORD search, a common word (> ${pct(COMMON_SHARE)} of papers), 20 hits with snippets`, document: SEARCH, goalP99Ms: 100 },
  searchRare: { title: 'KEYWORD search, a rare word', document: SEARCH, goalP99Ms: 100 },
  searchWords: { title: 'KEYWORD search, three words', document: SEARCH, goalP99Ms: 100 },
  searchPhrase: { title: 'KEYWORD search, a quoted phrase', document: SEARCH, goalP99Ms: 100 },
  searchHybrid: { title: 'HYBRID search (queries of all four kinds)', document: SEARCH, goalP99Ms: 150 },
  relatedOne: { title: '`Paper.related(first: 10)` of one paper', document: RELATED_ONE },
  relatedPage: { title: '`related(first: 10)` for each paper of a 20-paper page', document: RELATED_PAGE, goalP99Ms: 50 },
  recommended: { title: '`viewer.recommendedPapers(first: 20)`, a reader with ~200 upvotes', document: RECOMMENDED, goalP99Ms: 100 },
};

interface Call {
  variables: Record<string, unknown>;
  token?: string;
  /** For EXPLAIN: the signed-in user. */
  userId?: number;
}

interface QueryShare {
  kind: QueryKind;
  query: string;
  matches: number;
  share: number;
}

interface Readers {
  tokens: BenchToken[];
  /** Upvotes of the chosen readers. */
  votes: { min: number; max: number; mean: number };
}

interface DiscoveryInputs extends Inputs {
  readers: Readers;
  shares: QueryShare[];
}

/**
 * The precomputed related lists of the papers the run reads (relatedOne and relatedPage: the
 * sample papers; recommended: the readers' profile papers), computed before the load so that
 * the precomputed read is measured, not the live computation of a paper without a list.
 */
export interface RelatedFill {
  /** Papers the run reads the lists of. */
  papers: number;
  /** Of those, with a list already (an earlier run's fill; the bench catalog is built without lists). */
  hadList: number;
  /** Lists computed by this run, and how long it took (two workers). */
  filled: number;
  ms: number;
  /** After the fill: the papers read that have a list (all of them, or the report says not). */
  withList: number;
  /** Lists in the whole catalog after the fill. */
  catalogLists: number;
  skipped?: true;
}

function callMaker(op: DiscoveryOperation, inputs: DiscoveryInputs, seed: number): () => Call {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const search = (kind: QueryKind, mode: 'KEYWORD' | 'HYBRID') => () => ({ variables: { query: pick(QUERY_POOLS[kind]), mode } });
  switch (op) {
    case 'dailyAnon':
      return () => ({ variables: { date: pick(inputs.dailyDates) } });
    case 'paper':
      return () => ({ variables: { arxivId: pick(inputs.arxivIds) } });
    case 'newest':
      return () => ({ variables: {} });
    case 'searchCommon':
      return search('common', 'KEYWORD');
    case 'searchRare':
      return search('rare', 'KEYWORD');
    case 'searchWords':
      return search('words', 'KEYWORD');
    case 'searchPhrase':
      return search('phrase', 'KEYWORD');
    case 'searchHybrid': {
      const kinds = Object.keys(QUERY_POOLS) as QueryKind[];
      return () => search(pick(kinds), 'HYBRID')();
    }
    case 'relatedOne':
      return () => ({ variables: { id: pick(inputs.paperGlobalIds) } });
    case 'relatedPage':
      return () => ({ variables: { ids: Array.from({ length: 20 }, () => pick(inputs.paperGlobalIds)) } });
    case 'recommended':
      return () => {
        const reader = pick(inputs.readers.tokens);
        return { variables: {}, token: reader.token, userId: reader.userId };
      };
    default: {
      const unreachable: never = op;
      throw new Error(`unknown operation ${String(unreachable)}`);
    }
  }
}

function toRequest(op: DiscoveryOperation, call: Call): HttpCall {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  return { path: '/graphql', body: JSON.stringify({ query: SPECS[op].document, variables: call.variables }), headers };
}

export interface DiscoveryMeasure extends LoadResult {
  /** duration: loaded for the step's seconds; amount: a fixed number of requests, each answer waited for. */
  mode: 'duration' | 'amount';
  /** The warm-up's rate, which chose the mode. */
  probeRps: number;
  cpu: CpuShare;
  apiRssPeakMb: number;
}

export interface DiscoveryScale {
  papers: number;
  database: string;
  catalog: { reused: boolean; marker: BenchCatalog['marker']; rows: Record<string, number> };
  dailyDates: string[];
  readers: Readers['votes'] & { count: number };
  relatedFill: RelatedFill;
  shares: QueryShare[];
  operations: Partial<Record<DiscoveryOperation, DiscoveryMeasure>>;
  explain: ExplainedOperation[];
  memory: { apiRssPeakUnderLoadMb: number; apiVmHwmMb: number };
  restarts: SupervisedServer['restarts'];
  wallSeconds: number;
}

export interface DiscoveryResult {
  startedAt: string;
  command: string;
  machine: Record<string, string | number>;
  api: { command: string; node: string; env: Record<string, string> };
  connections: number;
  stepSeconds: number;
  loadAverage: { start: number[]; end: number[] };
  scales: DiscoveryScale[];
  wallSeconds: number;
}

const log = (message: string) => console.log(`[discovery ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Readers whose upvotes are nearest 200 (190 to 210), at most 50, each given a bench token. */
async function readersWith200Upvotes(url: string): Promise<Readers> {
  const rows = await withClient(url, async (client) =>
    (await client.query<{ id: number; votes: number }>(`
      SELECT v."userId" AS id, count(*)::int AS votes FROM "Vote" v JOIN "User" u ON u.id = v."userId"
      WHERE u.role = 'READER' GROUP BY v."userId" HAVING count(*) BETWEEN 190 AND 210
      ORDER BY abs(count(*) - 200), md5(v."userId"::text) LIMIT 50`)).rows,
  );
  if (rows.length < 10) throw new Error(`only ${rows.length} readers have 190 to 210 upvotes: the catalog lacks the readers "for you" is measured for`);
  const votes = rows.map((r) => r.votes);
  return {
    tokens: await createTokensFor(url, rows.map((r) => r.id)),
    votes: { min: Math.min(...votes), max: Math.max(...votes), mean: Math.round((votes.reduce((a, b) => a + b, 0) / votes.length) * 10) / 10 },
  };
}

/**
 * Computes the precomputed related lists of the papers the run reads that have none: queued
 * (with this transaction's id, as a write queues them) and drained by two workers, those papers
 * only. The lists stay in the catalog (they are what a server's first fill computes anyway);
 * restoreCatalog leaves them.
 */
async function fillRelated(url: string, inputs: DiscoveryInputs, live: boolean): Promise<RelatedFill> {
  const sample = inputs.paperGlobalIds.map((id) => fromGlobalId(id).id);
  const profiles = await withClient(url, async (client) => {
    const ids = new Set<number>();
    for (const reader of inputs.readers.tokens) {
      for (const row of (await client.query<{ paperId: number }>(`WITH ${PROFILE_CTES.trim()} SELECT "paperId" FROM profile`, [reader.userId])).rows) ids.add(row.paperId);
    }
    return ids;
  });
  const ids = [...new Set([...sample, ...profiles])];
  const count = (sql: string) => withClient(url, async (client) => Number((await client.query(sql, [ids])).rows[0].n));
  const withList = () => count(`SELECT count(*) AS n FROM "PaperNeighbours" WHERE "paperId" = ANY($1::int[])`);
  const hadList = await withList();
  const catalogLists = () => count(`SELECT count(*) AS n FROM "PaperNeighbours" WHERE $1::int[] IS NOT NULL`);
  if (live) return { papers: ids.length, hadList, filled: 0, ms: 0, withList: hadList, catalogLists: await catalogLists(), skipped: true };
  const started = performance.now();
  await withClient(url, (client) =>
    client.query(
      `INSERT INTO "RelatedQueue" ("paperId", xid)
       SELECT id, pg_current_xact_id()::text::bigint FROM unnest($1::int[]) id
       WHERE NOT EXISTS (SELECT 1 FROM "PaperNeighbours" n WHERE n."paperId" = id)
       ON CONFLICT ("paperId") DO NOTHING`,
      [ids],
    ),
  );
  const database = createDb({ connectionString: url, poolSize: 4, statementTimeoutMs: 0 });
  let filled = 0;
  try {
    const report = await drainRelated(database.db, { only: ids, workers: 2, batchSize: 200 });
    filled = report.papers;
  } finally {
    await database.close();
  }
  const ms = performance.now() - started;
  const after = await withList();
  if (after < ids.length) throw new Error(`related lists: ${ids.length - after} of the ${ids.length} papers read have no list after the fill`);
  return { papers: ids.length, hadList, filled, ms, withList: after, catalogLists: await catalogLists() };
}

/** How many listed papers each query matches (websearch_to_tsquery over the search document). */
async function queryShares(url: string): Promise<QueryShare[]> {
  return withClient(url, async (client) => {
    const total = Number((await client.query(`SELECT count(*) AS n FROM "Paper" WHERE "hiddenAt" IS NULL`)).rows[0].n);
    const shares: QueryShare[] = [];
    for (const [kind, queries] of Object.entries(QUERY_POOLS) as [QueryKind, readonly string[]][]) {
      for (const query of queries) {
        const matches = Number(
          (await client.query(`SELECT count(*) AS n FROM "Paper" WHERE "hiddenAt" IS NULL AND "searchVector" @@ websearch_to_tsquery('english', $1)`, [query])).rows[0].n,
        );
        shares.push({ kind, query, matches, share: matches / Math.max(1, total) });
      }
    }
    const weak = shares.filter((s) => s.kind === 'common' && s.share <= COMMON_SHARE);
    if (weak.length) throw new Error(`common words must match more than ${pct(COMMON_SHARE)} of the papers: ${weak.map((s) => `${s.query} ${pct(s.share)}`).join(', ')}`);
    return shares;
  });
}

async function send(url: string, request: HttpCall): Promise<{ status: number; text: string }> {
  const response = await fetch(url + request.path, { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, text: await response.text() };
}

async function measure(api: SupervisedServer, meter: CpuMeter, op: DiscoveryOperation, inputs: DiscoveryInputs, connections: number, seconds: number, seed: number): Promise<DiscoveryMeasure> {
  const next = callMaker(op, inputs, seed);
  const load = (options: { amount?: number; durationS?: number }) =>
    runLoad({ url: api.url, connections, durationS: options.durationS ?? seconds, maxRequests: 250_000, timeoutS: REQUEST_TIMEOUT_S, next: () => toRequest(op, next()), ...(options.amount ? { amount: options.amount } : {}) });
  // Warm-up and probe: one request per connection, every answer waited for.
  const probe = await load({ amount: connections });
  const probeRps = probe.rps;
  const duration = probeRps * seconds >= 4 * connections;
  api.memory.window();
  const before = meter.snapshot();
  const result = duration ? await load({ durationS: seconds }) : await load({ amount: Math.max(2 * connections, Math.round(probeRps * seconds)) });
  return { ...result, mode: duration ? 'duration' : 'amount', probeRps, cpu: CpuMeter.share(before, meter.snapshot()), apiRssPeakMb: Math.round(api.memory.peak()) };
}

/** `--copy`: a copy of the bench catalog of `papers`, migrated; its marker is the original's. */
async function copiedCatalog(adminUrl: string, papers: number, name: string): Promise<BenchCatalog> {
  const original = databaseName(papers);
  const marker = await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [original]);
    return JSON.parse(rows[0]?.comment ?? 'null') as Marker | null;
  });
  if (!marker) throw new Error(`--copy ${name}: ${original} has no marker (build it first: npm run bench -- --discovery --papers ${papers})`);
  const url = withDatabase(adminUrl, name);
  const applied = await applyMigrations(url);
  if (applied.length) log(`${name}: applied ${applied.join(', ')}`);
  await restoreCatalog(url, marker);
  const rows = await withClient(url, countRows);
  if (rows.papers !== marker.counts.papers) throw new Error(`--copy ${name}: ${rows.papers} papers, but ${original}'s marker says ${marker.counts.papers}: not a copy of it`);
  log(`${name}: a copy of ${original} (${rows.papers} papers)`);
  return { name, url, marker, reused: true, rows };
}

async function runScale(papers: number, ops: DiscoveryOperation[], adminUrl: string, workDir: string, connections: number, seconds: number, liveRelated: boolean, copy?: string): Promise<DiscoveryScale> {
  const started = performance.now();
  const catalog = copy ? await copiedCatalog(adminUrl, papers, copy) : await ensureCatalog({ adminUrl, papers, seed: 42, log });
  const base = await loadInputs(catalog.url, []);
  log(`${catalog.name}: readers with ~200 upvotes, and the share of papers each query matches`);
  const readers = await readersWith200Upvotes(catalog.url);
  const shares = await queryShares(catalog.url);
  for (const s of shares) log(`  ${s.kind.padEnd(6)} ${s.query.padEnd(34)} ${String(s.matches).padStart(8)} papers (${(s.share * 100).toFixed(3)} %)`);
  const inputs: DiscoveryInputs = { ...base, readers, shares };
  log(`${catalog.name}: the precomputed related lists of the papers read${liveRelated ? ' (--live-related: not computed)' : ''}`);
  const relatedFill = await fillRelated(catalog.url, inputs, liveRelated);
  log(`  ${relatedFill.papers} papers read, ${relatedFill.hadList} had a list, ${relatedFill.filled} computed in ${f0(relatedFill.ms / 1000)} s; ${relatedFill.withList} have one now (${relatedFill.catalogLists} lists in the catalog)`);

  // Trending scores fresh before the API starts (its first refresh would fall in a step).
  const database = createDb({ connectionString: catalog.url, poolSize: 2 });
  try {
    await benchPlatform(database).trending.refreshNow();
  } finally {
    await database.close();
  }

  const api = await SupervisedServer.start({
    name: 'api (dist)',
    ...apiServer('dist'),
    env: { ...DISCOVERY_API_ENV, DATABASE_URL: catalog.url },
    logFile: path.join(workDir, `api-${papers}.log`),
    readyTimeoutMs: 300_000,
  });
  const meter = new CpuMeter(catalog.url, () => [api.pid]);
  const operations: DiscoveryScale['operations'] = {};
  try {
    // Every operation answers without errors before anything is measured.
    for (const op of ops) {
      const response = await send(api.url, toRequest(op, callMaker(op, inputs, 1)()));
      if (response.status !== 200 || response.text.includes('"errors":[')) throw new Error(`${op} answered ${response.status}: ${response.text.slice(0, 400)}`);
    }
    let seed = 100;
    for (const op of ops) {
      await api.ensureRunning(log);
      const m = await measure(api, meter, op, inputs, connections, seconds, seed++);
      operations[op] = m;
      log(
        `  ${op.padEnd(13)} ${m.rps.toFixed(1).padStart(8)} req/s  p50 ${m.latency.p50.toFixed(1).padStart(8)} ms  p99 ${m.latency.p99.toFixed(1).padStart(8)} ms  ` +
          `${m.requests} answers (${m.mode})  cpu api ${m.cpu.server.toFixed(2)} pg ${m.cpu.postgres.toFixed(2)} other ${m.cpu.foreign.toFixed(2)}  rss ${m.apiRssPeakMb} MB${problems(m)}`,
      );
    }
  } catch (error) {
    log(`API log tail:\n${tail(path.join(workDir, `api-${papers}.log`))}`);
    throw error;
  } finally {
    await api.stop();
  }
  const memory = { apiRssPeakUnderLoadMb: Math.max(0, ...Object.values(operations).map((m) => m.apiRssPeakMb)), apiVmHwmMb: Math.round(api.memory.last?.hwmMb ?? NaN) };

  log(`${catalog.name}: EXPLAIN (ANALYZE, BUFFERS) of each operation's statements`);
  const explain = await explainOperations(
    catalog.url,
    ops.map((op) => {
      const call = callMaker(op, inputs, 2)();
      return { name: op, document: SPECS[op].document, variables: call.variables, ...(call.userId === undefined ? {} : { viewerId: call.userId }) };
    }),
  );
  await restoreCatalog(catalog.url, catalog.marker);
  return {
    papers,
    database: catalog.name,
    catalog: { reused: catalog.reused, marker: catalog.marker, rows: catalog.rows },
    dailyDates: inputs.dailyDates,
    readers: { ...readers.votes, count: readers.tokens.length },
    relatedFill,
    shares,
    operations,
    explain,
    memory,
    restarts: api.restarts,
    wallSeconds: Math.round((performance.now() - started) / 1000),
  };
}

// ─── The report ──────────────────────────────────────────────────────────────────────────────

function scaleTable(scale: DiscoveryScale): string {
  const daily = scale.operations.dailyAnon?.rps ?? NaN;
  const rows = (Object.entries(scale.operations) as [DiscoveryOperation, DiscoveryMeasure][]).map(([op, m]) => [
    `${SPECS[op].title} (\`${op}\`)`,
    `${m.rps < 10 ? f2(m.rps) : f0(m.rps)}${problems(m)}`,
    f2(m.latency.p50),
    f2(m.latency.p99),
    f2(ratio(m.rps, daily)),
    `${m.requests} (${m.mode === 'duration' ? `${f0(m.seconds)} s` : `fixed, ${f0(m.seconds)} s`})`,
    `${m.cpu.server.toFixed(2)} / ${m.cpu.postgres.toFixed(2)} / ${m.cpu.foreign.toFixed(2)}`,
    f0(m.apiRssPeakMb),
  ]);
  return table(['operation', 'req/s', 'p50 ms', 'p99 ms', '× daily page req/s', 'answers (time)', 'cores: API / pg / other', 'API RSS MB'], rows);
}

function growth(small: DiscoveryScale, large: DiscoveryScale): string {
  const rows: string[][] = [];
  for (const op of Object.keys(large.operations) as DiscoveryOperation[]) {
    const a = small.operations[op];
    const b = large.operations[op];
    if (!a || !b) continue;
    rows.push([`\`${op}\``, f2(a.latency.p99), f2(b.latency.p99), `${f2(ratio(b.latency.p99, a.latency.p99))}×`, f2(a.rps), f2(b.rps), `${f2(ratio(a.rps, b.rps))}×`]);
  }
  return table(['operation', `p99 ${k(small.papers)} ms`, `p99 ${k(large.papers)} ms`, 'p99 growth', `req/s ${k(small.papers)}`, `req/s ${k(large.papers)}`, 'req/s drop'], rows);
}

function goals(result: DiscoveryResult): string {
  const reference = result.scales.find((s) => s.papers === REFERENCE_PAPERS);
  const large = result.scales.at(-1)!;
  const rows: string[][] = [];
  if (reference) {
    const daily = reference.operations.dailyAnon?.rps ?? NaN;
    for (const op of ['searchCommon', 'searchRare', 'searchWords', 'searchPhrase', 'searchHybrid', 'relatedPage', 'relatedOne'] as const) {
      const m = reference.operations[op];
      if (!m) continue;
      const want = op === 'relatedOne' ? 2 : 0.5;
      rows.push([`100k: \`${op}\` ≥ ${want}× the daily page's req/s`, `${f2(ratio(m.rps, daily))}×`, mark(ratio(m.rps, daily) >= want)]);
    }
  }
  if (large.papers > REFERENCE_PAPERS) {
    for (const op of DISCOVERY_OPERATIONS) {
      const goal = SPECS[op].goalP99Ms;
      const m = large.operations[op];
      if (goal && m) rows.push([`${k(large.papers)}: \`${op}\` p99 < ${goal} ms`, `${f2(m.latency.p99)} ms`, mark(m.latency.p99 < goal && problems(m) === '')]);
    }
    if (reference) {
      for (const op of DISCOVERY_OPERATIONS) {
        const a = reference.operations[op];
        const b = large.operations[op];
        if (!a || !b) continue;
        if (SPECS[op].goalP99Ms) rows.push([`growth: \`${op}\` p99 at ${k(large.papers)} ≤ 2× 100k`, `${f2(ratio(b.latency.p99, a.latency.p99))}×`, mark(b.latency.p99 <= 2 * a.latency.p99)]);
        if (op === 'dailyAnon' || op === 'paper' || op === 'newest') {
          rows.push([`growth: \`${op}\` req/s at ${k(large.papers)} within 20 % of 100k`, pct(ratio(b.rps, a.rps)), mark(b.rps >= 0.8 * a.rps)]);
        }
      }
    }
  }
  for (const s of result.scales) rows.push([`${k(s.papers)}: API RSS under 300 MB`, `${f0(s.memory.apiRssPeakUnderLoadMb)} MB (VmHWM ${f0(s.memory.apiVmHwmMb)} MB)`, mark(s.memory.apiVmHwmMb < 300)]);
  return table(['goal (issue 24)', 'measured', 'met'], rows, ['---', '---:', ':---:']);
}

function catalogSection(scale: DiscoveryScale): string {
  const m = scale.catalog.marker;
  const c = m.counts;
  const built = scale.catalog.reused
    ? 'reused (built by an earlier run; its build is below)'
    : 'built by this run';
  const seconds = (ms: number | undefined) => (ms === undefined ? '–' : `${f0(ms / 1000)} s`);
  const total = m.generateMs + (m.relatedMs ?? 0) + m.analyzeMs;
  const shares = scale.shares.map((s) => [s.kind, `\`${s.query}\``, String(s.matches), `${(s.share * 100).toFixed(s.share < 0.01 ? 3 : 1)} %`]);
  return `Catalog \`${scale.database}\` (${built}): ${c.papers} papers over ${m.days ?? 60} featured days, ${c.authors} authors, ${c.topics} topics, ${c.users} users,
${c.votes} votes (demo generator, seed ${m.seed}, as of ${m.today}). Build: generation (bulk load, indexes, search documents) ${seconds(m.generateMs)},
related-papers statistics and term vectors ${seconds(m.relatedMs)}, VACUUM ANALYZE ${seconds(m.analyzeMs)}: ${f0(total / 60_000)} min in all${m.buildCpu ? `, with the
machine's other work using ${m.buildCpu.foreign.toFixed(2)} of its cores on average meanwhile (the build: node ${m.buildCpu.node.toFixed(2)}, PostgreSQL ${m.buildCpu.postgres.toFixed(2)})` : ''};
database size ${m.databaseBytes ? `${(m.databaseBytes / 2 ** 30).toFixed(2)} GiB` : '–'}. Daily dates: ${scale.dailyDates.join(', ')}.
"For you" readers: ${scale.readers.count} readers with ${scale.readers.min} to ${scale.readers.max} upvotes (mean ${scale.readers.mean}).

${relatedFillText(scale.relatedFill)}

Papers each search query matches (\`searchVector @@ websearch_to_tsquery('english', query)\`, listed papers):

${table(['kind', 'query', 'papers', 'share'], shares, ['---', '---', '---:', '---:'])}`;
}

function relatedFillText(fill: RelatedFill): string {
  if (fill.skipped) {
    return `Related lists: **not computed (\`--live-related\`)**: of the ${fill.papers} papers whose related papers the run reads, ${fill.withList} had a precomputed list; the others were computed live at every read.`;
  }
  return `Related lists: the run reads the related papers of ${fill.papers} papers (the ${'sample papers of relatedOne and relatedPage'} and the "for you" readers' profile papers).
${fill.hadList} had a precomputed list already (an earlier run's); this run computed the other ${fill.filled} before measuring (\`drainRelated\`, two workers,
batches of 200: ${f0(fill.ms / 1000)} s, ${fill.filled && fill.ms ? f0(fill.filled / (fill.ms / 1000)) : '–'} papers/s). Every paper read had its list when measured (${fill.withList} of ${fill.papers}): related and
"for you" are measured on the precomputed read. The rest of the catalog has no list (${fill.catalogLists} lists in all), as a bulk-built catalog has none;
a paper without one is computed live (not measured here: \`--live-related\` measures that path).`;
}

function explainSection(scale: DiscoveryScale): string {
  return scale.explain
    .map((op) => {
      const body = op.explained
        .map((s, i) => `-- statement ${i + 1} of ${op.explained.length}; parameters: ${JSON.stringify(s.params).slice(0, 300)}\n${s.sql.trim()}\n\n${s.plan.join('\n')}`)
        .join('\n\n');
      return `<details><summary>${k(scale.papers)} \`${op.name}\`: ${op.statements} statements, ${op.explained.length} reads explained${op.errors ? ` (errors: ${op.errors})` : ''}</summary>\n\n\`\`\`\n${body}\n\`\`\`\n</details>`;
    })
    .join('\n');
}

export function writeDiscoveryReport(result: DiscoveryResult): string {
  const m = result.machine;
  const sections = [
    `# Discovery bench, ${result.startedAt.slice(0, 10)}

Reproduce: \`${result.command}\` (PostgreSQL at \`BENCH_ADMIN_URL\`). Raw numbers: the JSON file beside this one.

| machine | |
| --- | --- |
| code | commit ${m.commit}; uncommitted changes in src/, prisma/, schema.graphql, package.json: ${m.uncommitted} |
| CPU | ${m.nproc} × ${m.cpu}, shared with other work: load average ${result.loadAverage.start.map((n) => n.toFixed(1)).join(' / ')} at the start, ${result.loadAverage.end.map((n) => n.toFixed(1)).join(' / ')} at the end (1 / 5 / 15 min) |
| memory | ${m.memoryGiB} GiB |
| Node.js | ${m.node} (API: ${result.api.node}) |
| PostgreSQL | ${m.postgres} |
| PostgreSQL settings | ${m.postgresSettings} |

API: one process, \`${result.api.command}\` after \`npm run build\`; environment ${Object.entries(result.api.env).map(([n, v]) => `\`${n}=${v}\``).join(', ')}
(time limits raised so that slow operations are measured rather than cut). Load: autocannon on loopback, ${result.connections} connections,
parameters drawn per request, each operation in turn: a warm-up of one request per connection, then ${result.stepSeconds} s of load, or, for an operation
slower than that allows, a fixed number of requests (at least 2 per connection) whose every answer is waited for ("fixed" below).
"× daily page": the operation's req/s over the daily page's, in the same run. "cores": CPU used during the step by the API, by PostgreSQL's
backends of the bench database, and by everything else on the machine (other people's work: this machine is shared).
Wall time: ${f0(result.wallSeconds / 60)} min.`,
    `## Goals\n\n${goals(result)}`,
  ];
  for (const scale of result.scales) {
    sections.push(`## ${k(scale.papers)} papers\n\n${scaleTable(scale)}\n\nAPI peak RSS under load ${f0(scale.memory.apiRssPeakUnderLoadMb)} MB, VmHWM (whole life) ${f0(scale.memory.apiVmHwmMb)} MB.${scale.restarts.length ? ` The API ended during the run and was started again: ${scale.restarts.map((r) => `${r.at} (${r.exit})`).join(', ')}.` : ''}\n\n${catalogSection(scale)}`);
  }
  if (result.scales.length > 1) sections.push(`## From ${k(result.scales[0]!.papers)} to ${k(result.scales.at(-1)!.papers)} papers\n\n${growth(result.scales[0]!, result.scales.at(-1)!)}`);
  sections.push(`## The operations\n\n${DISCOVERY_OPERATIONS.map((op) => `<details><summary>\`${op}\`: ${SPECS[op].title}</summary>\n\n\`\`\`graphql\n${SPECS[op].document}\n\`\`\`\n</details>`).join('\n')}\n\nSearch queries, drawn per request: ${(Object.entries(QUERY_POOLS) as [QueryKind, readonly string[]][]).map(([kind, list]) => `${kind}: ${list.map((q) => `\`${q}\``).join(', ')}`).join('; ')} (HYBRID: any of them).`);
  for (const scale of result.scales) sections.push(`## EXPLAIN (ANALYZE, BUFFERS), ${k(scale.papers)} papers\n\nEach operation run in process once to warm up, then once more with its statements captured (with their parameters) and explained on the bench database.\n\n${explainSection(scale)}`);
  return `${sections.join('\n\n')}\n`;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      papers: { type: 'string', default: '1000000' },
      seconds: { type: 'string', default: '20' },
      connections: { type: 'string', default: '16' },
      only: { type: 'string' },
      name: { type: 'string' },
      'related-job': { type: 'boolean', default: false },
      'live-related': { type: 'boolean', default: false },
      copy: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const usage = USAGE.replace('${ops}', DISCOVERY_OPERATIONS.join(', '));
  if (values.help) {
    console.log(usage);
    return;
  }
  const largest = Number(values.papers);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  if (!Number.isInteger(largest) || largest < 1000) throw new Error(`--papers: an integer of at least 1000\n${usage}`);
  if (!(seconds > 0) || !Number.isInteger(connections) || connections < 1) throw new Error(`--seconds and --connections: positive numbers\n${usage}`);
  const ops = values.only ? (values.only.split(',').map((s) => s.trim()) as DiscoveryOperation[]) : [...DISCOVERY_OPERATIONS];
  for (const op of ops) if (!DISCOVERY_OPERATIONS.includes(op)) throw new Error(`unknown operation "${op}"\n${usage}`);
  if (values.name !== undefined && !/^[a-z0-9-]+$/.test(values.name)) throw new Error(`--name: lower-case letters, digits and dashes\n${usage}`);
  if (values['related-job']) DISCOVERY_API_ENV.RELATED_REFRESH_SECONDS = '30';
  if (!ops.includes('dailyAnon')) ops.unshift('dailyAnon'); // the reference of every ratio
  const sizes = largest > REFERENCE_PAPERS && !values.copy ? [REFERENCE_PAPERS, largest] : [largest];
  if (values.copy !== undefined && !/^[a-z0-9_]+$/.test(values.copy)) throw new Error(`--copy: a database name (lower-case letters, digits, _)\n${usage}`);

  const adminUrl = process.env.BENCH_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const startedAt = new Date();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paper-bench-discovery-'));
  log(`discovery run at ${sizes.map(k).join(' and ')} papers (${sizes.map((p) => `${catalogDays(p)} days`).join(', ')}); server logs in ${workDir}`);
  buildApi(log);
  const api = apiServer('dist');
  const started = performance.now();
  const result: DiscoveryResult = {
    startedAt: startedAt.toISOString(),
    command: `npm run bench -- --discovery ${argv.join(' ')}`.trim(),
    machine: await machine(adminUrl),
    api: { command: `node ${[...(api.nodeArgs ?? []), api.script].join(' ')}`, node: nodeVersion(api.node!), env: DISCOVERY_API_ENV },
    connections,
    stepSeconds: seconds,
    loadAverage: { start: os.loadavg(), end: [] },
    scales: [],
    wallSeconds: 0,
  };
  const dir = path.join(ROOT, 'bench/results');
  let base = path.join(dir, `${startedAt.toISOString().slice(0, 10)}-discovery${values.name ? `-${values.name}` : ''}`);
  for (let n = 2; fs.existsSync(`${base}.json`); n++) base = base.replace(/(-\d+)?$/, `-${n}`);
  const write = () => {
    result.loadAverage.end = os.loadavg();
    result.wallSeconds = Math.round((performance.now() - started) / 1000);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
    fs.writeFileSync(`${base}.md`, writeDiscoveryReport(result));
  };
  for (const papers of sizes) {
    result.scales.push(await runScale(papers, ops, adminUrl, workDir, connections, seconds, values['live-related'], values.copy));
    write(); // a report after each size: a run stopped at 1M keeps the 100k figures
  }
  log(`done in ${f0(result.wallSeconds / 60)} min: ${path.relative(ROOT, base)}.md and .json`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
