// What a client gets when a request fails outside GraphQL execution: the GraphQL-over-HTTP error
// shape with a code, never a stack trace or a library's internal message.
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../platform/db/errors.ts';
import { ErrorCode, serviceUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';

export function errorBody(message: string, code: string = ErrorCode.BAD_REQUEST) {
  return { errors: [{ message, extensions: { code } }] };
}

/** An error whose message was written for the client, with the status to answer. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code: string = ErrorCode.BAD_REQUEST,
  ) {
    super(message);
  }
}

export function handleErrors(app: FastifyInstance, { maxBodyBytes, logger }: { maxBodyBytes: number; logger: Logger }): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    reply.header('cache-control', 'no-store');
    if (error instanceof HttpError) return reply.code(error.statusCode).send(errorBody(error.message, error.code));
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? maxBodyBytes;
      return reply.code(413).send(errorBody(`Request body larger than ${limit} bytes`));
    }
    // An unreachable database (src/http/unavailable.ts): retryable, and said so.
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, requestId: request.id }, 'database unavailable');
      return reply.code(503).header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)).send(errorBody(serviceUnavailable().message, ErrorCode.SERVICE_UNAVAILABLE));
    }
    const status = error.statusCode ?? 500;
    // Fastify's own refusals (bad Content-Length, malformed URL, unsupported media type) carry
    // a 4xx status and a message meant for the client.
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody(error.message));
    // The root logger with the id in the line (a child logger would repeat the id the log
    // mixin adds inside a request).
    logger.error({ err: error, requestId: request.id }, 'request failed');
    return reply.code(500).send(errorBody('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'Not found: the API is at /graphql' }));
}
