// REDIS_URL in one process: the rate budget, the live-event bus and the one-at-a-time jobs on
// real Redis, with several links standing for several instances, and through an outage (a
// relay in front of Redis that the test cuts). Two real API processes: test/scale.test.ts.
import { Writable } from 'node:stream';
import type { Paper } from '../src/generated/prisma/client.ts';
import { CatalogEvents, InMemoryEventBus, channels, type CatalogEvent } from '../src/platform/events/bus.ts';
import { createLogger } from '../src/platform/logger.ts';
import { RateLimiter } from '../src/http/rate-limit/limiter.ts';
import { connectRedis, type RedisLink } from '../src/platform/redis/client.ts';
import { RedisEventBus } from '../src/platform/events/redis.ts';
import { redisStore } from '../src/http/rate-limit/redis-store.ts';
import { takeTurns } from '../src/platform/redis/turns.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { redisRelay, testRedisPrefix, testRedisUrl } from './helpers/redis.ts';
import { createTestServer, startTestHttp, type TestServer } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

let prefix: string;
let cleanup: () => Promise<void>;
const links: RedisLink[] = [];

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info' }, destination), lines };
}

function link(url = testRedisUrl, logger = capturedLogger().logger): RedisLink {
  const made = connectRedis(url, prefix, logger);
  links.push(made);
  return made;
}

beforeAll(async () => {
  ({ prefix, cleanup } = await testRedisPrefix());
});
afterAll(async () => {
  await Promise.all(links.map((l) => l.close()));
  await cleanup?.();
});

const paperEvent = (id: number, upvotes: number): CatalogEvent => ({
  type: 'paperUpdated',
  paper: { id, upvoteCount: upvotes, publishedAt: new Date('2024-07-01T00:00:00Z') } as unknown as Paper,
});

describe('rate budget in Redis', () => {
  test('two instances spend from one budget', async () => {
    const policy = { points: 10, windowSeconds: 60 };
    const a = new RateLimiter(policy, redisStore(policy, link()));
    const b = new RateLimiter(policy, redisStore(policy, link()));
    await until(() => links.every((l) => l.ready()), 'the links to Redis', 5000);
    expect(await a.consume('ip:192.0.2.1', 4)).toMatchObject({ allowed: true, remaining: 6 });
    expect(await b.consume('ip:192.0.2.1', 4)).toMatchObject({ allowed: true, remaining: 2 });
    // Refused on either, and a refusal spends nothing.
    expect(await a.consume('ip:192.0.2.1', 3)).toMatchObject({ allowed: false, remaining: 2 });
    expect(await b.peek('ip:192.0.2.1')).toMatchObject({ remaining: 2 });
    expect(await b.consume('ip:192.0.2.1', 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  test('Redis away: requests are allowed, /readyz stays 200 and says so, one warning a minute; back: limited again', async () => {
    const relay = await redisRelay();
    const { logger, lines } = capturedLogger();
    const viaRelay = link(relay.url, logger);
    const t: TestDatabase = await createTestDatabase();
    let server: TestServer | undefined;
    try {
      server = await createTestServer(t, { RATE_LIMIT_POINTS: '5', GRAPHQL_MAX_COST: '5' });
      const limiter = new RateLimiter(server.config.rateLimit, redisStore(server.config.rateLimit, viaRelay));
      const http = await startTestHttp(t, server, { rateLimiter: limiter, redis: viaRelay });
      try {
        await until(() => viaRelay.ready(), 'the link to Redis', 5000);
        const readyz = async () => {
          const response = await fetch(`${http.url}/readyz`);
          return { status: response.status, body: await response.json() };
        };
        expect(await readyz()).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'up', redis: 'up' } } });
        const statuses = async (n: number) => {
          const out: number[] = [];
          for (let i = 0; i < n; i++) out.push((await http.post('{ topics(first: 1) { totalCount } }')).status);
          return out;
        };
        // Limited while Redis is up: five points, then 429 (each operation costs at least one).
        expect((await statuses(7)).filter((s) => s === 429).length).toBeGreaterThan(0);

        await relay.down();
        await until(() => !viaRelay.ready(), 'the link to notice the outage', 5000);
        // Open: every request served, for as many requests as asked.
        expect(await statuses(12)).toEqual(Array(12).fill(200));
        const down = await readyz();
        expect(down.status).toBe(200);
        expect(down.body.checks.database).toBe('up');
        expect(down.body.status).toBe('degraded');
        expect(down.body.checks.redis).toBe('down');
        // One warning about the limit for all those requests (per minute), one about the connection
        // (logged when ioredis reports a failed reconnect, which may come after the requests).
        await until(() => lines.some((l) => l.level === 40 && l.redis === 'connection'), 'the connection warning', 5000);
        const warnings = lines.filter((l) => l.level === 40);
        expect(warnings.filter((l) => l.redis === 'rate-limit')).toHaveLength(1);
        expect(warnings.filter((l) => l.redis === 'rate-limit')[0]!.msg).toMatch(/fail open/);
        expect(warnings.filter((l) => l.redis === 'connection').length).toBe(1);

        await relay.up();
        await until(() => viaRelay.ready(), 'the link to reconnect', 10_000);
        expect(lines.some((l) => l.msg === 'Redis reachable again')).toBe(true);
        expect(await readyz()).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'up', redis: 'up' } } });
        // The window kept in Redis is still spent: limited again.
        expect(await statuses(1)).toEqual([429]);
      } finally {
        await http.close();
      }
    } finally {
      await server?.stop();
      await relay.close();
      await t.close();
    }
  }, 60_000);
});

describe('live events over Redis pub/sub', () => {
  test('an event published on one instance reaches every instance once, Dates intact', async () => {
    const [localA, localB] = [new InMemoryEventBus(), new InMemoryEventBus()];
    const a = new RedisEventBus(link(), localA);
    const b = new RedisEventBus(link(), localB);
    await Promise.all([a.ready(), b.ready()]);
    const heardA: CatalogEvent[] = [];
    const heardB: CatalogEvent[] = [];
    a.subscribe(channels.paper(1), (e) => heardA.push(e));
    b.subscribe(channels.paper(1), (e) => heardB.push(e));
    b.subscribe(channels.paper(2), () => heardB.push(paperEvent(-1, -1)));
    // Barriers, not a sleep: Redis delivers one connection's messages in the order it took them,
    // so once each instance hears a later sentinel from the other over Redis, an echo or a stray
    // delivery of the first event would have arrived before it.
    const sentinels = { a: 0, b: 0 };
    a.subscribe(channels.paper(3), () => void sentinels.a++);
    b.subscribe(channels.paper(3), () => void sentinels.b++);
    a.publish(channels.paper(1), paperEvent(1, 7));
    // Local listeners hear it at once, synchronously, as on the in-memory bus.
    expect(heardA).toHaveLength(1);
    await until(() => heardB.length > 0, 'the event on the other instance', 1000);
    const event = heardB[0]!;
    expect(event.type === 'paperUpdated' && event.paper.publishedAt).toEqual(new Date('2024-07-01T00:00:00Z'));
    // A Date, not a string (of Node's realm: jest's own Date is another one, so no instanceof).
    expect(event.type === 'paperUpdated' && Object.prototype.toString.call(event.paper.publishedAt)).toBe('[object Date]');
    // No echo back to the publisher, nothing on other channels.
    b.publish(channels.paper(3), paperEvent(3, 0));
    a.publish(channels.paper(3), paperEvent(3, 0));
    await until(() => sentinels.a === 2 && sentinels.b === 2, 'each sentinel on both instances', 1000);
    expect(heardA).toHaveLength(1);
    expect(heardB).toHaveLength(1);
  });

  test('publishLocal stays on its instance: events every instance reads for itself are heard once', async () => {
    const [localA, localB] = [new InMemoryEventBus(), new InMemoryEventBus()];
    const a = new RedisEventBus(link(), localA);
    const b = new RedisEventBus(link(), localB);
    await Promise.all([a.ready(), b.ready()]);
    const heardA: CatalogEvent[] = [];
    const heardB: CatalogEvent[] = [];
    a.subscribe(channels.citationsOfPaper(1), (e) => heardA.push(e));
    b.subscribe(channels.citationsOfPaper(1), (e) => heardB.push(e));
    let sentinel = 0;
    b.subscribe(channels.paper(3), () => void sentinel++);
    const event: CatalogEvent = { type: 'citationAdded', addition: { id: '1', citedPaperId: 1, count: 1, citingPaperIds: [2], source: 'S2', at: new Date() } };
    a.publishLocal(channels.citationsOfPaper(1), event);
    expect(heardA).toEqual([event]);
    // A later event of A's over Redis reaching B: the local one would have arrived before it.
    a.publish(channels.paper(3), paperEvent(3, 0));
    await until(() => sentinel === 1, 'the sentinel on the other instance', 1000);
    expect(heardB).toEqual([]);
  });

  test('Redis away: subscriptions keep local events; back: they hear other instances again', async () => {
    const relay = await redisRelay();
    try {
      const { logger, lines } = capturedLogger();
      const here = new CatalogEvents(new RedisEventBus(link(relay.url, logger), new InMemoryEventBus()));
      const elsewhere = new RedisEventBus(link(), new InMemoryEventBus());
      await (here.bus as RedisEventBus).ready();
      const iterator = here.listen(channels.paper(3));
      const next = () => iterator.next().then((r) => (r.value as Extract<CatalogEvent, { type: 'paperUpdated' }>).paper.upvoteCount);

      elsewhere.publish(channels.paper(3), paperEvent(3, 1));
      expect(await next()).toBe(1);

      await relay.down();
      // A local vote is still heard (and publishing does not throw)...
      here.bus.publish(channels.paper(3), paperEvent(3, 2));
      expect(await next()).toBe(2);
      await until(() => lines.some((l) => l.redis === 'events' || l.redis === 'connection'), 'the outage in the log', 5000);
      // ...other instances' are lost while cut off.
      elsewhere.publish(channels.paper(3), paperEvent(3, 99));

      await relay.up();
      // Re-subscribed after the reconnect: another instance's events arrive again.
      let upvotes: number | undefined;
      const heard = next().then((n) => (upvotes = n));
      const deadline = Date.now() + 15_000;
      while (upvotes === undefined) {
        if (Date.now() > deadline) throw new Error('no event from another instance within 15 s of Redis coming back');
        elsewhere.publish(channels.paper(3), paperEvent(3, 3));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await heard;
      expect(upvotes).toBe(3);
      await iterator.return!();
    } finally {
      await relay.close();
    }
  }, 30_000);
});

describe('one instance at a time', () => {
  test('only one holder runs the job; when it stops, or dies, another takes the turn', async () => {
    const running = new Set<string>();
    const starts: string[] = [];
    const job = (name: string) => async () => {
      running.add(name);
      starts.push(name);
      return async () => void running.delete(name);
    };
    const logger = capturedLogger().logger;
    const leaseMs = 600;
    const relayForC = await redisRelay();
    try {
      const a = takeTurns(link(), 'job', job('a'), { leaseMs, logger });
      const b = takeTurns(link(), 'job', job('b'), { leaseMs, logger });
      await until(() => running.size === 1, 'a holder', 3000);
      // Over several leases, never two at once, and no change of hands while the holder lives.
      for (let i = 0; i < 10; i++) {
        expect(running.size).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(starts).toHaveLength(1);
      const first = starts[0]!;
      const [holder, other] = first === 'a' ? [a, 'b'] : [b, 'a'];
      const handedBack = Date.now();
      await holder.stop();
      await until(() => running.has(other), 'the other instance to take its turn', 3000);
      // Handed back: no wait for the lease to run out.
      expect(Date.now() - handedBack).toBeLessThan(leaseMs + 400);
      const c = takeTurns(link(relayForC.url), 'job', job('c'), { leaseMs, logger });

      // The new holder stops too: C, waiting, takes over.
      await (other === 'a' ? a : b).stop();
      await until(() => running.has('c'), 'c to take the turn', 3000);
      // C is cut off from Redis (as if it had died, nothing released).
      await relayForC.down();
      // C's lease runs out while it cannot renew: it stops the job by itself...
      await until(() => !running.has('c'), 'c to give up its turn', 3000);
      // ...and the turn is free for anyone once the key has expired.
      const d = takeTurns(link(), 'job', job('d'), { leaseMs, logger });
      await until(() => running.has('d'), 'd to take the turn', 3000);
      expect(running.size).toBe(1);
      await Promise.all([c.stop(), d.stop()]);
    } finally {
      await relayForC.close();
    }
  }, 30_000);
});
