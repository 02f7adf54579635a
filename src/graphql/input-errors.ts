// Two gaps in how Apollo answers bad input, closed for every operation:
//
// 1. An operationName that names no operation of the document (or none given for a document of
//    several): graphql-jit cannot compile it, and the failure became a 500. Refused here with
//    400 OPERATION_RESOLUTION_FAILURE (Apollo's own code for it), before anything runs.
// 2. A value a scalar refuses (a Date of year 0, src/graphql/scalars.ts) is BAD_USER_INPUT, but
//    the scalar cannot know which argument it was given to. The answer names it as
//    `argumentName`, from the variable the message names or the literal the error points at.
import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, getLocation, visit, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, truncate } from '../platform/errors.ts';
import { argumentHolding } from './limits/strings.ts';

function operationNames(document: DocumentNode): string[] {
  return document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? '(anonymous)'] : []));
}

function unresolvedOperation(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const names = operationNames(document);
  const message =
    operationName != null
      ? `operationName "${truncate(operationName)}" names no operation of the document; it has: ${truncate(names.join(', '), 200)}`
      : `The document has ${names.length} operations (${truncate(names.join(', '), 200)}): pass operationName to choose one`;
  return new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } });
}

/** The argument whose value spans the error's first location, if any. */
function argumentAt(document: DocumentNode, location: { line: number; column: number }): string | undefined {
  const source = document.loc?.source;
  if (!source) return undefined;
  const before = (a: { line: number; column: number }, b: { line: number; column: number }) => a.line < b.line || (a.line === b.line && a.column <= b.column);
  let found: string | undefined;
  visit(document, {
    Argument(node) {
      if (found !== undefined || !node.loc) return undefined;
      if (before(getLocation(source, node.loc.start), location) && before(location, getLocation(source, node.loc.end))) found = node.name.value;
      return undefined;
    },
  });
  return found;
}

function withArgumentName(error: GraphQLFormattedError, document: DocumentNode): GraphQLFormattedError {
  if (error.extensions?.code !== ErrorCode.BAD_USER_INPUT || error.extensions.argumentName !== undefined) return error;
  const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(error.message)?.[1];
  const argumentName = variable !== undefined ? argumentHolding(document, { variable }) : error.locations?.[0] ? argumentAt(document, error.locations[0]) : undefined;
  return argumentName === undefined ? error : { ...error, extensions: { ...error.extensions, argumentName } };
}

export function inputErrorsPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) throw unresolvedOperation(document, request.operationName);
        },
        async willSendResponse({ response, document }) {
          if (!document || response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const result = response.body.singleResult;
          result.errors = result.errors!.map((error) => withArgumentName(error, document));
        },
      };
    },
  };
}
