// The telemetry object: the process's metrics (always) and its tracing (null when off). Built by
// the composition root (src/main.ts) and handed down like the platform object; a piece that
// records takes it, or the half it needs, as an argument.
import { Metrics, type JobName, type MetricsOptions } from './metrics.ts';
import { inSpan, startTracing, type Tracing, type TracingOptions } from './tracing.ts';

export interface Telemetry {
  readonly metrics: Metrics;
  /** null: tracing off (OTEL_EXPORTER_OTLP_ENDPOINT unset), and no SDK loaded. */
  readonly tracing: Tracing | null;
}

export async function createTelemetry(options: MetricsOptions & TracingOptions): Promise<Telemetry> {
  return { metrics: new Metrics(options), tracing: await startTracing(options) };
}

/** Runs a background job's run, counted (runs, failures, time, last success) and, with tracing, as a trace of its own. */
export function trackJob<T>({ metrics, tracing }: Telemetry, job: JobName, run: () => Promise<T>): Promise<T> {
  return metrics.job(job, tracing ? () => inSpan(tracing, `job ${job}`, run) : run);
}
