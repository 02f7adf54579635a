// /graphql: Apollo through its Fastify integration, in a scope of its own so that its body
// rules (src/http/body.ts) apply here only. What a request meets, cheapest first: request id,
// CORS, rate-limit budget spent? (429), body size (413), UTF-8, JSON, no batch (400), document
// size (400), then Apollo: authentication, parse, validate, cost and its charge, execution
// under the deadline (503).
import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { QueryLimits } from '../../config.ts';
import type { Context } from '../../catalog/context.ts';
import type { Deadline } from '../../platform/db/reader.ts';
import { checkDocument, graphqlBodyParsers } from '../body.ts';
import { varyPublicAnswers } from '../cache-control.ts';
import { withDeadline } from '../deadline.ts';
import { unlessUnavailable } from '../unavailable.ts';
import { logMaskedError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { inSpan, type Tracing } from '../../platform/telemetry/tracing.ts';

export interface GraphQLRouteOptions {
  apollo: ApolloServer<Context>;
  /**
   * The operation's context; its reads stop at `deadline` (the route answers 503 then), and its
   * `operation` is the request's report (src/http/request-state.ts).
   */
  context: (request: FastifyRequest, deadline: Deadline) => Promise<Context>;
  limits: Pick<QueryLimits, 'maxQueryLength' | 'maxTokens'>;
  operationTimeoutMs: number;
  /** Context failures that the client sees masked are logged here (the rest: src/graphql/server.ts). */
  logger: Pick<Logger, 'error'>;
  /** With tracing, the operation runs in a span of its own, a child of the request's (named by src/graphql/telemetry.ts). */
  tracing?: Tracing | null;
}

export const graphqlRoutes: FastifyPluginAsync<GraphQLRouteOptions> = async (app, { apollo, context, limits, operationTimeoutMs, logger, tracing }) => {
  graphqlBodyParsers(app);
  const apolloHandler = fastifyApolloHandler<Context>(apollo, {
    // Apollo builds the context as soon as the route hands it the request, when withDeadline's
    // clock (below) has just started: both halves of the deadline run on one time.
    // The token lookup is the first statement: an unreachable database answers 503 from here.
    context: async (request) => {
      const deadline = { at: performance.now() + operationTimeoutMs, timeoutMs: operationTimeoutMs };
      try {
        const built = await unlessUnavailable(() => context(request, deadline));
        request.state.authenticated = true;
        request.state.userId = built.viewer?.id ?? null;
        return built;
      } catch (error) {
        logMaskedError(logger, error, { requestId: request.id });
        throw error;
      }
    },
  });
  app.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    preValidation: checkDocument(limits),
    // A public (cacheable) answer varies with Authorization and Accept: src/http/cache-control.ts.
    onSend: varyPublicAnswers,
    handler: withDeadline(
      tracing
        ? async (request, reply) => inSpan(tracing, 'graphql', async () => apolloHandler.call(app, request, reply))
        : async (request, reply) => apolloHandler.call(app, request, reply),
      operationTimeoutMs,
    ),
  });
  // A preflight from an origin CORS does not allow (or none configured) is answered all the
  // same, without CORS headers: the browser then refuses the call itself.
  app.options('/graphql', async (_request, reply) => reply.code(204).header('allow', 'GET, POST, OPTIONS').send());
};
