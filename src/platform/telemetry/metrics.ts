// The Prometheus metrics of one process (prom-client), in a registry of its own: built once by
// the composition root (src/main.ts), handed down inside the telemetry object, served at /metrics
// (src/http/metrics.ts). Each place that records calls one small method here; the names, labels
// and buckets are all in this file, and the README's "Operations" section lists them.
//
// DANGER: a label value must come from a closed set (routes, codes, pool and job names) or be
// bounded here (operation names: `operationLabel`). Never a token, an address, an email, a
// query text or a variable: every label is kept for ever by Prometheus, and a scrape can be read
// by whoever runs it.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';
/** ok: no errors; partial: errors beside data; failed: errors and no data (refused, invalid, timed out). */
export type OperationOutcome = 'ok' | 'partial' | 'failed';
/**
 * The server's background jobs (src/main.ts). OAI harvests run in `npm run import`'s own process,
 * which nobody scrapes: not here.
 */
export type JobName = 'trending' | 'digests' | 'embeddings' | 'related' | 'webhooks';

/** What a pg.Pool tells of itself (pg-pool's counters). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** A read replica as src/platform/db/replicas.ts reports it. */
export interface ReplicaReport {
  readonly name: string;
  readonly healthy: boolean;
  readonly lagSeconds: number | null;
}

/** Label of an operation that is anonymous, unknown, or past the first `maxOperationNames` distinct names. */
export const OTHER_OPERATION = 'other';

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Seconds; the daily page takes about 8 ms, a cached one under 1 ms, the operation timeout 10 s.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STATEMENT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];

export interface MetricsOptions {
  /** Distinct operation names kept as label values (METRICS_OPERATION_NAMES); default 100. */
  maxOperationNames?: number;
  /** The default Node process metrics (event-loop lag, GC, heap, RSS); default true. */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly maxOperationNames: number;
  private readonly operationNames = new Set<string>();
  private readonly pools = new Map<string, PoolCounts>();
  private replicas: () => readonly ReplicaReport[] = () => [];
  private redis: (() => boolean) | null = null;
  private live: (() => { connections: number; subscriptions: number }) | null = null;

  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly operations: Counter<'operation' | 'type' | 'outcome'>;
  private readonly operationExecution: Histogram<'operation' | 'type'>;
  private readonly operationDuration: Histogram<'operation' | 'type'>;
  private readonly errors: Counter<'code'>;
  private readonly rateLimitRejections: Counter<'transport'>;
  private readonly statements: Histogram<'pool'>;
  private readonly statementErrors: Counter<'pool'>;
  private readonly poolWaits: Counter<'pool'>;
  private readonly poolWaitSeconds: Histogram<'pool'>;
  private readonly replicaSkips: Counter<'replica' | 'reason'>;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private readonly jobDuration: Histogram<'job'>;
  private readonly jobLastSuccess: Gauge<'job'>;

  constructor({ maxOperationNames = 100, processMetrics = true }: MetricsOptions = {}) {
    this.maxOperationNames = maxOperationNames;
    const registers = [this.registry];
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    this.httpDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request time from arrival to the response sent', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers });
    this.operations = new Counter({ name: 'graphql_operations_total', help: 'GraphQL operations over HTTP, by operation name (bounded), type and outcome', labelNames: ['operation', 'type', 'outcome'], registers });
    this.operationExecution = new Histogram({ name: 'graphql_operation_execution_seconds', help: 'Parse, validation and execution of a GraphQL operation together', labelNames: ['operation', 'type'], buckets: LATENCY_BUCKETS, registers });
    this.operationDuration = new Histogram({ name: 'graphql_operation_duration_seconds', help: 'A GraphQL operation in all, from the request reaching Apollo to its response', labelNames: ['operation', 'type'], buckets: LATENCY_BUCKETS, registers });
    this.errors = new Counter({ name: 'graphql_errors_total', help: 'Errors answered over HTTP, by extensions.code', labelNames: ['code'], registers });
    this.rateLimitRejections = new Counter({ name: 'rate_limit_rejections_total', help: 'Requests and subscriptions refused with RATE_LIMITED', labelNames: ['transport'], registers });
    this.statements = new Histogram({ name: 'db_statement_duration_seconds', help: 'SQL statements sent (Prisma and the read path), by pool; _count counts them', labelNames: ['pool'], buckets: STATEMENT_BUCKETS, registers });
    this.statementErrors = new Counter({ name: 'db_statement_errors_total', help: 'SQL statements that failed, by pool', labelNames: ['pool'], registers });
    this.poolWaits = new Counter({ name: 'db_pool_waits_total', help: 'Connection requests that found the pool exhausted and queued', labelNames: ['pool'], registers });
    this.poolWaitSeconds = new Histogram({ name: 'db_pool_acquire_seconds', help: 'Time to get a pool connection (a free one, a new one, or after a wait)', labelNames: ['pool'], buckets: STATEMENT_BUCKETS, registers });
    this.replicaSkips = new Counter({ name: 'db_replica_skipped_total', help: 'Reads meant for a replica that went to the primary: none healthy, or the replica failed', labelNames: ['replica', 'reason'], registers });
    this.jobRuns = new Counter({ name: 'job_runs_total', help: 'Background job runs, by job and outcome', labelNames: ['job', 'outcome'], registers });
    this.jobDuration = new Histogram({ name: 'job_duration_seconds', help: 'Background job run time', labelNames: ['job'], buckets: [0.01, 0.1, 1, 10, 60, 300, 1800], registers });
    this.jobLastSuccess = new Gauge({ name: 'job_last_success_timestamp_seconds', help: 'Unix time of the last successful run of each job', labelNames: ['job'], registers });

    // Read at scrape time from what holds the numbers.
    const pools = this.pools;
    new Gauge({
      name: 'db_pool_connections', help: 'Pool connections by pool (primary, each replica) and state: total open, idle, and requests waiting for one', labelNames: ['pool', 'state'], registers,
      collect() {
        this.reset();
        for (const [pool, counts] of pools) {
          this.set({ pool, state: 'total' }, counts.totalCount);
          this.set({ pool, state: 'idle' }, counts.idleCount);
          this.set({ pool, state: 'waiting' }, counts.waitingCount);
        }
      },
    });
    const replicas = () => this.replicas();
    new Gauge({
      name: 'db_replica_lag_seconds', help: 'Upper bound on how far each replica is behind the primary (absent while unreachable)', labelNames: ['replica'], registers,
      collect() {
        this.reset();
        for (const r of replicas()) if (r.lagSeconds !== null) this.set({ replica: r.name }, r.lagSeconds);
      },
    });
    new Gauge({
      name: 'db_replica_healthy', help: '1 while a replica answers within DATABASE_MAX_REPLICA_LAG_SECONDS, else 0 (skipped)', labelNames: ['replica'], registers,
      collect() {
        this.reset();
        for (const r of replicas()) this.set({ replica: r.name }, r.healthy ? 1 : 0);
      },
    });
    const redis = () => this.redis;
    new Gauge({
      name: 'redis_up', help: '1 while the Redis command connection is up; absent without REDIS_URL', registers,
      collect() {
        this.reset();
        const ready = redis();
        if (ready) this.set(ready() ? 1 : 0);
      },
    });
    const live = () => this.live?.() ?? { connections: 0, subscriptions: 0 };
    new Gauge({ name: 'websocket_connections', help: 'Open WebSocket connections', registers, collect() { this.set(live().connections); } });
    new Gauge({ name: 'graphql_subscriptions', help: 'GraphQL subscriptions open over WebSocket', registers, collect() { this.set(live().subscriptions); } });
  }

  /**
   * The label of an operation name: the name itself while it is among the first
   * `maxOperationNames` distinct names this process saw, else `other`; anonymous and unknown
   * operations are `other` too. A client sending ever new names cannot grow the series.
   */
  operationLabel(name: string | null | undefined): string {
    if (!name) return OTHER_OPERATION;
    if (this.operationNames.has(name)) return name;
    // GraphQL names are [_A-Za-z][_0-9A-Za-z]*; a longer one is a client's noise.
    if (this.operationNames.size >= this.maxOperationNames || name.length > 100 || name === OTHER_OPERATION) return OTHER_OPERATION;
    this.operationNames.add(name);
    return name;
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const m = HTTP_METHODS.has(method) ? method : 'OTHER';
    this.httpRequests.inc({ method: m, route, status: String(status) });
    this.httpDuration.observe({ method: m, route }, seconds);
  }

  operation(report: { name: string | null | undefined; type: OperationType; outcome: OperationOutcome; executionSeconds?: number | undefined; totalSeconds: number }): void {
    const labels = { operation: this.operationLabel(report.name), type: report.type };
    this.operations.inc({ ...labels, outcome: report.outcome });
    if (report.executionSeconds !== undefined) this.operationExecution.observe(labels, report.executionSeconds);
    this.operationDuration.observe(labels, report.totalSeconds);
  }

  /** An error answered, by its `extensions.code` (a closed set: src/platform/errors.ts; others count as OTHER). */
  error(code: unknown): void {
    this.errors.inc({ code: typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'OTHER' });
  }

  rateLimited(transport: 'http' | 'websocket'): void {
    this.rateLimitRejections.inc({ transport });
  }

  statement(pool: string, seconds: number, failed: boolean): void {
    this.statements.observe({ pool }, seconds);
    if (failed) this.statementErrors.inc({ pool });
  }

  poolAcquired(pool: string, seconds: number, waited: boolean): void {
    this.poolWaitSeconds.observe({ pool }, seconds);
    if (waited) this.poolWaits.inc({ pool });
  }

  replicaSkipped(replica: string, reason: 'unhealthy' | 'failed'): void {
    this.replicaSkips.inc({ replica, reason });
  }

  /** Reports this pool's counters at every scrape. */
  watchPool(name: string, pool: PoolCounts): void {
    this.pools.set(name, pool);
  }

  watchReplicas(status: () => readonly ReplicaReport[]): void {
    this.replicas = status;
  }

  watchRedis(ready: () => boolean): void {
    this.redis = ready;
  }

  watchSubscriptions(counts: () => { connections: number; subscriptions: number }): void {
    this.live = counts;
  }

  /** Runs one job, counting it: success or failure, its time, and when it last succeeded. Rethrows. */
  async job<T>(job: JobName, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.jobRuns.inc({ job, outcome: 'success' });
      this.jobLastSuccess.set({ job }, Date.now() / 1000);
      return result;
    } catch (error) {
      this.jobRuns.inc({ job, outcome: 'failure' });
      throw error;
    } finally {
      this.jobDuration.observe({ job }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Counts one run that was timed elsewhere, as job() would: a webhook delivery attempt is the
   * `webhooks` job's run (its worker reports each attempt, src/main.ts).
   */
  jobRan(job: JobName, succeeded: boolean, seconds: number): void {
    this.jobRuns.inc({ job, outcome: succeeded ? 'success' : 'failure' });
    if (succeeded) this.jobLastSuccess.set({ job }, Date.now() / 1000);
    this.jobDuration.observe({ job }, seconds);
  }

  /** The text a scrape answers (Prometheus exposition format 0.0.4). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
