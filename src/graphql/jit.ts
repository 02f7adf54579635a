// Query execution compiled with graphql-jit, plugged into Apollo Server through the one
// interface Apollo offers for replacing its executor: the gateway interface (a schema plus an
// executor). Parsing, validation (graphql-js's rules and the query limits), plugins, error
// formatting and HTTP stay Apollo's; only `execute` changes.
//
// Why: graphql-js's `execute` walks the document for every field of every row (argument
// coercion, type checks, a promise per field); graphql-jit turns a document into a function once
// and then runs it. On the daily page (50 papers with authors and topics) it measured 25-28 %
// less CPU per operation (scratch harness in the commit message of this file).
//
// What does not change with it: subscriptions run on graphql-js over WebSocket (src/graphql),
// and Apollo's `willResolveField` hooks never fire here, so nothing may rely on them (the
// operation deadline is enforced where statements are sent: src/platform/db/client.ts).
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<never>['gateway'];
// graphql-jit's results carry plain objects; the gateway's type wants readonly GraphQLErrors.
type Result = { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] };

/** Compiled documents kept per process; past this the oldest goes (clients send few shapes). */
const MAX_COMPILED = 500;

/**
 * graphql-jit's errors leave `extensions` undefined when the thrown error has none, and Apollo's
 * error formatting reads `extensions.code` of every error: rebuilt as graphql-js errors, with the
 * thrown error kept as `originalError` (its code and extensions carry over) and the locations.
 */
function upstreamError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    ...(error.extensions ? { extensions: error.extensions } : {}),
  });
  // graphql-js derives locations from AST nodes, which graphql-jit does not keep.
  (rebuilt as { locations: typeof error.locations }).locations = error.locations;
  return rebuilt;
}

export function jitExecution(schema: GraphQLSchema): Gateway {
  // Insertion order is use order: a hit is moved to the end, so the first key is the oldest.
  const compiled = new Map<string, CompiledQuery<Record<string, unknown>, Record<string, unknown>>>();

  const compiledFor = (queryHash: string, document: DocumentNode, operationName: string | null | undefined) => {
    const key = `${queryHash}\u0000${operationName ?? ''}`;
    let query = compiled.get(key);
    if (query) {
      compiled.delete(key);
      compiled.set(key, query);
      return query;
    }
    const result = compileQuery<Record<string, unknown>, Record<string, unknown>>(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
    // Not compiled: the document cannot run (e.g. an unknown operation name); its errors answer.
    if (!isCompiledQuery(result)) return result;
    query = result;
    compiled.set(key, query);
    if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    return query;
  };

  return {
    async load() {
      return {
        schema,
        executor: async (request) => {
          const query = compiledFor(request.queryHash, request.document, request.operationName);
          const result = isCompiledQuery(query) ? await query.query(undefined, request.context, request.request.variables ?? {}) : query;
          return result.errors ? { ...result, errors: result.errors.map(upstreamError) } : (result as Result);
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      // The schema never changes while the process runs.
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}
