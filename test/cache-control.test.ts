// Cacheable anonymous reads: automatic persisted queries over GET, `public, max-age` for an
// anonymous query without errors, `private, no-store` for a signed-in one, and the persisted
// queries shared by two instances through Redis (src/http/cache-control.ts, src/graphql/apq-cache.ts).
// A public answer varies with Authorization and Accept, and carries nothing of the one request
// it answered (no x-request-id).
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { createGraphQL } from '../src/graphql/schema.ts';
import { isPubliclyCacheable } from '../src/http/cache-control.ts';
import { createServer } from '../src/http/server.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { connectRedis, type RedisLink } from '../src/platform/redis/client.ts';
import { redisPersistedQueryCache } from '../src/graphql/apq-cache.ts';
import { testRedisPrefix, testRedisUrl } from './helpers/redis.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { createTestServer, startTestHttp, userWithToken } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const run = setupTestRunner({ scenario: smallCatalog, env: { GRAPHQL_PUBLIC_MAX_AGE_SECONDS: '120' }, http: true, reset: 'once' });

const QUERY = '{ papers(first: 2) { nodes { arxivId title } } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A GET as Apollo Client's persisted-query link sends it. */
async function get(url: string, params: { query?: string; hash?: string; variables?: object }, token?: string, headers: Record<string, string> = {}) {
  const search = new URLSearchParams();
  if (params.query) search.set('query', params.query);
  if (params.variables) search.set('variables', JSON.stringify(params.variables));
  if (params.hash) search.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: params.hash } }));
  const response = await fetch(`${url}/graphql?${search}`, {
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

test('APQ over GET: the hash alone is unknown, then registered with the query, then enough; anonymous answers are public', async () => {
  const hash = sha256(QUERY);
  const unknown = await get(run.http.url, { hash });
  expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  expect(unknown.headers.get('cache-control')).toBe('no-store');

  const registered = await get(run.http.url, { query: QUERY, hash });
  expect(registered.status).toBe(200);
  expect(registered.body.data.papers.nodes).toHaveLength(2);

  const byHash = await get(run.http.url, { hash });
  expect(byHash.status).toBe(200);
  expect(byHash.body.data).toEqual(registered.body.data);
  expect(byHash.headers.get('cache-control')).toBe('public, max-age=120');
  // A cache keys the page by Authorization too: a signed-in request never gets this one.
  expect(byHash.headers.get('vary')).toMatch(/\bAuthorization\b/);
});

test('signed in: private, no-store, also for a GET; POST, errors and mutations: no-store', async () => {
  const { token } = await userWithToken(run.t, 'cache-reader');
  const signedIn = await get(run.http.url, { query: '{ viewer { handle } papers(first: 1) { nodes { arxivId } } }' }, token);
  expect(signedIn.body.data.viewer.handle).toBe('cache-reader');
  expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
  expect(signedIn.headers.get('vary') ?? '').not.toMatch(/Authorization/);

  const posted = await run.http.post(QUERY);
  expect(posted.status).toBe(200);
  expect(posted.headers.get('cache-control')).toBe('no-store');

  const failed = await get(run.http.url, { query: '{ paper(id: "not-an-id") { title } }' });
  expect(failed.body.errors).toBeDefined();
  expect(failed.headers.get('cache-control')).toBe('no-store');

  // Anonymous, but asking for the viewer: still one public answer (null for every anonymous client).
  const anonymousViewer = await get(run.http.url, { query: '{ viewer { handle } }' });
  expect(anonymousViewer.body.data.viewer).toBeNull();
  expect(anonymousViewer.headers.get('cache-control')).toBe('public, max-age=120');

  // A mutation cannot be sent by GET at all (Apollo), and a POSTed one is not cacheable.
  const mutation = await get(run.http.url, { query: 'mutation { upvotePaper(paperId: "x") { paper { id } } }' });
  expect(mutation.status).toBe(405);
});

test('a public answer varies with Accept, since its Content-Type follows it; a private one names neither', async () => {
  const plainJson = await get(run.http.url, { query: QUERY });
  const graphqlResponse = await get(run.http.url, { query: QUERY }, undefined, { accept: 'application/graphql-response+json' });
  expect(plainJson.headers.get('cache-control')).toBe('public, max-age=120');
  expect(graphqlResponse.headers.get('cache-control')).toBe('public, max-age=120');
  // One URL, two bodies' types: a cache must key them apart.
  expect(plainJson.headers.get('content-type')).toMatch(/^application\/json\b/);
  expect(graphqlResponse.headers.get('content-type')).toMatch(/^application\/graphql-response\+json\b/);
  for (const answer of [plainJson, graphqlResponse]) {
    const vary = (answer.headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase());
    expect(vary).toEqual(expect.arrayContaining(['authorization', 'accept']));
    expect(new Set(vary).size).toBe(vary.length);
  }

  const { token } = await userWithToken(run.t, 'vary-reader');
  const signedIn = await get(run.http.url, { query: QUERY }, token, { accept: 'application/graphql-response+json' });
  expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
  expect(signedIn.headers.get('vary') ?? '').not.toMatch(/Accept|Authorization/);
});

test('a publicly cacheable answer carries no x-request-id (a CDN would serve it to everyone); others do; the log line keeps it', async () => {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({ NODE_ENV: 'test', GRAPHQL_PUBLIC_MAX_AGE_SECONDS: '120' });
  const logger = createLogger({ logLevel: 'info' }, destination);
  const apollo = createServer({ config, logger });
  await apollo.start();
  const h = await startTestHttp(run.t, { apollo, config }, { logger });
  try {
    const publicAnswer = await get(h.url, { query: QUERY }, undefined, { 'x-request-id': 'req-public' });
    expect(publicAnswer.headers.get('cache-control')).toBe('public, max-age=120');
    expect(publicAnswer.headers.get('x-request-id')).toBeNull();

    const { token } = await userWithToken(run.t, 'id-reader');
    const privateAnswer = await get(h.url, { query: QUERY }, token, { 'x-request-id': 'req-private' });
    expect(privateAnswer.headers.get('cache-control')).toBe('private, no-store');
    expect(privateAnswer.headers.get('x-request-id')).toBe('req-private');
    const failed = await get(h.url, { query: '{ paper(id: "not-an-id") { title } }' }, undefined, { 'x-request-id': 'req-failed' });
    expect(failed.headers.get('cache-control')).toBe('no-store');
    expect(failed.headers.get('x-request-id')).toBe('req-failed');

    // Other public answers too (the home page: public, max-age=300).
    const home = await fetch(`${h.url}/`, { headers: { 'x-request-id': 'req-home' } });
    expect(home.headers.get('cache-control')).toMatch(/^public\b/);
    expect(home.headers.get('x-request-id')).toBeNull();

    await until(() => ['req-public', 'req-private', 'req-failed', 'req-home'].every((id) => lines.some((l) => l.requestId === id && l.msg === 'request')), 'the request lines');
    expect(lines.find((l) => l.requestId === 'req-public' && l.msg === 'request')).toMatchObject({ method: 'GET', path: '/graphql', status: 200, client: 'anonymous' });
  } finally {
    await h.close();
    await apollo.stop();
  }
});

test('isPubliclyCacheable reads Cache-Control as a shared cache would', () => {
  const reply = (value?: string | number | string[]) => ({ getHeader: (name: string) => (name === 'cache-control' ? value : undefined) });
  for (const value of ['public, max-age=60', 'max-age=300', 'PUBLIC', 's-maxage=10', 'public,max-age=0']) expect([value, isPubliclyCacheable(reply(value))]).toEqual([value, true]);
  for (const value of [undefined, 'no-store', 'private, no-store', 'private, max-age=300', 'public, no-store', 'no-cache', '']) expect([value, isPubliclyCacheable(reply(value))]).toEqual([value, false]);
});

test('GRAPHQL_PUBLIC_MAX_AGE_SECONDS=0: nothing is public', async () => {
  const closed = await createTestServer(run.t, { GRAPHQL_PUBLIC_MAX_AGE_SECONDS: '0' });
  const h = await startTestHttp(run.t, closed);
  try {
    expect((await get(h.url, { query: QUERY })).headers.get('cache-control')).toBe('no-store');
  } finally {
    await h.close();
    await closed.stop();
  }
});

test('with REDIS_URL a query registered through one instance is known by its hash to the other', async () => {
  const redis = await testRedisPrefix();
  const links: RedisLink[] = [];
  const started: { stop(): Promise<void> }[] = [];
  try {
    const instance = async () => {
      const config = loadConfig({ NODE_ENV: 'test' });
      const logger = createLogger(config);
      const link = connectRedis(testRedisUrl, redis.prefix, logger);
      links.push(link);
      const apollo = createServer({ config, logger, graphql: createGraphQL(config), persistedQueryCache: redisPersistedQueryCache(link, config.persistedQueries) });
      await apollo.start();
      const h = await startTestHttp(run.t, { apollo, config });
      started.push({ stop: async () => (await h.close(), await apollo.stop()) });
      return h;
    };
    const [a, b] = [await instance(), await instance()];
    await until(() => links.every((l) => l.ready()), 'the links to Redis', 5000);
    const query = '{ topics(first: 3) { nodes { slug } } }';
    const hash = sha256(query);
    expect((await get(b.url, { hash })).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await get(a.url, { query, hash })).status).toBe(200);
    const onB = await get(b.url, { hash });
    expect(onB.body.errors).toBeUndefined();
    expect(onB.body.data.topics.nodes.length).toBeGreaterThan(0);
    expect(onB.headers.get('cache-control')).toBe('public, max-age=60');
  } finally {
    for (const s of started) await s.stop();
    await Promise.all(links.map((l) => l.close()));
    await redis.cleanup();
  }
});
