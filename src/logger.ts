// Structured JSON logs (pino). Never log tokens, authorization headers, request bodies,
// variables or client addresses: a log line says which request (its id), what operation, how
// long and how costly, and nothing about who beyond "anonymous" or "token".
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

// Only the request id, set once by the HTTP layer (src/http/request-log.ts) and never changed:
// every line logged while handling a request names it, resolvers' and Apollo's included.
const requestIds = new AsyncLocalStorage<string>();

export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return requestIds.run(requestId, fn);
}

/** Logs to stdout, or to `destination` (tests read what was logged). */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    // Every line written while handling a request names it, resolvers' and Apollo's included.
    mixin: () => {
      const requestId = requestIds.getStore();
      return requestId === undefined ? {} : { requestId };
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
