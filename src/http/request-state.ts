// One object per HTTP request, created at the door (the app's first hook) and read by every hook
// and route after it: the rate limit keeps the client's budget here, the /graphql route hands
// `operation` to the operation's context (the GraphQL layer fills in its name and cost, and calls
// its `charge`), and the request log reads the same object for its line. Nothing is looked up in
// a WeakMap or carried back through Apollo.
import type { FastifyInstance } from 'fastify';
import type { OperationReport } from '../catalog/context.ts';
import type { Budget } from './rate-limit/plugin.ts';

export interface RequestState {
  /** The operation's report, when the request carries a GraphQL operation (see OperationReport). */
  readonly operation: OperationReport;
  /** The client's rate budget; null when the route is not limited or limiting is off. */
  budget: Budget | null;
  /** Whether the request got past authentication (its refusals then pay from the client's own budget). */
  authenticated: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    state: RequestState;
  }
}

export function requestState(app: FastifyInstance): void {
  app.decorateRequest('state', null as unknown as RequestState);
  app.addHook('onRequest', async (request) => {
    request.state = { operation: { name: null, requestId: request.id }, budget: null, authenticated: false };
  });
}
