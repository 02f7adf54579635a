// GraphQL subscriptions over WebSocket (graphql-ws, the graphql-transport-ws protocol) on the
// HTTP server's own port, at /graphql: a WebSocket upgrade there goes here, everything else
// stays with the HTTP handler.
//
// What one connection may cost is bounded, so a slow or dead client cannot hold memory:
//   - frames: at most maxPayloadBytes each (ws closes the connection with 1009 past it);
//   - documents: the same schema object, token limit, validation rules (depth, aliases,
//     directives), cost limit and error masking as over HTTP (src/graphql/schema.ts);
//   - subscriptions: at most maxSubscriptionsPerConnection at once; only subscriptions (queries
//     and mutations go over HTTP, through its rate limit);
//   - undelivered events: at most maxQueuedEvents per subscription (src/platform/events/bus.ts), and
//     at most maxBufferedBytes in the socket's send buffer: past either the client is too slow
//     and loses the subscription, or the connection;
//   - silence: a ping every keepAliveMs; no pong by the next one and the socket is cut;
//   - a connection must say connection_init within 3 s; at most maxConnections at once;
//   - a connection lives no longer than its token: revoking it closes them (4403).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
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
import type { Logger } from '../platform/logger.ts';
import type { GraphQLSetup } from './schema.ts';
import { authenticate, bearerSecret, hashToken } from '../catalog/users/tokens.ts';
import type { CatalogEvents } from '../platform/events/bus.ts';

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
  maxConnections?: number;
  logger?: Pick<Logger, 'error' | 'warn'>;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  connections(): number;
  /** Refuses new connections, closes open ones (1001 Going Away; cut after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

type Extra = {
  socket: WebSocket;
  request: http.IncomingMessage;
  viewer?: User | null;
};

export const SUBSCRIPTION_DEFAULTS = {
  path: '/graphql',
  maxPayloadBytes: 64 * 1024,
  keepAliveMs: 12_000,
  maxBufferedBytes: 1024 * 1024,
  maxSubscriptionsPerConnection: 20,
  maxConnections: 20_000,
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
function checkedOperation(payload: Payload, settings: Settings): GraphQLError[] | { document: DocumentNode; variables: Record<string, unknown> } {
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
    const rejected = checkCost({ schema, document, operation, variables }, limits.maxCost).error ?? settings.checkOperation?.({ schema, document, operation, variables });
    return rejected ? [rejected] : { document, variables };
  } catch (error) {
    // A check that throws its refusal (as src/graphql/limits does for fragment bombs) refuses too.
    if (!(error instanceof GraphQLError)) throw error;
    return [error];
  }
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
  const { platform, logger, graphql } = options;
  // What the client is not told is logged, as the GraphQL layer does over HTTP (src/graphql/server.ts).
  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      if (logger) logMaskedError(logger, error, { transport: 'websocket' });
      return graphql.formatError(error.toJSON(), error);
    });
  const tokens = tokenSockets(platform.events);
  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxPayloadBytes, perMessageDeflate: false });
  let closing = false;
  const onUpgrade = upgradeHandler(httpServer, wss, settings, () => closing);
  httpServer.on('upgrade', onUpgrade);

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: graphql.schema,
      async onConnect(ctx) {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (authorization !== undefined && typeof authorization !== 'string') return false;
        // Tracked before the lookup: a revocation that lands while it runs still closes it.
        const secret = authorization === undefined ? undefined : bearerSecret(authorization);
        if (secret) tokens.track(hashToken(secret), ctx.extra.socket);
        try {
          ctx.extra.viewer = await authenticate(platform, authorization);
        } catch {
          // Closes with 4403 Forbidden: the same for an unknown, revoked or malformed token.
          return false;
        }
        return true;
      },
      async onSubscribe(ctx: WsContext<Record<string, unknown> | undefined, Extra>, _id, payload) {
        if (Object.keys(ctx.subscriptions).length > settings.maxSubscriptionsPerConnection) {
          return refuse(`At most ${settings.maxSubscriptionsPerConnection} subscriptions per connection; complete one first`);
        }
        const checked = checkedOperation(payload, settings);
        if (Array.isArray(checked)) return checked;
        return {
          schema: graphql.schema,
          document: checked.document,
          operationName: payload.operationName ?? null,
          variableValues: checked.variables,
          contextValue: subscriptionContext(platform, ctx.extra.viewer ?? null),
        };
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
