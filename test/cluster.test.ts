// WEB_CONCURRENCY: src/main.ts as production starts it, with two worker processes behind one
// port. What must hold across workers: one rate budget, and live events heard on every worker.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { projectRoot } from '../src/platform/paths.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { createTestDatabase, usingRealPostgres, type TestDatabase } from './helpers/database.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';
import { userWithToken } from './helpers/server.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await smallCatalog(t.db);
});
afterAll(async () => {
  await t?.close();
});

/**
 * POSTs on a connection of its own (no keep-alive), so that the primary hands each request to
 * the next worker in turn rather than reusing one worker's connection.
 */
function postAlone(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', connection: 'close', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const parentOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

// Workers need a real PostgreSQL (WEB_CONCURRENCY is refused without DATABASE_URL): on the
// embedded test database this test is skipped, and says so in jest's summary.
const withRealPostgres = usingRealPostgres ? test : test.skip;

withRealPostgres('WEB_CONCURRENCY=2 (needs DATABASE_URL): two workers on one port share the rate budget and hear each other\'s events; SIGTERM stops all', async () => {
  const { NODE_OPTIONS: _jest, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { ...inherited, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', SEED_DEMO: 'false', DATABASE_URL: t.url, WEB_CONCURRENCY: '2', RATE_LIMIT_POINTS: '5000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await until(() => (output.match(/GraphQL API at/g) ?? []).length >= 2 || child.exitCode !== null, 'two workers listening', 30_000);
    const started = [...output.matchAll(/"pid":(\d+),"msg":"GraphQL API at (http:\/\/[^/]+)\/graphql/g)];
    expect(started).toHaveLength(2);
    const [pidA, url, pidB, urlB] = [started[0]![1]!, started[0]![2]!, started[1]![1]!, started[1]![2]!];
    // Two processes, both the primary's children, listening on the same (random) port.
    expect(pidA).not.toBe(pidB);
    expect(urlB).toBe(url);
    expect([parentOf(Number(pidA)), parentOf(Number(pidB))]).toEqual([child.pid, child.pid]);

    // One budget: each request, whichever worker takes it, leaves less than the one before
    // (with a budget per worker, every second request would find the same amount left).
    const remaining: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await postAlone(url, '{ papers(first: 1) { nodes { arxivId } } }');
      expect(response.status).toBe(200);
      remaining.push(Number(/r=(\d+)/.exec(String(response.headers.ratelimit))![1]));
    }
    for (let i = 1; i < remaining.length; i++) expect(remaining[i]).toBeLessThan(remaining[i - 1]!);

    // Events: one subscriber (on one worker) hears every vote, wherever the vote was cast.
    const paper = await t.db.paper.findUniqueOrThrow({ where: { arxivId: '2407.00001' } });
    const id = toGlobalId('Paper', paper.id);
    const client = createClient({ url: `${url.replace('http:', 'ws:')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const heard: number[] = [];
    const unsubscribe = client.subscribe<{ paperUpdated: { upvotes: number } }>(
      { query: 'subscription($id: ID!) { paperUpdated(id: $id) { upvotes } }', variables: { id } },
      { next: (message) => heard.push(message.data!.paperUpdated.upvotes), error: () => {}, complete: () => {} },
    );
    const vote = async (n: number) => {
      const voter = await userWithToken(t, `cluster-voter-${n}`);
      const response = await postAlone(url, 'mutation($id: ID!) { upvotePaper(paperId: $id) { paper { upvotes } } }', { id }, voter.token);
      expect(response.body.errors).toBeUndefined();
    };
    // graphql-ws does not acknowledge a subscription: vote until the first event shows it is live.
    let votes = 0;
    for (;;) {
      await vote(++votes);
      const listening = await until(() => heard.length > 0, 'the first event', 1000).then(() => true, () => false);
      if (listening) break;
      expect(votes).toBeLessThan(20);
    }
    // From here, every vote is heard, whichever worker takes it (the primary alternates them).
    for (let i = 0; i < 4; i++) await vote(++votes);
    await until(() => heard.at(-1) === votes, 'the last vote\'s event', 10_000).catch(() => {});
    const first = heard[0]!;
    expect(heard).toEqual(Array.from({ length: votes - first + 1 }, (_, i) => first + i));
    unsubscribe();
    await client.dispose();
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exit).toBe(0);
  expect(output).toContain('"msg":"worker processes started"');
}, 90_000);
