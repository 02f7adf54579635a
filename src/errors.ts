// The API's one error vocabulary. Expected failures are GraphQLErrors with one of these codes;
// anything else reaching `formatError` is a bug or an outage: it is logged with its cause and
// the client sees only "Internal server error". Apollo Server 5 does not mask by itself.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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

export type ErrorLogger = (message: string, error: unknown) => void;

/**
 * DANGER: this decides what a client learns about a failure. Only errors raised on purpose
 * with a client-safe code pass through; everything else (Prisma and pg errors carry SQL and
 * table names) is replaced. Stack traces are never sent.
 */
export function createFormatError(log: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    // Apollo gives errors thrown without a code INTERNAL_SERVER_ERROR, so a safe code here was
    // set on purpose by this code base or by Apollo's own request handling.
    if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && CLIENT_SAFE_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    log('unexpected error', unwrapResolverError(error));
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
