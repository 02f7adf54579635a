// The benchmark, end to end: `npm run bench` (10k papers, then 100k), `npm run bench:quick`
// (10k papers, short steps) or `npm run bench -- --compare` (the PostGraphile comparison alone,
// 100k papers). See bench/README.md.
//
// Per catalog size: build or reuse the bench database, take back what an earlier run wrote,
// refresh trending, count SQL statements per operation in process, start the API (dist/main.js
// after `npm run build`, or src/main.ts through tsx; production settings, rate and cost limits
// raised through the environment), the lower bound (bench/lower-bound.ts) and, for the
// comparison operations, PostGraphile (bench/postgraphile) as child processes, check that they
// answer alike, then load each operation at 1, 16 and 64 connections on each, lower bound
// first, then API and PostGraphile alternated (A B A B). Where a goal is missed, profile the API
// under that operation's load. Writes bench/results/<date>-<mode>.md and .json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../src/platform/db/client.ts';
import { benchPlatform } from './platform.ts';
import { createBenchTokens, ensureCatalog, restoreCatalog, type BenchCatalog } from './catalog.ts';
import { CpuMeter, type CpuShare } from './cpu.ts';
import { runLoad, type LoadResult } from './load.ts';
import { callMaker, COMPARE_OPERATIONS, comparablePapers, loadInputs, OPERATION_NAMES, OPERATIONS, toHttp, type Call, type Inputs, type OperationName, type Target } from './operations.ts';
import { apiServer, buildApi, ensurePostgraphile, nodeVersion, POSTGRAPHILE_DIR, POSTGRAPHILE_NODE, postgraphileServer, ROOT, startServer, SupervisedServer, tail, type ApiNode, type ApiRuntime } from './processes.ts';
import { summarizeProfile, type ProfileSummary } from './profile.ts';
import { writeReport } from './report.ts';
import { countStatements, type StatementCount } from './sql-count.ts';

const USAGE = `usage: tsx bench/run.ts --discovery [--papers N] (see bench/discovery.ts), or
       tsx bench/run.ts [--quick] [--compare] [--no-profile] [--only op,op] [--connections n,n] [--api dist|tsx] [--api-node machine|22] [--tsx-vs-dist] [--no-postgraphile]
  --quick            10k papers only, 3 s per step (a few minutes); default: 10k and 100k papers, 5 s / 10 s per step
  --compare          the PostGraphile comparison only: ${COMPARE_OPERATIONS.join(', ')} at 100k papers (10k with --quick), 16 connections
  --no-profile       skip the CPU profile of operations that miss a goal
  --only             measure only these operations (${OPERATION_NAMES.join(', ')})
  --connections      load steps (default 1,16,64; with --compare 16)
  --api              how the API runs: dist (default: npm run build, then node dist/main.js) or tsx (node --import tsx src/main.ts)
  --api-node         which Node runs the API: machine (default: the one running the bench) or 22 (PostGraphile's, from bench/postgraphile)
  --tsx-vs-dist      also start the API the other way and alternate the two (dist, tsx, dist, tsx) at 16 connections on the comparison operations
  --no-postgraphile  leave PostGraphile out (the comparison operations run against the lower bound only)
env: BENCH_ADMIN_URL  PostgreSQL where the bench databases are created (default postgresql://postgres@127.0.0.1:5432/postgres)`;

export const CONNECTIONS = [1, 16, 64] as const;
const COMPARED: ReadonlySet<OperationName> = new Set(COMPARE_OPERATIONS);

export interface RunOptions {
  connections: number[];
  apiRuntime: ApiRuntime;
  apiNode: ApiNode;
  postgraphile: boolean;
  tsxVsDist: boolean;
}
const TOKENS = 1000;
/** Requests per step at most, whatever the time left: bounds a run on a very fast machine. */
const MAX_REQUESTS_PER_STEP = 250_000;

/**
 * What the API process gets besides DATABASE_URL and PORT: production settings, and the limits
 * that protect a public server lifted so that they measure nothing but the work (one client
 * sends thousands of requests a second here). TRENDING_REFRESH_SECONDS is honoured once
 * src/config.ts reads it; the steps are ordered so that no background refresh falls in one.
 */
export const API_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  SEED_DEMO: 'false',
  RATE_LIMIT_POINTS: '0',
  GRAPHQL_MAX_COST: '1000000',
  TRENDING_REFRESH_SECONDS: '86400',
  // No precomputed related lists filled while measuring: a catalog built in bulk queues every
  // paper, and the first fill (hours) competes with every read; papers without a list are
  // answered live (bench/discovery.ts --related-job measures with it).
  RELATED_REFRESH_SECONDS: '0',
};

export interface Scale {
  papers: number;
  stepSeconds: number;
  warmupSeconds: number;
}

/** Steps wait (bounded) until other processes use at most this many cores. */
const QUIET_CORES = 0.3;

interface QuietPolicy {
  maxWaitPerStepMs: number;
  /** Over the whole run; once spent, steps no longer wait. */
  budgetMs: number;
}

export interface Measured extends LoadResult {
  /** Cores used on average during the step by the server, its Postgres backends, the load generator, and anything else. */
  cpu: CpuShare;
  /** How long the step waited for a quiet machine, and the foreign load it last saw. */
  quiet: { waitedMs: number; foreign: number };
  /** 2: the first run had other load over QUIET_CORES and was repeated. */
  attempts: number;
}

export interface StepPair {
  connections: number;
  /** With PostGraphile alternated: both API runs together (requests and time summed, latency percentiles the requests-weighted mean of the runs'). */
  api: Measured;
  lowerBound: Measured;
  /** The comparison operations: PostGraphile's runs together, as `api`. */
  postgraphile?: Measured;
  /** Each run, in the order taken: api[0], postgraphile[0], api[1], postgraphile[1]. */
  alternated?: { api: Measured[]; postgraphile: Measured[] };
}

/** The API from dist/ and through tsx, alternated (dist, tsx, dist, tsx) at 16 connections. */
export interface RuntimeComparison {
  operation: OperationName;
  connections: number;
  dist: Measured;
  tsx: Measured;
  runs: { dist: Measured[]; tsx: Measured[] };
  distRssPeakMb: number;
  tsxRssPeakMb: number;
}

export interface PostgraphileEquivalence {
  operation: OperationName;
  calls: number;
  papers: number;
}

export interface OperationResult {
  name: OperationName;
  title: string;
  kind: 'read' | 'write';
  steps: StepPair[];
  /** API RSS peak during this operation's steps, MB. */
  apiRssPeakMb: number;
  lowerBoundRssPeakMb: number;
  postgraphileRssPeakMb?: number;
}

export interface Equivalence {
  operation: OperationName;
  calls: number;
  /** First difference between the API's and the lower bound's `data`; null when alike. */
  difference: string | null;
}

export interface ScaleResult {
  papers: number;
  database: string;
  catalog: { reused: boolean; marker: BenchCatalog['marker']; rows: Record<string, number> };
  inputs: Omit<Inputs, 'tokens' | 'arxivIds' | 'paperGlobalIds'> & { tokens: number; arxivIds: number; paperIds: number };
  stepSeconds: number;
  /** The operations measured at this size. */
  statements: Partial<Record<OperationName, StatementCount>>;
  equivalence: Equivalence[];
  /** The API and PostGraphile listed the same papers in the same order (checked before loading; a difference stops the run). */
  postgraphileEquivalence: PostgraphileEquivalence[];
  operations: OperationResult[];
  runtimes: RuntimeComparison[];
  /** Servers that ended during the run (something else stopped them) and were started again. */
  restarts: { api: SupervisedServer['restarts']; lowerBound: SupervisedServer['restarts']; postgraphile: SupervisedServer['restarts'] };
  memory: {
    /** Highest RSS sampled during load steps, MB. */
    apiRssPeakUnderLoadMb: number;
    /** VmHWM at the end: the peak of the process's whole life, start-up included, MB. */
    apiVmHwmMb: number;
    lowerBoundRssPeakUnderLoadMb: number;
    lowerBoundVmHwmMb: number;
    postgraphileRssPeakUnderLoadMb?: number;
    postgraphileVmHwmMb?: number;
  };
  restored: { votesRemoved: number };
  wallSeconds: number;
}

export interface ProfileResult {
  operation: OperationName;
  papers: number;
  connections: number;
  load: LoadResult;
  summary: ProfileSummary;
}

export interface BenchResult {
  mode: 'quick' | 'full' | 'compare' | 'compare-quick';
  startedAt: string;
  command: string;
  machine: Record<string, string | number>;
  apiEnv: Record<string, string>;
  /** How the API process was started. */
  api: { runtime: ApiRuntime; node?: string; command: string };
  postgraphile: { version: string; node: string; preset: string; command: string } | null;
  connections: readonly number[];
  scales: ScaleResult[];
  profiles: ProfileResult[];
  wallSeconds: number;
}

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

export async function machine(adminUrl: string): Promise<Record<string, string | number>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const version = (await client.query<{ version: string }>('SELECT version()')).rows[0]!.version;
    const settings = await client.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_connections', 'effective_cache_size', 'jit', 'synchronous_commit')`,
    );
    const autocannon = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string };
    const git = (...args: string[]) => {
      try {
        return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
      } catch {
        return 'unknown';
      }
    };
    const dirty = git('status', '--porcelain', '--', 'src', 'prisma', 'schema.graphql', 'package.json').split('\n').filter(Boolean);
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommitted: dirty.length ? dirty.map((l) => l.slice(3)).join(', ') : 'none',
      nproc: os.availableParallelism(),
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      postgres: version,
      postgresSettings: settings.rows.map((s) => `${s.name}=${s.setting}${s.unit ?? ''}`).join(', '),
      autocannon: autocannon.version,
    };
  } finally {
    await client.end();
  }
}

/** The first path at which two JSON values differ, or null. */
export function firstDifference(a: unknown, b: unknown, at = '$'): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`;
    if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${at}: length ${a.length} vs ${b.length}`;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
      if (d) return d;
    }
  }
  return `${at}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`;
}

async function send(server: { url: string }, target: Target, op: OperationName, call: Call): Promise<{ status: number; body: any }> {
  const http = toHttp(target, op, call);
  const response = await fetch(server.url + http.path, { method: 'POST', headers: http.headers, body: http.body });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/** Both answer the same calls with the same `data`, and without errors. */
async function checkEquivalence(api: { url: string }, bound: { url: string }, ops: OperationName[], inputs: Inputs): Promise<Equivalence[]> {
  const result: Equivalence[] = [];
  for (const op of ops) {
    const next = callMaker(op, inputs, 7);
    const calls = op === 'trending' || op === 'deepPage' ? 1 : 5;
    let difference: string | null = null;
    for (let i = 0; i < calls && !difference; i++) {
      const call = next();
      // The API first: for an upvote the bound then finds the vote cast and answers the same.
      const a = await send(api, 'api', op, call);
      const b = await send(bound, 'lowerBound', op, call);
      if (a.status !== 200 || a.body?.errors) difference = `API answered ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`;
      else if (b.status !== 200 || b.body?.errors) difference = `lower bound answered ${b.status}: ${JSON.stringify(b.body).slice(0, 300)}`;
      else difference = firstDifference(a.body.data, b.body.data);
      if (difference) difference = `call ${JSON.stringify(call.variables)}: ${difference}`;
    }
    if (op === 'deepPage' && !difference) {
      // The cursor must land where it says: the page starts at the promised row.
      const a = await send(api, 'api', op, next());
      if (a.body?.data?.papers?.nodes?.length !== 50) difference = `deep page has ${a.body?.data?.papers?.nodes?.length} rows, not 50`;
    }
    if (difference) log(`  equivalence ${op}: ${difference}`);
    result.push({ operation: op, calls, difference });
  }
  return result;
}

async function vacuum(url: string, tables: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`VACUUM ANALYZE ${tables.map((t) => `"${t}"`).join(', ')}`);
  } finally {
    await client.end();
  }
}

async function step(server: { url: string }, target: Target, op: OperationName, inputs: Inputs, connections: number, seconds: number, seed: number): Promise<LoadResult> {
  const next = callMaker(op, inputs, seed);
  return runLoad({
    url: server.url,
    connections,
    durationS: seconds,
    maxRequests: MAX_REQUESTS_PER_STEP,
    next: () => toHttp(target, op, next()),
  });
}

let quietSpentMs = 0;

/** A step on a quiet machine (as far as waiting allows), with where the CPU went. */
async function measuredStep(
  meter: CpuMeter,
  policy: QuietPolicy,
  server: SupervisedServer,
  ...args: Parameters<typeof step> extends [unknown, ...infer Rest] ? Rest : never
): Promise<Measured> {
  let measured: Measured | undefined;
  let restarts = 0;
  // A step that other load disturbed anyway is run once more, and the quieter one kept; one
  // whose server ended meanwhile is run again on a new server (twice at most).
  for (let attempt = 0; attempt < 2 + restarts; attempt++) {
    await server.ensureRunning(log);
    const quiet = await meter.quiet(QUIET_CORES, Math.min(policy.maxWaitPerStepMs, Math.max(0, policy.budgetMs - quietSpentMs)));
    quietSpentMs += Math.max(0, quiet.waitedMs - 1000);
    const before = meter.snapshot();
    const result = await step(server, ...args);
    if (server.current.exited() !== undefined && restarts < 2) {
      restarts++;
      continue;
    }
    const run: Measured = { ...result, cpu: CpuMeter.share(before, meter.snapshot()), quiet, attempts: attempt + 1 };
    if (!measured || run.cpu.foreign < measured.cpu.foreign) measured = run;
    if (measured.cpu.foreign <= QUIET_CORES) break;
  }
  return measured!;
}

function describe(result: Measured): string {
  const problems = result.non2xx + result.graphqlErrors + result.errors + result.timeouts;
  const c = result.cpu;
  return `${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50.toFixed(2).padStart(7)} ms  p99 ${result.latency.p99.toFixed(2).padStart(7)} ms  cpu server ${c.server.toFixed(2)} pg ${c.postgres.toFixed(2)} gen ${c.loadGenerator.toFixed(2)} other ${c.foreign.toFixed(2)}${problems ? `  (non2xx ${result.non2xx}, errors ${result.graphqlErrors}+${result.errors}, timeouts ${result.timeouts})` : ''}`;
}

/**
 * The API and PostGraphile list the same papers in the same order, with the same titles, bylines
 * and topics. Throws on the first difference: a comparison of different answers means nothing.
 */
async function checkPostgraphile(api: { url: string }, pgl: { url: string }, ops: OperationName[], inputs: Inputs): Promise<PostgraphileEquivalence[]> {
  const result: PostgraphileEquivalence[] = [];
  for (const op of ops) {
    const next = callMaker(op, inputs, 11);
    const calls = op === 'newest' ? 1 : 5;
    let papers = 0;
    for (let i = 0; i < calls; i++) {
      const call = next();
      const a = await send(api, 'api', op, call);
      const b = await send(pgl, 'postgraphile', op, call);
      const where = `${op} ${JSON.stringify(call.variables)}`;
      if (a.status !== 200 || a.body?.errors) throw new Error(`${where}: the API answered ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
      if (b.status !== 200 || b.body?.errors) throw new Error(`${where}: PostGraphile answered ${b.status}: ${JSON.stringify(b.body).slice(0, 300)}`);
      const x = comparablePapers('api', a.body.data);
      const y = comparablePapers('postgraphile', b.body.data);
      if (x.length === 0) throw new Error(`${where}: the API listed no paper`);
      const difference = firstDifference(x, y);
      if (difference) throw new Error(`${where}: the API and PostGraphile differ at ${difference}`);
      papers += x.length;
    }
    log(`  same papers from the API and PostGraphile: ${op} (${calls} calls, ${papers} papers)`);
    result.push({ operation: op, calls, papers });
  }
  return result;
}

/** Several runs of one step as one: requests and time summed; latencies the requests-weighted mean of the runs' percentiles. */
export function combine(runs: Measured[]): Measured {
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const byRequests = (f: (r: Measured) => number) => Math.round((runs.reduce((sum, r) => sum + f(r) * r.requests, 0) / Math.max(1, requests)) * 100) / 100;
  const bySeconds = (f: (r: Measured) => number) => Math.round((runs.reduce((sum, r) => sum + f(r) * r.seconds, 0) / Math.max(0.001, seconds)) * 100) / 100;
  const total = (f: (r: Measured) => number) => runs.reduce((sum, r) => sum + f(r), 0);
  return {
    connections: runs[0]!.connections,
    seconds: Math.round(seconds * 100) / 100,
    requests,
    rps: Math.round((requests / Math.max(0.001, seconds)) * 10) / 10,
    latency: {
      mean: byRequests((r) => r.latency.mean),
      p50: byRequests((r) => r.latency.p50),
      p90: byRequests((r) => r.latency.p90),
      p99: byRequests((r) => r.latency.p99),
      max: Math.max(...runs.map((r) => r.latency.max)),
    },
    non2xx: total((r) => r.non2xx),
    graphqlErrors: total((r) => r.graphqlErrors),
    errors: total((r) => r.errors),
    timeouts: total((r) => r.timeouts),
    cpu: {
      server: bySeconds((r) => r.cpu.server),
      postgres: bySeconds((r) => r.cpu.postgres),
      loadGenerator: bySeconds((r) => r.cpu.loadGenerator),
      foreign: Math.max(...runs.map((r) => r.cpu.foreign)),
    },
    quiet: { waitedMs: total((r) => r.quiet.waitedMs), foreign: Math.max(...runs.map((r) => r.quiet.foreign)) },
    attempts: Math.max(...runs.map((r) => r.attempts)),
  };
}

async function runScale(scale: Scale, ops: OperationName[], adminUrl: string, workDir: string, policy: QuietPolicy, options: RunOptions): Promise<ScaleResult> {
  const started = performance.now();
  const catalog = await ensureCatalog({ adminUrl, papers: scale.papers, seed: 42, log });
  const tokens = await createBenchTokens(catalog.url, TOKENS);
  const inputs = await loadInputs(catalog.url, tokens);
  log(`${catalog.name}: daily dates ${inputs.dailyDates.join(', ')}; deep page ${inputs.deepPage.page} (rows ${inputs.deepPage.firstRow}-${inputs.deepPage.firstRow + 49})`);

  const database = createDb({ connectionString: catalog.url, poolSize: 2 });
  try {
    await benchPlatform(database).trending.refreshNow();
  } finally {
    await database.close();
  }
  await vacuum(catalog.url, ['PaperTrend', 'ApiToken']);

  log(`${catalog.name}: counting SQL statements per operation`);
  const sample = Object.fromEntries(ops.map((op) => [op, callMaker(op, inputs, 1)()])) as Record<OperationName, Call>;
  const statements: ScaleResult['statements'] = await countStatements(catalog.url, sample, API_ENV);
  log(`  ${ops.map((op) => `${op} ${statements[op]!.statements}`).join(', ')}`);

  const compared = ops.filter((op) => COMPARED.has(op));
  const env = { ...API_ENV, DATABASE_URL: catalog.url };
  const api = await SupervisedServer.start({ name: `api (${options.apiRuntime})`, ...apiServer(options.apiRuntime, options.apiNode), env, logFile: path.join(workDir, `api-${scale.papers}.log`) });
  const bound = await SupervisedServer.start({ name: 'lower bound', script: 'bench/lower-bound.ts', env: { DATABASE_URL: catalog.url }, logFile: path.join(workDir, `lower-bound-${scale.papers}.log`) });
  const pgl =
    options.postgraphile && compared.length
      ? await SupervisedServer.start({
          name: 'postgraphile',
          ...postgraphileServer(),
          env: { DATABASE_URL: catalog.url, NODE_ENV: 'production' },
          logFile: path.join(workDir, `postgraphile-${scale.papers}.log`),
        })
      : null;
  const otherRuntime: ApiRuntime = options.apiRuntime === 'dist' ? 'tsx' : 'dist';
  const apiOther =
    options.tsxVsDist && compared.length
      ? await SupervisedServer.start({ name: `api (${otherRuntime})`, ...apiServer(otherRuntime, options.apiNode), env, logFile: path.join(workDir, `api-${otherRuntime}-${scale.papers}.log`) })
      : null;
  log(
    `${catalog.name}: API pid ${api.pid} at ${api.url}, lower bound pid ${bound.pid} at ${bound.url}` +
      (pgl ? `, PostGraphile pid ${pgl.pid} at ${pgl.url}` : '') +
      (apiOther ? `, API (${otherRuntime}) pid ${apiOther.pid} at ${apiOther.url}` : ''),
  );
  const apiMeter = new CpuMeter(catalog.url, () => [api.pid]);
  const boundMeter = new CpuMeter(catalog.url, () => [bound.pid]);
  const pglMeter = pgl && new CpuMeter(catalog.url, () => [pgl.pid]);
  const otherMeter = apiOther && new CpuMeter(catalog.url, () => [apiOther.pid]);
  const operations: OperationResult[] = [];
  const runtimes: RuntimeComparison[] = [];
  let equivalence: Equivalence[] = [];
  let postgraphileEquivalence: PostgraphileEquivalence[] = [];
  let memory: ScaleResult['memory'] | undefined;
  let pglPeak = 0;
  try {
    equivalence = await checkEquivalence(api, bound, ops, inputs);
    if (pgl) postgraphileEquivalence = await checkPostgraphile(api, pgl, compared, inputs);
    if (apiOther) {
      const other = await checkEquivalence(apiOther, bound, compared, inputs);
      const differs = other.find((e) => e.difference);
      if (differs) throw new Error(`the API (${otherRuntime}) and the lower bound differ: ${differs.operation}: ${differs.difference}`);
    }

    let seed = 100;
    for (const op of ops) {
      log(`${catalog.name}: ${op} (${OPERATIONS[op].title})`);
      const withPgl = pgl && COMPARED.has(op) ? pgl : null;
      // Warm-up at 16 connections: JIT, pools, caches; not recorded.
      const warm: [SupervisedServer, Target][] = [[bound, 'lowerBound'], [api, 'api']];
      if (withPgl) warm.push([withPgl, 'postgraphile']);
      for (const [server, target] of warm) {
        await server.ensureRunning(log);
        await step(server, target, op, inputs, 16, scale.warmupSeconds, seed++);
      }
      api.memory.window();
      bound.memory.window();
      withPgl?.memory.window();
      const steps: StepPair[] = [];
      for (const connections of options.connections) {
        const lowerBound = await measuredStep(boundMeter, policy, bound, 'lowerBound', op, inputs, connections, scale.stepSeconds, seed++);
        if (withPgl && pglMeter) {
          // A B A B: drift on a shared machine (others' tests starting, the page cache) falls on both.
          const runs: { api: Measured[]; postgraphile: Measured[] } = { api: [], postgraphile: [] };
          for (let round = 0; round < 2; round++) {
            runs.api.push(await measuredStep(apiMeter, policy, api, 'api', op, inputs, connections, scale.stepSeconds, seed++));
            runs.postgraphile.push(await measuredStep(pglMeter, policy, withPgl, 'postgraphile', op, inputs, connections, scale.stepSeconds, seed++));
          }
          const pair: StepPair = { connections, api: combine(runs.api), lowerBound, postgraphile: combine(runs.postgraphile), alternated: runs };
          log(`  ${String(connections).padStart(2)} conn  api ${describe(pair.api)}`);
          log(`            pgl ${describe(pair.postgraphile!)}  (runs ${runs.api.map((r) => r.rps.toFixed(0)).join(', ')} / ${runs.postgraphile.map((r) => r.rps.toFixed(0)).join(', ')} req/s)`);
          log(`           bound ${describe(lowerBound)}`);
          steps.push(pair);
        } else {
          const apiResult = await measuredStep(apiMeter, policy, api, 'api', op, inputs, connections, scale.stepSeconds, seed++);
          log(`  ${String(connections).padStart(2)} conn  api ${describe(apiResult)}`);
          log(`           bound ${describe(lowerBound)}`);
          steps.push({ connections, api: apiResult, lowerBound });
        }
      }
      const pglOpPeak = withPgl ? Math.round(withPgl.memory.peak()) : undefined;
      if (pglOpPeak !== undefined) pglPeak = Math.max(pglPeak, pglOpPeak);
      operations.push({
        name: op,
        title: OPERATIONS[op].title,
        kind: OPERATIONS[op].kind,
        steps,
        apiRssPeakMb: Math.round(api.memory.peak()),
        lowerBoundRssPeakMb: Math.round(bound.memory.peak()),
        ...(pglOpPeak !== undefined ? { postgraphileRssPeakMb: pglOpPeak } : {}),
      });

      if (apiOther && otherMeter && COMPARED.has(op)) {
        await apiOther.ensureRunning(log);
        await step(apiOther, 'api', op, inputs, 16, scale.warmupSeconds, seed++);
        api.memory.window();
        apiOther.memory.window();
        const runs: Record<ApiRuntime, Measured[]> = { dist: [], tsx: [] };
        for (let round = 0; round < 2; round++) {
          runs[options.apiRuntime].push(await measuredStep(apiMeter, policy, api, 'api', op, inputs, 16, scale.stepSeconds, seed++));
          runs[otherRuntime].push(await measuredStep(otherMeter, policy, apiOther, 'api', op, inputs, 16, scale.stepSeconds, seed++));
        }
        const peaks = { [options.apiRuntime]: Math.round(api.memory.peak()), [otherRuntime]: Math.round(apiOther.memory.peak()) } as Record<ApiRuntime, number>;
        const row: RuntimeComparison = { operation: op, connections: 16, dist: combine(runs.dist), tsx: combine(runs.tsx), runs, distRssPeakMb: peaks.dist, tsxRssPeakMb: peaks.tsx };
        log(`  16 conn  dist ${describe(row.dist)}`);
        log(`            tsx ${describe(row.tsx)}`);
        runtimes.push(row);
      }
    }
  } catch (error) {
    log(`API log tail:\n${tail(path.join(workDir, `api-${scale.papers}.log`))}`);
    if (pgl) log(`PostGraphile log tail:\n${tail(path.join(workDir, `postgraphile-${scale.papers}.log`))}`);
    throw error;
  } finally {
    memory = {
      apiRssPeakUnderLoadMb: Math.max(0, ...operations.map((o) => o.apiRssPeakMb)),
      apiVmHwmMb: Math.round(api.memory.last?.hwmMb ?? NaN),
      lowerBoundRssPeakUnderLoadMb: Math.max(0, ...operations.map((o) => o.lowerBoundRssPeakMb)),
      lowerBoundVmHwmMb: Math.round(bound.memory.last?.hwmMb ?? NaN),
      ...(pgl ? { postgraphileRssPeakUnderLoadMb: pglPeak, postgraphileVmHwmMb: Math.round(pgl.memory.last?.hwmMb ?? NaN) } : {}),
    };
    await api.stop();
    await bound.stop();
    await pgl?.stop();
    await apiOther?.stop();
  }
  const restored = await restoreCatalog(catalog.url, catalog.marker);
  await vacuum(catalog.url, ['Vote', 'Paper', 'ApiToken']);
  log(`${catalog.name}: ${restored.votesRemoved} benchmark votes taken back`);
  const { tokens: _tokens, arxivIds, paperGlobalIds, ...shown } = inputs;
  return {
    papers: scale.papers,
    database: catalog.name,
    catalog: { reused: catalog.reused, marker: catalog.marker, rows: catalog.rows },
    inputs: { ...shown, tokens: tokens.length, arxivIds: arxivIds.length, paperIds: paperGlobalIds.length },
    stepSeconds: scale.stepSeconds,
    statements,
    equivalence,
    postgraphileEquivalence,
    operations,
    runtimes,
    memory: memory!,
    restarts: { api: api.restarts, lowerBound: bound.restarts, postgraphile: pgl?.restarts ?? [] },
    restored,
    wallSeconds: Math.round((performance.now() - started) / 1000),
  };
}

/** Operations that miss a goal at 16 connections: throughput ratio < 50 % or p99 >= 50 ms. */
export function missedAt16(scale: ScaleResult): OperationName[] {
  return scale.operations
    .filter((o) => {
      const s = o.steps.find((x) => x.connections === 16);
      if (!s) return false;
      return (o.kind === 'read' && s.api.rps < 0.5 * s.lowerBound.rps) || s.api.latency.p99 >= 50;
    })
    .map((o) => o.name);
}

async function profile(scale: Scale, ops: OperationName[], adminUrl: string, workDir: string, runtime: ApiRuntime, apiNode: ApiNode): Promise<ProfileResult[]> {
  const catalog = await ensureCatalog({ adminUrl, papers: scale.papers, seed: 42, log });
  const tokens = await createBenchTokens(catalog.url, TOKENS);
  const inputs = await loadInputs(catalog.url, tokens);
  const results: ProfileResult[] = [];
  try {
    for (const op of ops) {
      const dir = path.join(workDir, `cpuprofile-${op}`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      log(`profiling the API under ${op} at 16 connections (${scale.stepSeconds} s)`);
      const server = apiServer(runtime, apiNode);
      const api = await startServer({
        name: 'api (profiled)',
        ...server,
        env: { ...API_ENV, DATABASE_URL: catalog.url },
        nodeArgs: [...(server.nodeArgs ?? []), '--cpu-prof', `--cpu-prof-dir=${dir}`],
        logFile: path.join(workDir, `api-profile-${op}.log`),
      });
      let load: LoadResult;
      let window: { fromMs: number; toMs: number };
      try {
        await step(api, 'api', op, inputs, 16, scale.warmupSeconds, 900);
        const from = performance.now();
        load = await step(api, 'api', op, inputs, 16, scale.stepSeconds, 901);
        // Only the measured load: not start-up (module loading, migrations, trending refresh).
        window = { fromMs: from - api.spawnedAt, toMs: performance.now() - api.spawnedAt };
      } finally {
        await api.stop();
      }
      // The main thread's profile (tid 0 in the name); loader threads write their own.
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
      const main = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0];
      if (!main) {
        log(`  no profile written in ${dir}`);
        continue;
      }
      const summary = summarizeProfile(path.join(dir, main), 15, window);
      log(`  ${summary.busyMs} ms busy; top: ${summary.functions.slice(0, 3).map((f) => `${f.name} ${f.percent}%`).join('; ')}`);
      results.push({ operation: op, papers: scale.papers, connections: 16, load, summary });
    }
  } finally {
    await restoreCatalog(catalog.url, catalog.marker);
  }
  return results;
}

async function main(): Promise<void> {
  // `npm run bench -- --discovery [--papers N] ...`: search, related papers and "for you" at 100k and N papers.
  if (process.argv.includes('--discovery')) {
    const discovery = await import('./discovery.ts');
    return discovery.main(process.argv.slice(2).filter((arg) => arg !== '--discovery'));
  }
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      compare: { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      only: { type: 'string' },
      connections: { type: 'string' },
      api: { type: 'string', default: 'dist' },
      'api-node': { type: 'string', default: 'machine' },
      'tsx-vs-dist': { type: 'boolean', default: false },
      'no-postgraphile': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const compare = values.compare;
  const ops = values.only ? (values.only.split(',').map((s) => s.trim()) as OperationName[]) : compare ? [...COMPARE_OPERATIONS] : [...OPERATION_NAMES];
  for (const op of ops) if (!OPERATION_NAMES.includes(op)) throw new Error(`unknown operation "${op}"\n${USAGE}`);
  const connections = values.connections ? values.connections.split(',').map(Number) : compare ? [16] : [...CONNECTIONS];
  if (connections.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--connections: positive integers\n${USAGE}`);
  if (values.api !== 'dist' && values.api !== 'tsx') throw new Error(`--api: dist or tsx\n${USAGE}`);
  if (values['api-node'] !== 'machine' && values['api-node'] !== '22') throw new Error(`--api-node: machine or 22\n${USAGE}`);
  const options: RunOptions = { connections, apiRuntime: values.api, apiNode: values['api-node'], postgraphile: !values['no-postgraphile'], tsxVsDist: values['tsx-vs-dist'] };
  if (!fs.existsSync(path.join(ROOT, 'src/generated/prisma'))) throw new Error('The Prisma client is not generated: run `npm run generate` first');

  const mode: BenchResult['mode'] = compare ? (values.quick ? 'compare-quick' : 'compare') : values.quick ? 'quick' : 'full';
  const scales: Scale[] = values.quick
    ? [{ papers: 10_000, stepSeconds: 3, warmupSeconds: 1 }]
    : compare
      ? [{ papers: 100_000, stepSeconds: 10, warmupSeconds: 3 }]
      : [
          { papers: 10_000, stepSeconds: 5, warmupSeconds: 2 },
          { papers: 100_000, stepSeconds: 10, warmupSeconds: 2 },
        ];
  const adminUrl = process.env.BENCH_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const startedAt = new Date();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `paper-bench-${mode}-`));
  log(`${mode} run; server logs and profiles in ${workDir}`);

  if (options.apiRuntime === 'dist' || options.tsxVsDist) buildApi(log);
  const withPostgraphile = options.postgraphile && ops.some((op) => COMPARED.has(op));
  if (withPostgraphile || options.apiNode === '22') ensurePostgraphile(log);

  const started = performance.now();
  const api = apiServer(options.apiRuntime, options.apiNode);
  const argv = process.argv.slice(2).join(' ');
  const result: BenchResult = {
    mode,
    startedAt: startedAt.toISOString(),
    command: `npm run ${values.quick && !compare ? 'bench:quick' : 'bench'}${argv && argv !== '--quick' ? ` -- ${argv}` : ''}`,
    machine: await machine(adminUrl),
    apiEnv: API_ENV,
    api: { runtime: options.apiRuntime, node: nodeVersion(api.node!), command: `node ${[...(api.nodeArgs ?? []), ...(api.loader === 'tsx' ? ['--import', 'tsx'] : []), api.script].join(' ')}` },
    postgraphile: withPostgraphile ? postgraphileInfo() : null,
    connections,
    scales: [],
    profiles: [],
    wallSeconds: 0,
  };
  // Others' test suites come and go on a shared machine: the comparison waits less for quiet
  // and relies on the A B A B alternation instead.
  const policy: QuietPolicy = values.quick || compare ? { maxWaitPerStepMs: 10_000, budgetMs: 120_000 } : { maxWaitPerStepMs: 30_000, budgetMs: 600_000 };
  for (const scale of scales) result.scales.push(await runScale(scale, ops, adminUrl, workDir, policy, options));

  // Profile at the largest scale, the operations that missed a goal there.
  const largest = result.scales.at(-1)!;
  const missed = missedAt16(largest);
  if (missed.length && !values['no-profile'] && !compare) {
    result.profiles = await profile(scales.at(-1)!, missed, adminUrl, workDir, options.apiRuntime, options.apiNode);
  }
  result.wallSeconds = Math.round((performance.now() - started) / 1000);

  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  // A second run of the same mode on the same day keeps the first one's report.
  let base = path.join(dir, `${startedAt.toISOString().slice(0, 10)}-${mode}`);
  for (let n = 2; fs.existsSync(`${base}.json`); n++) base = path.join(dir, `${startedAt.toISOString().slice(0, 10)}-${mode}-${n}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, writeReport(result));
  log(`done in ${result.wallSeconds} s: ${path.relative(ROOT, base)}.md and .json`);
}

function postgraphileInfo(): NonNullable<BenchResult['postgraphile']> {
  const version = (name: string) => (JSON.parse(fs.readFileSync(path.join(POSTGRAPHILE_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    version: version('postgraphile'),
    node: execFileSync(POSTGRAPHILE_NODE, ['--version'], { encoding: 'utf8' }).trim(),
    preset: 'postgraphile/presets/amber (one smart tag: "Paper"."hiddenAt" filterable)',
    command: `${path.relative(ROOT, POSTGRAPHILE_NODE)} bench/postgraphile/server.mjs`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
