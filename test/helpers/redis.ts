// Redis for tests: REDIS_URL, else the one at 127.0.0.1:6379. Each test file works under a key
// prefix of its own and deletes its keys at the end. A Redis that cannot be reached fails the
// test file with a message saying so: these tests never skip.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';

export const testRedisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A fresh key prefix; checks that Redis answers, or throws naming the URL. */
export async function testRedisPrefix(): Promise<{ prefix: string; cleanup(): Promise<void> }> {
  const prefix = `test-${randomBytes(5).toString('hex')}:`;
  const redis = new Redis(testRedisUrl, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 2000, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`These tests need Redis at ${testRedisUrl} (set REDIS_URL to use another): ${(error as Error).message}`);
  }
  return {
    prefix,
    async cleanup() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/**
 * A TCP relay in front of Redis that a test can cut (`down()`: every connection closed, new ones
 * refused) and restore on the same port (`up()`): a Redis outage without touching the Redis
 * others use.
 */
export async function redisRelay(): Promise<{ url: string; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }> {
  const target = new URL(testRedisUrl);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 6379), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const down = async () => {
    const closing = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await up();
  const url = new URL(testRedisUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), down, up, close: down };
}
