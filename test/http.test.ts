// A few real HTTP requests through the same app as production (port 0).
import assert from 'node:assert';
import { createHash } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { createContext } from '../src/catalog/context.ts';
import { createDb } from '../src/platform/db/client.ts';
import { testPlatform } from './helpers/database.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { createTestServer, startTestHttp, type TestHttp, type TestServer } from './helpers/server.ts';

const run = setupTestRunner({ scenario: smallCatalog, http: true, reset: 'once' });

const post = (body: string, contentType = 'application/json') =>
  fetch(`${run.http.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });

test('POST /graphql answers a query as JSON', async () => {
  const response = await post(JSON.stringify({ query: '{ papers(first: 2) { nodes { arxivId publishedAt } } }' }));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
  expect(await response.json()).toEqual({
    data: { papers: { nodes: [{ arxivId: '2407.00006', publishedAt: '2024-06-28T17:00:00.000Z' }, { arxivId: '2407.00005', publishedAt: '2024-06-28T17:00:00.000Z' }] } },
    // The connection (1) and its 2 nodes (1 each); the client's budget after it.
    extensions: { cost: { requested: 3, maximum: 1000, measuredMs: expect.any(Number), charged: 3, remaining: expect.any(Number), resetSeconds: expect.any(Number) } },
  });
});

test('GET /graphql answers a query given in the URL, but not as a simple (CSRF-able) request', async () => {
  const url = `${run.http.url}/graphql?query=${encodeURIComponent('{ topic(slug: "nlp") { name } }')}`;
  const response = await fetch(url, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
  expect(response.status).toBe(200);
  expect((await response.json()).data).toEqual({ topic: { name: 'Natural Language Processing' } });

  const simple = await fetch(url);
  expect(simple.status).toBe(400);
  expect(await simple.text()).toMatch(/CSRF/);
});

test('malformed JSON, a non-JSON body and an oversized body are 4xx with a code', async () => {
  const malformed = await post('{"query": ');
  expect(malformed.status).toBe(400);
  expect(await malformed.json()).toEqual({ errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });

  const text = await post('{ papers { totalCount } }', 'text/plain');
  expect(text.status).toBe(400);

  const huge = await post(JSON.stringify({ query: `{ papers { totalCount } } #${'x'.repeat(run.server.config.http.maxBodyBytes)}` }));
  expect(huge.status).toBe(413);
  expect((await huge.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
});

test('a client posting 5 MB reads its 413 with a JSON error and a code, and the server goes on serving', async () => {
  // Sent as a stream, with no Content-Length: the limit is found while reading, not up front.
  const body = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? `{"query": "{ __typename }", "x": "${'x'.repeat(1_000_000)}` : 'x'.repeat(1_000_000)));
      controller.enqueue(new TextEncoder().encode('"}'));
      controller.close();
    },
  });
  const streamed = await fetch(`${run.http.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
  expect(streamed.status).toBe(413);
  expect(await streamed.json()).toEqual({ errors: [{ message: 'Request body larger than 1000000 bytes', extensions: { code: 'BAD_REQUEST' } }] });

  // With a Content-Length that says it all at once.
  const declared = await post(`{"query": "{ __typename }", "x": "${'x'.repeat(5_000_000)}"}`);
  expect(declared.status).toBe(413);
  expect((await declared.json()).errors[0].extensions.code).toBe('BAD_REQUEST');

  expect((await post(JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
});

test('a GraphQL syntax error is GRAPHQL_PARSE_FAILED, not a 500', async () => {
  const response = await post(JSON.stringify({ query: '{ papers { ' }));
  expect(response.status).toBe(400);
  expect((await response.json()).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
});

test('/healthz is 200; /readyz is 200 with the database and 503 without it', async () => {
  expect((await fetch(`${run.http.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${run.http.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'up' } });

  const unreachable = createDb({ connectionString: 'postgresql://nobody@127.0.0.1:9/none', poolSize: 1 });
  const down = await startTestHttp(run.t, run.server, { platform: testPlatform(unreachable) });
  try {
    const response = await fetch(`${down.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', checks: { database: 'down' } });

    // And a query then fails with 503 SERVICE_UNAVAILABLE (test/faults.test.ts): no driver
    // message, no host, no SQL.
    const query = await fetch(`${down.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ papers { totalCount } }' }) });
    expect(query.status).toBe(503);
    const body = await query.json();
    expect(body.errors).toMatchObject([{ path: ['papers'], extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|SELECT|prisma/i);

    // A feed (an ordinary route) fails the same way, with a code.
    const feed = await fetch(`${down.url}/feeds/daily.atom`);
    expect(feed.status).toBe(503);
    expect(feed.headers.get('retry-after')).toBe('1');
    const feedText = await feed.text();
    expect(JSON.parse(feedText)).toEqual({ errors: [{ message: expect.stringMatching(/temporarily unavailable/), extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    expect(feedText).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|SELECT|prisma|stack/i);
  } finally {
    await down.close();
    await unreachable.close();
  }
});

test('unknown paths are 404', async () => {
  expect((await fetch(`${run.http.url}/nope`)).status).toBe(404);
});

describe('request ids', () => {
  test('a well-formed x-request-id is echoed; anything else is replaced by a fresh UUID', async () => {
    const given = await fetch(`${run.http.url}/healthz`, { headers: { 'x-request-id': 'trace-01HZX.42:a' } });
    expect(given.headers.get('x-request-id')).toBe('trace-01HZX.42:a');
    for (const bad of ['has spaces', 'x'.repeat(200), '<script>', '']) {
      const response = await fetch(`${run.http.url}/healthz`, { headers: { 'x-request-id': bad } });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    const generated = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GET', () => {
  const get = (params: Record<string, string>) =>
    fetch(`${run.http.url}/graphql?${new URLSearchParams(params)}`, { headers: { 'apollo-require-preflight': 'true' } });

  test('a mutation over GET is refused with 405 and Allow: POST, and changes nothing', async () => {
    const before = await run.db.topic.count();
    const response = await get({ query: 'mutation { createTopic(input: { name: "Robotics" }) { topic { slug } } }' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await response.json()).errors[0]).toMatchObject({ message: 'GET requests only support query operations, not mutation operations', extensions: { code: 'BAD_REQUEST' } });
    expect(await run.db.topic.count()).toBe(before);
  });

  test('automatic persisted queries: hash unknown, registered by POST, then served by hash over GET and POST', async () => {
    const query = '{ topic(slug: "computer-vision") { name } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash } });

    const unknown = await get({ extensions });
    expect(unknown.status).toBe(200);
    expect((await unknown.json()).errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });

    const registered = await post(JSON.stringify({ query, extensions: JSON.parse(extensions) }));
    expect((await registered.json()).data).toEqual({ topic: { name: 'Computer Vision' } });

    const byGet = await get({ extensions });
    expect(byGet.status).toBe(200);
    expect((await byGet.json()).data).toEqual({ topic: { name: 'Computer Vision' } });
    const byPost = await post(JSON.stringify({ extensions: JSON.parse(extensions) }));
    expect((await byPost.json()).data).toEqual({ topic: { name: 'Computer Vision' } });

    // A hash that is not the query's is refused: no one can bind another query to a known hash.
    const hijack = await post(JSON.stringify({ query: '{ __typename }', extensions: JSON.parse(extensions) }));
    expect(hijack.status).toBe(400);
    expect((await hijack.json()).errors[0].message).toBe('provided sha does not match query');
  });
});

describe('configured', () => {
  let server: TestServer;
  let configured: TestHttp;
  beforeAll(async () => {
    server = await createTestServer(run.t, {
      CORS_ORIGINS: 'https://papers.example.org, http://localhost:5173',
      HTTP_MAX_BODY_BYTES: '2048',
      HTTP_REQUEST_TIMEOUT_MS: '300',
      GRAPHQL_OPERATION_TIMEOUT_MS: '300',
    });
    configured = await startTestHttp(run.t, server);
  });
  afterAll(async () => {
    await configured?.close(1000);
    await server?.stop();
  });

  test('CORS: no CORS headers by default; the configured origins get them, preflight included', async () => {
    const preflightFrom = (origin: string, to = configured.url) =>
      fetch(`${to}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
      });

    const byDefault = await preflightFrom('https://papers.example.org', run.http.url);
    expect(byDefault.status).toBe(204);
    expect(byDefault.headers.get('access-control-allow-origin')).toBeNull();

    const allowed = await preflightFrom('https://papers.example.org');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://papers.example.org');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization.*content-type/);
    expect(allowed.headers.get('vary')).toMatch(/Origin/);

    const other = await preflightFrom('https://evil.example');
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const actual = await fetch(`${configured.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(actual.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(actual.headers.get('access-control-expose-headers')).toMatch(/ratelimit.*x-request-id/);
  });

  test('the body limit follows HTTP_MAX_BODY_BYTES', async () => {
    const small = await fetch(`${configured.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(1500)}` }) });
    expect(small.status).toBe(200);
    const large = await fetch(`${configured.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(2100)}` }) });
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({ errors: [{ message: 'Request body larger than 2048 bytes', extensions: { code: 'BAD_REQUEST' } }] });
  });

  test('a client that sends its request too slowly gets 408 and is disconnected (HTTP_REQUEST_TIMEOUT_MS)', async () => {
    const { port } = new URL(configured.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        // Headers promise 100 bytes of body; 10 come, then nothing.
        socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":');
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('an operation past GRAPHQL_OPERATION_TIMEOUT_MS is answered 503 OPERATION_TIMEOUT; the server goes on serving', async () => {
    // Hold the papers table: the operation's first query waits behind this transaction.
    const lock = new pg.Client({ connectionString: run.t.url });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Paper" IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const response = await fetch(`${configured.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ papers(first: 2) { nodes { title } } }' }) });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ errors: [{ message: 'The operation did not finish within 300 ms and was stopped', extensions: { code: 'OPERATION_TIMEOUT' } }] });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await lock.query('COMMIT');
      await lock.end();
    }
    const after = await fetch(`${configured.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ papers(first: 2) { nodes { title } } }' }) });
    expect(after.status).toBe(200);
    expect((await after.json()).data.papers.nodes).toHaveLength(2);
  });

  test('past its deadline an operation sends no further statement: each one fails OPERATION_TIMEOUT instead', async () => {
    const query = '{ papers(first: 2) { nodes { title authors { name } } } }';
    run.t.queries.length = 0;
    const inTime = createContext(run.platform, null, { at: performance.now() + 60_000, timeoutMs: 60_000 });
    const answered = await server.apollo.executeOperation({ query }, { contextValue: inTime });
    assert(answered.body.kind === 'single');
    expect(answered.body.singleResult.errors).toBeUndefined();
    expect(run.t.queries.length).toBeGreaterThan(0);

    run.t.queries.length = 0;
    const late = createContext(run.platform, null, { at: performance.now() - 1, timeoutMs: 300 });
    const refused = await server.apollo.executeOperation({ query }, { contextValue: late });
    assert(refused.body.kind === 'single');
    expect(refused.body.singleResult.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      ['The operation did not finish within 300 ms and was stopped', 'OPERATION_TIMEOUT'],
    ]);
    expect(run.t.queries).toEqual([]);
  });
});
