// An unreachable database answered as what it is: HTTP 503 with Retry-After and the code
// SERVICE_UNAVAILABLE, which a client, a retry library or a load balancer can act on, instead of
// a 200 carrying a masked INTERNAL_SERVER_ERROR that none of them would retry. Which errors
// count is decided in one place, src/platform/db/errors.ts `isDatabaseUnavailable`; the field's message
// and code are src/platform/errors.ts's formatError. Here: the status and header, in the three places a
// request can meet the database:
//   - while the context is built (the token lookup), before Apollo runs any plugin;
//   - during execution, through the Apollo plugin below;
//   - in ordinary routes (feeds, digests), in src/http/errors.ts's error handler.
//
// One field's statement failing for any other reason (a bug, a constraint) stays a masked
// INTERNAL_SERVER_ERROR next to the fields that succeeded, with 200. A field that met an
// unreachable database makes the whole response 503 even when others succeeded: the client
// cannot tell which half of a mutation committed, and every mutation is safe to retry (README).
import type { ApolloServerPlugin } from '@apollo/server';
import { isDatabaseUnavailable } from '../platform/db/errors.ts';
import { ErrorCode, OVERLOADED_RETRY_AFTER_SECONDS, serviceUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../platform/errors.ts';

/** `build()`, with an unreachable database thrown as the 503 SERVICE_UNAVAILABLE error. */
export async function unlessUnavailable<T>(build: () => Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    throw isDatabaseUnavailable(error) ? serviceUnavailable() : error;
  }
}

/**
 * Execution errors: any of them from an unreachable database makes the response 503, and so
 * does a read shed under load (src/platform/db/share.ts: SERVICE_OVERLOADED).
 */
export function unavailablePlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, response }) {
          const retryAfter = errors.some(isDatabaseUnavailable)
            ? UNAVAILABLE_RETRY_AFTER_SECONDS
            : errors.some((error) => error.extensions?.code === ErrorCode.SERVICE_OVERLOADED)
              ? OVERLOADED_RETRY_AFTER_SECONDS
              : undefined;
          if (retryAfter === undefined) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}
