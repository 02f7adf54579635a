// Cacheable anonymous reads: automatic persisted queries over GET, `public, max-age` for an
// anonymous query without errors, `private, no-store` for a signed-in one, and the persisted
// queries shared by two instances through Redis (src/http/cache-control.ts, src/graphql/apq-cache.ts).
import { createHash } from 'node:crypto';
import { createGraphQL } from '../src/graphql/schema.ts';
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
async function get(url: string, params: { query?: string; hash?: string; variables?: object }, token?: string) {
  const search = new URLSearchParams();
  if (params.query) search.set('query', params.query);
  if (params.variables) search.set('variables', JSON.stringify(params.variables));
  if (params.hash) search.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: params.hash } }));
  const response = await fetch(`${url}/graphql?${search}`, {
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
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
