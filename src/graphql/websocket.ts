// GraphQL subscriptions over WebSocket (graphql-ws, the graphql-transport-ws protocol) on the
// HTTP server's own port, at /graphql: a WebSocket upgrade there goes here, everything else
// stays with the HTTP handler.
//
// What one connection may cost is bounded, so a slow or dead client cannot hold memory:
//   - frames: at most maxPayloadBytes each (ws closes the connection with 1009 past it);
//   - documents: the same schema object, token limit, validation rules (depth, aliases,
//     directives), cost limit and error masking as over HTTP (src/graphql/schema.ts);
//   - subscriptions: at most maxSubscriptionsPerConnection at once, and maxSubscriptionsPerClient
//     across a client's connections (a client: its token, else its address, as the rate limit
//     keys it); only subscriptions (queries and mutations go over HTTP, through its rate limit);
//   - connections: at most maxConnectionsPerClient per client (past it: closed with 4429);
//   - the rate budget: subscribing costs the selection's cost, and so does every event delivered,
//     from the client's HTTP budget (`charge`); a spent budget refuses a subscribe, or ends a
//     subscription, with RATE_LIMITED and retryAfterSeconds;
//   - one event's fan-out: the selections of its subscribers take turns, at most
//     deliveryConcurrency at once in this process; a delivery that finds maxQueuedDeliveries
//     waiting, or waits past maxDeliveryWaitMs, is dropped with a notice (src/platform/events/fanout.ts);
//   - undelivered events: at most maxQueuedEvents per subscription (src/platform/events/bus.ts), and
//     at most maxBufferedBytes in the socket's send buffer: past either the client is too slow
//     and loses the subscription, or the connection;
//   - silence: a ping every keepAliveMs; no pong by the next one and the socket is cut;
//   - a connection must say connection_init within 3 s; at most maxConnections at once;
//   - a connection lives no longer than its token: revoking it closes them (4403), and so does a
//     change of its user's role, found when the token is read again before each subscribe and
//     each delivery (as HTTP reads it for each request).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  createSourceEventStream,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLoaders, type Context, type Loaders } from '../catalog/context.ts';
import type { Platform } from '../platform/platform.ts';
import { ErrorCode, logMaskedError } from '../platform/errors.ts';
import type { User } from '../generated/prisma/client.ts';
import { checkCost } from './limits/plugin.ts';
import { rejectUnstorableStrings } from './limits/strings.ts';
import type { Logger } from '../platform/logger.ts';
import type { GraphQLSetup } from './schema.ts';
import { authenticate, bearerSecret, hashToken } from '../catalog/users/tokens.ts';
import type { CatalogEvents } from '../platform/events/bus.ts';
import { FanOutLimiter, type Release } from '../platform/events/fanout.ts';
import { DeliveryStream } from './deliveries.ts';

export interface SubscriptionServerOptions {
  /** Its `events` are the object the HTTP contexts publish to. */
  platform: Platform & { readonly events: CatalogEvents };
  /** The schema, rules, limits and error masking that HTTP serves too (src/graphql/schema.ts). */
  graphql: GraphQLSetup;
  /** Further checks of a validated operation, after its cost; an error refuses it. */
  checkOperation?: (operation: { schema: GraphQLSchema; document: DocumentNode; operation: OperationDefinitionNode; variables: Record<string, unknown> }) => GraphQLError | undefined | void;
  path?: string;
  maxPayloadBytes?: number;
  keepAliveMs?: number;
  maxBufferedBytes?: number;
  maxSubscriptionsPerConnection?: number;
  /** Across one client's connections. */
  maxSubscriptionsPerClient?: number;
  maxConnectionsPerClient?: number;
  maxConnections?: number;
  /** Subscribers' selections running at once in this process (src/platform/events/fanout.ts). */
  deliveryConcurrency?: number;
  maxQueuedDeliveries?: number;
  maxDeliveryWaitMs?: number;
  /**
   * Whose budget a connection spends and whose caps it counts against, from its upgrade request
   * and the authorization of its connection_init. Default: `token:<sha256 of the token>`, else
   * `ip:<the socket's address>`; the HTTP app passes its rate limit's keying (TRUST_PROXY, IPv6 /64,
   * one budget per user). Asked again with the viewer once the token is checked.
   */
  clientOf?: (request: http.IncomingMessage, authorization: string | undefined, viewer?: User | null) => string;
  /**
   * Spends `points` of `client`'s budget when enough is left, otherwise nothing (the HTTP rate
   * limit's budget: one budget for both transports). Absent: subscriptions are not charged.
   */
  charge?: (client: string, points: number) => Promise<BudgetDecision>;
  /** Told of each subscribe or event refused for a spent budget (metrics: src/http/app.ts). */
  onRateLimited?: () => void;
  logger?: Pick<Logger, 'error' | 'warn'>;
}

export interface BudgetDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  /** Seconds until the budget is whole again. */
  readonly resetSeconds: number;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  connections(): number;
  /** Subscriptions open across them (metrics). */
  subscriptions(): number;
  /** Deliveries running, waiting for a turn, and dropped since the start. */
  deliveries(): { running: number; queued: number; dropped: number };
  /** Refuses new connections, closes open ones (1001 Going Away; cut after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

type Extra = {
  socket: WebSocket;
  request: http.IncomingMessage;
  viewer?: User | null;
  /** Whose budget and caps (`clientOf`), once connection_init said who it is. */
  client?: string;
  /** The connection's Authorization, to read its token again; absent: anonymous. */
  authorization?: string;
  /** The per-client subscription slots it holds: released when it closes, whatever else failed. */
  slots?: Set<Release>;
};

/** Close code of a connection past maxConnectionsPerClient (graphql-ws's own codes are 44xx too). */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

export const SUBSCRIPTION_DEFAULTS = {
  path: '/graphql',
  maxPayloadBytes: 64 * 1024,
  keepAliveMs: 12_000,
  maxBufferedBytes: 1024 * 1024,
  maxSubscriptionsPerConnection: 20,
  maxSubscriptionsPerClient: 50,
  maxConnectionsPerClient: 10,
  maxConnections: 20_000,
  deliveryConcurrency: 4,
  maxQueuedDeliveries: 2000,
  maxDeliveryWaitMs: 5000,
} as const;

/**
 * A subscription's context, alive as long as the subscription: no deadline (a subscription lives
 * as long as its client wants it). Its loaders are built on first use (the resolvers give each
 * event fresh ones), so an idle subscription does not hold a set.
 */
function subscriptionContext(platform: Platform, viewer: User | null): Context {
  let loaders: Loaders | undefined;
  return {
    platform,
    db: platform.db,
    viewer,
    reader: platform.reader,
    ...(platform.events ? { events: platform.events } : {}),
    operation: {},
    get loaders() {
      return (loaders ??= createLoaders(platform, viewer));
    },
    set loaders(value) {
      loaders = value;
    },
  };
}

/** The error with `code`, unless it has a code already. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code !== undefined) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions: { ...error.extensions, code },
  });
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

type Settings = typeof SUBSCRIPTION_DEFAULTS & SubscriptionServerOptions;
type Payload = { query: string; operationName?: string | null; variables?: Record<string, unknown> | null };

const refuse = (message: string, code: string = ErrorCode.BAD_REQUEST) => [new GraphQLError(message, { extensions: { code } })];

/**
 * Open connections by the hash of the token they were opened with, so that revoking a token
 * (from any instance, through the event bus) closes them at once.
 */
function tokenSockets(events: CatalogEvents) {
  const byToken = new Map<string, Set<WebSocket>>();
  const stop = events.onTokenRevoked((tokenHash) => {
    for (const socket of byToken.get(tokenHash) ?? []) socket.close(4403, 'Forbidden: the token was revoked');
  });
  const track = (tokenHash: string, socket: WebSocket) => {
    let sockets = byToken.get(tokenHash);
    if (!sockets) byToken.set(tokenHash, (sockets = new Set()));
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && byToken.get(tokenHash) === sockets) byToken.delete(tokenHash);
    });
  };
  return { track, stop };
}

/**
 * The operation a subscribe message asks for, checked as HTTP checks one (parse, validation
 * rules, cost, the caller's own check), or the errors that refuse it.
 */
function checkedOperation(payload: Payload, settings: Settings): GraphQLError[] | { document: DocumentNode; variables: Record<string, unknown>; cost: number } {
  const { schema, limits, validationRules } = settings.graphql;
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return error instanceof GraphQLError ? [withCode(error, 'GRAPHQL_PARSE_FAILED')] : refuse('The document could not be parsed');
  }
  const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
  // Labelled as Apollo labels them over HTTP; the limit rules' own codes (QUERY_TOO_DEEP...) stay.
  if (errors.length > 0) return errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return refuse('Name the operation to run (operationName): the document has none or several');
  if (operation.operation !== 'subscription') {
    return refuse('Only subscriptions are served over WebSocket; send queries and mutations over HTTP (POST /graphql)');
  }
  const variables = payload.variables ?? {};
  try {
    // The same text rule as over HTTP (src/graphql/limits/plugin.ts): no NUL or control characters.
    rejectUnstorableStrings(document, variables);
    const checked = checkCost({ schema, document, operation, variables }, limits.maxCost);
    const rejected = checked.error ?? settings.checkOperation?.({ schema, document, operation, variables });
    return rejected ? [rejected] : { document, variables, cost: checked.cost };
  } catch (error) {
    // A check that throws its refusal (as src/graphql/limits does for fragment bombs) refuses too.
    if (!(error instanceof GraphQLError)) throw error;
    return [error];
  }
}

/** How many connections or subscriptions each client holds; a slot is taken and released. */
class ClientCounts {
  private readonly counts = new Map<string, number>();
  /** Slots held by every client together. */
  total = 0;

  /** A slot of `client`'s, unless it holds `max` already; its release is idempotent. */
  take(client: string, max: number): Release | null {
    const held = this.counts.get(client) ?? 0;
    if (held >= max) return null;
    this.counts.set(client, held + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.counts.get(client) ?? 1) - 1;
      // Clients that left take no memory.
      if (left > 0) this.counts.set(client, left);
      else this.counts.delete(client);
    };
  }
}

/** As the HTTP rate limit keys a request by default: the token's hash, else the address. */
function defaultClientOf(request: http.IncomingMessage, authorization: string | undefined): string {
  if (authorization) return `token:${hashToken(bearerSecret(authorization) ?? authorization)}`;
  return `ip:${request.socket.remoteAddress ?? 'unknown'}`;
}

/** The budget is spent: RATE_LIMITED, with when to retry (as over HTTP, without the status). */
function budgetSpent(message: string, decision: BudgetDecision): GraphQLError {
  return new GraphQLError(`Rate limit exceeded: ${message}. Retry after ${decision.resetSeconds} s`, {
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: decision.resetSeconds },
  });
}

/** What a subscriber is told of an event it does not get: the server could not serve it in time. */
function droppedEvent(): ExecutionResult {
  return {
    data: null,
    errors: [
      new GraphQLError('An event was dropped: too many subscribers were being served at once. The subscription goes on; the next event carries the current state', {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      }),
    ],
  };
}

/** What a subscription accepted by onSubscribe brings to its `subscribe`: found by its context. */
interface Accepted {
  extra: Extra;
  /** What each event costs: the selection's cost. */
  points: number;
  /** Its slot of the client's subscriptions. */
  release: Release;
}

/** Upgrades requests for the subscription path, within the connection limit and not while closing. */
function upgradeHandler(httpServer: http.Server, wss: WebSocketServer, settings: Settings, closing: () => boolean) {
  return (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== settings.path) {
      // Another upgrade listener may own that path; alone, we answer for the server.
      if (httpServer.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (closing() || wss.clients.size >= settings.maxConnections) return refuseUpgrade(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
}

export function attachSubscriptions(httpServer: http.Server, options: SubscriptionServerOptions): SubscriptionServer {
  const settings = { ...SUBSCRIPTION_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Settings;
  const { platform, logger, graphql, charge } = options;
  const clientOf = options.clientOf ?? defaultClientOf;
  // What the client is not told is logged, as the GraphQL layer does over HTTP (src/graphql/server.ts).
  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      if (logger) logMaskedError(logger, error, { transport: 'websocket' });
      return graphql.formatError(error.toJSON(), error);
    });
  const tokens = tokenSockets(platform.events);
  const connectionsByClient = new ClientCounts();
  const subscriptionsByClient = new ClientCounts();
  const fanOut = new FanOutLimiter({ concurrency: settings.deliveryConcurrency, maxQueued: settings.maxQueuedDeliveries, maxWaitMs: settings.maxDeliveryWaitMs });
  const accepted = new WeakMap<object, Accepted>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxPayloadBytes, perMessageDeflate: false });
  let closing = false;
  const onUpgrade = upgradeHandler(httpServer, wss, settings, () => closing);
  httpServer.on('upgrade', onUpgrade);

  // The token read again, once per event for all the subscriptions of connections with that token.
  const rereads = new WeakMap<object, Map<string, Promise<User | null>>>();
  const reread = (authorization: string, event?: object): Promise<User | null> => {
    const read = () =>
      authenticate(platform, authorization).catch((error: unknown) => {
        if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) return null;
        throw error;
      });
    if (!event) return read();
    let byToken = rereads.get(event);
    if (!byToken) rereads.set(event, (byToken = new Map()));
    let user = byToken.get(authorization);
    if (!user) byToken.set(authorization, (user = read()));
    return user;
  };
  /**
   * Whether the connection still acts for whom it was opened as. DANGER: its subscriptions were
   * checked (and filter their events) as that viewer; a revoked token or a changed role (a curator
   * demoted to reader) closes the connection with 4403, as revocation does, before anything more
   * is sent; the client connects again as who it now is.
   */
  const stillTheViewer = async (extra: Extra, event?: object): Promise<boolean> => {
    if (extra.authorization === undefined || !extra.viewer) return true;
    const now = await reread(extra.authorization, event);
    if (now && now.id === extra.viewer.id && now.role === extra.viewer.role) return true;
    extra.socket.close(4403, now ? "Forbidden: the token's user changed role; connect again" : 'Forbidden: the token was revoked');
    return false;
  };

  /** One event to one subscriber: its turn, its viewer, its charge, then its selection. */
  const deliver = async (subscription: Accepted, args: ExecutionArgs, event: unknown): Promise<ExecutionResult | undefined> => {
    const release = await fanOut.acquire();
    if (!release) return droppedEvent();
    try {
      const { extra, points } = subscription;
      // Closed while it waited: nothing to send, nothing to charge.
      if (extra.socket.readyState !== extra.socket.OPEN) return undefined;
      if (!(await stillTheViewer(extra, typeof event === 'object' && event !== null ? event : undefined))) return undefined;
      if (charge) {
        const decision = await charge(extra.client!, points);
        if (!decision.allowed) {
          options.onRateLimited?.();
          throw budgetSpent(`each event of this subscription costs ${points} points and ${decision.remaining} are left in the current window; the subscription was ended, subscribe again later`, decision);
        }
      }
      return await execute({ ...args, rootValue: event });
    } finally {
      release();
    }
  };

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: graphql.schema,
      async onConnect(ctx) {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (authorization !== undefined && typeof authorization !== 'string') return false;
        const { extra } = ctx;
        extra.client = clientOf(extra.request, authorization || undefined);
        // Counted before the lookup, so that many connection_inits at once cannot all pass.
        const connection = connectionsByClient.take(extra.client, settings.maxConnectionsPerClient);
        if (!connection) {
          extra.socket.close(CLOSE_TOO_MANY_CONNECTIONS, `Too many connections: at most ${settings.maxConnectionsPerClient} per client`);
          return false;
        }
        extra.slots = new Set();
        extra.socket.once('close', () => {
          connection();
          for (const release of extra.slots!) release();
        });
        // Tracked before the lookup: a revocation that lands while it runs still closes it.
        const secret = authorization === undefined ? undefined : bearerSecret(authorization);
        if (secret) tokens.track(hashToken(secret), extra.socket);
        try {
          extra.viewer = await authenticate(platform, authorization);
        } catch {
          // Closes with 4403 Forbidden: the same for an unknown, revoked or malformed token.
          return false;
        }
        if (extra.viewer && authorization) {
          extra.authorization = authorization;
          // From now on its subscriptions count, and spend, as the user's.
          extra.client = clientOf(extra.request, authorization, extra.viewer);
        }
        return true;
      },
      async onSubscribe(ctx: WsContext<Record<string, unknown> | undefined, Extra>, _id, payload) {
        if (Object.keys(ctx.subscriptions).length > settings.maxSubscriptionsPerConnection) {
          return refuse(`At most ${settings.maxSubscriptionsPerConnection} subscriptions per connection; complete one first`);
        }
        const checked = checkedOperation(payload, settings);
        if (Array.isArray(checked)) return checked;
        const { extra } = ctx;
        const taken = subscriptionsByClient.take(extra.client!, settings.maxSubscriptionsPerClient);
        if (!taken) {
          return refuse(`At most ${settings.maxSubscriptionsPerClient} subscriptions per client, across its connections; complete one first`);
        }
        const release = () => {
          extra.slots!.delete(release);
          taken();
        };
        extra.slots!.add(release);
        const points = Math.max(1, checked.cost);
        try {
          if (!(await stillTheViewer(extra))) {
            release();
            return refuse('The connection is closing: connect again');
          }
          const decision = charge ? await charge(extra.client!, points) : undefined;
          if (decision && !decision.allowed) {
            release();
            options.onRateLimited?.();
            return [budgetSpent(`this subscription costs ${points} points and ${decision.remaining} are left in the current window`, decision)];
          }
        } catch (error) {
          release();
          throw error;
        }
        const contextValue = subscriptionContext(platform, extra.viewer ?? null);
        accepted.set(contextValue, { extra, points, release });
        return {
          schema: graphql.schema,
          document: checked.document,
          operationName: payload.operationName ?? null,
          variableValues: checked.variables,
          contextValue,
        };
      },
      // graphql-js's subscribe, with each event's selection run by `deliver` instead of at once.
      async subscribe(args) {
        const subscription = accepted.get(args.contextValue as object);
        if (!subscription) throw new Error('a subscription that onSubscribe did not accept');
        accepted.delete(args.contextValue as object);
        let source: AsyncIterable<unknown> | ExecutionResult;
        try {
          source = await createSourceEventStream(args);
        } catch (error) {
          subscription.release();
          throw error;
        }
        // Refused by its `subscribe` resolver (an unknown paper...): sent as a result, then completed.
        if (!(Symbol.asyncIterator in source)) {
          subscription.release();
          return source;
        }
        return new DeliveryStream(source[Symbol.asyncIterator](), (event) => deliver(subscription, args, event), subscription.release);
      },
      onNext(ctx, _id, _payload, _args, result) {
        const socket = ctx.extra.socket;
        // A client that does not read: its unsent bytes pile up in this process. Cut it.
        if (socket.bufferedAmount > settings.maxBufferedBytes) {
          logger?.warn({ bufferedAmount: socket.bufferedAmount }, 'subscription client too slow: connection closed');
          socket.terminate();
        }
        return result.errors ? { ...result, errors: format(result.errors) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wss,
    settings.keepAliveMs,
  );

  return {
    connections: () => wss.clients.size,
    subscriptions: () => subscriptionsByClient.total,
    deliveries: () => fanOut.stats(),
    async close(graceMs = 1000) {
      if (closing) return;
      closing = true;
      tokens.stop();
      httpServer.off('upgrade', onUpgrade);
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, graceMs);
      try {
        await server.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
