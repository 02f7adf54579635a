// createServer builds the Apollo server; it does not listen (src/http.ts does), so tests run
// operations through `executeOperation` with the same configuration as production.
import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { loadConfig, type Config } from './config.ts';
import type { Context } from './context.ts';
import { createFormatError } from './errors.ts';
import { limitsPlugin } from './limits/plugin.ts';
import { limitRules } from './limits/rules.ts';
import type { Logger } from './logger.ts';
import { resolvers } from './resolvers.ts';
import { projectRoot } from './db/schema-engine.ts';

export const typeDefs = fs.readFileSync(path.join(projectRoot, 'schema.graphql'), 'utf8');

export interface ServerDeps {
  /** `limits` and `http` default to the values of an empty environment (src/config.ts). */
  config: Pick<Config, 'nodeEnv' | 'introspection'> & Partial<Pick<Config, 'limits' | 'http'>>;
  logger: Logger;
}

export function createServer({ config, logger }: ServerDeps): ApolloServer<Context> {
  const defaults = loadConfig({});
  const limits = config.limits ?? defaults.limits;
  const operationTimeoutMs = (config.http ?? defaults.http).operationTimeoutMs;
  const production = config.nodeEnv === 'production';
  return new ApolloServer<Context>({
    typeDefs,
    resolvers,
    nodeEnv: config.nodeEnv,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean ...?" in production: field suggestions reveal the schema piece by piece
    // even with introspection off.
    hideSchemaDetailsFromClientErrors: production,
    // Stated, though they are Apollo's defaults: a GET or a simple POST cannot run an operation
    // unless a header shows it is not a cross-site form (CSRF), and a JSON array body (a batch)
    // is refused (src/http.ts answers it first, without authenticating).
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // SIGTERM belongs to src/main.ts, which drains HTTP before stopping Apollo; Apollo's own
    // handler would stop it under in-flight requests and re-kill the process.
    stopOnTerminationSignals: false,
    // Documents that skip src/http.ts's size check (stored persisted queries, executeOperation)
    // still stop parsing at the token limit.
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitRules(limits),
    formatError: createFormatError((message, error) => logger.error({ err: error }, message)),
    plugins: [
      limitsPlugin(limits, operationTimeoutMs),
      // No @cacheControl hints in this schema: the plugin would only cost a hook per field.
      ApolloServerPluginCacheControlDisabled(),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
}
