// The app as tests use it: the real Apollo server with the real configuration, run through
// `executeOperation` on a test database, or over real HTTP on port 0 (src/http/app.ts).
import assert from 'node:assert';
import type { ApolloServer } from '@apollo/server';
import { loadConfig, type Config } from '../../src/config.ts';
import { createContext, type Context } from '../../src/catalog/context.ts';
import type { CatalogEvents } from '../../src/platform/events/bus.ts';
import type { SubscriptionServerOptions } from '../../src/graphql/websocket.ts';
import type { User } from '../../src/generated/prisma/client.ts';
import { buildApp, listen, type RunningApp } from '../../src/http/app.ts';
import { createLogger, type Logger } from '../../src/platform/logger.ts';
import type { RateLimiter } from '../../src/http/rate-limit/limiter.ts';
import type { RedisLink } from '../../src/platform/redis/client.ts';
import { createGraphQL, type GraphQLSetup } from '../../src/graphql/schema.ts';
import { createServer } from '../../src/http/server.ts';
import { generateToken } from '../../src/catalog/users/tokens.ts';
import type { TestDatabase } from './database.ts';

export interface GqlResult<T = any> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** What `extensions.cost` reports (src/graphql/limits/plugin.ts). */
export interface CostReport {
  requested: number;
  maximum: number;
  remaining?: number;
  resetSeconds?: number;
}

/**
 * Moves the cost report out of a result, so that tests compare results as the schema defines
 * them; `extensions` goes when nothing else is in it. The report itself is tested in
 * test/security.test.ts and test/http.test.ts.
 */
export function withoutCost<T extends { extensions?: Record<string, unknown> }>(result: T): { result: T; cost: CostReport | undefined } {
  if (!result.extensions || !('cost' in result.extensions)) return { result, cost: undefined };
  const { cost, ...extensions } = result.extensions;
  const { extensions: _all, ...rest } = result;
  return { result: (Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest) as T, cost: cost as CostReport };
}

export interface Caller {
  /** Runs one operation with a fresh context (fresh loaders), as this caller. */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** Like `gql`, and fails the test on any error. */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface TestServer extends Caller {
  apollo: ApolloServer<Context>;
  /** The schema and rules the Apollo server uses, for the WebSocket side to share. */
  graphql: GraphQLSetup;
  /** The configuration it was built with (NODE_ENV=test plus the `env` given). */
  config: Config;
  /** The same server, with `viewer` signed in (no token involved: tokens are tested over HTTP). */
  as(viewer: User | null): Caller;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Live events the operations publish to (`ctx.events`), as the HTTP contexts do; default none. */
  events?: CatalogEvents;
}

export async function createTestServer(t: TestDatabase, env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  // Measured time is not charged unless a test asks (test/fair-share.test.ts): budgets then
  // follow the calculated cost alone, which tests can assert exactly.
  const config = loadConfig({ NODE_ENV: 'test', RATE_LIMIT_POINTS_PER_MS: '0', ...env });
  const logger = createLogger(config);
  const graphql = createGraphQL(config);
  const apollo = createServer({ config, logger, graphql });
  await apollo.start();
  const as = (viewer: User | null): Caller => {
    const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> => {
      const response = await apollo.executeOperation({ query, variables }, { contextValue: createContext(options.events ? { ...t.platform, events: options.events } : t.platform, viewer) });
      assert(response.body.kind === 'single');
      // Through JSON, as a client receives it (scalars such as DateTime serialise on the wire).
      return withoutCost(JSON.parse(JSON.stringify(response.body.singleResult)) as GqlResult<T> & { extensions?: Record<string, unknown> }).result;
    };
    return {
      gql,
      async data<T>(query: string, variables?: Record<string, unknown>) {
        const result = await gql<T>(query, variables);
        expect(result.errors).toBeUndefined();
        return result.data as T;
      },
    };
  };
  return { apollo, graphql, config, as, ...as(null), stop: () => apollo.stop() };
}

export interface TestHttp extends RunningApp {
  /**
   * POSTs an operation to /graphql, with `token` as a Bearer token when given. The response's
   * `extensions.cost` is in `cost`, not in `body` (see `withoutCost`).
   */
  post(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; body: GqlResult; cost?: CostReport | undefined; headers: Headers }>;
}

export interface TestHttpOptions {
  /** Replaces the default limiter (null: no rate limiting). */
  rateLimiter?: RateLimiter | null;
  /** Default: `t.platform`. */
  platform?: TestDatabase['platform'];
  /** Default: silent. */
  logger?: Logger;
  events?: CatalogEvents;
  /** REDIS_URL's connection, for /readyz. */
  redis?: RedisLink;
  /** Attach the WebSocket subscription server at /graphql (needs `events`), with these limits. */
  subscriptions?: Omit<SubscriptionServerOptions, 'platform' | 'logger' | 'graphql'>;
}

/**
 * The real HTTP app on a free port, with token authentication, configured like the server
 * (its `env`: limits, rate limit, timeouts).
 */
export async function startTestHttp(t: TestDatabase, server: Pick<TestServer, 'apollo' | 'config'> & Partial<Pick<TestServer, 'graphql'>>, options: TestHttpOptions = {}): Promise<TestHttp> {
  if (options.subscriptions && (!options.events || !server.graphql)) throw new Error('startTestHttp: subscriptions need `events` and a server with its `graphql`');
  const app = await buildApp({
    apollo: server.apollo,
    platform: { ...(options.platform ?? t.platform), ...(options.events ? { events: options.events } : {}), ...(options.redis ? { redis: options.redis } : {}) },
    logger: options.logger ?? createLogger({ logLevel: 'silent' }),
    config: server.config,
    ...('rateLimiter' in options ? { rateLimiter: options.rateLimiter } : {}),
    ...(options.subscriptions ? { subscriptions: { graphql: server.graphql!, ...options.subscriptions } } : {}),
  });
  const running = await listen(app, 0, '127.0.0.1');
  return {
    ...running,
    async post(query, variables, token) {
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const { result, cost } = withoutCost((await response.json()) as GqlResult & { extensions?: Record<string, unknown> });
      return { status: response.status, body: result, cost, headers: response.headers };
    },
  };
}

/** A user with a fresh API token. */
export async function userWithToken(t: TestDatabase, handle: string, role: 'READER' | 'CURATOR' | 'ADMIN' = 'READER') {
  const user = await t.db.user.create({ data: { handle, displayName: handle, role } });
  const { token, tokenHash, prefix } = generateToken();
  const apiToken = await t.db.apiToken.create({ data: { userId: user.id, name: 'test', tokenHash, prefix } });
  return { user, token, apiToken };
}
