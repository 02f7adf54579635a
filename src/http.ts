// The HTTP front door on plain node:http: /graphql (Apollo), /healthz and /readyz.
// Apollo Server 5 ships no web framework; its documented integration API takes the parsed
// request, which keeps body limits and routing here, in one small file.
//
// What a request meets, in order, cheapest first, so that hostile input is refused before it
// costs a database query (authentication is one) or a parse:
//   request id → CORS → route → rate-limit budget spent? (429) → body: size (413), UTF-8,
//   JSON, not a batch (400) → document size (400) → Apollo: parse, validate (depth, aliases,
//   directives), cost, rate-limit charge, execute under a deadline (503).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import { loadConfig, type Config } from './config.ts';
import type { Context } from './context.ts';
import type { Db } from './db/client.ts';
import { ErrorCode } from './errors.ts';
import { checkDocumentSize } from './limits/document.ts';
import { runInRequestScope, type Logger, type RequestScope } from './logger.ts';
import { identifyClient, type Client } from './rate-limit/client.ts';
import { RateLimiter, type RateLimitState } from './rate-limit/limiter.ts';


/** The default body limit (HTTP_MAX_BODY_BYTES). */
export const MAX_BODY_BYTES = loadConfig({}).http.maxBodyBytes;

/** Points a failed sign-in costs the address it came from (see `authFailuresKey`). */
const AUTH_FAILURE_COST = 10;

export interface HttpDeps {
  apollo: ApolloServer<Context>;
  db: Db;
  logger: Logger;
  context: (req: http.IncomingMessage) => Promise<Context>;
  /** Routes besides /graphql (feeds, digest links): returns false for a path not its own. */
  routes?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
  /** Default: the values of an empty environment (src/config.ts). */
  config?: Partial<Pick<Config, 'http' | 'limits' | 'rateLimit'>>;
  /**
   * The budget every request is charged to. Default: one in memory built from
   * `config.rateLimit`; null (or RATE_LIMIT_POINTS=0) turns rate limiting off.
   */
  rateLimiter?: RateLimiter | null;
}

/** A request listener that can be told the server is shutting down. */
export interface HttpHandler extends http.RequestListener {
  /** From now on /readyz answers 503 and responses close their connection. */
  drain(): void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = ErrorCode.BAD_REQUEST,
  ) {
    super(message);
  }
}

/**
 * Reads at most `limit` bytes. Past that the rest is read and dropped, not kept, so the client
 * still receives its 413 (closing the socket mid-upload would hide it). Invalid UTF-8 is refused,
 * not silently replaced with U+FFFD.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new HttpError(413, `Request body larger than ${limit} bytes`);
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) return reject(tooLarge());
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new HttpError(400, 'The request body is not valid UTF-8'));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function graphqlError(res: http.ServerResponse, status: number, message: string, code: string = ErrorCode.BAD_REQUEST, headers: Record<string, string> = {}): void {
  // An unread body would be taken for the next request on a kept-alive connection.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

export async function isDatabaseReady(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([db.$queryRaw`SELECT 1`.then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** A client's own request id when it is a plain token (a UUID, a trace id), else a new UUID. */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(given) ? given : randomUUID();
}

const CORS_ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id';
const CORS_EXPOSED_HEADERS = 'ratelimit, ratelimit-policy, retry-after, x-request-id';

/**
 * CORS for the configured origins only (CORS_ORIGINS; none by default: same-origin pages and
 * non-browser clients need no CORS). Tokens travel in a header, not cookies: no credentials.
 */
function applyCors(req: http.IncomingMessage, res: http.ServerResponse, origins: readonly string[] | '*'): boolean {
  res.setHeader('vary', 'Origin');
  const origin = req.headers.origin;
  if (!origin || (origins !== '*' && !origins.includes(origin.toLowerCase()))) return false;
  res.setHeader('access-control-allow-origin', origins === '*' ? '*' : origin);
  res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS);
  return true;
}

/** The `query` of a GraphQL-over-HTTP request, when it has one as a string. */
function queryOf(method: string, url: URL, body: unknown): string | undefined {
  if (method === 'GET') return url.searchParams.get('query') ?? undefined;
  const query = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
  return typeof query === 'string' ? query : undefined;
}

function setRateLimitHeaders(res: http.ServerResponse, limiter: RateLimiter, state: RateLimitState): void {
  for (const [name, value] of limiter.headers(state)) res.setHeader(name, value);
}

/** Failed sign-ins from an address share one budget, so guessing tokens cannot go on unchecked. */
const authFailuresKey = (client: Client) => `auth-failures:${client.addressKey}`;

export function createHttpHandler({ apollo, db, logger, context, routes, config = {}, rateLimiter }: HttpDeps): HttpHandler {
  const defaults = loadConfig({});
  const options = config.http ?? defaults.http;
  const limits = config.limits ?? defaults.limits;
  const policy = config.rateLimit ?? defaults.rateLimit;
  const limiter = rateLimiter === undefined ? (policy.points > 0 ? new RateLimiter(policy) : null) : rateLimiter;
  let draining = false;

  async function graphql(req: http.IncomingMessage, res: http.ServerResponse, url: URL, scope: RequestScope): Promise<void> {
    const method = req.method ?? 'GET';
    let client: Client | undefined;
    if (limiter) {
      client = identifyClient(req, options.trustProxy);
      scope.rateLimit = { limiter, key: client.key, addressKey: client.addressKey };
      // Spent budgets are refused here, before the body is read or the token looked up.
      const own = await limiter.peek(client.key);
      // A token with no open window may be one being guessed: its address's failures decide.
      const failures = client.kind === 'token' && !own ? await limiter.peek(authFailuresKey(client)) : null;
      const spent = [own, failures].find((s) => s !== null && s.remaining < 1);
      setRateLimitHeaders(res, limiter, spent ?? own ?? limiter.fresh());
      if (spent) {
        return graphqlError(res, 429, `Rate limit exceeded: retry after ${spent.resetSeconds} s`, ErrorCode.RATE_LIMITED, {
          'retry-after': String(spent.resetSeconds),
        });
      }
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (method === 'POST') {
      const text = await readBody(req, options.maxBodyBytes);
      const contentType = headers.get('content-type') ?? '';
      if (/^application\/(graphql-response\+)?json\b/i.test(contentType)) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'The request body is not valid JSON');
        }
        if (Array.isArray(body)) {
          throw new HttpError(400, 'Batched operations (a JSON array body) are not supported: send one operation per request');
        }
      } else {
        body = text;
      }
    }
    const query = queryOf(method, url, body);
    const tooLarge = query === undefined ? undefined : checkDocumentSize(query, limits);
    if (tooLarge) throw new HttpError(400, tooLarge.message, String(tooLarge.extensions.code));

    scope.deadline = performance.now() + options.operationTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const execution = apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: () => context(req),
    });
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.operationTimeoutMs)));
    let response: HTTPGraphQLResponse | 'timeout';
    try {
      response = await Promise.race([execution, deadline]);
    } finally {
      clearTimeout(timer);
    }
    if (response === 'timeout') {
      // The abandoned execution finishes or fails on its own (its remaining fields fail at once:
      // src/limits/plugin.ts); its result is dropped.
      execution.catch(() => {});
      return graphqlError(res, 503, `The operation did not finish within ${options.operationTimeoutMs} ms and was stopped`, ErrorCode.OPERATION_TIMEOUT);
    }

    if (limiter && client) {
      // A bad token: charged to its address, never to a key made from an unverified secret.
      if (response.status === 401) await limiter.consume(authFailuresKey(client), AUTH_FAILURE_COST);
      const charged = scope.rateLimit?.state;
      if (charged) setRateLimitHeaders(res, limiter, charged);
    }
    for (const [key, value] of response.headers) res.setHeader(key, value);
    if (draining) res.setHeader('connection', 'close');
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, scope: RequestScope): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const cors = applyCors(req, res, options.corsOrigins);
      if (draining) res.setHeader('connection', 'close');
      if (req.method === 'OPTIONS') {
        res.setHeader('allow', 'GET, POST, OPTIONS');
        if (cors) {
          res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
          res.setHeader('access-control-allow-headers', CORS_ALLOWED_HEADERS);
          res.setHeader('access-control-max-age', '600');
        }
        res.writeHead(204).end();
        return;
      }
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        if (draining) return sendJson(res, 503, { status: 'shutting down' });
        const ready = await isDatabaseReady(db);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'database unreachable' });
      }
      if (url.pathname !== '/graphql') {
        if (routes && (await routes(req, res))) return;
        return sendJson(res, 404, { error: 'Not found: the API is at /graphql' });
      }
      await graphql(req, res, url, scope);
    } catch (error) {
      if (error instanceof HttpError) {
        // Refused before authentication: a point from the address's budget, so that a flood of
        // unreadable or oversized requests runs into the rate limit too.
        const budget = scope.rateLimit;
        if (budget) await budget.limiter.consume(budget.addressKey ?? budget.key, 1).catch(() => {});
        return graphqlError(res, error.status, error.message, error.code);
      }
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
      else res.end();
    }
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    const scope: RequestScope = { requestId: requestIdOf(req) };
    res.setHeader('x-request-id', scope.requestId);
    res.once('close', () => {
      const path = (req.url ?? '/').split('?')[0];
      const probe = path === '/healthz' || path === '/readyz';
      // One line per request: no query text, no variables, no token, no address.
      logger[probe ? 'debug' : 'info']({
        requestId: scope.requestId,
        method: req.method,
        path: path?.slice(0, 100),
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(scope.operationName !== undefined ? { operationName: scope.operationName?.slice(0, 100) ?? null } : {}),
        ...(scope.cost !== undefined ? { cost: scope.cost } : {}),
        ...(scope.rateLimit ? { client: scope.rateLimit.key.startsWith('token:') ? 'token' : 'anonymous' } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      }, 'request');
    });
    return runInRequestScope(scope, () => handle(req, res, scope));
  };
  return Object.assign(handler, {
    drain() {
      draining = true;
    },
  });
}

export interface RunningHttpServer {
  url: string;
  server: http.Server;
  /**
   * Stops accepting connections and resolves once every open one has closed: idle ones at once,
   * busy ones when their response is sent. Past `graceMs` the remaining ones are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/** Listens on host:port (0: any free port) and resolves once listening. */
export async function listen(
  handler: http.RequestListener | HttpHandler,
  port: number,
  host: string,
  options: Partial<Pick<Config['http'], 'requestTimeoutMs'>> = {},
): Promise<RunningHttpServer> {
  const requestTimeoutMs = options.requestTimeoutMs ?? loadConfig({}).http.requestTimeoutMs;
  // A client has this long to send its headers and body (slow-loris protection); Node checks
  // every `connectionsCheckingInterval`.
  const server = http.createServer({ requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, requestTimeoutMs) }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: (graceMs?: number) =>
      new Promise<void>((resolve, reject) => {
        if ('drain' in handler) handler.drain();
        const cut = graceMs === undefined ? undefined : setTimeout(() => server.closeAllConnections(), graceMs);
        server.close((error) => {
          clearTimeout(cut);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
