// Structured JSON logs (pino). Never log tokens, authorization headers, request bodies,
// variables or client addresses: a log line says which request (its id), what operation, how
// long and how costly, and nothing about who beyond "anonymous" or "token".
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';
import type { RateLimitBinding } from './rate-limit/limiter.ts';

export type { Logger };

/**
 * What one HTTP request carries through Apollo and the resolvers without threading it through
 * every call: set by src/http.ts, read by the limits plugin and stamped on every log line.
 */
export interface RequestScope {
  readonly requestId: string;
  /** Set once the operation is known. */
  operationName?: string | null;
  /** The operation's calculated cost (src/limits/cost.ts), once known. */
  cost?: number;
  /** Where this request's cost is charged; absent when rate limiting is off. */
  rateLimit?: RateLimitBinding;
  /** Past this (performance.now() ms) the operation is abandoned and resolvers stop early. */
  deadline?: number;
}

const requestScopes = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return requestScopes.run(scope, fn);
}

/** The scope of the HTTP request being handled; undefined outside one (executeOperation, CLIs). */
export function currentRequest(): RequestScope | undefined {
  return requestScopes.getStore();
}

/** Logs to stdout, or to `destination` (tests read what was logged). */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    // Every line written while handling a request names it, resolvers' and Apollo's included.
    mixin: () => {
      const scope = requestScopes.getStore();
      return scope ? { requestId: scope.requestId } : {};
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        '*.token',
        '*.variables',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
