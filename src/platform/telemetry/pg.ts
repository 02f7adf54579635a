// A pg pool as telemetry sees it: its counters at every scrape, the time each connection took to
// get (and whether it had to wait for one), and each statement's time; with tracing, a span for
// each acquisition and each statement. Prisma's statements and the read path's all pass through
// the pool's clients, so one wrapper per client counts both.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { context, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Telemetry } from './telemetry.ts';

/** SQL text as a span shows it: string literals blanked (the app's values are bound as $n). */
export function sqlForSpan(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "'?'").slice(0, 4000);
}

const WRAPPED = Symbol('telemetry.wrapped');

export function instrumentPool(pool: pg.Pool, name: string, { metrics, tracing }: Telemetry): void {
  metrics.watchPool(name, pool);
  const max = pool.options.max ?? 10;
  const connect = pool.connect.bind(pool) as (callback?: (error: Error | undefined, client?: pg.PoolClient, done?: unknown) => void) => Promise<pg.PoolClient> | undefined;
  // pool.query takes its connection through this.connect too.
  (pool as { connect: unknown }).connect = (callback?: (error: Error | undefined, client?: pg.PoolClient, done?: unknown) => void) => {
    // It waits when no connection is left for it: the idle ones are promised to the requests
    // queued before it (pg-pool hands them over on the next tick), and no new one may be opened.
    const waited = pool.idleCount - pool.waitingCount + (max - pool.totalCount) <= 0;
    const started = performance.now();
    const span = tracing && inTrace() && tracing.tracer.startSpan('pg.connect', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.pool.name': name, 'db.pool.waited': waited } });
    const done = (error: unknown) => {
      metrics.poolAcquired(name, (performance.now() - started) / 1000, waited);
      if (span) endSpan(span, error);
    };
    if (callback) {
      // The callback may run when another request releases a connection: bind it to this one's trace.
      const active = context.active();
      return connect((error, client, release) => {
        done(error);
        context.with(active, () => callback(error, client, release));
      });
    }
    const result = connect()!;
    result.then(() => done(undefined), done);
    return result;
  };
  pool.on('connect', (client) => instrumentClient(client, name, { metrics, tracing }));
}

/**
 * Spans only inside a trace (a request's, a job's): the replicas' health checks every second and
 * the pool's own housekeeping would otherwise each make a trace of one span.
 */
const inTrace = () => trace.getSpan(context.active()) !== undefined;

function endSpan(span: Span, error: unknown): void {
  if (error) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

type Callback = (error: Error | null, result?: unknown) => void;

function instrumentClient(client: pg.Client, pool: string, { metrics, tracing }: Telemetry): void {
  const marked = client as pg.Client & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return;
  marked[WRAPPED] = true;
  const query = client.query as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = function (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) {
    // Cursors and streams (submittables) pass untouched: the app sends none.
    if (config !== null && typeof config === 'object' && typeof (config as { submit?: unknown }).submit === 'function') return query.call(this, config, values, callback);
    const started = performance.now();
    const span = tracing && inTrace()
      ? tracing.tracer.startSpan('pg.query', {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'postgresql',
            'db.pool.name': pool,
            'db.query.text': sqlForSpan(typeof config === 'string' ? config : String((config as { text?: unknown } | null)?.text ?? '')),
          },
        })
      : undefined;
    const done = (error: unknown) => {
      metrics.statement(pool, (performance.now() - started) / 1000, Boolean(error));
      if (span) endSpan(span, error);
    };
    if (typeof values === 'function') {
      return query.call(this, config, (error: Error | null, result: unknown) => {
        done(error);
        (values as Callback)(error, result);
      });
    }
    if (typeof callback === 'function') {
      return query.call(this, config, values, (error: Error | null, result: unknown) => {
        done(error);
        (callback as Callback)(error, result);
      });
    }
    const result = query.call(this, config, values) as Promise<unknown>;
    result.then(() => done(undefined), done);
    return result;
  };
}
