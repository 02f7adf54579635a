// The Apollo server as HTTP serves it: the schema's server (src/graphql/server.ts) with the
// HTTP layer's plugins, each one concern that reads the request and sets its own answer:
//   - the rate limit charges the operation's cost (src/http/rate-limit/plugin.ts);
//   - the request log names the operation and its cost (src/http/request-log.ts);
//   - an unreachable database is a 503 with Retry-After, not a 200 with a masked error;
//   - Cache-Control, one rule for the whole schema (src/http/cache-control.ts).
// It does not listen: src/http/app.ts serves it, and tests run `executeOperation` on it with the
// same configuration as production.
import type { ApolloServer } from '@apollo/server';
import type { Context } from '../catalog/context.ts';
import { createApolloServer, type ServerDeps } from '../graphql/server.ts';
import type { Logger } from '../platform/logger.ts';
import { cacheControlPlugin } from './cache-control.ts';
import { rateLimitPlugin } from './rate-limit/plugin.ts';
import { requestLogPlugin } from './request-log.ts';
import { unavailablePlugin } from './unavailable.ts';

export function createServer({ logger, ...deps }: Omit<ServerDeps, 'plugins'> & { logger: Logger }): ApolloServer<Context> {
  return createApolloServer({
    ...deps,
    plugins: [rateLimitPlugin(), requestLogPlugin(logger), unavailablePlugin(), cacheControlPlugin(deps.config.scale?.publicMaxAgeSeconds ?? 60)],
  });
}
