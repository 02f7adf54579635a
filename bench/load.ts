// One load step: autocannon on loopback, N keep-alive connections, one request in flight per
// connection, bounded in time and in count, every response checked (2xx and no GraphQL
// `errors`). Latencies are kept exactly (autocannon's own histogram rounds to whole ms, too
// coarse for sub-millisecond answers) and percentiles computed from them.
import autocannon from 'autocannon';
import type { HttpCall } from './operations.ts';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Stop after this many responses even if time is left. */
  maxRequests: number;
  /**
   * Send exactly this many requests and wait for every answer, however long that takes, instead
   * of stopping at `durationS` (which drops the answers still in flight: for an operation slower
   * than the step, nothing would be measured at all).
   */
  amount?: number;
  /** Seconds a request may take before it counts as a timeout; default 10. */
  timeoutS?: number;
  next: () => HttpCall;
}

export interface Latency {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  connections: number;
  /** Seconds actually measured. */
  seconds: number;
  requests: number;
  /** Responses per second (2xx, no errors). */
  rps: number;
  /** Milliseconds, of the good responses. */
  latency: Latency;
  non2xx: number;
  /** 2xx responses carrying GraphQL `errors`. */
  graphqlErrors: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(latencies: Float64Array): Latency {
  const sorted = Float64Array.from(latencies).sort();
  const round = (v: number) => Math.round(v * 100) / 100;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: round(sum / (sorted.length || 1)),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Float64Array((options.amount ?? options.maxRequests) + options.connections);
  let good = 0;
  let bad = 0;
  let graphqlErrors = 0;
  // autocannon calls a request's onResponse (which sees the body) just before it emits
  // 'response' (which has the latency) for the same response.
  let lastHadErrors = false;
  let started = 0;
  let lastAt = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        ...(options.amount === undefined ? { duration: options.durationS } : { amount: options.amount }),
        timeout: options.timeoutS ?? 10,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const call = options.next();
              return { ...request, path: call.path, body: call.body, headers: call.headers };
            },
            // A GraphQL error comes with status 200: counted apart, not as a good answer.
            onResponse: (status, body) => {
              lastHadErrors = status >= 200 && status < 300 && String(body).includes('"errors":[');
              if (lastHadErrors) graphqlErrors++;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = Math.max(0.001, ((lastAt || performance.now()) - started) / 1000);
        resolve({
          connections: options.connections,
          seconds: Math.round(seconds * 100) / 100,
          requests: good,
          rps: Math.round((good / seconds) * 10) / 10,
          latency: summarize(latencies.subarray(0, Math.min(good, latencies.length))),
          non2xx: result.non2xx,
          graphqlErrors,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    started = performance.now();
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300 && !lastHadErrors) {
        if (good < latencies.length) latencies[good] = responseTime;
        good++;
      } else {
        bad++;
      }
      lastHadErrors = false;
      lastAt = performance.now();
      if (options.amount === undefined && good + bad >= options.maxRequests) instance.stop();
    });
  });
}
