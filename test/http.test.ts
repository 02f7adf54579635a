// A few real HTTP requests through the same front door as production (port 0).
import { contextFromRequest } from '../src/context.ts';
import { createDb } from '../src/db/client.ts';
import { createHttpHandler, listen, MAX_BODY_BYTES, type RunningHttpServer } from '../src/http.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { smallCatalog } from './helpers/scenarios.ts';

let t: TestDatabase;
let http: RunningHttpServer;
const apollo = createServer({ config: loadConfig({ NODE_ENV: 'test' }), logger: createLogger({ logLevel: 'silent' }) });

beforeAll(async () => {
  t = await createTestDatabase();
  await smallCatalog(t.db);
  await apollo.start();
  http = await listen(createHttpHandler({ apollo, db: t.db, logger: createLogger({ logLevel: 'silent' }), context: (req) => contextFromRequest(t.db, req.headers) }), 0, '127.0.0.1');
});
afterAll(async () => {
  await http?.close();
  await apollo.stop();
  await t?.close();
});

const post = (body: string, contentType = 'application/json') =>
  fetch(`${http.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });

test('POST /graphql answers a query as JSON', async () => {
  const response = await post(JSON.stringify({ query: '{ papers(first: 2) { nodes { arxivId publishedAt } } }' }));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
  expect(await response.json()).toEqual({
    data: { papers: { nodes: [{ arxivId: '2407.00006', publishedAt: '2024-06-28T17:00:00.000Z' }, { arxivId: '2407.00005', publishedAt: '2024-06-28T17:00:00.000Z' }] } },
  });
});

test('GET /graphql answers a query given in the URL, but not as a simple (CSRF-able) request', async () => {
  const url = `${http.url}/graphql?query=${encodeURIComponent('{ topic(slug: "nlp") { name } }')}`;
  const response = await fetch(url, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ data: { topic: { name: 'Natural Language Processing' } } });

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

  const huge = await post(JSON.stringify({ query: `{ papers { totalCount } } #${'x'.repeat(MAX_BODY_BYTES)}` }));
  expect(huge.status).toBe(413);
  expect((await huge.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
});

test('a GraphQL syntax error is GRAPHQL_PARSE_FAILED, not a 500', async () => {
  const response = await post(JSON.stringify({ query: '{ papers { ' }));
  expect(response.status).toBe(400);
  expect((await response.json()).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
});

test('/healthz is 200; /readyz is 200 with the database and 503 without it', async () => {
  expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${http.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ok' });

  const unreachable = createDb({ connectionString: 'postgresql://nobody@127.0.0.1:9/none', poolSize: 1 });
  const down = await listen(createHttpHandler({ apollo, db: unreachable, logger: createLogger({ logLevel: 'silent' }), context: (req) => contextFromRequest(unreachable, req.headers) }), 0, '127.0.0.1');
  try {
    const response = await fetch(`${down.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'database unreachable' });

    // And a query then fails with a masked error: no driver message, no host, no SQL.
    const query = await fetch(`${down.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ papers { totalCount } }' }) });
    const body = await query.json();
    expect(body.errors).toEqual([{ message: 'Internal server error', locations: [{ line: 1, column: 3 }], path: ['papers'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|SELECT|prisma/i);
  } finally {
    await down.close();
    await unreachable.$disconnect();
  }
});

test('unknown paths are 404', async () => {
  expect((await fetch(`${http.url}/nope`)).status).toBe(404);
});
