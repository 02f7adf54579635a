// createServer builds the Apollo server; it does not listen (src/http.ts does), so tests run
// operations through `executeOperation` with the same configuration as production.
import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { Config } from './config.ts';
import type { Context } from './context.ts';
import { createFormatError } from './errors.ts';
import type { Logger } from './logger.ts';
import { resolvers } from './resolvers.ts';
import { projectRoot } from './db/schema-engine.ts';

export const typeDefs = fs.readFileSync(path.join(projectRoot, 'schema.graphql'), 'utf8');

export interface ServerDeps {
  config: Pick<Config, 'nodeEnv' | 'introspection'>;
  logger: Logger;
}

export function createServer({ config, logger }: ServerDeps): ApolloServer<Context> {
  return new ApolloServer<Context>({
    typeDefs,
    resolvers,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError((message, error) => logger.error({ err: error }, message)),
    plugins: [
      config.nodeEnv === 'production'
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
}
