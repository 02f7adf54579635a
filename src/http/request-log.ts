// Request ids and the one log line per request. A client's own x-request-id is kept when it is
// a plain token (a UUID, a trace id), else a fresh UUID is made; either way it is echoed back.
//
// DANGER: the line says which request, what operation, how long and how costly, and nothing
// about who beyond "anonymous" or "token": never the query text, variables, token or address.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../catalog/context.ts';
import { operationCostOf } from '../graphql/limits/plugin.ts';
import { logMaskedError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { requestOf } from './graphql-request.ts';

export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(given) ? given : randomUUID();
}

const operations = new WeakMap<FastifyRequest, { name: string | null; cost: number | undefined }>();

/**
 * Notes the operation's name and cost for the request's log line (listed after the limits
 * plugin), and logs the errors that formatError masks, with the request's id.
 */
export function requestLogPlugin(logger: Pick<Logger, 'error'>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const request = requestOf(contextValue);
      return {
        async didResolveOperation({ operationName }) {
          if (request) operations.set(request, { name: operationName, cost: operationCostOf(contextValue)?.cost });
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) logMaskedError(logger, error, request ? { requestId: request.id } : {});
        },
      };
    },
  };
}

export function requestLog(app: FastifyInstance, logger: Logger): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const probe = path === '/healthz' || path === '/readyz';
    const operation = operations.get(request);
    logger[probe ? 'debug' : 'info'](
      {
        requestId: request.id,
        method: request.method,
        path: path.slice(0, 100),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(operation ? { operationName: operation.name?.slice(0, 100) ?? null } : {}),
        ...(operation?.cost !== undefined ? { cost: operation.cost } : {}),
        client: request.headers.authorization ? 'token' : 'anonymous',
        // The client went away before the whole response was written.
        ...(reply.raw.writableFinished ? {} : { aborted: true }),
      },
      'request',
    );
  });
}
