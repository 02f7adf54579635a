// Automatic persisted queries under abuse (src/graphql/apq-cache.ts, src/graphql/apq.ts): the
// store keeps to its byte budget and evicts the least recently used, in Redis (shared by
// instances) and in memory; a registration over APQ_MAX_QUERY_BYTES is refused and not stored;
// a registration pays for its storage from the client's rate budget.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { createGraphQL } from '../src/graphql/schema.ts';
import { createServer } from '../src/http/server.ts';
import { createLogger } from '../src/platform/logger.ts';
import { connectRedis, type RedisLink } from '../src/platform/redis/client.ts';
import {
  ENTRY_OVERHEAD_BYTES,
  memoryPersistedQueryCache,
  redisPersistedQueryCache,
  storedBytes,
  type PersistedQueryCache,
} from '../src/graphql/apq-cache.ts';
import { registrationPoints } from '../src/graphql/apq.ts';
import { redisRelay, testRedisPrefix, testRedisUrl } from './helpers/redis.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { startTestHttp, type TestHttp } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A valid, distinct operation of exactly `bytes` bytes (padded with a comment). */
function documentOf(name: string, bytes: number): string {
  const head = `query ${name} { __typename } #`;
  if (head.length > bytes) throw new Error(`documentOf: ${bytes} bytes is too short for ${name}`);
  return head.padEnd(bytes, 'x');
}

let redisPrefix: string;
let cleanupRedis: () => Promise<void>;
const links: RedisLink[] = [];
let inspector: Redis;

let keySpaces = 0;
/** A link standing for an instance; instances given the same `prefix` share a store. */
function link(url = testRedisUrl, prefix = `${redisPrefix}${++keySpaces}:`): RedisLink {
  const made = connectRedis(url, prefix, createLogger({ logLevel: 'silent' }));
  links.push(made);
  return made;
}

beforeAll(async () => {
  ({ prefix: redisPrefix, cleanup: cleanupRedis } = await testRedisPrefix());
  inspector = new Redis(testRedisUrl);
});
afterAll(async () => {
  await Promise.all(links.map((l) => l.close()));
  inspector?.disconnect();
  await cleanupRedis?.();
});

/** Each store under a fresh key space, with a budget of `maxBytes`. */
const stores: [string, (maxBytes: number) => Promise<PersistedQueryCache>][] = [
  [
    'Redis',
    async (maxBytes) => {
      const own = link();
      await until(() => own.ready(), 'the link to Redis');
      return redisPersistedQueryCache(own, { maxBytes });
    },
  ],
  ['memory', async (maxBytes) => memoryPersistedQueryCache({ maxBytes })],
];

describe.each(stores)('the store (%s)', (_kind, storeOf) => {
  // Entries of 1,000 bytes with their overhead: four fit in 4,500.
  const ENTRY = 1000;
  const doc = (i: number) => documentOf(`Q${i}`, ENTRY - ENTRY_OVERHEAD_BYTES);

  test('registering more than the budget holds keeps the stored bytes within it, the oldest out first', async () => {
    const store = await storeOf(4500);
    for (let i = 0; i < 12; i++) {
      await store.set(`apq:${sha256(doc(i))}`, doc(i));
      const usage = await store.usage();
      expect(usage!.bytes).toBeLessThanOrEqual(4500);
      expect(usage).toEqual({ entries: Math.min(i + 1, 4), bytes: Math.min(i + 1, 4) * ENTRY });
    }
    const kept = await Promise.all(Array.from({ length: 12 }, async (_, i) => (await store.get(`apq:${sha256(doc(i))}`)) !== undefined));
    expect(kept).toEqual([...Array(8).fill(false), ...Array(4).fill(true)]);
  });

  test('a hit refreshes recency: the least recently used is evicted, not the least recently registered', async () => {
    const store = await storeOf(4500);
    const key = (i: number) => `apq:${sha256(doc(i))}`;
    for (const i of [0, 1, 2, 3]) await store.set(key(i), doc(i));
    expect(await store.get(key(0))).toBe(doc(0)); // 0 is now the most recent; 1 the least
    await store.set(key(4), doc(4));
    expect(await store.get(key(1))).toBeUndefined();
    expect(await store.get(key(0))).toBe(doc(0));
    // Registering a stored query again refreshes it too, and stores nothing more.
    await store.set(key(2), doc(2));
    expect(await store.usage()).toEqual({ entries: 4, bytes: 4 * ENTRY });
    await store.set(key(5), doc(5));
    expect(await store.get(key(3))).toBeUndefined();
    for (const i of [0, 2, 4, 5]) expect(await store.get(key(i))).toBe(doc(i));
  });

  test('bytes are UTF-8 bytes; an entry larger than the whole budget is not stored and evicts nothing', async () => {
    const store = await storeOf(2000);
    const accented = `query Accented { __typename } # ${'é'.repeat(300)}`;
    await store.set('apq:accented', accented);
    expect(await store.usage()).toEqual({ entries: 1, bytes: storedBytes(accented) });
    expect(storedBytes(accented)).toBe(Buffer.byteLength(accented) + ENTRY_OVERHEAD_BYTES);
    expect(storedBytes(accented)).toBeGreaterThan(accented.length + ENTRY_OVERHEAD_BYTES);
    await store.set('apq:huge', documentOf('Huge', 1700));
    expect(await store.get('apq:huge')).toBeUndefined();
    expect(await store.get('apq:accented')).toBe(accented);
    expect(await store.delete('apq:accented')).toBe(true);
    expect(await store.usage()).toEqual({ entries: 0, bytes: 0 });
  });
});

describe('the Redis store', () => {
  test('two instances share one budget; the counter is what the stored documents take', async () => {
    const shared = `${redisPrefix}shared:`;
    const [a, b] = [link(testRedisUrl, shared), link(testRedisUrl, shared)];
    await until(() => links.every((l) => l.ready()), 'the links to Redis');
    const storeA = redisPersistedQueryCache(a, { maxBytes: 5000 });
    const storeB = redisPersistedQueryCache(b, { maxBytes: 5000 });
    const docs = Array.from({ length: 20 }, (_, i) => documentOf(`Shared${i}`, 300 + 37 * i));
    // Both instances register at once, interleaved: the scripts keep the count exact.
    await Promise.all(docs.map((d, i) => (i % 2 ? storeA : storeB).set(`apq:${sha256(d)}`, d)));
    const last = documentOf('Last', 400);
    await storeA.set(`apq:${sha256(last)}`, last);
    expect(await storeB.get(`apq:${sha256(last)}`)).toBe(last);

    const stored = await inspector.hgetall(`${shared}apq:docs`);
    const members = await inspector.zrange(`${shared}apq:lru`, '0', '-1');
    expect(members.sort()).toEqual(Object.keys(stored).sort());
    const actual = Object.values(stored).reduce((sum, d) => sum + storedBytes(d), 0);
    expect(Number(await inspector.hget(`${shared}apq:meta`, 'bytes'))).toBe(actual);
    expect(actual).toBeLessThanOrEqual(5000);
    expect(await storeA.usage()).toEqual({ entries: members.length, bytes: actual });
  });

  test('Redis away: a miss and an ignored set, as before; back: stored again', async () => {
    const relay = await redisRelay();
    const viaRelay = connectRedis(relay.url, `${redisPrefix}relayed:`, createLogger({ logLevel: 'silent' }));
    try {
      await until(() => viaRelay.ready(), 'the link to Redis');
      const store = redisPersistedQueryCache(viaRelay, { maxBytes: 5000 });
      await store.set('apq:before', documentOf('Before', 200));
      await relay.down();
      await until(() => !viaRelay.ready(), 'the link to notice the outage');
      expect(await store.get('apq:before')).toBeUndefined();
      await expect(store.set('apq:during', documentOf('During', 200))).resolves.toBeUndefined();
      expect(await store.usage()).toBeUndefined();
      await relay.up();
      await until(() => viaRelay.ready(), 'the link to reconnect', 10_000);
      expect(await store.get('apq:before')).toBe(documentOf('Before', 200));
      expect(await store.get('apq:during')).toBeUndefined();
    } finally {
      // Closed while connected, so it does not keep reconnecting to a relay that is gone.
      await viaRelay.close();
      await relay.close();
    }
  });
});

/** A POST as Apollo Client's persisted-query link sends it: the hash, and the query to register it. */
async function apq(http: TestHttp, query: string, register = true) {
  const response = await fetch(`${http.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(register ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('over HTTP', () => {
  // One hour's window: the budget read before and after a registration is the same window's.
  const run = setupTestRunner({
    http: true,
    reset: 'once',
    env: { APQ_MAX_QUERY_BYTES: '1000', APQ_MAX_BYTES: '4000', RATE_LIMIT_POINTS: '5000', RATE_LIMIT_WINDOW_SECONDS: '3600' },
  });

  test('a registration over APQ_MAX_QUERY_BYTES is refused with QUERY_TOO_LARGE and not stored; the same query without APQ runs', async () => {
    const query = documentOf('Big', 1001);
    const refused = await apq(run.http, query);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({
      message: 'The persisted query to register is 1001 bytes long; the limit for a registration is 1000. Send it without the persistedQuery extension, or split the operation',
      extensions: { code: 'QUERY_TOO_LARGE', limit: 1000 },
    });
    expect((await apq(run.http, query, false)).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const plain = await run.http.post(query);
    expect(plain.status).toBe(200);
    expect(plain.body.data).toEqual({ __typename: 'Query' });

    const atLimit = documentOf('AtLimit', 1000);
    expect((await apq(run.http, atLimit)).body.data).toEqual({ __typename: 'Query' });
    expect((await apq(run.http, atLimit, false)).body.data).toEqual({ __typename: 'Query' });
  });

  test('a registration spends budget in proportion to its size; a hit spends only the operation', async () => {
    const remaining = async () => {
      const { cost } = await run.http.post('{ __typename }');
      return { remaining: cost!.remaining!, paid: Math.max(1, cost!.requested) };
    };
    const small = documentOf('Small', 200);
    const large = documentOf('Large', 990);
    expect(registrationPoints(small)).toBe(6);
    expect(registrationPoints(large)).toBe(14);

    for (const query of [small, large]) {
      const before = await remaining();
      const registered = await apq(run.http, query);
      expect(registered.body.data).toEqual({ __typename: 'Query' });
      const operation = Math.max(1, registered.body.extensions.cost.requested);
      // The registration's own answer already reports the budget after both charges.
      expect(registered.body.extensions.cost.remaining).toBe(before.remaining - registrationPoints(query) - operation);
      const after = await remaining();
      expect(before.remaining - after.remaining).toBe(registrationPoints(query) + operation + after.paid);

      const hit = await apq(run.http, query, false);
      expect(hit.body.data).toEqual({ __typename: 'Query' });
      expect(hit.body.extensions.cost.remaining).toBe(after.remaining - Math.max(1, hit.body.extensions.cost.requested));
    }
  });

  test('the default store without Redis keeps to APQ_MAX_BYTES: the first registrations are evicted', async () => {
    const docs = Array.from({ length: 6 }, (_, i) => documentOf(`Evicted${i}`, 600));
    for (const d of docs) expect((await apq(run.http, d)).status).toBe(200);
    // 1,000 bytes each with the overhead, 4,000 of budget: the last four are kept.
    const found = [];
    for (const d of docs.toReversed()) found.unshift((await apq(run.http, d, false)).body.errors?.[0]?.extensions?.code ?? 'found');
    expect(found).toEqual(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_FOUND', 'found', 'found', 'found', 'found']);
  });

  test('with REDIS_URL, registrations through the server keep the shared store within APQ_MAX_BYTES', async () => {
    const config = loadConfig({ NODE_ENV: 'test', APQ_MAX_QUERY_BYTES: '1000', APQ_MAX_BYTES: '4000' });
    const own = link();
    await until(() => own.ready(), 'the link to Redis');
    const apollo = createServer({ config, logger: createLogger(config), graphql: createGraphQL(config), persistedQueryCache: redisPersistedQueryCache(own, config.persistedQueries) });
    await apollo.start();
    const http = await startTestHttp(run.t, { apollo, config });
    try {
      const docs = Array.from({ length: 10 }, (_, i) => documentOf(`Redis${i}`, 500 + 40 * i));
      for (const d of docs) expect((await apq(http, d)).status).toBe(200);
      const stored = await inspector.hgetall(`${own.prefix}apq:docs`);
      const bytes = Object.values(stored).reduce((sum, d) => sum + storedBytes(d), 0);
      expect(bytes).toBeLessThanOrEqual(4000);
      expect(Number(await inspector.hget(`${own.prefix}apq:meta`, 'bytes'))).toBe(bytes);
      expect(Object.values(stored)).toContain(docs[9]);
      expect(Object.values(stored)).not.toContain(docs[0]);
      expect((await apq(http, docs[9]!, false)).body.data).toEqual({ __typename: 'Query' });
    } finally {
      await http.close();
      await apollo.stop();
    }
  });
});
