// createApolloServer builds the Apollo server of the schema; it does not listen. The HTTP layer
// adds its own plugins (src/http/server.ts: 503s, Cache-Control) and serves it (src/http/app.ts).
// The operation's name and cost reach the transport through the context's operation report
// (src/platform/operation.ts), which the limits plugin fills in.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../config.ts';
import type { Context } from '../catalog/context.ts';
import { limitsPlugin } from './limits/plugin.ts';
import { memoryPersistedQueryCache, type PersistedQueryCache } from './apq-cache.ts';
import { persistedQueryPlugin } from './apq.ts';
import { inputErrorsPlugin } from './input-errors.ts';
import { logMaskedError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { jitExecution } from './jit.ts';
import { createGraphQL, type GraphQLSetup } from './schema.ts';
import type { Metrics } from '../platform/telemetry/metrics.ts';
import { operationTelemetryPlugin } from './telemetry.ts';

export interface ServerDeps {
  /** Where the errors that formatError masks are logged, with the request's id. */
  logger: Pick<Logger, 'error'>;
  config: Pick<Config, 'nodeEnv' | 'introspection' | 'limits' | 'http' | 'sources' | 'persistedQueries' | 'webhooks'> & {
    scale?: Pick<Config['scale'], 'publicMaxAgeSeconds'>;
    /** `pointsPerMs`: the price of measured server time (src/graphql/limits/plugin.ts); absent: 0. */
    rateLimit?: Pick<Config['rateLimit'], 'pointsPerMs'>;
  };
  /** The schema and rules shared with the WebSocket transport; built here when not given. */
  graphql?: GraphQLSetup;
  /** Where automatic persisted queries are kept (Redis with REDIS_URL); default: in memory, APQ_MAX_BYTES. */
  persistedQueryCache?: PersistedQueryCache;
  /** The transport's plugins (src/http/server.ts's), after the limits plugin and the error log. */
  plugins?: ApolloServerPlugin<Context>[];
  /** Where operations are counted and timed (src/graphql/telemetry.ts); absent: not counted. */
  metrics?: Metrics;
}

export function createApolloServer({ config, logger, graphql = createGraphQL(config), persistedQueryCache: apqCache, plugins = [], metrics }: ServerDeps): ApolloServer<Context> {
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
    // Automatic persisted queries, in a store of APQ_MAX_BYTES (src/graphql/apq-cache.ts): in Redis
    // when given, else in memory (Apollo's own default is a 30 MiB LRU per process).
    persistedQueries: { cache: apqCache ?? memoryPersistedQueryCache(config.persistedQueries) },
    formatError: graphql.formatError,
    plugins: [
      // First: its clock starts before the others' work.
      operationTelemetryPlugin(metrics ?? null),
      // Before the limits plugin: a registration's charge is asked first, so the budget that
      // plugin reports (extensions.cost) is the one after both.
      persistedQueryPlugin(config.persistedQueries),
      limitsPlugin(graphql.limits, config.rateLimit?.pointsPerMs ?? 0),
      inputErrorsPlugin(),
      maskedErrorLog(logger),
      ...plugins,
      // With read replicas, a mutation's request reads from the primary.
      readOwnWritesPlugin(),
      // No @cacheControl hints in this schema: one rule instead (src/http/cache-control.ts).
      ApolloServerPluginCacheControlDisabled(),
      // Apollo turns inline tracing (ftv1) on for a subgraph schema: any client sending its header
      // would get per-field traces, which graphql-jit cannot fill (no willResolveField: jit.ts).
      ApolloServerPluginInlineTraceDisabled(),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
}

/**
 * A mutation reads its own writes: once an operation is known to be a mutation, its request's
 * reads go to the primary (the context's `readOwnWrites`). Does nothing without replicas.
 */
export function readOwnWritesPlugin(): ApolloServerPlugin<{ readOwnWrites?: () => void }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === 'mutation') contextValue.readOwnWrites?.();
        },
      };
    },
  };
}

/** The errors the client sees masked, logged with what they hide and the request's id. */
function maskedErrorLog(logger: Pick<Logger, 'error'>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          const requestId = contextValue.operation.requestId;
          for (const error of errors) logMaskedError(logger, error, requestId ? { requestId } : {});
        },
      };
    },
  };
}
