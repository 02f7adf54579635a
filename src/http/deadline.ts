// The operation deadline (GRAPHQL_OPERATION_TIMEOUT_MS), in two halves that need nothing from
// each other: the route answers 503 OPERATION_TIMEOUT when the time is up, and the Apollo
// plugin makes every field still to resolve fail at once, so an abandoned operation stops
// querying the database instead of running on unseen.
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { GraphQLError } from 'graphql';
import type { Context } from '../context.ts';
import { ErrorCode } from '../errors.ts';
import { errorBody } from './errors.ts';

const message = (timeoutMs: number) => `The operation did not finish within ${timeoutMs} ms and was stopped`;

export function deadlinePlugin(timeoutMs: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const deadline = performance.now() + timeoutMs;
      return {
        async executionDidStart() {
          return {
            willResolveField() {
              if (performance.now() > deadline) throw new GraphQLError(message(timeoutMs), { extensions: { code: ErrorCode.OPERATION_TIMEOUT } });
            },
          };
        },
      };
    },
  };
}

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
    // The abandoned operation finishes or fails on its own (its remaining fields fail at once);
    // its result is dropped.
    work.catch(() => {});
    return reply.code(503).send(errorBody(message(timeoutMs), ErrorCode.OPERATION_TIMEOUT));
  };
}

const TIMED_OUT = Symbol('timed out');
