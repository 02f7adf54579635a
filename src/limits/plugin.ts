// The per-request half of the limits, as an Apollo plugin. Runs once the operation is parsed,
// validated (depth, aliases, directives: src/limits/rules.ts) and chosen, before any resolver:
//   1. a query's strings must be storable text (src/limits/strings.ts);
//   2. its cost (src/limits/cost.ts) must be within the per-request maximum;
//   3. over HTTP, the cost is charged to the client's rate-limit budget (429 when it is spent).
// The cost is reported in every response's `extensions.cost`: { requested, maximum } and, when
// rate limited, the budget's `remaining` points and `resetSeconds`.
//
// It also enforces the operation deadline that src/http.ts sets: past it, every field still to
// resolve fails at once, so an abandoned operation stops querying the database.
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { QueryLimits } from '../config.ts';
import type { Context } from '../context.ts';
import { ErrorCode, queryLimitError } from '../errors.ts';
import { currentRequest } from '../logger.ts';
import type { RateLimitState } from '../rate-limit/limiter.ts';
import { operationCost } from './cost.ts';
import { rejectUnstorableStrings } from './strings.ts';

export function rateLimited(state: RateLimitState, cost: number): GraphQLError {
  return new GraphQLError(
    `Rate limit exceeded: this operation costs ${cost} points and ${state.remaining} of ${state.limit} are left in the current window. Retry after ${state.resetSeconds} s`,
    {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        retryAfterSeconds: state.resetSeconds,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(state.resetSeconds)]]) },
      },
    },
  );
}

export function operationTimeout(timeoutMs: number): GraphQLError {
  return new GraphQLError(`The operation did not finish within ${timeoutMs} ms and was stopped`, {
    extensions: { code: ErrorCode.OPERATION_TIMEOUT },
  });
}

export function limitsPlugin(limits: Pick<QueryLimits, 'maxCost'>, operationTimeoutMs: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let cost: number | undefined;
      return {
        async didResolveOperation({ request, document, operation, operationName, schema }) {
          const scope = currentRequest();
          if (scope) scope.operationName = operationName;
          // Without a chosen operation execution fails by itself ("Unknown operation named ...").
          if (!operation) return;
          if (operation.operation === 'query') rejectUnstorableStrings(document, request.variables);

          cost = operationCost(schema, document, operation, request.variables ?? {});
          if (scope) scope.cost = cost;
          if (cost > limits.maxCost) {
            throw queryLimitError(
              ErrorCode.QUERY_TOO_COSTLY,
              `The operation costs ${cost} points; the limit is ${limits.maxCost}. Ask for smaller pages (first/last) or fewer nested lists`,
            );
          }

          const budget = scope?.rateLimit;
          if (budget) {
            // Every operation costs at least a point, or free ones could be sent without end.
            const decision = await budget.limiter.consume(budget.key, Math.max(1, cost));
            budget.state = decision;
            budget.charged = true;
            if (!decision.allowed) throw rateLimited(decision, Math.max(1, cost));
          }
        },

        async executionDidStart() {
          const deadline = currentRequest()?.deadline;
          if (deadline === undefined) return;
          return {
            willResolveField() {
              if (performance.now() > deadline) throw operationTimeout(operationTimeoutMs);
            },
          };
        },

        async willSendResponse({ response }) {
          const budget = currentRequest()?.rateLimit;
          if (budget && !budget.charged) {
            // Refused before its cost was known (parse or validation error): one point, so a
            // flood of broken documents runs into the limit too.
            budget.charged = true;
            budget.state = await budget.limiter.consume(budget.key, 1);
          }
          if (cost === undefined || response.body.kind !== 'single') return;
          const rate = budget?.state ? { remaining: budget.state.remaining, resetSeconds: budget.state.resetSeconds } : {};
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { requested: cost, maximum: limits.maxCost, ...rate },
          };
        },
      };
    },
  };
}
