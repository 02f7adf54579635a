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
// Public responses carry `Vary: Authorization, Accept`: a cache never answers a signed-in
// request with an anonymous page, and never answers `Accept: application/graphql-response+json`
// with the `application/json` body of a client that asked for that (Apollo picks the
// Content-Type from Accept, GraphQL over HTTP). With automatic persisted queries (Apollo's APQ, on by default; shared
// through Redis with REDIS_URL, src/graphql/apq-cache.ts) a GET carries only the query's hash:
//   GET /graphql?extensions={"persistedQuery":{"version":1,"sha256Hash":"<sha256 of the query>"}}
// with `apollo-require-preflight: true` (Apollo's CSRF rule for GET).
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyReply, onSendHookHandler } from 'fastify';

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

/**
 * Whether a shared cache (a CDN) may keep this answer and give it to other clients: its
 * Cache-Control neither forbids it (`no-store`, `private`) nor is silent about it (`public`,
 * `s-maxage` or `max-age`). This app marks such answers `public, max-age=N` (GraphQL's rule
 * above, feeds, BibTeX, the home page).
 *
 * DANGER: what such an answer carries, every client the cache serves it to receives. Anything
 * about the one request or client it answered stays off it: its `x-request-id`
 * (src/http/request-log.ts), the client's RateLimit budget headers. Call this once the answer's
 * Cache-Control is set (an onSend hook).
 */
export function isPubliclyCacheable(reply: Pick<FastifyReply, 'getHeader'>): boolean {
  const header = reply.getHeader('cache-control');
  if (header === undefined) return false;
  const directives = new Set(
    String(header)
      .toLowerCase()
      .split(',')
      .map((directive) => directive.split('=')[0]!.trim()),
  );
  if (directives.has('no-store') || directives.has('private')) return false;
  return directives.has('public') || directives.has('s-maxage') || directives.has('max-age');
}

/** Adds header names to Vary, once each, keeping what is there (CORS's `Origin`); `*` already varies on everything. */
export function addVary(reply: Pick<FastifyReply, 'getHeader' | 'header'>, ...names: string[]): void {
  const current = reply.getHeader('vary');
  const listed = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (listed.includes('*')) return;
  const known = new Set(listed.map((name) => name.toLowerCase()));
  const added = names.filter((name) => !known.has(name.toLowerCase()));
  if (added.length > 0) reply.header('vary', [...listed, ...added].join(', '));
}

/**
 * The HTTP half, on /graphql: a public answer varies with Authorization (signed-in requests get
 * their own) and with Accept (its Content-Type follows it). Added to CORS's `Vary: Origin`.
 */
export const varyPublicAnswers: onSendHookHandler = async (_request, reply, payload) => {
  if (isPubliclyCacheable(reply)) addVary(reply, 'Authorization', 'Accept');
  return payload;
};
