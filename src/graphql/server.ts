// createServer builds the Apollo server; it does not listen (src/http/app.ts serves it), so tests
// run operations through `executeOperation` with the same configuration as production.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../config.ts';
import type { Context } from '../catalog/context.ts';
import { rateLimitPlugin } from '../http/rate-limit/plugin.ts';
import { requestLogPlugin } from '../http/request-log.ts';
import { unavailablePlugin } from '../http/unavailable.ts';
import { limitsPlugin } from './limits/plugin.ts';
import { readOwnWritesPlugin } from '../platform/db/replicas.ts';
import { cacheControlPlugin } from '../http/cache-control.ts';
import type { persistedQueryCache } from './apq-cache.ts';
import type { Logger } from '../platform/logger.ts';
import { jitExecution } from './jit.ts';
import { createGraphQL, type GraphQLSetup } from './schema.ts';

export interface ServerDeps {
  config: Pick<Config, 'nodeEnv' | 'introspection' | 'limits' | 'http' | 'sources'> & { scale?: Pick<Config['scale'], 'publicMaxAgeSeconds'> };
  logger: Logger;
  /** The schema and rules shared with the WebSocket transport; built here when not given. */
  graphql?: GraphQLSetup;
  /** Where automatic persisted queries are kept (Redis with REDIS_URL); default: in memory. */
  persistedQueryCache?: ReturnType<typeof persistedQueryCache>;
}

export function createServer({ config, logger, graphql = createGraphQL(config), persistedQueryCache: apqCache }: ServerDeps): ApolloServer<Context> {
  const production = config.nodeEnv === 'production';
  return new ApolloServer<Context>({
    // graphql-jit executes (src/graphql/jit.ts); Apollo parses, validates, runs plugins and formats.
    gateway: jitExecution(graphql.schema),
    nodeEnv: config.nodeEnv,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean ...?" in production: field suggestions reveal the schema piece by piece
    // even with introspection off.
    hideSchemaDetailsFromClientErrors: production,
    // Stated, though they are Apollo's defaults: a GET or a simple POST cannot run an operation
    // unless a header shows it is not a cross-site form (CSRF), and a JSON array body (a batch)
    // is refused (src/http/body.ts answers it first, without authenticating).
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // SIGTERM belongs to src/main.ts, which drains HTTP before stopping Apollo; Apollo's own
    // handler would stop it under in-flight requests and re-kill the process.
    stopOnTerminationSignals: false,
    // Documents that skip the HTTP size check (stored persisted queries, executeOperation)
    // still stop parsing at the token limit.
    parseOptions: { maxTokens: graphql.limits.maxTokens },
    validationRules: [...graphql.validationRules],
    // Automatic persisted queries (Apollo's default, in memory), in Redis when given.
    ...(apqCache ? { persistedQueries: { cache: apqCache } } : {}),
    formatError: graphql.formatError,
    plugins: [
      // Order matters: the limits plugin computes the cost that the rate limit charges and the
      // request log reports.
      limitsPlugin(graphql.limits),
      rateLimitPlugin(),
      requestLogPlugin(logger),
      // An unreachable database: 503 with Retry-After, not 200 with a masked error.
      unavailablePlugin(),
      // With read replicas, a mutation's request reads from the primary.
      readOwnWritesPlugin(),
      // No @cacheControl hints in this schema: one rule instead (src/http/cache-control.ts).
      ApolloServerPluginCacheControlDisabled(),
      cacheControlPlugin(config.scale?.publicMaxAgeSeconds ?? 60),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
}
