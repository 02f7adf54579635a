// Probes for orchestrators: /healthz while the process runs, /readyz while it can serve (the
// database answers, and it is not shutting down). Not rate limited: a probe must never be 429.
// /healthz touches nothing: a database outage must not make an orchestrator restart every
// replica (which cures nothing); /readyz takes the replica out of the load balancer instead,
// and says which dependency is down in `checks`. Redis (REDIS_URL) is reported there but never
// makes the instance unready: without it the API still serves (src/platform/redis/client.ts, outage
// rule), and /readyz says `degraded`.
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../platform/db/client.ts';
import { isRedisReady, type RedisLink } from '../../platform/redis/client.ts';

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

export interface HealthOptions {
  db: Db;
  redis?: RedisLink;
}

const state = (up: boolean) => (up ? 'up' : 'down');

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { db, redis }) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  const config = { rateLimit: false } as const;
  app.get('/healthz', { config }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', { config }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    const [database, redisUp] = await Promise.all([isDatabaseReady(db), redis ? isRedisReady(redis) : undefined]);
    const checks = { database: state(database), ...(redisUp === undefined ? {} : { redis: state(redisUp) }) };
    const status = !database ? 'unavailable' : redisUp === false ? 'degraded' : 'ok';
    return reply.code(database ? 200 : 503).send({
      status,
      checks,
      ...(status === 'degraded' ? { detail: 'Redis is down: rate limits are open and live events stay on this instance' } : {}),
    });
  });
};
