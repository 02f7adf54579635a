// Signed webhooks under load (issue 25): the API as production runs it (src/main.ts, its
// delivery worker inside), a receiver on loopback in this process.
//
//   1. commit → first attempt: one event committed every 100 ms (a paper change and its outbox
//      row, in one transaction, on a connection of this script), timed from COMMIT's return to the
//      request's arrival at the receiver; first without load, then under a vote load of 16
//      connections (upvotePaper / removeUpvote by 200 users on 500 papers, autocannon).
//   2. drain: 1,000 events to 10 endpoints (10,000 deliveries) committed at once, timed until
//      every message is delivered, while pg_stat_activity is sampled every 20 ms for the API's
//      connections: open, and busy (not idle).
//
//   npm run bench:webhooks [-- --seconds 20 --concurrency 8 --out bench/results/2026-12-07-webhooks.md]
//
// Needs PostgreSQL at BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres):
// it creates a database of its own and drops it at the end.
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { generateToken } from '../src/catalog/users/tokens.ts';
import { createDb } from '../src/platform/db/client.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { writeOutbox } from '../src/platform/events/outbox.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { projectRoot } from '../src/platform/paths.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '8' }, out: { type: 'string' } } });
const seconds = Number(args.seconds);
const concurrency = Number(args.concurrency);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `bench_webhooks_${process.pid}`;
const dbUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
})();
const log = (message: string) => console.error(`[bench:webhooks] ${message}`);

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');

/** The receiver: the arrival time of each request, by the event's mark (set by this script). */
function startReceiver(): Promise<{ url: string; arrivals: Map<string, number>; count: () => number; close: () => Promise<void> }> {
  const arrivals = new Map<string, number>();
  let count = 0;
  const server = http.createServer((request, response) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      count++;
      const mark = /"changed":\["(bench:[^"]+)"\]/.exec(Buffer.concat(chunks).toString())?.[1];
      if (mark && !arrivals.has(mark)) arrivals.set(mark, at);
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        arrivals,
        count: () => count,
        close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
      }),
    ),
  );
}

function startApi(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { ...inherited, NODE_ENV: 'production', LOG_LEVEL: 'info', LOG_FORMAT: 'json', HOST: '127.0.0.1', PORT: '0', SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let rest = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const match = /GraphQL API at (http:\/\/[^/]+)\/graphql/.exec(line);
        if (match) resolve({ url: match[1]!, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`the API exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  // The PostgreSQL server is shared: another job may terminate our connections (pg_terminate_backend).
  // Said, not fatal: the sampler reconnects; the API's pools and worker recover on their own.
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', (error) => log(`admin connection: ${error.message}`));
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  let api: ChildProcess | undefined;
  const receiver = await startReceiver();
  const database = createDb({ connectionString: `${dbUrl}${dbUrl.includes('?') ? '&' : '?'}application_name=bench`, poolSize: 4 });
  const { db } = database;
  try {
    await applyMigrations(dbUrl);
    log('seeding 200 users with tokens and 500 papers');
    const tokens: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { token, tokenHash, prefix } = generateToken();
      await db.user.create({ data: { handle: `u${i}`, displayName: `User ${i}`, tokens: { create: { name: 'bench', tokenHash, prefix } } } });
      tokens.push(token);
    }
    await db.$executeRaw`
      INSERT INTO "Paper" ("arxivId", title, abstract, "publishedAt", "featuredOn", "updatedAt")
      SELECT '2601.' || lpad(g::text, 5, '0'), 'Paper ' || g, 'Abstract ' || g, now(), current_date, now() FROM generate_series(1, 500) g`;
    const papers = (await db.paper.findMany({ select: { id: true, arxivId: true }, orderBy: { id: 'asc' } }));
    const owner = (await db.user.findFirstOrThrow()).id;
    const latencyEndpoint = await db.webhookEndpoint.create({ data: { ownerId: owner, url: `${receiver.url}/latency`, events: ['paper.updated'], secret: 'whsec_' + Buffer.alloc(24, 7).toString('base64') } });

    const started = await startApi({ DATABASE_URL: dbUrl, WEBHOOK_ALLOW_INSECURE_TARGETS: '127.0.0.1', RATE_LIMIT_POINTS: '0', RATE_LIMIT_IN_FLIGHT: '1000', WEBHOOK_CONCURRENCY: String(concurrency) });
    api = started.child;
    log(`API at ${started.url} (pid ${api.pid})`);

    let sequence = 0;
    /** A real change and its event, in one transaction; returns the event's mark and COMMIT's return time. */
    const commitOne = async (): Promise<{ mark: string; committedAt: number }> => {
      const paper = papers[sequence % papers.length]!;
      const mark = `bench:${sequence++}`;
      await db.$transaction([
        db.paper.update({ where: { id: paper.id }, data: { githubStars: sequence } }),
        writeOutbox(db, [{ type: 'paper.updated', data: { paper: { id: toGlobalId('Paper', paper.id), arxivId: paper.arxivId }, changed: [mark] } }]),
      ]);
      return { mark, committedAt: performance.now() };
    };
    const latencies = async (label: string): Promise<{ label: string; n: number; p50: number; p99: number; max: number }> => {
      const commits: { mark: string; committedAt: number }[] = [];
      const until = Date.now() + seconds * 1000;
      while (Date.now() < until) {
        commits.push(await commitOne());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const deadline = Date.now() + 30_000;
      while (commits.some((c) => !receiver.arrivals.has(c.mark)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const sorted = commits.map((c) => (receiver.arrivals.get(c.mark) ?? Infinity) - c.committedAt).sort((a, b) => a - b);
      const result = { label, n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
      log(`${label}: n=${result.n} p50=${fmt(result.p50)} ms p99=${fmt(result.p99)} ms max=${fmt(result.max)} ms`);
      return result;
    };

    log(`phase 1a: commit to first attempt, no load, ${seconds} s`);
    const idle = await latencies('no load');

    log(`phase 1b: the same under a vote load of 16 connections`);
    let loadResult!: autocannon.Result;
    let loadFailed: unknown;
    let finishLoad!: () => void;
    const loadDone = new Promise<void>((resolve) => (finishLoad = resolve));
    autocannon({
      url: `${started.url}/graphql`,
      connections: 16,
      pipelining: 1,
      duration: seconds + 10,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const token = tokens[Math.floor(Math.random() * tokens.length)]!;
            const paper = papers[Math.floor(Math.random() * papers.length)]!;
            const field = Math.random() < 0.5 ? 'upvotePaper' : 'removeUpvote';
            return {
              ...request,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ query: `mutation($p: ID!) { ${field}(paperId: $p) { paper { upvotes } } }`, variables: { p: toGlobalId('Paper', paper.id) } }),
            };
          },
        },
      ],
    }, (error, result) => {
      loadFailed = error;
      loadResult = result;
      finishLoad();
    });
    await new Promise((resolve) => setTimeout(resolve, 3000)); // load reaches its steady state
    const loaded = await latencies('vote load, 16 connections');
    await loadDone;
    if (loadFailed) throw loadFailed;
    log(`votes: ${loadResult.requests.average.toFixed(0)} req/s, p99 ${loadResult.latency.p99} ms, non-2xx ${loadResult.non2xx}, errors ${loadResult.errors}`);

    log('phase 2: 1,000 events to 10 endpoints');
    await db.webhookEndpoint.update({ where: { id: latencyEndpoint.id }, data: { disabledAt: new Date(), disabledReason: 'bench' } });
    for (let i = 0; i < 10; i++) await db.webhookEndpoint.create({ data: { ownerId: owner, url: `${receiver.url}/drain/${i}`, events: ['paper.updated'], secret: 'whsec_' + Buffer.alloc(24, i).toString('base64') } });
    const before = await db.webhookMessage.count({ where: { state: 'DELIVERED' } });
    const connectMonitor = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      client.on('error', (error) => log(`monitor connection: ${error.message}`));
      await client.connect();
      return client;
    };
    const monitor = await connectMonitor();
    let maxOpen = 0;
    let maxBusy = 0;
    let maxWorkerOpen = 0;
    let maxWorkerBusy = 0;
    let sampling = true;
    let samplerFailed = false;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await monitor.query<{ open: number; busy: number; workerOpen: number; workerBusy: number }>(
          `SELECT count(*)::int AS open, count(*) FILTER (WHERE state <> 'idle')::int AS busy,
                  count(*) FILTER (WHERE application_name = 'webhook-worker')::int AS "workerOpen",
                  count(*) FILTER (WHERE application_name = 'webhook-worker' AND state <> 'idle')::int AS "workerBusy"
           FROM pg_stat_activity WHERE datname = $1 AND application_name <> 'bench'`,
          [dbName],
        );
        maxOpen = Math.max(maxOpen, rows[0]!.open);
        maxBusy = Math.max(maxBusy, rows[0]!.busy);
        maxWorkerOpen = Math.max(maxWorkerOpen, rows[0]!.workerOpen);
        maxWorkerBusy = Math.max(maxWorkerBusy, rows[0]!.workerBusy);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })().catch(async (error: unknown) => {
      log(`sampler stopped: ${(error as Error).message}`);
      samplerFailed = true;
    });
    const t0 = performance.now();
    for (let batch = 0; batch < 10; batch++) {
      const events = Array.from({ length: 100 }, (_, i) => {
        const paper = papers[(batch * 100 + i) % papers.length]!;
        return { type: 'paper.updated', data: { paper: { id: toGlobalId('Paper', paper.id), arxivId: paper.arxivId }, changed: [`drain:${batch * 100 + i}`] } };
      });
      await db.$transaction([writeOutbox(db, events)]);
    }
    let delivered = 0;
    const drainDeadline = Date.now() + 600_000;
    while ((delivered = (await db.webhookMessage.count({ where: { state: 'DELIVERED' } })) - before) < 10_000 && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const drainMs = performance.now() - t0;
    sampling = false;
    await sampler;
    await monitor.end().catch(() => {});
    if (samplerFailed) throw new Error('the connection sampler failed: the connection figures would be incomplete; run again');
    log(`drain: ${delivered} deliveries in ${fmt(drainMs / 1000, 2)} s (${fmt(delivered / (drainMs / 1000), 0)}/s); API connections: at most ${maxOpen} open, ${maxBusy} busy; the worker's: ${maxWorkerOpen} open, ${maxWorkerBusy} busy`);

    const commit = (() => {
      try {
        return execSync('git rev-parse --short HEAD', { cwd: projectRoot }).toString().trim();
      } catch {
        return 'unknown';
      }
    })();
    const report = `# Signed webhooks: commit to first attempt, and draining (2026-12-07)

Command: \`npm run bench:webhooks -- --seconds ${seconds} --concurrency ${concurrency}\` (bench/webhooks.ts), commit ${commit}, ${os.cpus().length} cores
(${os.cpus()[0]?.model ?? 'unknown CPU'}), shared with other work; PostgreSQL at 127.0.0.1:5432; Node ${process.version}.
The API is \`src/main.ts\` as production starts it (one process, its delivery worker inside, woken by
NOTIFY); the receiver answers 204 on loopback, in the bench's process.

## Commit to first delivery attempt

One event committed every 100 ms for ${seconds} s (a paper update and its outbox row in one transaction,
from the bench's own connection), timed from COMMIT's return to the request's arrival at the receiver.

| load | events | p50 | p99 | max |
| --- | ---: | ---: | ---: | ---: |
| none | ${idle.n} | ${fmt(idle.p50)} ms | ${fmt(idle.p99)} ms | ${fmt(idle.max)} ms |
| votes, 16 connections (${loadResult.requests.average.toFixed(0)} req/s, p99 ${loadResult.latency.p99} ms, ${loadResult.non2xx} non-2xx) | ${loaded.n} | ${fmt(loaded.p50)} ms | ${fmt(loaded.p99)} ms | ${fmt(loaded.max)} ms |

Goal: p99 under 1 s under the vote load.

## Draining 1,000 events to 10 endpoints

1,000 \`paper.updated\` events committed at once (10 transactions of 100) to 10 subscribed endpoints:
${delivered.toLocaleString('en')} deliveries in ${fmt(drainMs / 1000, 2)} s (${fmt(delivered / (drainMs / 1000), 0)} per second, WEBHOOK_CONCURRENCY ${concurrency}).
Connections, sampled every 20 ms from pg_stat_activity while it drained (no other load): the
worker's own (application_name webhook-worker) at most **${maxWorkerOpen} open, ${maxWorkerBusy} busy** (not idle)
at once; the whole API process (its request pool too, still open from the vote load) at most
${maxOpen} open, ${maxBusy} busy. The worker runs its statements one at a time on a pool of one,
plus its LISTEN connection: the documented bound is 2 connections per instance, whatever the backlog.
`;
    const out = args.out ?? 'bench/results/2026-12-07-webhooks.md';
    fs.writeFileSync(out, report);
    log(`report: ${out}`);
  } finally {
    api?.kill('SIGTERM');
    await new Promise((resolve) => (api && api.exitCode === null ? api.once('exit', resolve) : resolve(null)));
    await receiver.close();
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
