// The rate limit, as one piece: every request spends from its client's budget (src/http/rate-limit):
//   - before anything else, a spent budget is refused with 429 (no body read, no token lookup),
//     and so is a request past the client's cap on requests in flight (RATE_LIMIT_IN_FLIGHT*);
//   - a GraphQL operation pays its calculated cost once it is known, and after its run what its
//     measured time came to beyond that: the GraphQL layer calls the operation report's
//     `charge`, installed here (src/http/request-state.ts);
//   - a signed-in user's tokens all spend from one budget (src/http/rate-limit/client.ts `budgetKey`);
//   - a feed or a digest link pays its route's `rateLimit.cost`;
//   - anything refused or broken before that (bad body, parse error, unknown path) pays a point,
//     so a flood of junk runs into the limit too;
//   - a bad token pays AUTH_FAILURE_COST from its address's failure budget, never from a key
//     made of the unverified secret.
// Every response says where the budget stands (RateLimit, RateLimit-Policy), except a publicly
// cacheable one: a shared cache would hand one client's budget to every other.
import { HeaderMap } from '@apollo/server';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import { budgetKey, identifyClient, type Client } from './client.ts';
import type { RateLimiter, RateLimitState } from './limiter.ts';
import { isPubliclyCacheable } from '../cache-control.ts';
import { errorBody } from '../errors.ts';

/** Points a failed sign-in costs the address it came from. */
const AUTH_FAILURE_COST = 10;

export interface Budget {
  readonly limiter: RateLimiter;
  readonly client: Client;
  /** The latest state of the client's budget, for the headers and `extensions.cost`. */
  state: RateLimitState;
  /** Whether this request has paid yet (every request pays at least a point). */
  charged: boolean;
  /** The key it counts under among the requests in flight, until its response is sent. */
  inFlight?: string | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: not limited (health probes); `cost`: what the route charges the client's address. */
    rateLimit?: false | { cost: number };
  }
}

export interface RateLimitOptions {
  /** null: no rate limiting (RATE_LIMIT_POINTS=0). */
  limiter: RateLimiter | null;
  /** Take the client address from X-Forwarded-For's last hop (TRUST_PROXY). */
  trustProxy: boolean;
  /** Requests a client may have in flight at once in this process: per address, and per signed-in user. */
  inFlight: { anonymous: number; signedIn: number };
}

/** Failed sign-ins from an address share one budget, so guessing tokens cannot go on unchecked. */
const authFailuresKey = (client: Client) => `auth-failures:${client.addressKey}`;

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

/** What Retry-After says to a client over its cap on requests in flight: one should end soon. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

const plugin: FastifyPluginAsync<RateLimitOptions> = async (app, { limiter, trustProxy, inFlight: caps }) => {
  if (!limiter) return;
  const inFlight = new Map<string, number>();
  const leave = (budget: Budget | null) => {
    const key = budget?.inFlight;
    if (key === undefined) return;
    budget!.inFlight = undefined;
    const left = (inFlight.get(key) ?? 1) - 1;
    if (left > 0) inFlight.set(key, left);
    else inFlight.delete(key);
  };

  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.config.rateLimit;
    if (route === false) return;
    const client = identifyClient(request.raw, trustProxy);
    const key = budgetKey(client);
    const own = await limiter.peek(key);
    // A token with no open window may be one being guessed: its address's failures decide.
    const failures = client.kind === 'token' && !own ? await limiter.peek(authFailuresKey(client)) : null;
    const spent = [own, failures].find((s) => s !== null && s.remaining < 1);
    const budget: Budget = { limiter, client, state: spent ?? own ?? limiter.fresh(), charged: false };
    request.state.budget = budget;
    const report = request.state.operation;
    // A GraphQL operation's cost, charged by the GraphQL layer (src/graphql/limits/plugin.ts):
    // admitted once known, settled after the run. The user is known by then.
    report.charge = async (points, when = 'admit') => {
      const owner = budgetKey(client, request.state.userId);
      const decision = when === 'settle' ? await limiter.spend(owner, points) : await limiter.consume(owner, points);
      budget.state = decision;
      budget.charged = true;
      report.budget = decision;
      if (!decision.allowed && when === 'admit') throw rateLimited(decision, points);
    };
    if (spent) {
      budget.charged = true;
      return reply
        .code(429)
        .header('retry-after', String(spent.resetSeconds))
        .send(errorBody(`Rate limit exceeded: retry after ${spent.resetSeconds} s`, ErrorCode.RATE_LIMITED));
    }
    const cap = client.kind === 'anonymous' ? caps.anonymous : caps.signedIn;
    const running = inFlight.get(key) ?? 0;
    if (running >= cap) {
      // Refused before anything ran: pays its point in onSend, like other refusals.
      return reply
        .code(429)
        .header('retry-after', String(IN_FLIGHT_RETRY_AFTER_SECONDS))
        .send(errorBody(`Too many requests in flight: at most ${cap} at once per ${client.kind === 'anonymous' ? 'address' : 'user'}. Retry after ${IN_FLIGHT_RETRY_AFTER_SECONDS} s`, ErrorCode.RATE_LIMITED));
    }
    inFlight.set(key, running + 1);
    budget.inFlight = key;
    if (route?.cost) {
      // Feeds and digest links are not authenticated: they pay from the address's budget.
      const decision = await limiter.consume(client.addressKey, route.cost);
      budget.state = decision;
      budget.charged = true;
      if (!decision.allowed) {
        return reply
          .code(429)
          .header('retry-after', String(decision.resetSeconds))
          .send(errorBody(`Rate limit exceeded: this costs ${route.cost} points and ${decision.remaining} are left. Retry after ${decision.resetSeconds} s`, ErrorCode.RATE_LIMITED));
      }
    }
    return undefined;
  });

  // A request stays in flight until its operation has run, not only until it is answered: an
  // operation answered 503 OPERATION_TIMEOUT still works until its statements are cancelled.
  const done = (request: FastifyRequest) => {
    const budget = request.state.budget;
    const finished = request.state.operation.finished;
    if (finished) void finished.then(() => leave(budget));
    else leave(budget);
  };
  app.addHook('onResponse', async (request) => done(request));
  app.addHook('onRequestAbort', async (request) => done(request));

  app.addHook('onSend', async (request, reply, payload) => {
    const budget = request.state.budget;
    if (!budget) return payload;
    if (reply.statusCode === 401 && budget.client.kind === 'token') {
      await limiter.consume(authFailuresKey(budget.client), AUTH_FAILURE_COST);
      budget.charged = true;
    }
    if (!budget.charged) {
      // Refused before its cost was known: a point, from the client's own budget once it got past
      // authentication (a parse or validation error), else from the address (body, size, path).
      budget.charged = true;
      budget.state = await limiter.consume(request.state.authenticated ? budgetKey(budget.client, request.state.userId) : budget.client.addressKey, 1);
    }
    if (!isPubliclyCacheable(reply)) for (const [name, value] of limiter.headers(budget.state)) reply.header(name, value);
    return payload;
  });
};

export const rateLimit = fp(plugin, { fastify: '5.x', name: 'rate-limit' });
