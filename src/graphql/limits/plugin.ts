// The per-request half of the limits, as an Apollo plugin. Runs once the operation is parsed,
// validated (depth, aliases, directives: src/graphql/limits/rules.ts) and chosen, before any resolver:
//   1. a query's strings must be storable text (src/graphql/limits/strings.ts);
//   2. its calculated cost (src/graphql/limits/cost.ts) must be within the per-request maximum;
//   3. under load, an expensive anonymous operation is shed before it starts (503);
//   4. the calculated cost is charged (admission: refused with 429 when the budget cannot pay).
// After the run, the operation is charged what it measured (`measuredMs`): the server time it
// took, at `pointsPerMs`, less what admission charged. The price of a shape is a guess; this is
// what the server paid (Shopify settles GraphQL costs after the run the same way).
// The cost is reported in every response's `extensions.cost`: { requested, maximum, measuredMs,
// charged }, and where the transport charged it (the HTTP rate limit) the budget's `remaining`
// points and `resetSeconds`.
import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { QueryLimits } from '../../config.ts';
import type { Context } from '../../catalog/context.ts';
import { ErrorCode, queryLimitError, serviceOverloaded } from '../../platform/errors.ts';
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
 * Operations that cost at least this are shed when anonymous reads wait for their share of the
 * database (src/platform/db/share.ts): the costliest anonymous work goes first, the daily page
 * (about 100 points) and paper pages still run.
 */
export const SHED_FROM_POINTS = 200;

/**
 * The server time an operation used, in milliseconds: its wall time from the request's start
 * to its response, or the time its statements held the database when that is more (statements
 * run side by side).
 */
export function measuredMs(startedAt: number, dbMs = 0): number {
  return Math.max(performance.now() - startedAt, dbMs);
}

/**
 * Checks and reports the cost, and has the transport charge it (`contextValue.operation.charge`:
 * over HTTP the rate limit, which may refuse). Every operation costs at least a point, or free
 * ones could be sent without end. `pointsPerMs`: the price of measured server time (0: none).
 */
export function limitsPlugin(limits: Pick<QueryLimits, 'maxCost'>, pointsPerMs = 0): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const startedAt = performance.now();
      const report = contextValue.operation;
      let admitted = 0;
      let finish!: () => void;
      report.finished = new Promise<void>((resolve) => (finish = resolve));
      const settleAndReport = async (response: GraphQLResponse) => {
        if (report.cost === undefined) return;
        if (admitted > 0) {
          const ms = measuredMs(startedAt, report.dbMs);
          const owed = Math.ceil(ms * pointsPerMs) - admitted;
          report.cost.measuredMs = Math.round(ms * 10) / 10;
          report.cost.charged = admitted + Math.max(0, owed);
          // The answer is ready: a store that fails now (the cluster primary's timeout) loses
          // this charge rather than the answer.
          if (owed > 0) await report.charge?.(owed, 'settle').catch(() => {});
        }
        if (response.body.kind !== 'single') return;
        const { remaining, resetSeconds } = report.budget ?? {};
        const { measuredMs: ms, charged } = report.cost;
        response.body.singleResult.extensions = {
          ...response.body.singleResult.extensions,
          cost: {
            requested: report.cost.points,
            maximum: limits.maxCost,
            ...(charged !== undefined ? { measuredMs: ms, charged } : {}),
            ...(report.budget ? { remaining, resetSeconds } : {}),
          },
        };
      };
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
          if (!contextValue.viewer && checked.cost >= SHED_FROM_POINTS && contextValue.platform.anonymousShare?.busy()) {
            await report.charge?.(1).catch(() => {});
            throw serviceOverloaded('expensive anonymous operations wait until the database is less busy (sign in, or ask for less)');
          }
          await report.charge?.(Math.max(1, checked.cost));
          admitted = Math.max(1, checked.cost);
        },

        async willSendResponse({ response }) {
          try {
            await settleAndReport(response);
          } finally {
            finish();
          }
        },
      };
    },
  };
}
