// The fault run (`npm run bench:faults`): the API under votes and reads from many clients while
// its database goes away, and what is left afterwards.
//
// PostgreSQL: a PRIVATE PostgreSQL 15 cluster made for the run (initdb into a temporary folder
// as the postgres user, on a free port), never the machine's shared server, which other test
// runs use. Under load: every backend of the API is terminated (pg_terminate_backend), then
// the server is stopped (pg_ctl stop -m fast) for STOP_SECONDS and started again. Counted:
// responses by phase, status and code; every vote acknowledged with 200 must be in the
// database, and upvoteCount must equal the vote rows of every paper; the time from the
// database's return (its first accepted connection) to the API's first successful request.
//
// Embedded: the API over its own PGlite data folder, restarted under load twice (SIGTERM, then
// SIGKILL), and the same checks.
//
// Clients behave as a retry library would: a 503 (or a refused connection while the API
// restarts) is retried after Retry-After, the same vote again; votes are idempotent. A probe
// sends a cheap read every 20 ms regardless, to time recovery finely.
//
//   npm run bench:faults [-- --date 2026-11-30] [--stop-mode fast,immediate] [--no-embedded]
//   Needs root (runuser -u postgres) and /usr/lib/postgresql/15/bin.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type Db } from '../src/platform/db/client.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { openDatabase } from '../src/platform/db/open.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { generateToken } from '../src/catalog/users/tokens.ts';
import { freePort, ROOT } from './processes.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const DATE = option('date', new Date().toISOString().slice(0, 10));
const STOP_MODES = option('stop-mode', 'fast,immediate').split(',') as ('fast' | 'immediate')[];
const EMBEDDED = !args.includes('--no-embedded');

const PAPERS = 300;
const VOTERS = 48;
const READERS = 16;
const STOP_SECONDS = 3;
/** Votes acknowledged before the faults begin. */
const WARM_VOTES = 50;
const log = (message: string) => console.log(`[faults ${new Date().toISOString().slice(11, 23)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL 15 cluster.

class PrivateCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-pg15-'));
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres:postgres', dir]);
    const cluster = new PrivateCluster(dir, await freePort());
    cluster.asPostgres(`${PG_BIN}/initdb`, ['-D', cluster.data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    cluster.start();
    return cluster;
  }

  get data() {
    return path.join(this.dir, 'data');
  }

  url(database: string) {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private asPostgres(command: string, commandArgs: string[]) {
    execFileSync('runuser', ['-u', 'postgres', '--', command, ...commandArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
  }

  private pgCtl(commandArgs: string[]) {
    this.asPostgres(`${PG_BIN}/pg_ctl`, ['-D', this.data, ...commandArgs]);
  }

  /** Starts and waits until it accepts connections. */
  start() {
    this.pgCtl(['-l', path.join(this.dir, 'server.log'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, '-w', 'start']);
  }

  /** Starts without waiting: the caller times the return itself. */
  startInBackground(): ChildProcess {
    return spawn('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', this.data, '-l', path.join(this.dir, 'server.log'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start'], {
      stdio: 'ignore',
    });
  }

  stop(mode: 'fast' | 'immediate') {
    this.pgCtl(['-m', mode, '-w', 'stop']);
  }

  /** Like `stop`, without blocking this process's clients meanwhile. */
  stopInBackground(mode: 'fast' | 'immediate'): Promise<void> {
    const child = spawn('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', this.data, '-m', mode, '-w', 'stop'], { stdio: 'ignore' });
    return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl stop exited with ${code}`)))));
  }

  destroy() {
    try {
      this.stop('immediate');
    } catch {
      // not running
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The catalog every run starts from: papers to vote on, users with tokens.

interface Seeded {
  paperIds: number[];
  voters: { userId: number; token: string }[];
}

async function seed(db: Db): Promise<Seeded> {
  const today = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
  await db.paper.createMany({
    data: Array.from({ length: PAPERS }, (_, i) => ({
      arxivId: `2611.${String(i + 1).padStart(5, '0')}`,
      title: `Fault-run paper ${i + 1}`,
      abstract: `Abstract of fault-run paper ${i + 1}.`,
      publishedAt: today,
      featuredOn: new Date(today.getTime() - (i % 5) * 86_400_000),
    })),
  });
  const paperIds = (await db.paper.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((p) => p.id);
  const voters = [];
  for (let i = 0; i < VOTERS; i++) {
    const user = await db.user.create({ data: { handle: `voter${i}`, displayName: `Voter ${i}` } });
    const { token, tokenHash, prefix } = generateToken();
    await db.apiToken.create({ data: { userId: user.id, name: 'fault run', tokenHash, prefix } });
    voters.push({ userId: user.id, token });
  }
  return { paperIds, voters };
}

// ---------------------------------------------------------------------------------------------
// The API as a child process, on a fixed port so that it can be restarted under the clients.

class Api {
  child: ChildProcess | undefined;
  readonly url: string;
  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const out = fs.openSync(this.logFile, 'a');
    const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...inherited, NODE_ENV: 'production', LOG_LEVEL: 'warn', SEED_DEMO: 'false', RATE_LIMIT_POINTS: '0', TRENDING_REFRESH_SECONDS: '86400', HOST: '127.0.0.1', PORT: String(this.port), ...this.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`the API exited (${this.child.exitCode}) before it was ready; see ${this.logFile}`);
      try {
        if ((await fetch(`${this.url}/readyz`)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the API was not ready within 120 s; see ${this.logFile}`);
      await sleep(100);
    }
  }

  /** Sends `signal` and resolves once the process has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Clients.

type Phase = string;

interface Outcome {
  phase: Phase;
  /** 0: no HTTP response (connection refused or reset). */
  status: number;
  /** errors[0].extensions.code; 'ok' without errors; 'network' without a response. */
  code: string;
  /** performance.now() at the response. */
  at: number;
  kind: 'vote' | 'read' | 'probe';
}

class Recorder {
  phase: Phase = 'warm-up';
  readonly outcomes: Outcome[] = [];
  /** `${userId}:${paperId}` acknowledged with 200. */
  readonly acknowledged = new Set<string>();
  /** Every vote a client sent at least once. */
  readonly attempted = new Set<string>();
  running = true;
  /** performance.now() until which votes already sent are still retried after the run. */
  drainUntil = 0;

  record(kind: Outcome['kind'], status: number, code: string) {
    this.outcomes.push({ phase: this.phase, status, code, at: performance.now(), kind });
  }
}

interface Answer {
  status: number;
  code: string;
  retryAfterMs: number;
  body: any;
}

async function post(url: string, query: string, token?: string): Promise<Answer> {
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: any = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: counted by status
    }
    const code = body?.errors?.[0]?.extensions?.code ?? (response.status === 200 ? 'ok' : 'no code');
    const retryAfter = Number(response.headers.get('retry-after'));
    return { status: response.status, code, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000, body };
  } catch {
    return { status: 0, code: 'network', retryAfterMs: 200, body: null };
  }
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Upvotes papers one after another; a failed vote is retried (after Retry-After) until acknowledged or the run ends. */
async function voter(api: Api, rec: Recorder, voter: { userId: number; token: string }, paperIds: number[], index: number) {
  for (const paperId of shuffled(paperIds, index + 1)) {
    if (!rec.running) return;
    const key = `${voter.userId}:${paperId}`;
    rec.attempted.add(key);
    for (;;) {
      // Once the run ends, a vote already sent is still retried until the drain's deadline.
      if (!rec.running && performance.now() > rec.drainUntil) return;
      const answer = await post(api.url, `mutation { upvotePaper(paperId: "${toGlobalId('Paper', paperId)}") { paper { upvotes viewerHasUpvoted } userErrors { code } } }`, voter.token);
      rec.record('vote', answer.status, answer.code);
      if (answer.status === 200 && answer.code === 'ok' && answer.body?.data?.upvotePaper?.paper?.viewerHasUpvoted === true) {
        rec.acknowledged.add(key);
        break;
      }
      await sleep(answer.retryAfterMs);
    }
  }
}

const READ = '{ papers(first: 20) { totalCount nodes { title upvotes authors { name } topics { slug } } } }';

async function reader(api: Api, rec: Recorder) {
  while (rec.running) {
    const answer = await post(api.url, READ);
    rec.record('read', answer.status, answer.code);
    if (answer.status !== 200) await sleep(answer.retryAfterMs);
  }
}

/** A cheap read every 20 ms, whatever the answer: times recovery finely. */
async function probe(api: Api, rec: Recorder) {
  while (rec.running) {
    const answer = await post(api.url, '{ papers(first: 1) { totalCount } }');
    rec.record('probe', answer.status, answer.code);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// Checks.

interface Verdict {
  acknowledged: number;
  lost: number;
  /** Votes in the database that no client sent: must be 0. */
  phantom: number;
  /** Sent, never acknowledged (the run ended while retrying), yet committed. */
  committedUnacknowledged: number;
  votesInDb: number;
  papersWithWrongCount: number;
  sumUpvoteCount: number;
}

async function verify(db: Db, rec: Recorder): Promise<Verdict> {
  const votes = await db.vote.findMany({ select: { userId: true, paperId: true } });
  const inDb = new Set(votes.map((v) => `${v.userId}:${v.paperId}`));
  const wrong = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Paper" p
    WHERE p."upvoteCount" <> (SELECT count(*) FROM "Vote" v WHERE v."paperId" = p.id)`;
  const sum = await db.$queryRaw<{ n: number }[]>`SELECT coalesce(sum("upvoteCount"), 0)::int AS n FROM "Paper"`;
  return {
    acknowledged: rec.acknowledged.size,
    lost: [...rec.acknowledged].filter((key) => !inDb.has(key)).length,
    phantom: [...inDb].filter((key) => !rec.attempted.has(key)).length,
    committedUnacknowledged: [...inDb].filter((key) => rec.attempted.has(key) && !rec.acknowledged.has(key)).length,
    votesInDb: inDb.size,
    papersWithWrongCount: wrong[0]!.n,
    sumUpvoteCount: sum[0]!.n,
  };
}

/** Rows "phase | status | code | votes | reads | probes". */
function outcomeTable(outcomes: Outcome[], phases: Phase[]): string {
  const rows = new Map<string, { phase: Phase; status: number; code: string; vote: number; read: number; probe: number }>();
  for (const o of outcomes) {
    const key = `${o.phase}|${o.status}|${o.code}`;
    const row = rows.get(key) ?? { phase: o.phase, status: o.status, code: o.code, vote: 0, read: 0, probe: 0 };
    row[o.kind]++;
    rows.set(key, row);
  }
  const sorted = [...rows.values()].sort((a, b) => phases.indexOf(a.phase) - phases.indexOf(b.phase) || a.status - b.status || a.code.localeCompare(b.code));
  const lines = ['| phase | HTTP status | code | votes | reads | probes |', '| --- | --- | --- | ---: | ---: | ---: |'];
  for (const r of sorted) lines.push(`| ${r.phase} | ${r.status === 0 ? '— (no response)' : r.status} | ${r.code} | ${r.vote} | ${r.read} | ${r.probe} |`);
  const totals = (status: (o: Outcome) => boolean) => outcomes.filter(status).length;
  lines.push(`| **all** | | | ${totals((o) => o.kind === 'vote')} | ${totals((o) => o.kind === 'read')} | ${totals((o) => o.kind === 'probe')} |`);
  return lines.join('\n');
}

function firstSuccessAfter(outcomes: Outcome[], at: number, kind?: Outcome['kind']): number | null {
  const first = outcomes.find((o) => o.at >= at && o.status === 200 && o.code === 'ok' && (!kind || o.kind === kind));
  return first ? first.at - at : null;
}

const ms = (value: number | null) => (value === null ? 'never' : `${Math.round(value)} ms`);

// ---------------------------------------------------------------------------------------------
// The PostgreSQL run.

async function postgresRun(STOP_MODE: 'fast' | 'immediate'): Promise<string> {
  log('creating a private PostgreSQL 15 cluster');
  const cluster = await PrivateCluster.create();
  const admin = () => new pg.Client({ connectionString: cluster.url('postgres') });
  try {
    const setup = admin();
    await setup.connect();
    await setup.query('CREATE DATABASE catalog');
    const version = (await setup.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    await setup.end();
    const url = cluster.url('catalog');
    await applyMigrations(url);
    const seedDatabase = createDb({ connectionString: url, poolSize: 2 });
    const seedDb = seedDatabase.db;
    const seeded = await seed(seedDb);
    await seedDatabase.close();
    log(`cluster on port ${cluster.port} (PostgreSQL ${version}), ${PAPERS} papers, ${VOTERS} voters`);

    const api = new Api(await freePort(), { DATABASE_URL: url }, path.join(cluster.dir, 'api.log'));
    await api.start();
    const rec = new Recorder();
    const clients = [
      ...seeded.voters.map((v, i) => voter(api, rec, v, seeded.paperIds, i)),
      ...Array.from({ length: READERS }, () => reader(api, rec)),
      probe(api, rec),
    ];
    const marks: Record<string, number> = {};
    const readyz: { at: number; status: number; body: string }[] = [];
    const readyzPoller = (async () => {
      while (rec.running) {
        try {
          const response = await fetch(`${api.url}/readyz`);
          readyz.push({ at: performance.now(), status: response.status, body: await response.text() });
        } catch {
          readyz.push({ at: performance.now(), status: 0, body: '' });
        }
        await sleep(50);
      }
    })();

    // Warm-up: until the API serves steadily (its first requests compile and plan).
    const warmUntil = Date.now() + 60_000;
    while (rec.acknowledged.size < WARM_VOTES && Date.now() < warmUntil) await sleep(100);
    rec.phase = 'steady';
    await sleep(3000);
    rec.phase = 'backends terminated';
    const killer = admin();
    await killer.connect();
    marks.terminated = performance.now();
    const terminated = (await killer.query(`SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'catalog' AND pid <> pg_backend_pid()) t`)).rows[0].n as number;
    await killer.end();
    log(`terminated ${terminated} backends of the API`);
    await sleep(4000);

    rec.phase = 'PostgreSQL stopped';
    marks.stopping = performance.now();
    await cluster.stopInBackground(STOP_MODE);
    marks.stopped = performance.now();
    log(`PostgreSQL stopped (-m ${STOP_MODE}) in ${Math.round(marks.stopped - marks.stopping)} ms; down for ${STOP_SECONDS} s`);
    await sleep(STOP_SECONDS * 1000);
    marks.starting = performance.now();
    cluster.startInBackground();
    // The database's return: its first accepted connection, polled every 5 ms.
    for (;;) {
      const probeClient = admin();
      try {
        await probeClient.connect();
        await probeClient.query('SELECT 1');
        await probeClient.end();
        break;
      } catch {
        await probeClient.end().catch(() => {});
        await sleep(5);
      }
    }
    marks.back = performance.now();
    rec.phase = 'after return';
    log(`PostgreSQL accepts connections again (${Math.round(marks.back - marks.starting)} ms after pg_ctl start)`);
    await sleep(8000);

    // New votes stop; a vote still being retried gets up to 10 s to be acknowledged.
    rec.phase = 'drain';
    rec.drainUntil = performance.now() + 10_000;
    rec.running = false;
    await Promise.race([Promise.all(clients), sleep(12_000)]);
    await readyzPoller;
    await api.stop('SIGTERM');
    const checkDatabase = createDb({ connectionString: url, poolSize: 2 });
    const checkDb = checkDatabase.db;
    const verdict = await verify(checkDb, rec);
    await checkDatabase.close();
    log(`verdict: ${JSON.stringify(verdict)}`);
    const load = os.loadavg()[0]!.toFixed(1);

    const phases = ['warm-up', 'steady', 'backends terminated', 'PostgreSQL stopped', 'after return', 'drain'];
    const readyzBack = readyz.find((r) => r.at >= marks.back! && r.status === 200);
    const readyzDown = readyz.find((r) => r.at >= marks.stopping! && r.status === 503);
    const apiLog = fs.readFileSync(path.join(cluster.dir, 'api.log'), 'utf8').split('\n').filter(Boolean);
    const logMessages = new Map<string, number>();
    for (const line of apiLog) {
      try {
        const msg = (JSON.parse(line) as { msg?: string }).msg ?? '?';
        logMessages.set(msg, (logMessages.get(msg) ?? 0) + 1);
      } catch {
        logMessages.set('(not JSON)', (logMessages.get('(not JSON)') ?? 0) + 1);
      }
    }
    const unavailableDuringStop = rec.outcomes.filter((o) => o.phase === 'PostgreSQL stopped');
    return `## PostgreSQL ${version} (private cluster), pg_ctl stop -m ${STOP_MODE}

Machine load average (1 min) at the end: ${load} on ${os.cpus().length} cores: every latency below
includes queueing behind the other clients and the machine's other work.

${VOTERS} voters (each upvotes the ${PAPERS} papers in its own order, one request at a time, a failed
vote retried after Retry-After until acknowledged), ${READERS} readers (a 20-paper page with
authors and topics, in a loop) and one probe (\`papers(first: 1) { totalCount }\` every 20 ms).
The API: \`node --import tsx src/main.ts\`, NODE_ENV=production, default pool (10 connections,
DATABASE_POOL_TIMEOUT_MS 5000, DATABASE_STATEMENT_TIMEOUT_MS 30000), GRAPHQL_OPERATION_TIMEOUT_MS 10000.

Timeline: warm-up until ${WARM_VOTES} votes are acknowledged; 3 s steady; \`pg_terminate_backend\` on every backend of the API (${terminated} terminated);
4 s; \`pg_ctl stop -m ${STOP_MODE}\` (took ${ms(marks.stopped! - marks.stopping!)}); ${STOP_SECONDS} s down; \`pg_ctl start\`,
first accepted connection ${ms(marks.back! - marks.starting!)} later ("the return"); 8 s; new requests stop,
votes still being retried get up to 10 s.

### Responses by phase, status and code

${outcomeTable(rec.outcomes, phases)}

While PostgreSQL was down: ${unavailableDuringStop.filter((o) => o.status === 503 && o.code === 'SERVICE_UNAVAILABLE').length} of ${unavailableDuringStop.length} responses were 503 SERVICE_UNAVAILABLE
(${unavailableDuringStop.filter((o) => o.code === 'INTERNAL_SERVER_ERROR').length} INTERNAL_SERVER_ERROR, ${unavailableDuringStop.filter((o) => o.status === 0).length} without a response).

### What was kept

| check | value |
| --- | ---: |
| votes acknowledged with 200 | ${verdict.acknowledged} |
| **acknowledged votes missing from the database** | **${verdict.lost}** |
| vote rows in the database | ${verdict.votesInDb} |
| vote rows no client sent | ${verdict.phantom} |
| votes sent, not acknowledged when the run ended, committed | ${verdict.committedUnacknowledged} |
| **papers whose upvoteCount differs from their vote rows** | **${verdict.papersWithWrongCount}** (of ${PAPERS}) |
| sum of upvoteCount | ${verdict.sumUpvoteCount} |

### Recovery

| from | to | time |
| --- | --- | ---: |
| pg_terminate_backend of every backend | the next successful request | ${ms(firstSuccessAfter(rec.outcomes, marks.terminated!))} |
| the database's return (first accepted connection) | the first successful request (any client) | **${ms(firstSuccessAfter(rec.outcomes, marks.back!))}** |
| the database's return | the probe's first success | ${ms(firstSuccessAfter(rec.outcomes, marks.back!, 'probe'))} |
| the database's return | the first acknowledged vote | ${ms(firstSuccessAfter(rec.outcomes, marks.back!, 'vote'))} |
| pg_ctl stop issued | /readyz 503 | ${readyzDown ? ms(readyzDown.at - marks.stopping!) : 'never'} (${readyzDown?.body ?? ''}) |
| the database's return | /readyz 200 | ${readyzBack ? ms(readyzBack.at - marks.back!) : 'never'} |

API log lines by message: ${[...logMessages].map(([m, n]) => `\`${m}\` ${n}`).join(', ') || 'none'}.
`;
  } finally {
    // The API's log outlives the cluster's folder, for a look at what it said.
    fs.copyFileSync(path.join(cluster.dir, 'api.log'), path.join(os.tmpdir(), `faults-api-${STOP_MODE}.log`));
    cluster.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The embedded run: the API over its own data folder, restarted under load.

async function embeddedRun(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-embedded-'));
  try {
    log('seeding an embedded database');
    const setup = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    const seeded = await seed(setup.db);
    await setup.close();
    const api = new Api(await freePort(), { DATA_DIR: dir }, path.join(dir, 'api.log'));
    await api.start();
    const rec = new Recorder();
    const voters = seeded.voters.slice(0, 16);
    const clients = [...voters.map((v, i) => voter(api, rec, v, seeded.paperIds, i)), reader(api, rec), reader(api, rec), probe(api, rec)];
    const restarts: { signal: string; downMs: number; firstSuccessMs: number | null; afterReadyMs: number | null; up: number }[] = [];
    const warmUntil = Date.now() + 60_000;
    while (rec.acknowledged.size < WARM_VOTES && Date.now() < warmUntil) await sleep(100);
    rec.phase = 'steady';
    await sleep(3000);
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      rec.phase = `restart after ${signal}`;
      const stopping = performance.now();
      await api.stop(signal);
      await api.start();
      const up = performance.now();
      log(`embedded API restarted after ${signal} (${Math.round(up - stopping)} ms)`);
      restarts.push({ signal, downMs: up - stopping, firstSuccessMs: null, afterReadyMs: null, up });
      await sleep(4000);
      const restart = restarts[restarts.length - 1]!;
      restart.firstSuccessMs = firstSuccessAfter(rec.outcomes, stopping);
      restart.afterReadyMs = firstSuccessAfter(rec.outcomes, up);
    }
    rec.phase = 'drain';
    rec.drainUntil = performance.now() + 10_000;
    rec.running = false;
    await Promise.race([Promise.all(clients), sleep(12_000)]);
    await api.stop('SIGTERM');
    const check = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    const verdict = await verify(check.db, rec);
    await check.close();
    log(`embedded verdict: ${JSON.stringify(verdict)}`);
    const phases = ['warm-up', 'steady', 'restart after SIGTERM', 'restart after SIGKILL', 'drain'];
    return `## Embedded database (PGlite over its data folder)

16 voters, 2 readers and the probe against \`node --import tsx src/main.ts\` with no DATABASE_URL
(DATA_DIR a fresh folder, seeded with the same catalog). After a warm-up (${WARM_VOTES} votes acknowledged)
and 3 s, the API is stopped with
SIGTERM (drains in-flight requests, closes the database) and started again over the same folder
and port; 4 s later it is killed with SIGKILL (no shutdown at all) and started again; 4 s more.
Clients retry a refused connection after 200 ms.

${outcomeTable(rec.outcomes, phases)}

| restart | from the signal to /readyz 200 again | from the signal to the first successful request | from /readyz 200 to the first successful request |
| --- | ---: | ---: | ---: |
${restarts.map((r) => `| ${r.signal} | ${ms(r.downMs)} | ${ms(r.firstSuccessMs)} | ${ms(r.afterReadyMs)} |`).join('\n')}

The time to ready again is the API's own start (\`tsx\` compiling the source, PGlite opening its
folder) on this loaded machine (load average ${os.loadavg()[0]!.toFixed(1)}); after SIGTERM a request can succeed
before that, answered by the old process while it drains.

| check | value |
| --- | ---: |
| votes acknowledged with 200 | ${verdict.acknowledged} |
| **acknowledged votes missing from the database** | **${verdict.lost}** |
| vote rows in the database | ${verdict.votesInDb} |
| vote rows no client sent | ${verdict.phantom} |
| votes sent, not acknowledged when the run ended, committed | ${verdict.committedUnacknowledged} |
| **papers whose upvoteCount differs from their vote rows** | **${verdict.papersWithWrongCount}** (of ${PAPERS}) |
`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('bench/faults.ts needs root: it runs initdb and pg_ctl as the postgres user (runuser)');
  if (!fs.existsSync(`${PG_BIN}/initdb`)) throw new Error(`PostgreSQL 15 binaries not found in ${PG_BIN}`);
  const started = new Date();
  const sections: string[] = [];
  for (const mode of STOP_MODES) sections.push(await postgresRun(mode));
  if (EMBEDDED) sections.push(await embeddedRun());
  const head = `# Fault run, ${DATE}

\`npm run bench:faults${args.length ? ` -- ${args.join(' ')}` : ''}\` (bench/faults.ts), started ${started.toISOString()},
on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, shared with other work.
Clients, API and database on one machine, over loopback.
`;
  const report = [head, ...sections].join('\n');
  const file = path.join(ROOT, 'bench/results', `${DATE}-faults.md`);
  fs.writeFileSync(file, report);
  log(`report written to ${path.relative(ROOT, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
