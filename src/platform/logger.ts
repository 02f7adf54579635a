// Structured JSON logs (pino). Never log tokens, authorization headers, request bodies,
// variables or client addresses: a log line says which request (its id), what operation, how
// long and how costly, and nothing about who beyond "anonymous" or "token".
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.ts';

export type { Logger };

// A line about a request names it with `requestId`, passed by whoever logs it: the request log
// and the error handler (src/http), the operation's masked errors (src/graphql/server.ts). Not
// through AsyncLocalStorage: on Node 20 and 22 it turns on a promise hook for every promise of
// every request, and the API cost 6-20 % more CPU per request with it (bench/ab.sh).
/** Logs to stdout, or to `destination` (tests read what was logged). */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
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
