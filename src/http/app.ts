// The HTTP app: Fastify with one plugin or hook per concern, built without listening (tests use
// `app.inject` or listen on port 0). The routes: / and /readme (pages for people), /graphql
// (Apollo; subscriptions over WebSocket on the same path), /healthz, /readyz, /feeds/*, /digests/*.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { contextFromRequest, type Context } from '../catalog/context.ts';
import { CatalogEvents } from '../platform/events/bus.ts';
import type { Platform } from '../platform/platform.ts';
import { attachSubscriptions, type SubscriptionServer, type SubscriptionServerOptions } from '../graphql/websocket.ts';
import type { Logger } from '../platform/logger.ts';
import { rateLimiterFor, type RateLimiter } from './rate-limit/limiter.ts';
import { handleErrors } from './errors.ts';
import { rateLimit } from './rate-limit/plugin.ts';
import { requestIdOf, requestLog } from './request-log.ts';
import { requestState } from './request-state.ts';
import { digestRoutes } from './routes/digests.ts';
import { feedRoutes } from './routes/feeds.ts';
import { graphqlRoutes } from './routes/graphql.ts';
import { healthRoutes } from './routes/health.ts';
import { citationRoutes } from './routes/citations.ts';
import { homeRoutes } from './routes/home.ts';
import { subscriptionBudget } from './subscription-budget.ts';
import type { Telemetry } from '../platform/telemetry/telemetry.ts';
import { httpTracing } from '../platform/telemetry/tracing.ts';
import { telemetryHooks, type MetricsExposure } from './telemetry.ts';

export interface AppDeps {
  /** Started. */
  apollo: ApolloServer<Context>;
  /**
   * What the routes stand on. Its `events` are where mutations publish live updates and
   * subscriptions listen (absent: nobody listens); its `redis` is reported by /readyz (an outage
   * does not make the instance unready).
   */
  platform: Platform;
  logger: Logger;
  /** `subscriptions`: the WebSocket side's caps and turns (default: src/graphql/websocket.ts's). */
  config: Pick<Config, 'http' | 'limits' | 'rateLimit' | 'follow'> & Partial<Pick<Config, 'subscriptions' | 'telemetry' | 'nodeEnv'>>;
  /** Default: one in memory built from `config.rateLimit`; null (or RATE_LIMIT_POINTS=0): off. */
  rateLimiter?: RateLimiter | null;
  /** GraphQL subscriptions over WebSocket on /graphql (src/graphql/websocket.ts), on the platform's `events`. */
  subscriptions?: Omit<SubscriptionServerOptions, 'platform' | 'logger'>;
  /** Metrics (and /metrics) and tracing (src/http/telemetry.ts); absent: neither. */
  telemetry?: Telemetry;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The WebSocket side, when the app serves subscriptions. */
    subscriptions: SubscriptionServer | null;
  }
}

const CORS_ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id';
const CORS_EXPOSED_HEADERS = 'ratelimit, ratelimit-policy, retry-after, x-request-id';

export async function buildApp({ apollo, platform: given, logger, config, rateLimiter, subscriptions, telemetry }: AppDeps): Promise<FastifyInstance> {
  const { http: options } = config;
  // Subscriptions need a bus that the HTTP contexts publish to.
  const platform = given.events || !subscriptions ? given : { ...given, events: new CatalogEvents() };
  const limiter = rateLimiter === undefined ? rateLimiterFor(config.rateLimit) : rateLimiter;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request, written by src/http/request-log.ts, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: options.maxBodyBytes,
    // A client has this long to send its headers and body (slow-loris protection): Node answers
    // 408 past it, checking every `connectionsCheckingInterval`.
    serverFactory: (handler) =>
      http.createServer(
        { requestTimeout: options.requestTimeoutMs, headersTimeout: options.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs) },
        // With tracing, each request runs inside its HTTP span; off, the handler as it is.
        telemetry?.tracing ? httpTracing(telemetry.tracing, handler) : handler,
      ),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    // Draining: keep-alive connections close after their response.
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  requestState(app);
  requestLog(app, logger);
  if (telemetry) telemetryHooks(app, telemetry, metricsExposure(config));
  handleErrors(app, { maxBodyBytes: options.maxBodyBytes, logger });
  // CORS for the configured origins only (CORS_ORIGINS; none by default: same-origin pages and
  // non-browser clients need no CORS). Tokens travel in a header, not cookies: no credentials.
  const origins = options.corsOrigins;
  await app.register(cors, {
    origin: origins === '*' ? '*' : (origin, callback) => callback(null, origin !== undefined && origins.includes(origin.toLowerCase()) ? origin : false),
    methods: 'GET, POST, OPTIONS',
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    strictPreflight: false,
  });
  await app.register(rateLimit, {
    limiter,
    trustProxy: options.trustProxy,
    inFlight: { anonymous: config.rateLimit.inFlightAnonymous, signedIn: config.rateLimit.inFlightSignedIn },
  });

  await app.register(healthRoutes, { db: platform.db, ...(platform.redis ? { redis: platform.redis } : {}) });
  await app.register(homeRoutes);
  await app.register(graphqlRoutes, {
    apollo,
    context: (request, deadline) => contextFromRequest(platform, request.headers, deadline, request.state.operation),
    limits: config.limits,
    operationTimeoutMs: options.operationTimeoutMs,
    logger,
    tracing: telemetry?.tracing ?? null,
  });
  await app.register(feedRoutes, { platform, publicUrl: config.follow.publicUrl });
  await app.register(digestRoutes, { db: platform.db, secrets: config.follow.secrets, logger });
  await app.register(citationRoutes, { platform });

  // Subscriptions spend the HTTP rate budget of the same client, and their caps count by its key.
  const budget = subscriptionBudget(limiter, options.trustProxy);
  const live = subscriptions && platform.events
    ? attachSubscriptions(app.server, {
        ...config.subscriptions, ...budget, ...subscriptions, platform: { ...platform, events: platform.events }, logger,
        ...(telemetry ? { onRateLimited: () => telemetry.metrics.rateLimited('websocket') } : {}),
      })
    : null;
  app.decorate('subscriptions', live);
  if (live) telemetry?.metrics.watchSubscriptions(() => ({ connections: live.connections(), subscriptions: live.subscriptions() }));
  // WebSockets first: the HTTP server's close waits for every open connection.
  if (live) app.addHook('preClose', async () => live.close(options.shutdownGraceMs));
  return app;
}

/** /metrics on the API's port: not with METRICS_PORT; behind METRICS_TOKEN; else open except in production. */
function metricsExposure(config: AppDeps['config']): MetricsExposure {
  const options = config.telemetry;
  if (options?.metricsPort !== undefined) return 'off';
  if (options?.metricsToken) return { token: options.metricsToken };
  return config.nodeEnv === 'production' ? 'off' : { open: true };
}

export interface RunningApp {
  url: string;
  app: FastifyInstance;
  server: http.Server;
  /**
   * Stops accepting connections and resolves once every open one has closed: idle ones at once,
   * busy ones when their response is sent. Past `graceMs` the remaining ones are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/** Listens on host:port (0: any free port) and resolves once listening. */
export async function listen(app: FastifyInstance, port: number, host: string): Promise<RunningApp> {
  // Fastify logs a line when listening; the address is in src/main.ts's own line, where it is
  // wanted, and kept out of this one so that request logs never carry an address.
  await app.listen({ port, host, listenTextResolver: () => 'HTTP server listening' });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    app,
    server: app.server,
    async close(graceMs?: number) {
      const cut = graceMs === undefined ? undefined : setTimeout(() => app.server.closeAllConnections(), graceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
