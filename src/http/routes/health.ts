// Probes for orchestrators: /healthz while the process runs, /readyz while it can serve (the
// database answers, and it is not shutting down). Not rate limited: a probe must never be 429.
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

export const healthRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  const config = { rateLimit: false } as const;
  app.get('/healthz', { config }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', { config }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    const ready = await isDatabaseReady(db);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'database unreachable' });
  });
};
