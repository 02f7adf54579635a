// Cache-Control of GraphQL responses, so that a CDN in front can serve the anonymous pages
// (the daily list, trending) without reaching the API. The rule, one for the whole schema:
//
//   anonymous (no Authorization header), GET, a query, no error  ->  public, max-age=N
//   any request with an Authorization header                     ->  private, no-store
//   everything else (POST, mutations, errors)                    ->  no-store
//
// N is GRAPHQL_PUBLIC_MAX_AGE_SECONDS (default 60; 0: nothing is public). A rule rather than
// per-field @cacheControl hints because every field an anonymous client can read is public
// (its viewer is null for all), and because graphql-jit executes here (src/graphql/jit.ts): Apollo's
// cache-control plugin computes hints in per-field hooks that its own executor calls, not jit.
// Public responses carry `Vary: Authorization`, so a cache never answers a signed-in request
// with an anonymous page. With automatic persisted queries (Apollo's APQ, on by default; shared
// through Redis with REDIS_URL, src/graphql/apq-cache.ts) a GET carries only the query's hash:
//   GET /graphql?extensions={"persistedQuery":{"version":1,"sha256Hash":"<sha256 of the query>"}}
// with `apollo-require-preflight: true` (Apollo's CSRF rule for GET).
import type { ApolloServerPlugin } from '@apollo/server';
import type { onSendHookHandler } from 'fastify';

export function cacheControlPlugin(publicMaxAgeSeconds: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, operation }) {
          if (!request.http) return;
          let value = 'no-store';
          if (request.http.headers.get('authorization')) value = 'private, no-store';
          else if (
            publicMaxAgeSeconds > 0 &&
            request.http.method === 'GET' &&
            operation?.operation === 'query' &&
            response.body.kind === 'single' &&
            !response.body.singleResult.errors
          ) {
            value = `public, max-age=${publicMaxAgeSeconds}`;
          }
          response.http.headers.set('cache-control', value);
        },
      };
    },
  };
}

/** The HTTP half: a public response varies with Authorization (added to CORS's `Vary: Origin`). */
export const varyPublicByAuthorization: onSendHookHandler = async (_request, reply, payload) => {
  if (String(reply.getHeader('cache-control') ?? '').startsWith('public')) {
    const vary = reply.getHeader('vary');
    reply.header('vary', vary ? `${String(vary)}, Authorization` : 'Authorization');
  }
  return payload;
};
