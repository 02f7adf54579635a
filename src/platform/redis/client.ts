// The one Redis connection of an instance (REDIS_URL), shared by the rate budget, the live-event
// bus (which adds a subscriber connection of its own) and the one-at-a-time jobs.
//
// Client: ioredis. It is the client rate-limiter-flexible documents first (RateLimiterRedis takes
// it as is), it reconnects by itself forever and re-subscribes a subscriber connection after a
// reconnect (`autoResubscribe`), and it reports a connection's state synchronously (`status`),
// which lets a request decide at once that Redis is down instead of waiting on a timeout.
//
// Outage rule: Redis is never on a request's critical path. Commands are not queued while the
// connection is down (`enableOfflineQueue: false`): they fail at once, and each user decides
// what failing means (rate limit: allow; events: local listeners only; jobs: keep the turn
// until its lease runs out). The outage is logged once per minute, and its end once.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export interface RedisLink {
  /** Commands (not for SUBSCRIBE: see `subscriber()`). */
  readonly client: Redis;
  /** Every key and channel starts with this (REDIS_KEY_PREFIX). */
  readonly prefix: string;
  /** This process, among the instances sharing the Redis (lock tokens, event origins). */
  readonly instanceId: string;
  /** Whether the command connection is up right now. */
  ready(): boolean;
  /** Resolves true once connected, or false after `timeoutMs` (the app starts either way). */
  whenReady(timeoutMs: number): Promise<boolean>;
  /** A new connection in subscriber mode's terms: queued until connected, re-subscribed after. */
  subscriber(): Redis;
  /** Logs `message` at warn, at most once per minute per `topic` (outages repeat every retry). */
  warn(topic: string, message: string, error?: unknown): void;
  close(): Promise<void>;
}

const WARN_EVERY_MS = 60_000;
/** Reconnect delay: quickly at first, then every 2 s for as long as Redis is away. */
const retryStrategy = (attempt: number) => Math.min(50 * 2 ** attempt, 2000);

export function connectRedis(url: string, prefix: string, logger: Pick<Logger, 'warn' | 'info'>): RedisLink {
  const lastWarned = new Map<string, number>();
  const warn = (topic: string, message: string, error?: unknown) => {
    const now = Date.now();
    if (now - (lastWarned.get(topic) ?? -Infinity) < WARN_EVERY_MS) return;
    lastWarned.set(topic, now);
    logger.warn({ redis: topic, ...(error instanceof Error ? { error: error.message } : {}) }, message);
  };
  const connections: Redis[] = [];
  const open = (offlineQueue: boolean, name: string) => {
    const redis = new Redis(url, {
      connectionName: `paper-catalog:${name}`,
      enableOfflineQueue: offlineQueue,
      // With the offline queue on (subscriber), a command waits for the connection; with it off
      // (commands), a command sent while disconnected fails at once. Never retried mid-flight.
      maxRetriesPerRequest: offlineQueue ? null : 0,
      connectTimeout: 2000,
      commandTimeout: offlineQueue ? undefined : 1000,
      retryStrategy,
    });
    let down = false;
    // Without a listener ioredis prints every failed reconnect to the console.
    redis.on('error', (error: Error) => {
      down = true;
      warn('connection', 'Redis unreachable: rate limits fail open, live events stay on this instance, shared jobs keep their turn until it expires', error);
    });
    redis.on('ready', () => {
      if (down) logger.info({ redis: name }, 'Redis reachable again');
      down = false;
    });
    connections.push(redis);
    return redis;
  };
  const client = open(false, 'commands');
  return {
    client,
    prefix,
    instanceId: randomUUID(),
    ready: () => client.status === 'ready',
    whenReady: (timeoutMs) =>
      client.status === 'ready'
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => {
              client.off('ready', onReady);
              resolve(false);
            }, timeoutMs);
            const onReady = () => {
              clearTimeout(timer);
              resolve(true);
            };
            client.once('ready', onReady);
          }),
    subscriber: () => open(true, 'events'),
    warn,
    async close() {
      // QUIT when connected (pending replies first); otherwise stop reconnecting at once, or a
      // queued QUIT would wait for a Redis that may never come back.
      await Promise.all(
        connections.map(async (redis) => {
          if (redis.status !== 'ready') return redis.disconnect();
          await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]).catch(() => {});
          redis.disconnect();
        }),
      );
    },
  };
}

/** PING within `timeoutMs`: the /readyz detail. */
export async function isRedisReady(link: RedisLink, timeoutMs = 1000): Promise<boolean> {
  if (!link.ready()) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([link.client.ping().then((answer) => answer === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
