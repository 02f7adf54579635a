// Database errors translated at the boundary, by code, into what the API means by them.
// Anything not listed stays an unexpected error (masked for the client, logged).

/** Prisma's code for a unique constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/**
 * Whether `error` means "the database cannot be reached right now" rather than "this statement
 * failed": a refused connection, a connection the server closed or terminated
 * (pg_terminate_backend, a restart), a server starting up or shutting down, too many
 * connections, or the pool finding no free connection within DATABASE_POOL_TIMEOUT_MS. The API
 * answers those 503 with Retry-After (src/http/unavailable.ts); every other database error stays
 * an internal error. One place for every shape they arrive in:
 * - plain pg (the read path, src/platform/db/client.ts): socket errors (`ECONNREFUSED`), server errors
 *   with a SQLSTATE (`57P01`), and pg's own Errors that carry only a message;
 * - Prisma through @prisma/adapter-pg: `P1001`/`P1017`/`P2024`, or a generic code (`P2010` raw
 *   query failed, `P2039` database error) with the adapter's error in `meta.driverAdapterError`,
 *   whose `cause` has a `kind` and, for a server error, the SQLSTATE; and pg's message-only
 *   Errors passed through as they are (a batch transaction cut mid-way, a pool timeout).
 * Matching pg's messages is the one fragile part: pg gives those errors no code.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current) || seen.size > 8) continue;
    seen.add(current);
    const { code, kind, message, cause, meta, originalError } = current as {
      code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; originalError?: unknown;
    };
    if (typeof code === 'string' && (PRISMA_UNAVAILABLE.has(code) || SOCKET_UNAVAILABLE.has(code) || isUnavailableSqlState(code))) return true;
    if (typeof kind === 'string' && ADAPTER_UNAVAILABLE.has(kind)) return true;
    if (typeof message === 'string' && PG_UNAVAILABLE_MESSAGE.test(message)) return true;
    pending.push(cause, originalError, meta?.driverAdapterError);
  }
  return false;
}

/**
 * P1001 can't reach the server, P1002 reached but timed out, P1017 server closed the connection,
 * P2024 timed out fetching a connection from the pool.
 */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1017', 'P2024']);

const SOCKET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** @prisma/adapter-pg's kinds for the socket errors above and for SQLSTATE 53300. */
const ADAPTER_UNAVAILABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Class 08 connection exceptions; 57P01 admin_shutdown (pg_terminate_backend, a fast stop),
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down); 53300
 * too_many_connections. Not 57014 query_canceled: a statement timeout is this statement's fault.
 */
function isUnavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/**
 * pg's own errors, which carry no code: the server went away mid-query ("Connection terminated
 * unexpectedly"), the pool's acquire timeout ("timeout exceeded when trying to connect"), a
 * connect timeout, a client already broken by an earlier one.
 */
const PG_UNAVAILABLE_MESSAGE = /^(Connection terminated\b|timeout exceeded when trying to connect$|Client has encountered a connection error and is not queryable$)/;
