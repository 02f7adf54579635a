// Probes for orchestrators: /healthz while the process runs, /readyz while it can serve (the
// database answers, and it is not shutting down). Not rate limited: a probe must never be 429.
// /readyz names each dependency in `checks`; Redis (REDIS_URL) is reported there but never makes
// the instance unready: without it the API still serves (src/redis/client.ts, outage rule).
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../db/client.ts';
import { isRedisReady, type RedisLink } from '../../redis/client.ts';

export async function isDatabaseReady(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([db.$queryRaw`SELECT 1`.then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsync<{ db: Db; redis?: RedisLink }> = async (app, { db, redis }) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  const config = { rateLimit: false } as const;
  app.get('/healthz', { config }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', { config }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    const [ready, redisReady] = await Promise.all([isDatabaseReady(db), redis ? isRedisReady(redis) : undefined]);
    const checks = {
      database: ready ? 'ok' : 'unreachable',
      ...(redisReady === undefined ? {} : { redis: redisReady ? 'ok' : 'unreachable: rate limits open, live events local to this instance' }),
    };
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'database unreachable', checks });
  });
};
