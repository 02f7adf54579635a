// Two API instances (src/main.ts as child processes, each on its own port) on one database and
// one Redis (REDIS_URL, a key prefix of this file's own): one rate budget, live events heard
// on either instance, and one trending refresher. Redis: see test/helpers/redis.ts (fails, never
// skips, when unreachable).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { toGlobalId } from '../src/platform/global-id.ts';
import { startInstance, type Instance } from './helpers/instances.ts';
import { testRedisPrefix, testRedisUrl } from './helpers/redis.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { userWithToken } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

let redis: Awaited<ReturnType<typeof testRedisPrefix>>;
let a: Instance;
let b: Instance;
const BUDGET = 200;

// Declared before the runner: afterAll hooks run in the order declared, and the instances must
// stop before the runner's afterAll drops their database.
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.cleanup();
});

const run = setupTestRunner({ scenario: smallCatalog, server: false, reset: 'once' });

beforeAll(async () => {
  redis = await testRedisPrefix();
  const env = {
    DATABASE_URL: run.t.url,
    REDIS_URL: testRedisUrl,
    REDIS_KEY_PREFIX: redis.prefix,
    RATE_LIMIT_POINTS: String(BUDGET),
    // Each request pays its calculated point only: the test counts requests against one budget.
    RATE_LIMIT_POINTS_PER_MS: '0',
    GRAPHQL_MAX_COST: '100',
    TRENDING_REFRESH_SECONDS: '1',
    LOG_LEVEL: 'debug',
  };
  // One after the other: the first applies the migrations (none are left) and takes the turns.
  a = await startInstance(env);
  b = await startInstance(env);
}, 120_000);

async function post(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test('the two instances are separate processes on separate ports, both ready with Redis', async () => {
  expect(a.child.pid).not.toBe(b.child.pid);
  expect(a.url).not.toBe(b.url);
  for (const instance of [a, b]) {
    const response = await fetch(`${instance.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  }
});

test('one rate budget: requests accepted across both instances stay within 5 % of one budget', async () => {
  // Each operation costs one point (its minimum); twice the budget is sent, half to each
  // instance, eight at a time. With a budget per instance all of them would be accepted.
  const statuses: number[] = [];
  const sent = 2 * BUDGET;
  for (let i = 0; i < sent; i += 8) {
    const batch = Array.from({ length: 8 }, (_, j) => post((i + j) % 2 === 0 ? a.url : b.url, '{ __typename }').then((r) => r.status));
    statuses.push(...(await Promise.all(batch)));
  }
  const accepted = statuses.filter((s) => s === 200).length;
  expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  expect(Math.abs(accepted - BUDGET) / BUDGET).toBeLessThanOrEqual(0.05);
}, 60_000);

test('a vote cast through instance A reaches a subscriber on instance B within 1 s', async () => {
  const paper = await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2407.00001' } });
  const id = toGlobalId('Paper', paper.id);
  // Signed in: subscribing spends the rate budget too, and the anonymous one is spent by the test above.
  const subscriber = await userWithToken(run.t, 'scale-subscriber');
  const client = createClient({
    url: `${b.url.replace('http:', 'ws:')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${subscriber.token}` },
  });
  const heard: { upvotes: number; at: number }[] = [];
  const unsubscribe = client.subscribe<{ paperUpdated: { upvotes: number } }>(
    { query: 'subscription($id: ID!) { paperUpdated(id: $id) { upvotes } }', variables: { id } },
    { next: (message) => heard.push({ upvotes: message.data!.paperUpdated.upvotes, at: performance.now() }), error: () => {}, complete: () => {} },
  );
  try {
    let votes = 0;
    const vote = async () => {
      // A fresh voter per vote (the budget of the test above is spent for anonymous clients).
      const voter = await userWithToken(run.t, `scale-voter-${++votes}`);
      const castAt = performance.now();
      const response = await post(a.url, 'mutation($id: ID!) { upvotePaper(paperId: $id) { paper { upvotes } } }', { id }, voter.token);
      expect(response.body.errors).toBeUndefined();
      return { castAt, upvotes: response.body.data.upvotePaper.paper.upvotes as number };
    };
    // graphql-ws does not acknowledge a subscription: vote until the first event shows it is live.
    for (;;) {
      await vote();
      if (await until(() => heard.length > 0, 'the first event', 1000).then(() => true, () => false)) break;
      expect(votes).toBeLessThan(20);
    }
    // Then every vote through A is heard on B, each within a second of being cast.
    for (let i = 0; i < 5; i++) {
      const { castAt, upvotes } = await vote();
      await until(() => heard.some((h) => h.upvotes === upvotes), `vote ${upvotes} on B`, 1000);
      expect(heard.find((h) => h.upvotes === upvotes)!.at - castAt).toBeLessThan(1000);
    }
  } finally {
    unsubscribe();
    await client.dispose();
  }
}, 60_000);

test('only one instance refreshes trending; when it stops, the other takes over', async () => {
  const refreshes = (instance: Instance) => instance.lines.filter((l) => l.msg === 'trending refreshed').length;
  // Every second (TRENDING_REFRESH_SECONDS=1), on one of them.
  await until(() => refreshes(a) + refreshes(b) >= 3, 'three refreshes', 15_000);
  const [holder, other] = refreshes(a) > 0 ? [a, b] : [b, a];
  expect(refreshes(other)).toBe(0);
  expect(holder.lines.filter((l) => l.msg === 'this instance takes its turn' && l.job === 'trending')).toHaveLength(1);
  expect(other.lines.some((l) => l.msg === 'this instance takes its turn')).toBe(false);

  // The holder stops and hands its lease back: the other takes its turn at its next try.
  expect(await holder.stop()).toBe(0);
  await until(() => refreshes(other) >= 2, 'refreshes on the other instance', 15_000);
  expect(other.lines.filter((l) => l.msg === 'this instance takes its turn' && l.job === 'trending')).toHaveLength(1);
}, 60_000);
