// Request ids and the one log line per request. A client's own x-request-id is kept when it is
// a plain token (a UUID, a trace id), else a fresh UUID is made; it is echoed back, except on a
// publicly cacheable answer (src/http/cache-control.ts `isPubliclyCacheable`): a CDN would hand
// that one request's id to every client it serves the answer to. The log line keeps it.
//
// DANGER: the line says which request, what operation, how long and how costly, and nothing
// about who beyond "anonymous" or "token": never the query text, variables, token or address.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../platform/logger.ts';
import { isPubliclyCacheable } from './cache-control.ts';
import { traceIdOf } from '../platform/telemetry/tracing.ts';

export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(given) ? given : randomUUID();
}

export function requestLog(app: FastifyInstance, logger: Logger): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (isPubliclyCacheable(reply)) reply.removeHeader('x-request-id');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const probe = path === '/healthz' || path === '/readyz';
    // What the GraphQL layer reported of the operation (src/http/request-state.ts).
    const operation = request.state?.operation;
    const graphql = operation?.name !== undefined;
    // With tracing: the trace this request's spans belong to (the caller's, given a traceparent).
    const traceId = traceIdOf(request.raw);
    logger[probe ? 'debug' : 'info'](
      {
        requestId: request.id,
        ...(traceId ? { traceId } : {}),
        method: request.method,
        path: path.slice(0, 100),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(graphql ? { operationName: operation.name?.slice(0, 100) ?? null } : {}),
        ...(operation?.cost !== undefined ? { cost: operation.cost.points } : {}),
        client: request.headers.authorization ? 'token' : 'anonymous',
        // The client went away before the whole response was written.
        ...(reply.raw.writableFinished ? {} : { aborted: true }),
      },
      'request',
    );
  });
}
