// The WebSocket side's share of the rate limit: subscribing and every event delivered spend from
// the same budget as the client's HTTP requests, keyed as the rate limit keys them (the user once
// the token is checked, the token's hash before, else the address: src/http/rate-limit/client.ts),
// and the per-client caps of
// src/graphql/websocket.ts count by that key too.
import type http from 'node:http';
import type { SubscriptionServerOptions } from '../graphql/websocket.ts';
import { budgetKey, identifyClient } from './rate-limit/client.ts';
import type { RateLimiter } from './rate-limit/limiter.ts';

export function subscriptionBudget(limiter: RateLimiter | null, trustProxy: boolean): Pick<SubscriptionServerOptions, 'clientOf' | 'charge'> {
  return {
    // A WebSocket's token comes in its connection_init, not in the upgrade's headers: the request
    // is keyed as if it carried that Authorization (and only that one).
    clientOf: (request, authorization, viewer) =>
      budgetKey(identifyClient({ headers: { ...request.headers, authorization }, socket: request.socket } as http.IncomingMessage, trustProxy), viewer?.id),
    ...(limiter ? { charge: (client: string, points: number) => limiter.consume(client, points) } : {}),
  };
}
