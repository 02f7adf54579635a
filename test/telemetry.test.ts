// Metrics, traces and logs as an operator reads them: /metrics scraped over HTTP and read with a
// Prometheus text parser after a known sequence of requests; spans collected by the
// OpenTelemetry in-memory exporter; and no secret (token, email, password) in any metric label,
// span attribute or log line.
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { loadConfig } from '../src/config.ts';
import { createGraphQL } from '../src/graphql/schema.ts';
import { buildApp, listen, type RunningApp } from '../src/http/app.ts';
import { createServer } from '../src/http/server.ts';
import { createDb, type Database } from '../src/platform/db/client.ts';
import { createLogger } from '../src/platform/logger.ts';
import { Metrics, OTHER_OPERATION } from '../src/platform/telemetry/metrics.ts';
import type { Telemetry } from '../src/platform/telemetry/telemetry.ts';
import { startTracing, type Tracing } from '../src/platform/telemetry/tracing.ts';
import { testPlatform, usingRealPostgres } from './helpers/database.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { userWithToken } from './helpers/server.ts';
import { until } from './helpers/wait.ts';
import { parsePrometheusText, valueOf as sample, type Sample } from './helpers/prometheus.ts';

const run = setupTestRunner({ scenario: smallCatalog, server: false, reset: 'once' });

interface Stack {
  url: string;
  database: Database;
  logs: string[];
  close(): Promise<void>;
}

/** The production app over the test database, with its own pools (2 connections) recording into `telemetry`. */
async function startStack(telemetry: Telemetry, env: Record<string, string> = {}, replicaUrls: string[] = []): Promise<Stack> {
  const config = loadConfig({ NODE_ENV: 'test', RATE_LIMIT_POINTS_PER_MS: '0', ...env });
  const database = createDb({
    connectionString: run.t.url,
    poolSize: 2,
    prepare: usingRealPostgres,
    telemetry,
    ...(replicaUrls.length > 0 ? { replicas: { urls: replicaUrls, maxLagSeconds: 10 } } : {}),
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ logLevel: 'info' }, destination);
  const graphql = createGraphQL(config);
  const apollo = createServer({ config, logger, graphql, metrics: telemetry.metrics });
  await apollo.start();
  let running: RunningApp | undefined;
  try {
    const app = await buildApp({ apollo, platform: testPlatform(database), logger, config, telemetry });
    running = await listen(app, 0, '127.0.0.1');
  } catch (error) {
    await apollo.stop();
    await database.close();
    throw error;
  }
  const { url } = running;
  return {
    url,
    database,
    logs,
    async close() {
      await running.close();
      await apollo.stop();
      await database.close();
    },
  };
}

async function post(stack: Stack, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[]; extensions?: { cost?: { remaining?: number } } } };
}

async function scrape(stack: Stack, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(`${stack.url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

const DAILY = 'query Daily { dailyPapers(date: "2024-07-02") { date papers(first: 2) { nodes { title } } } }';

describe('/metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A 60-point budget, so that a query costing more than what is left is refused with 429; three
    // operation names kept as labels.
    stack = await startStack({ metrics: new Metrics({ maxOperationNames: 3 }), tracing: null }, { RATE_LIMIT_POINTS: '60', GRAPHQL_MAX_COST: '60' });
  });
  afterAll(() => stack?.close());

  test('counts a known sequence of requests exactly: operations by name, type and outcome, errors by code, rejections, routes', async () => {
    for (let i = 0; i < 3; i++) expect((await post(stack, DAILY)).status).toBe(200);
    const named = await post(stack, 'query A { __typename }');
    expect(named.status).toBe(200);
    // Costs one point more than the budget has left: refused before it runs.
    const remaining = named.body.extensions!.cost!.remaining!;
    expect(remaining).toBeGreaterThan(5);
    const refused = await post(stack, `query Big { papers(first: ${remaining}) { nodes { title } } }`);
    expect(refused.status).toBe(429);
    expect(refused.body.errors![0]!.extensions.code).toBe('RATE_LIMITED');
    // Past the three kept names (Daily, A, Big), and anonymous: both `other`.
    expect((await post(stack, 'query B { __typename }')).status).toBe(200);
    expect((await post(stack, '{ __typename }')).status).toBe(200);

    const metrics = await scrape(stack);
    expect(sample(metrics, 'graphql_operations_total', { operation: 'Daily', type: 'query', outcome: 'ok' })).toBe(3);
    expect(sample(metrics, 'graphql_operations_total', { operation: 'A', type: 'query', outcome: 'ok' })).toBe(1);
    expect(sample(metrics, 'graphql_operations_total', { operation: 'Big', type: 'query', outcome: 'failed' })).toBe(1);
    expect(sample(metrics, 'graphql_operations_total', { operation: OTHER_OPERATION, type: 'query', outcome: 'ok' })).toBe(2);
    expect(sample(metrics, 'graphql_operations_total', { operation: 'B' })).toBe(0);
    const operations = metrics.filter((m) => m.name === 'graphql_operations_total');
    expect(new Set(operations.map((m) => m.labels.operation))).toEqual(new Set(['Daily', 'A', 'Big', OTHER_OPERATION]));

    expect(sample(metrics, 'graphql_operation_duration_seconds_count', { operation: 'Daily', type: 'query' })).toBe(3);
    expect(sample(metrics, 'graphql_operation_execution_seconds_count', { operation: 'Daily', type: 'query' })).toBe(3);
    expect(sample(metrics, 'graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
    expect(metrics.filter((m) => m.name === 'graphql_errors_total')).toHaveLength(1);
    expect(sample(metrics, 'rate_limit_rejections_total', { transport: 'http' })).toBe(1);
    expect(sample(metrics, 'http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(6);
    expect(sample(metrics, 'http_requests_total', { method: 'POST', route: '/graphql', status: '429' })).toBe(1);
    expect(sample(metrics, 'http_request_duration_seconds_count', { method: 'POST', route: '/graphql' })).toBe(7);
    // The daily pages' statements went through the primary's pool.
    expect(sample(metrics, 'db_statement_duration_seconds_count', { pool: 'primary' })).toBeGreaterThanOrEqual(3);
    expect(sample(metrics, 'db_pool_connections', { pool: 'primary', state: 'total' })).toBeGreaterThan(0);
    // Node's own: event-loop lag, heap, RSS.
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_resident_memory_bytes']) {
      expect(metrics.map((m) => m.name)).toContain(name);
    }
  });

  test("counts Node's garbage collections once one has happened", async () => {
    // The GC histogram has a series only after a collection was observed, and a short test may
    // run before the first one (it failed so in CI). Make garbage (the server runs in this
    // process) until a scrape shows a collection, for at most 10 s.
    const deadline = Date.now() + 10_000;
    let collections = 0;
    while (collections === 0 && Date.now() < deadline) {
      let garbage: number[][] = [];
      for (let i = 0; i < 2_000; i++) garbage.push(new Array<number>(1_000).fill(i));
      garbage = [];
      collections = (await scrape(stack)).filter((m) => m.name === 'nodejs_gc_duration_seconds_count').reduce((sum, m) => sum + m.value, garbage.length);
    }
    expect(collections).toBeGreaterThan(0);
  });

  test('an exhausted pool shows a waiting request while it waits, and counts the wait once', async () => {
    const before = sample(await scrape(stack), 'db_pool_waits_total', { pool: 'primary' });
    const sleep = { text: 'SELECT pg_sleep(0.5)', values: [] };
    // Two connections: the third statement waits for one of them.
    const reads = [0, 1, 2].map(() => stack.database.primaryReader.rows(sleep));
    await until(async () => sample(await scrape(stack), 'db_pool_connections', { pool: 'primary', state: 'waiting' }) === 1, 'a statement waiting for a connection');
    await Promise.all(reads);
    const after = await scrape(stack);
    expect(sample(after, 'db_pool_waits_total', { pool: 'primary' }) - before).toBe(1);
    expect(sample(after, 'db_pool_connections', { pool: 'primary', state: 'waiting' })).toBe(0);
  });

  test('/metrics wants the METRICS_TOKEN when one is set, and is not served in production without one', async () => {
    const guarded = await startStack({ metrics: new Metrics({ processMetrics: false }), tracing: null }, { METRICS_TOKEN: 'scrape-token-0123456789' });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      await scrape(guarded, { authorization: 'Bearer scrape-token-0123456789' });
    } finally {
      await guarded.close();
    }
    const production = await startStack({ metrics: new Metrics({ processMetrics: false }), tracing: null }, { NODE_ENV: 'production' });
    try {
      expect((await fetch(`${production.url}/metrics`)).status).toBe(404);
    } finally {
      await production.close();
    }
  });
});

test('operation names stay bounded: 10,000 distinct names make at most the first N series plus `other`', async () => {
  const metrics = new Metrics({ maxOperationNames: 100, processMetrics: false });
  for (let i = 0; i < 10_000; i++) metrics.operation({ name: `Op${i}`, type: 'query', outcome: 'ok', executionSeconds: 0.001, totalSeconds: 0.002 });
  metrics.operation({ name: null, type: 'query', outcome: 'ok', totalSeconds: 0.001 });
  const samples = parsePrometheusText((await metrics.scrape()).body);
  const names = new Set(samples.filter((m) => m.name === 'graphql_operations_total').map((m) => m.labels.operation));
  expect(names.size).toBe(101);
  expect(names.has('Op99')).toBe(true);
  expect(names.has('Op100')).toBe(false);
  expect(sample(samples, 'graphql_operations_total', { operation: OTHER_OPERATION })).toBe(10_000 - 100 + 1);
});

test('a webhook delivery attempt counts as a run of the webhooks job: delivered or failed, and when one last succeeded', async () => {
  const metrics = new Metrics({ processMetrics: false });
  metrics.jobRan('webhooks', true, 0.05);
  metrics.jobRan('webhooks', false, 15);
  metrics.jobRan('webhooks', true, 0.02);
  const samples = parsePrometheusText((await metrics.scrape()).body);
  expect(sample(samples, 'job_runs_total', { job: 'webhooks', outcome: 'success' })).toBe(2);
  expect(sample(samples, 'job_runs_total', { job: 'webhooks', outcome: 'failure' })).toBe(1);
  expect(sample(samples, 'job_last_success_timestamp_seconds', { job: 'webhooks' })).toBeGreaterThan(Date.now() / 1000 - 60);
});

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: Stack;
  const password = 's3cret-replica-password';
  beforeAll(async () => {
    tracing = (await startTracing({ otlpEndpoint: undefined, exporter }))!;
    // A "replica" with a password in its URL (trust auth lets it in; it is no replica, so it is
    // skipped): its name may appear in labels, its password never.
    const replica = new URL(run.t.url);
    replica.username = 'postgres';
    replica.password = password;
    stack = await startStack({ metrics: new Metrics(), tracing }, {}, [replica.toString()]);
  });
  afterAll(async () => {
    await stack?.close();
    await tracing?.shutdown();
  });

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpanId = '00f067aa0ba902b7';

  test('one trace per request, continuing the caller\'s traceparent: HTTP → operation → statements, with nothing secret in it', async () => {
    const { token } = await userWithToken(run.t, 'tracer');
    const email = 'ada.lovelace@example.org';
    exporter.reset();
    const answer = await post(stack, 'query Search($q: String!) { papers(query: $q, first: 2) { nodes { title } } }', { q: email }, { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` });
    expect(answer.status).toBe(200);
    await until(() => exporter.getFinishedSpans().some((s) => s.name === 'POST /graphql'), 'the HTTP span ended');
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

    const http = spans.find((s) => s.name === 'POST /graphql')!;
    expect(http).toBeDefined();
    expect(parentOf(http)).toBe(callerSpanId);
    expect(http.attributes['http.route']).toBe('/graphql');
    expect(http.attributes['http.response.status_code']).toBe(200);

    const operation = spans.find((s) => s.name === 'query Search')!;
    expect(operation).toBeDefined();
    expect(parentOf(operation)).toBe(http.spanContext().spanId);
    expect(operation.attributes['graphql.operation.name']).toBe('Search');

    const statements = spans.filter((s) => s.name === 'pg.query');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(parentOf(statement)).toBe(operation.spanContext().spanId);
    expect(statements.some((s) => String(s.attributes['db.query.text']).includes('$1'))).toBe(true);
    expect(spans.some((s) => s.name === 'pg.connect' && parentOf(s) === operation.spanContext().spanId)).toBe(true);

    // The request's log line names its request and its trace.
    const line = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.traceId === traceId);
    expect(line).toMatchObject({ requestId: expect.any(String), operationName: 'Search', client: 'token' });

    // No secret anywhere an operator reads: span names and attributes, metric labels, log lines.
    const everything = [
      JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events }))),
      await (await fetch(`${stack.url}/metrics`)).text(),
      stack.logs.join('\n'),
    ].join('\n');
    for (const secret of [token, token.slice(-20), email, password]) expect(everything).not.toContain(secret);
    expect(everything).toContain('db_replica_healthy{replica="');
  });

  test('a request without traceparent starts a trace of its own', async () => {
    exporter.reset();
    await post(stack, DAILY);
    await until(() => exporter.getFinishedSpans().some((s) => s.name === 'POST /graphql'), 'the HTTP span ended');
    const http = exporter.getFinishedSpans().find((s) => s.name === 'POST /graphql')!;
    expect(http.parentSpanContext).toBeUndefined();
    expect(http.spanContext().traceId).not.toBe(traceId);
    expect(exporter.getFinishedSpans().some((s) => s.name === 'query Daily' && s.spanContext().traceId === http.spanContext().traceId)).toBe(true);
  });
});
