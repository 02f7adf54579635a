// Registering an automatic persisted query, as one piece. A registration (a request with both
// the `persistedQuery` extension and the query text) asks the server to store the document for
// every client until it is evicted (src/graphql/apq-cache.ts), so:
//   - a document over APQ_MAX_QUERY_BYTES is refused (QUERY_TOO_LARGE, 400) and not stored;
//   - a registration pays for its storage from the client's rate budget, one point per
//     BYTES_PER_POINT bytes the entry takes (its document and the store's overhead per entry),
//     on top of what the operation itself costs (charged by the limits plugin). The budget
//     caps the registrations a client makes per window: 5,000 points a minute store at most
//     about 500 KB a minute, whatever the documents.
// Apollo stores the query after `didResolveOperation`, and only if no plugin threw there: the
// place to refuse it or to have it paid for.
import type { ApolloServerPlugin } from '@apollo/server';
import type { PersistedQueriesConfig } from '../config.ts';
import type { Context } from '../catalog/context.ts';
import { ErrorCode, queryLimitError } from '../platform/errors.ts';
import { storedBytes } from './apq-cache.ts';

/**
 * A point of the rate budget buys this many bytes of the persisted-query store. A point of an
 * operation's cost is about one object resolved; 100 bytes make a 20 KB registration cost
 * about 200 points (an anonymous client's budget is 5,000 a minute), the smallest 5.
 */
export const BYTES_PER_POINT = 100;

/** What registering `query` costs, in points of the rate budget. */
export function registrationPoints(query: string): number {
  return Math.ceil(storedBytes(query) / BYTES_PER_POINT);
}

export function persistedQueryPlugin({ maxQueryBytes }: Pick<PersistedQueriesConfig, 'maxQueryBytes'>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ request, metrics }) {
          // Set by Apollo when the request carries both the extension and a query whose hash it
          // checked: exactly when it is about to store the query.
          if (!metrics.persistedQueryRegister || typeof request.query !== 'string') return;
          const bytes = Buffer.byteLength(request.query, 'utf8');
          if (bytes > maxQueryBytes) {
            throw queryLimitError(
              ErrorCode.QUERY_TOO_LARGE,
              `The persisted query to register is ${bytes} bytes long; the limit for a registration is ${maxQueryBytes}. Send it without the persistedQuery extension, or split the operation`,
              { limit: maxQueryBytes },
            );
          }
          await contextValue.operation.charge?.(registrationPoints(request.query));
        },
      };
    },
  };
}
