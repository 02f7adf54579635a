// The one executable schema and the rules every transport applies to it: Apollo over HTTP and
// graphql-ws over WebSocket get this same object, so a document refused on one is refused on
// the other, and errors are masked the same way.
import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLFormattedError, GraphQLSchema, ValidationRule } from 'graphql';
import type { Config } from '../config.ts';
import { withAccess } from './access.ts';
import { importMutations } from '../catalog/import/resolvers.ts';
import { projectRoot } from '../platform/paths.ts';
import { formatError } from '../platform/errors.ts';
import { limitRules } from './limits/rules.ts';
import { resolvers } from './resolvers.ts';

export const typeDefs = fs.readFileSync(path.join(projectRoot, 'schema.graphql'), 'utf8');

export interface GraphQLSetup {
  readonly schema: GraphQLSchema;
  /** graphql-js's specified rules run first everywhere; these are the query limits after them. */
  readonly validationRules: readonly ValidationRule[];
  readonly limits: Config['limits'];
  /** DANGER: decides what a client learns about a failure (src/platform/errors.ts); logs nothing. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/** Built once per process (src/main.ts), then handed to both transports. */
export function createGraphQL({ limits, sources }: Pick<Config, 'limits' | 'sources'>): GraphQLSetup {
  return Object.freeze({
    // The configured resolvers (those that need settings) merged over the static map.
    schema: makeExecutableSchema({ typeDefs, resolvers: [resolvers, { Mutation: withAccess('Mutation', importMutations(sources)) }] }),
    validationRules: Object.freeze(limitRules(limits)),
    limits,
    formatError,
  });
}
