// What the HTTP layer tells telemetry (src/platform/telemetry/), as one piece:
//   - every answer counts by method, route pattern and status, with its time;
//   - every error answered counts by `extensions.code`: a GraphQL operation's as the GraphQL layer
//     reported them (the request's operation report, `errorCodes`), a refusal made before Apollo
//     ran (rate limit, body, size) from its JSON body; a 429 is a rate-limit rejection too;
//   - with tracing, the request's span (opened around Fastify's handler, src/http/app.ts) is named
//     by its route;
//   - GET /metrics, the Prometheus scrape, on the API's port unless METRICS_PORT gives it its own
//     (`serveMetrics`), and behind METRICS_TOKEN when set.
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Metrics } from '../platform/telemetry/metrics.ts';
import type { Telemetry } from '../platform/telemetry/telemetry.ts';
import { nameHttpSpan } from '../platform/telemetry/tracing.ts';

/** Who may read /metrics on the API's port: anyone, the bearer of this token, or nobody (METRICS_PORT, or production without METRICS_TOKEN). */
export type MetricsExposure = { readonly open: true } | { readonly token: string } | 'off';

/** A refusal's body is a few hundred bytes; a larger one is not an error body of ours. */
const MAX_ERROR_BODY = 16_384;

function codesOf(payload: unknown): string[] {
  if (typeof payload !== 'string' || payload.length > MAX_ERROR_BODY || !payload.startsWith('{')) return [];
  try {
    const errors = (JSON.parse(payload) as { errors?: { extensions?: { code?: unknown } }[] }).errors;
    return Array.isArray(errors) ? errors.map((e) => String(e?.extensions?.code ?? 'OTHER')) : [];
  } catch {
    return [];
  }
}

export function telemetryHooks(app: FastifyInstance, { metrics, tracing }: Telemetry, exposure: MetricsExposure): void {
  if (tracing) {
    app.addHook('onRequest', async (request) => nameHttpSpan(request.raw, request.routeOptions.url ?? 'unmatched'));
  }
  const refusals = new WeakMap<FastifyReply, string[]>();
  app.addHook('onSend', async (request, reply, payload) => {
    // A GraphQL operation's errors were reported by the GraphQL layer; others are read here.
    if (reply.statusCode >= 400 && request.state?.operation.errorCodes === undefined) refusals.set(reply, codesOf(payload));
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    for (const code of request.state?.operation.errorCodes ?? refusals.get(reply) ?? []) metrics.error(code);
    if (reply.statusCode === 429) metrics.rateLimited('http');
  });
  if (exposure !== 'off') {
    app.get('/metrics', { config: { rateLimit: false } }, async (request, reply) => {
      if ('token' in exposure && !bearerMatches(request.headers.authorization, exposure.token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').header('cache-control', 'no-store').send('unauthorized\n');
      }
      const { contentType, body } = await metrics.scrape();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * METRICS_PORT: /metrics alone on a port of its own (say, reachable only from the monitoring
 * network), without a token. Resolves once listening; `close` stops it.
 */
export async function serveMetrics(metrics: Metrics, port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
