// One delivery attempt: POST the body with the Standard Webhooks headers to the address that
// targets.ts checked (node's `lookup` pinned to it, so the connection cannot go elsewhere; TLS
// still verifies the certificate of the URL's host name), within one timeout for the whole
// exchange, without following redirects (a 3xx is a failure like any non-2xx).
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedTarget } from './targets.ts';

/** Most bytes of an answer read (and thrown away): a receiver's body is never stored. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface AttemptResult {
  /** The HTTP status; null when none came. */
  status: number | null;
  /** Retry-After of a 429 or 503, in ms. */
  retryAfterMs: number | null;
  durationMs: number;
  /** Why it failed, for the delivery's record (a 2xx: null). */
  error: string | null;
}

export interface Attempt {
  target: ResolvedTarget;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function sendAttempt({ target, body, headers, timeoutMs }: Attempt): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { url, address, family } = target;
  // Every name this request looks up is answered with the checked address.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const request = client.request(url, {
      method: 'POST',
      lookup: pinned,
      // A fresh connection per attempt: a kept-alive socket might have been opened to another address.
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'paper-catalog-webhooks/1', ...headers },
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({ status: null, retryAfterMs: null, error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after'] as string | undefined) : null;
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) response.destroy();
      });
      const done = () => finish({ status, retryAfterMs, error: status >= 200 && status < 300 ? null : `answered ${status}` });
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    request.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, retryAfterMs: null, error: `connection failed (${error.code ?? 'error'})` }));
    request.end(body);
  });
}
