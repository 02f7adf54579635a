// Probes for orchestrators: /healthz while the process runs, /readyz while it can serve (every
// dependency answers, and it is not shutting down). Not rate limited: a probe must never be 429.
// /healthz touches nothing: a database outage must not make an orchestrator restart every
// replica (which cures nothing); /readyz takes the replica out of the load balancer instead,
// and says which dependency is down.
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../db/client.ts';

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

/** A dependency's probe for /readyz: resolves true when it answers. Must not throw. */
export type ReadinessCheck = () => Promise<boolean>;

export interface HealthOptions {
  db: Db;
  /** More dependencies to probe by name (Redis, when one is used); the database is always one. */
  checks?: Record<string, ReadinessCheck>;
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { db, checks: more = {} }) => {
  const checks: [string, ReadinessCheck][] = [['database', () => isDatabaseReady(db)], ...Object.entries(more)];
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  const config = { rateLimit: false } as const;
  app.get('/healthz', { config }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', { config }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    const results = await Promise.all(checks.map(async ([name, check]) => [name, (await check()) ? 'up' : 'down'] as const));
    const ready = results.every(([, state]) => state === 'up');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
};
