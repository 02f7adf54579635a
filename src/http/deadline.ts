// The operation deadline (GRAPHQL_OPERATION_TIMEOUT_MS), in two halves that need nothing from
// each other: the route answers 503 OPERATION_TIMEOUT when the time is up, and the request's
// reader (src/platform/db/reader.ts `readerUntil`, built into the context by src/catalog/context.ts)
// refuses every statement after it, so an abandoned operation stops querying the database
// instead of running on unseen. Checked per statement rather than per field: a per-field hook
// cost 10-25 % of the daily page's CPU, and graphql-jit (src/graphql/jit.ts) calls no such hook.
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { ErrorCode, operationTimedOut } from '../platform/errors.ts';
import { errorBody } from './errors.ts';

/** `handler`, answered with 503 when it has not returned within `timeoutMs`. */
export function withDeadline(handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>, timeoutMs: number): RouteHandlerMethod {
  return async function (request, reply) {
    let timer: NodeJS.Timeout | undefined;
    const work = handler(request, reply);
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, timeoutMs, TIMED_OUT)));
    try {
      const result = await Promise.race([work, timeout]);
      if (result !== TIMED_OUT) return result;
    } finally {
      clearTimeout(timer);
    }
    // The abandoned operation finishes or fails on its own (its remaining statements are refused);
    // its result is dropped.
    work.catch(() => {});
    return reply.code(503).send(errorBody(operationTimedOut(timeoutMs).message, ErrorCode.OPERATION_TIMEOUT));
  };
}

const TIMED_OUT = Symbol('timed out');
