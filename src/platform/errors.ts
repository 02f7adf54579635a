// The API's one error vocabulary. Expected failures are GraphQLErrors with one of these codes;
// anything else reaching `formatError` is a bug or an outage: it is logged with its cause and
// the client sees only "Internal server error". Apollo Server 5 does not mask by itself.
import { HeaderMap } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { isDatabaseUnavailable } from './db/errors.ts';
import type { Logger } from './logger.ts';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** The HTTP request itself is unusable: body not JSON or not UTF-8, too large, batched. */
  BAD_REQUEST: 'BAD_REQUEST',
  // Query limits (src/graphql/limits): the operation was refused before anything ran.
  QUERY_TOO_LARGE: 'QUERY_TOO_LARGE',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  /** The client's cost budget for the current window is spent (HTTP 429 with Retry-After). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The operation ran past its deadline and was abandoned (HTTP 503). */
  OPERATION_TIMEOUT: 'OPERATION_TIMEOUT',
  /**
   * The database could not be reached (refused, connection cut, no free connection in time):
   * HTTP 503 with Retry-After. Not a bug; the same request may succeed when retried.
   */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /**
   * The server is shedding load: anonymous work that would take connections reserved for others,
   * or more requests in flight than the client may have. HTTP 503 (429 for a client's own
   * concurrency cap) with Retry-After; the same request may succeed when retried.
   */
  SERVICE_OVERLOADED: 'SERVICE_OVERLOADED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The operation ran past GRAPHQL_OPERATION_TIMEOUT_MS. HTTP 503 whichever half of the deadline
 * (src/http/deadline.ts) ends the request: the route's timer, or a read refused at the deadline
 * whose operation then finishes first.
 */
export function operationTimedOut(timeoutMs: number): GraphQLError {
  return new GraphQLError(`The operation did not finish within ${timeoutMs} ms and was stopped`, { extensions: { code: ErrorCode.OPERATION_TIMEOUT, http: { status: 503 } } });
}

/** What Retry-After says on a 503 SERVICE_UNAVAILABLE: a restarted database is back within seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

// Names no host, port or driver: only that it is worth retrying.
const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable: the database could not be reached. Retry shortly';

/** The database could not be reached: HTTP 503 with Retry-After (see src/http/unavailable.ts). */
export function serviceUnavailable(): GraphQLError {
  return new GraphQLError(UNAVAILABLE_MESSAGE, {
    extensions: {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)]]) },
    },
  });
}

/** How long a shed request is told to wait: load moves in seconds. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 2;

/** Work shed under load (src/platform/db/share.ts, src/graphql/limits/plugin.ts): HTTP 503 with Retry-After. */
export function serviceOverloaded(reason: string): GraphQLError {
  return new GraphQLError(`The service is shedding load: ${reason}. Retry after ${OVERLOADED_RETRY_AFTER_SECONDS} s`, {
    extensions: {
      code: ErrorCode.SERVICE_OVERLOADED,
      retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(OVERLOADED_RETRY_AFTER_SECONDS)]]) },
    },
  });
}

/** Quotes client input in a message without echoing a huge or hostile string back whole. */
export function truncate(text: string, max = 40): string {
  const safe = text.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}

export function badInput(message: string, argumentName?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argumentName ? { argumentName } : {}) },
  });
}

export function unauthenticated(message = 'Sign in first: send an API token as Authorization: Bearer <token>'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

/** A bad credential fails the whole request, before any field runs: HTTP 401. */
export function invalidCredentials(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

export function forbidden(message = 'You are not allowed to do this'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

/** An operation refused by a query limit: HTTP 400, before anything runs. */
export function queryLimitError(
  code: typeof ErrorCode.QUERY_TOO_LARGE | typeof ErrorCode.QUERY_TOO_DEEP | typeof ErrorCode.TOO_MANY_ALIASES | typeof ErrorCode.TOO_MANY_DIRECTIVES | typeof ErrorCode.QUERY_TOO_COSTLY,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });
}

/** Codes whose message was written for the client and may be shown as is. */
const CLIENT_SAFE_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

/** Why an error was masked before a client saw it: what the server logs of it. */
export type MaskReason = 'database unavailable' | 'unexpected error';

interface ClientView {
  shown: GraphQLFormattedError;
  /** null: the error was raised for the client and is shown as it is. */
  masked: MaskReason | null;
}

/**
 * DANGER: this decides what a client learns about a failure. Only errors raised on purpose
 * with a client-safe code pass through; everything else (Prisma and pg errors carry SQL and
 * table names) is replaced. Stack traces are never sent.
 */
function clientView(formatted: GraphQLFormattedError, error: unknown): ClientView {
  formatted = withBadRequestCode(withOwnValidationCode(formatted, error), error);
  const code = formatted.extensions?.code;
  // Apollo gives errors thrown without a code INTERNAL_SERVER_ERROR, so a safe code here was
  // set on purpose by this code base or by Apollo's own request handling.
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && CLIENT_SAFE_CODES.has(code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { shown: { ...formatted, extensions }, masked: null };
  }
  const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  // An unreachable database is an outage, not a bug: its own code and a message that names
  // nothing of the connection. The HTTP status (503) is set by src/http/unavailable.ts.
  if (isDatabaseUnavailable(error)) {
    return {
      shown: { message: UNAVAILABLE_MESSAGE, ...where, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS } },
      masked: 'database unavailable',
    };
  }
  return { shown: { message: 'Internal server error', ...where, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }, masked: 'unexpected error' };
}

/**
 * `formatError` of both transports: what the client is shown. It logs nothing: whoever ran the
 * operation logs what was masked (`logMaskedError`), with what it knows of the request.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  return clientView(formatted, error).shown;
}

/**
 * Logs an error of an operation's result when formatError masks it (a bug, an outage): the
 * client was told nothing, the log says what happened. Errors meant for the client are not logged.
 */
export function logMaskedError(logger: Pick<Logger, 'error'>, error: unknown, bindings: Record<string, unknown> = {}): void {
  // As Apollo formats it: an error without a code is an INTERNAL_SERVER_ERROR.
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  const formatted = { message: error instanceof Error ? error.message : String(error), extensions: { code: code ?? ErrorCode.INTERNAL_SERVER_ERROR } };
  const { masked } = clientView(formatted, error);
  if (masked) logger.error({ err: unwrapResolverError(error), ...bindings }, masked);
}

/**
 * Apollo wraps every validation error as GRAPHQL_VALIDATION_FAILED, overwriting the code a rule
 * set. The project's own rules (src/graphql/limits) set specific codes (QUERY_TOO_DEEP, ...): keep those.
 * graphql-js's own rules set no code, so their errors are untouched.
 */
function withOwnValidationCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED) return formatted;
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const ownCode = original instanceof GraphQLError ? original.extensions.code : undefined;
  if (typeof ownCode !== 'string' || !CLIENT_SAFE_CODES.has(ownCode) || ownCode === ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code: ownCode } };
}

/**
 * Apollo refuses a few malformed requests with a 4xx GraphQLError that has no code (a persisted
 * query whose hash is not its text's, an unknown persisted-query version); Apollo then labels it
 * INTERNAL_SERVER_ERROR. Its message is written for the client: label it BAD_REQUEST instead.
 */
function withBadRequestCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR || !(error instanceof GraphQLError)) return formatted;
  if (error.extensions.code !== undefined || error.originalError) return formatted;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
}
