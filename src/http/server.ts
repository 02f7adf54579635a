// The Apollo server as HTTP serves it: the schema's server (src/graphql/server.ts) with the
// HTTP layer's plugins, each one concern that reads the operation and sets its own answer (the
// rate limit and the request log read the request's own state: src/http/request-state.ts):
//   - an unreachable database is a 503 with Retry-After, not a 200 with a masked error;
//   - Cache-Control, one rule for the whole schema (src/http/cache-control.ts).
// It does not listen: src/http/app.ts serves it, and tests run `executeOperation` on it with the
// same configuration as production.
import type { ApolloServer } from '@apollo/server';
import type { Context } from '../catalog/context.ts';
import { createApolloServer, type ServerDeps } from '../graphql/server.ts';
import { cacheControlPlugin } from './cache-control.ts';
import { unavailablePlugin } from './unavailable.ts';

export function createServer(deps: Omit<ServerDeps, 'plugins'>): ApolloServer<Context> {
  return createApolloServer({
    ...deps,
    plugins: [unavailablePlugin(), cacheControlPlugin(deps.config.scale?.publicMaxAgeSeconds ?? 60)],
  });
}
