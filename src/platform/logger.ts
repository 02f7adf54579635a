// Structured JSON logs (pino); in development (LOG_FORMAT=pretty, its default there) the same
// lines made readable by pino-pretty, in the process (no worker thread): one line per entry,
// a request as `POST /graphql 200 Daily {requestId, ms, ...}`. Never log tokens, authorization headers, request bodies,
// variables or client addresses: a log line says which request (its id), what operation, how
// long and how costly, and nothing about who beyond "anonymous" or "token".
import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { Config } from '../config.ts';

export type { Logger };

// A line about a request names it with `requestId`, passed by whoever logs it: the request log
// and the error handler (src/http), the operation's masked errors (src/graphql/server.ts). Not
// through AsyncLocalStorage: on Node 20 and 22 it turns on a promise hook for every promise of
// every request, and the API cost 6-20 % more CPU per request with it (bench/ab.sh).
/** Logs to stdout, or to `destination` (tests read what was logged); pretty when `format` says so. */
export function createLogger(config: Pick<Config, 'logLevel'> & { telemetry?: Pick<Config['telemetry'], 'logFormat'> }, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'token',
        'authorization',
        '*.token',
        '*.variables',
      ],
      censor: '[redacted]',
    },
  };
  if (config.telemetry?.logFormat === 'pretty') return pino(options, PinoPretty({ ...PRETTY, destination: destination ?? 1, colorize: !destination && process.stdout.isTTY }));
  return destination ? pino(options, destination) : pino(options);
}

const PRETTY = {
  translateTime: 'SYS:HH:MM:ss.l',
  singleLine: true,
  sync: true,
  // The request line's own fields make its message; the rest follow on the same line.
  ignore: 'method,path,status',
  messageFormat: (log: Record<string, unknown>, key: string) =>
    log[key] === 'request' ? `${log.method} ${log.path} ${log.status}${log.operationName ? ` ${log.operationName}` : ''}` : String(log[key] ?? ''),
};
