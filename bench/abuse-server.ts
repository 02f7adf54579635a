// The API under test for bench/abuse.ts and bench/calibrate.ts: a production build (a folder
// saved by `bash bench/ab.sh save NAME`, or any folder holding dist/main.js; by default the
// current tree, built with `npm run build`) started as `npm run start:prod` starts it, with
// production settings and, unlike bench/run.ts, the rate and cost limits of the defaults (the
// budget is what these benches measure).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { API_NODE_ARGS, buildApi, ROOT, startServer, type RunningServer } from './processes.ts';

export interface Build {
  /** The name shown in reports: the saved build's name, or "current". */
  name: string;
  /** Folder holding dist/main.js. */
  dir: string;
}

/**
 * `--build` values: a name saved by bench/ab.sh (.bench-builds/NAME) or a folder with
 * dist/main.js. None: the current tree, built now.
 */
export function resolveBuilds(values: string[] | undefined, log: (m: string) => void): Build[] {
  if (!values?.length) {
    buildApi(log);
    return [{ name: 'current', dir: ROOT }];
  }
  return values.map((value) => {
    for (const dir of [path.join(ROOT, '.bench-builds', value), path.resolve(value)]) {
      if (fs.existsSync(path.join(dir, 'dist/main.js'))) return { name: path.basename(dir) === path.basename(ROOT) ? 'current' : path.basename(dir), dir };
    }
    throw new Error(`no build "${value}": save one with \`bash bench/ab.sh save ${value}\`, or give a folder holding dist/main.js`);
  });
}

/** Production's environment; RATE_LIMIT_* and GRAPHQL_MAX_COST at their defaults unless given. */
export function apiEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    TRENDING_REFRESH_SECONDS: '86400',
    // Empty: the server's default (src/config.ts), whatever the bench's own environment says.
    RATE_LIMIT_POINTS: '',
    RATE_LIMIT_WINDOW_SECONDS: '',
    GRAPHQL_MAX_COST: '',
    REDIS_URL: '',
    WEB_CONCURRENCY: '',
    DATABASE_URL: databaseUrl,
    ...extra,
  };
}

export async function startApi(build: Build, env: Record<string, string>, logFile: string): Promise<RunningServer> {
  return startServer({
    name: `api (${build.name})`,
    script: path.join(build.dir, 'dist/main.js'),
    loader: 'none',
    nodeArgs: API_NODE_ARGS,
    env,
    logFile,
  });
}

export interface Answer {
  status: number;
  ms: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request over `agent`, timed from the write to the last byte of the body. */
export function request(
  url: string,
  options: { method?: string; path: string; body?: string; headers?: Record<string, string>; agent?: http.Agent; timeoutMs?: number },
): Promise<Answer> {
  const target = new URL(options.path, url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      target,
      {
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        agent: options.agent,
        headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

export function graphqlBody(query: string, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables });
}

export function bearer(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The `r=` of a RateLimit header: what is left of the budget after this request. */
export function remainingOf(headers: http.IncomingHttpHeaders): number | null {
  const match = /;r=(\d+)/.exec(String(headers.ratelimit ?? ''));
  return match ? Number(match[1]) : null;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function sortedOf(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** What a report says of its run: the day, the commit, the machine and the command that made it. */
export function runMeta(script: string): { date: string; commit: string; machine: string; command: string } {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  return {
    date: new Date().toISOString().slice(0, 10),
    commit,
    machine: `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}`,
    command: `npm run ${script}${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  };
}

/** Writes a report as Markdown, its data beside it as JSON, and prints the Markdown. */
export function writeReport(out: string, markdown: string, data: unknown): void {
  fs.writeFileSync(out, markdown + '\n');
  fs.writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify(data, null, 2) + '\n');
  console.log('\n' + markdown);
}
