// The per-request half of the limits, as an Apollo plugin. Runs once the operation is parsed,
// validated (depth, aliases, directives: src/graphql/limits/rules.ts) and chosen, before any resolver:
//   1. a query's strings must be storable text (src/graphql/limits/strings.ts);
//   2. its cost (src/graphql/limits/cost.ts) must be within the per-request maximum.
// The cost is reported in every response's `extensions.cost`: { requested, maximum }, and where
// the transport charged it (the HTTP rate limit) the budget's `remaining` points and `resetSeconds`.
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { QueryLimits } from '../../config.ts';
import type { Context } from '../../catalog/context.ts';
import { ErrorCode, queryLimitError } from '../../platform/errors.ts';
import { operationCost } from './cost.ts';
import { rejectUnstorableStrings } from './strings.ts';

/** The refusal of an operation over the cost limit, for every transport. */
export function checkCost(
  { schema, document, operation, variables }: { schema: GraphQLSchema; document: DocumentNode; operation: OperationDefinitionNode; variables: Record<string, unknown> },
  maxCost: number,
): { cost: number; error?: GraphQLError } {
  const cost = operationCost(schema, document, operation, variables);
  if (cost <= maxCost) return { cost };
  return {
    cost,
    error: queryLimitError(
      ErrorCode.QUERY_TOO_COSTLY,
      `The operation costs ${cost} points; the limit is ${maxCost}. Ask for smaller pages (first/last) or fewer nested lists`,
    ),
  };
}

/**
 * Checks and reports the cost, and has the transport charge it (`contextValue.operation.charge`:
 * over HTTP the rate limit, which may refuse). Every operation costs at least a point, or free
 * ones could be sent without end.
 */
export function limitsPlugin(limits: Pick<QueryLimits, 'maxCost'>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const report = contextValue.operation;
      return {
        async didResolveOperation({ request, document, operation, operationName, schema }) {
          report.name = operationName ?? null;
          // Without a chosen operation execution fails by itself ("Unknown operation named ...").
          if (!operation) return;
          if (operation.operation === 'query') rejectUnstorableStrings(document, request.variables);
          const checked = checkCost({ schema, document, operation, variables: request.variables ?? {} }, limits.maxCost);
          report.cost = { points: checked.cost, withinLimit: !checked.error };
          if (checked.error) {
            // Refused for its cost, it pays a point like any refusal (its own 429 would hide this answer).
            await report.charge?.(1).catch(() => {});
            throw checked.error;
          }
          await report.charge?.(Math.max(1, checked.cost));
        },

        async willSendResponse({ response }) {
          if (report.cost === undefined || response.body.kind !== 'single') return;
          const { remaining, resetSeconds } = report.budget ?? {};
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { requested: report.cost.points, maximum: limits.maxCost, ...(report.budget ? { remaining, resetSeconds } : {}) },
          };
        },
      };
    },
  };
}
