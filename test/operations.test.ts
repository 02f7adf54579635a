// Running the service: what it logs, how it stops, how it lives through a database outage.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { freePort } from './helpers/ports.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/platform/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { projectRoot } from '../src/platform/paths.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServer } from '../src/http/server.ts';
import { createTestDatabase, type TestDatabase, testPlatform } from './helpers/database.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';
import { startTestHttp, userWithToken } from './helpers/server.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await smallCatalog(t.db);
});
afterAll(async () => {
  await t?.close();
});

/** A logger whose lines the test can read. */
function capturedLogger() {
  const lines: Record<string, any>[] = [];
  let text = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info' }, destination), lines, text: () => text };
}

describe('logs', () => {
  test('one JSON line per request: its id, operation, status, duration and cost; no token, variables or address', async () => {
    const { logger, lines, text } = capturedLogger();
    const config = loadConfig({ NODE_ENV: 'test' });
    const apollo = createServer({ config, logger });
    await apollo.start();
    const running = await startTestHttp(t, { apollo, config }, { logger });
    try {
      const { token } = await userWithToken(t, 'logged');
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'req-42' },
        body: JSON.stringify({ query: 'query Front($slug: String!) { topic(slug: $slug) { name } viewer { handle } }', variables: { slug: 'alice-private-slug' } }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('req-42');
      // Written once the response has gone out, which may be just after the client has it.
      await until(() => lines.some((l) => l.requestId === 'req-42' && l.msg === 'request'));

      expect(lines).toContainEqual({
        level: 30,
        time: expect.any(Number),
        requestId: 'req-42',
        method: 'POST',
        path: '/graphql',
        status: 200,
        ms: expect.any(Number),
        operationName: 'Front',
        cost: 2,
        client: 'token',
        msg: 'request',
      });
      const { hashToken } = await import('../src/catalog/users/tokens.ts');
      for (const secret of [token, hashToken(token), 'alice-private-slug', 'logged', '127.0.0.1']) expect(text()).not.toContain(secret);
    } finally {
      await running.close(1000);
      await apollo.stop();
    }
  });

  test('errors logged while handling a request carry its id', async () => {
    const { logger, lines } = capturedLogger();
    const config = loadConfig({ NODE_ENV: 'test' });
    const apollo = createServer({ config, logger });
    await apollo.start();
    const unreachable = createDb({ connectionString: 'postgresql://nobody@127.0.0.1:9/none', poolSize: 1 });
    const running = await startTestHttp(t, { apollo, config }, { platform: testPlatform(unreachable), logger });
    try {
      await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-err' }, body: JSON.stringify({ query: '{ papers(first: 1) { totalCount } }' }) });
      await until(() => lines.some((l) => l.requestId === 'req-err' && l.msg === 'request'));
      expect(lines.filter((l) => l.requestId === 'req-err').map((l) => [l.level, l.msg])).toEqual([
        [50, 'database unavailable'],
        [30, 'request'],
      ]);
    } finally {
      await running.close(1000);
      await apollo.stop();
      await unreachable.close();
    }
  });
});

/** Starts `src/main.ts` as production would, and resolves with its URL once it listens. */
function startMain(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string; exit: Promise<number | null> }> {
  const { NODE_OPTIONS: _jest, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { ...inherited, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main.ts did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /GraphQL API at (http:\/\/[^/]+)\/graphql/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output, exit });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`main.ts exited with ${code} before listening:\n${output}`));
    });
  });
}

test('SIGTERM: stops accepting, finishes the request in flight, closes the database, exits 0', async () => {
  const main = await startMain({ DATABASE_URL: t.url });
  try {
    const { port } = new URL(main.url);
    const body = JSON.stringify({ query: '{ papers(first: 2) { nodes { arxivId } } }' });
    // A request whose body has not been sent when the signal comes: in flight, not yet handled.
    // `Expect: 100-continue` makes the server say when it holds the request (Node answers 100
    // once it parsed the headers), so the signal is sent after that, not after a guessed delay.
    const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
    const response = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }));
      });
      req.on('error', reject);
    });
    const held = new Promise<void>((resolve) => req.once('continue', () => resolve()));
    req.flushHeaders();
    await held;
    main.child.kill('SIGTERM');
    await until(() => main.output().includes('shutting down: finishing in-flight requests'), 'the shutdown to begin', 10_000);
    // Signalled: new connections are refused.
    await until(() => fetch(`${main.url}/healthz`).then(() => false, () => true), 'new connections to be refused', 10_000);
    req.end(body);

    const answer = await response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).data.papers.nodes).toEqual([{ arxivId: '2407.00006' }, { arxivId: '2407.00005' }]);
    expect(answer.connection).toBe('close');

    expect(await main.exit).toBe(0);
    const messages = main.output().split('\n').filter(Boolean).map((line) => JSON.parse(line).msg);
    // The request in flight was answered after the shutdown began, then the process stopped.
    expect(messages.at(-1)).toBe('stopped');
    expect(messages.indexOf('shutting down: finishing in-flight requests')).toBeLessThan(messages.lastIndexOf('request'));
  } finally {
    if (main.child.exitCode === null) main.child.kill('SIGKILL');
  }
});

test('/readyz is 503 while the database is down and 200 again once it is back, without a restart', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'readyz-'));
  const port = await freePort();
  let database: EmbeddedPostgres | undefined = await startEmbeddedPostgres({ dataDir, port });
  await applyMigrations(database.url);
  const db = createDb({ connectionString: database.url, poolSize: 2 });
  const logger = createLogger({ logLevel: 'silent' });
  const apollo = createServer({ config: loadConfig({ NODE_ENV: 'test' }), logger });
  await apollo.start();
  const running = await startTestHttp(t, { apollo, config: loadConfig({ NODE_ENV: 'test' }) }, { platform: testPlatform(db), logger });
  const readyz = async () => {
    const response = await fetch(`${running.url}/readyz`);
    return { status: response.status, body: await response.json() };
  };
  const query = async () => {
    const response = await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ topics(first: 1) { totalCount } }' }) });
    return { status: response.status, body: await response.json() };
  };
  try {
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'up' } } });
    expect((await query()).body.data).toEqual({ topics: { totalCount: 0 } });

    await database.stop();
    database = undefined;
    expect(await readyz()).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'down' } } });
    expect(await query()).toMatchObject({ status: 503, body: { errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] } });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);

    database = await startEmbeddedPostgres({ dataDir, port });
    await until(async () => (await readyz()).status === 200, '/readyz to answer 200 again', 10_000);
    expect(await query()).toMatchObject({ status: 200, body: { data: { topics: { totalCount: 0 } } } });
  } finally {
    await running.close(1000);
    await apollo.stop();
    await db.close();
    await database?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
