// The one executable schema and the rules every transport applies to it: Apollo over HTTP and
// graphql-ws over WebSocket get this same object, so a document refused on one is refused on
// the other, and errors are masked the same way.
import fs from 'node:fs';
import path from 'node:path';
import { addResolversToSchema, buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Config } from '../config.ts';
import { withAccess } from './access.ts';
import { entities } from './federation.ts';
import { importMutations } from '../catalog/import/resolvers.ts';
import { webhookMutations } from '../catalog/webhooks/mutations.ts';
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

/**
 * schema.graphql as a Federation 2 subgraph: @apollo/subgraph adds what its `@link` imports, the
 * `_Any`, `_Entity` and `_Service` types, and `_service` and `_entities` (ours: ./federation.ts)
 * to Query; the resolvers go on as makeExecutableSchema puts them (checked against the schema).
 * Entities' `__resolveReference` are recorded where @apollo/subgraph's `_entities` looks for them.
 */
function buildSchema(sources: Config['sources'], webhooks: Config['webhooks']): GraphQLSchema {
  // The configured resolvers (those that need settings) merged over the static map.
  const schema = makeExecutableSchema({
    typeDefs: buildSubgraphSchema(parse(typeDefs)),
    resolvers: [resolvers, { Mutation: withAccess('Mutation', { ...importMutations(sources), ...webhookMutations(webhooks) }) }],
  });
  addResolversToSchema(schema, entities as unknown as GraphQLResolverMap);
  return schema;
}

/** Built once per process (src/main.ts), then handed to both transports. */
export function createGraphQL({ limits, sources, webhooks }: Pick<Config, 'limits' | 'sources' | 'webhooks'>): GraphQLSetup {
  return Object.freeze({
    schema: buildSchema(sources, webhooks),
    validationRules: Object.freeze(limitRules(limits)),
    limits,
    formatError,
  });
}
