// The per-request half of the limits, as an Apollo plugin. Runs once the operation is parsed,
// validated (depth, aliases, directives: src/graphql/limits/rules.ts) and chosen, before any resolver:
//   1. a query's strings must be storable text (src/graphql/limits/strings.ts);
//   2. its cost (src/graphql/limits/cost.ts) must be within the per-request maximum.
// The cost is reported in every response's `extensions.cost`: { requested, maximum }, to which
// the HTTP rate limit adds the budget's `remaining` points and `resetSeconds`.
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { QueryLimits } from '../../config.ts';
import type { Context } from '../../catalog/context.ts';
import { ErrorCode, queryLimitError } from '../../platform/errors.ts';
import { operationCost } from './cost.ts';
import { rejectUnstorableStrings } from './strings.ts';

export interface OperationCost {
  readonly cost: number;
  /** False when the operation was refused for costing more than GRAPHQL_MAX_COST. */
  readonly withinLimit: boolean;
}

// Keyed by the request's context object: each operation gets a fresh one, and the entry goes
// with it. Read by the rate limit (what to charge) and the request log.
const costs = new WeakMap<object, OperationCost>();

/** The calculated cost of the operation run with this context, once it is known. */
export function operationCostOf(context: object): OperationCost | undefined {
  return costs.get(context);
}

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

export function limitsPlugin(limits: Pick<QueryLimits, 'maxCost'>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let cost: number | undefined;
      return {
        // Synchronous up to its first throw, so that plugins listed after it (the rate limit)
        // already see the cost in their own didResolveOperation.
        async didResolveOperation({ request, document, operation, schema, contextValue }) {
          // Without a chosen operation execution fails by itself ("Unknown operation named ...").
          if (!operation) return;
          if (operation.operation === 'query') rejectUnstorableStrings(document, request.variables);
          const checked = checkCost({ schema, document, operation, variables: request.variables ?? {} }, limits.maxCost);
          cost = checked.cost;
          costs.set(contextValue, { cost, withinLimit: !checked.error });
          if (checked.error) throw checked.error;
        },

        async willSendResponse({ response }) {
          if (cost === undefined || response.body.kind !== 'single') return;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { ...(response.body.singleResult.extensions?.cost as object | undefined), requested: cost, maximum: limits.maxCost },
          };
        },
      };
    },
  };
}
