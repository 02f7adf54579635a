// The HTTP front door on plain node:http: /graphql (Apollo), /healthz and /readyz.
// Apollo Server 5 ships no web framework; its documented integration API takes the parsed
// request, which keeps body limits and routing here, in one small file.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Context } from './context.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './logger.ts';

export const MAX_BODY_BYTES = 1_000_000;

export interface HttpDeps {
  apollo: ApolloServer<Context>;
  db: Db;
  logger: Logger;
  context: (req: http.IncomingMessage) => Promise<Context>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const tooLarge = () => new HttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`);

/**
 * Reads at most MAX_BODY_BYTES. Past that the rest is read and dropped, not kept, so the
 * client still receives its 413 (closing the socket mid-upload would hide it).
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function graphqlError(res: http.ServerResponse, status: number, message: string): void {
  // An unread body would be taken for the next request on a kept-alive connection.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
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

export function createHttpHandler({ apollo, db, logger, context }: HttpDeps): http.RequestListener {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const ready = await isDatabaseReady(db);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'database unreachable' });
      }
      if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'Not found: the API is at /graphql' });

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const text = await readBody(req);
        const contentType = headers.get('content-type') ?? '';
        if (/^application\/(graphql-response\+)?json\b/i.test(contentType)) {
          try {
            body = JSON.parse(text);
          } catch {
            return graphqlError(res, 400, 'The request body is not valid JSON');
          }
        } else {
          body = text;
        }
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => context(req),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof HttpError) return graphqlError(res, error.status, error.message);
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    }
  };
}

export interface RunningHttpServer {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Listens on host:port (0: any free port) and resolves once listening. */
export async function listen(handler: http.RequestListener, port: number, host: string): Promise<RunningHttpServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
