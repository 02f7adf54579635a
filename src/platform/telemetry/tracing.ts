// OpenTelemetry tracing, off by default. With OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT)
// set, `startTracing` loads the SDK (dynamically: with tracing off not a module of it is loaded),
// registers the tracer provider, the AsyncLocalStorage context manager and the W3C
// `traceparent` propagator, and exports spans over OTLP/HTTP in batches. The standard OTEL_*
// variables (service name, headers, sampler) apply as the exporter and SDK read them.
//
// One trace per request: the HTTP span (`httpTracing`, around Fastify's handler, continuing an
// incoming `traceparent`), the GraphQL operation (src/http/routes/graphql.ts opens it, the
// GraphQL layer names it), each pool acquisition and SQL statement (./pg.ts), each Redis command
// (./redis.ts).
//
// DANGER: span attributes are read by whoever runs the collector. Record route patterns, never
// paths (feed and digest links carry tokens) or query strings; SQL text with its literals
// blanked and never its bound values; Redis command names, never keys or arguments.
import type http from 'node:http';
import { context, propagation, trace, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import type { TraceSampler } from '../../config.ts';

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is left and unregisters the globals. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT; undefined (and no `exporter`): tracing off, null returned. */
  otlpEndpoint: string | undefined;
  /** Tests: spans go here, one at a time as they end, instead of OTLP. */
  exporter?: SpanExporter;
  serviceName?: string;
  /** OTEL_TRACES_SAMPLER and its ratio (OTEL_TRACES_SAMPLER_ARG); default: every trace, a caller's decision kept. */
  sampler?: TraceSampler;
  samplerRatio?: number;
}

export async function startTracing({ otlpEndpoint, exporter, serviceName = 'paper-catalog', sampler = 'parentbased_always_on', samplerRatio = 1 }: TracingOptions): Promise<Tracing | null> {
  if (!otlpEndpoint && !exporter) return null;
  const [{ TracerProvider, BatchSpanProcessor, SimpleSpanProcessor, AlwaysOnSampler, AlwaysOffSampler, TraceIdRatioBasedSampler, ParentBasedSampler }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  let processor;
  if (exporter) {
    processor = new SimpleSpanProcessor({ exporter });
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS itself.
    processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  }
  // The standard sampler names, which this SDK (unlike sdk-node) does not read from the environment itself.
  const root: Sampler = sampler.endsWith('always_on') ? new AlwaysOnSampler() : sampler.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(samplerRatio);
  const provider = new TracerProvider({
    sampler: sampler.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root,
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || serviceName }),
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: trace.getTracer('paper-catalog'),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

const HTTP_SPAN = Symbol('telemetry.httpSpan');
const UNTRACED = /^\/(metrics|healthz|readyz)(\?|$)/;
type Traced = http.IncomingMessage & { [HTTP_SPAN]?: Span };

/**
 * Node's request handler, each request run inside its HTTP span: a child of the caller's span
 * when the request has a `traceparent`. The span ends when the response is finished (or the
 * connection closes first); its name is the method until the route is known (`nameHttpSpan`).
 */
export function httpTracing(tracing: Tracing, handler: http.RequestListener): http.RequestListener {
  return (req, res) => {
    // Scrapes and probes come every few seconds and say nothing about a request: no trace.
    if (UNTRACED.test(req.url ?? '')) return handler(req, res);
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracing.tracer.startSpan(req.method ?? 'HTTP', { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '' } }, parent);
    (req as Traced)[HTTP_SPAN] = span;
    const end = () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('close', end);
    context.with(trace.setSpan(parent, span), () => handler(req, res));
  };
}

/** Names the request's HTTP span by its route pattern (`GET /feeds/topics/:slug`), never its path. */
export function nameHttpSpan(req: http.IncomingMessage, route: string): void {
  const span = (req as Traced)[HTTP_SPAN];
  if (!span) return;
  span.updateName(`${req.method} ${route}`);
  span.setAttribute('http.route', route);
}

/** The trace id of the request's HTTP span, for its log line; undefined with tracing off. */
export function traceIdOf(req: http.IncomingMessage): string | undefined {
  return (req as Traced)[HTTP_SPAN]?.spanContext().traceId;
}

/** Runs `fn` inside a new span, a child of the active one, ended when `fn` settles. */
export function inSpan<T>(tracing: Tracing, name: string, fn: () => Promise<T>): Promise<T> {
  return tracing.tracer.startActiveSpan(name, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Names the active span as the GraphQL operation it runs (`query Daily`), with its name and type
 * as attributes. Does nothing with tracing off (no active span).
 */
export function nameOperationSpan(name: string | null | undefined, type: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(name ? `${type} ${name}` : type);
  span.setAttribute('graphql.operation.type', type);
  if (name) span.setAttribute('graphql.operation.name', name.slice(0, 100));
}

/** Marks the active span as failed with these error codes (extensions.code), never their messages. */
export function spanErrorCodes(codes: readonly string[]): void {
  const span = trace.getActiveSpan();
  if (!span || codes.length === 0) return;
  span.setAttribute('graphql.error.codes', [...new Set(codes)].slice(0, 10));
  span.setStatus({ code: SpanStatusCode.ERROR });
}
