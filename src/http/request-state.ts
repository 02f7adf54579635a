// One object per HTTP request, created at the door (the app's first hook) and read by every hook
// and route after it: the rate limit keeps the client's budget here and installs `operation.charge`;
// a GraphQL request's context gets `operation` (src/http/app.ts), whose name and cost the GraphQL
// layer fills in; the request log reads the same object for its line. Nothing is looked up in a
// WeakMap or carried back through Apollo.
import type { FastifyInstance } from 'fastify';
import type { OperationReport } from '../platform/operation.ts';
import type { Budget } from './rate-limit/plugin.ts';

export interface RequestState {
  /** The report of the GraphQL operation the request carries; stays empty on other routes. */
  readonly operation: OperationReport;
  /** The client's rate budget; null when the route is not limited or limiting is off. */
  budget: Budget | null;
  /** Whether the request got past authentication (its refusals then pay from the client's own budget). */
  authenticated: boolean;
  /** The signed-in user's id once authenticated (their budget is one for all their tokens); null: anonymous. */
  userId: number | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    state: RequestState;
  }
}

export function requestState(app: FastifyInstance): void {
  app.decorateRequest('state', null as unknown as RequestState);
  app.addHook('onRequest', async (request) => {
    request.state = { operation: { requestId: request.id }, budget: null, authenticated: false, userId: null };
  });
}
