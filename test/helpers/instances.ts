// The API as production starts it (src/main.ts), as child processes: several instances on one
// test database, each on a free port, with their log lines kept for the test to read.
import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../src/platform/paths.ts';
import { until } from './wait.ts';

export interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every JSON log line so far. */
  readonly lines: { msg: string; [key: string]: unknown }[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function startInstance(env: Record<string, string>, timeoutMs = 60_000): Promise<Instance> {
  const { NODE_OPTIONS: _jest, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { ...inherited, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Instance['lines'] = [];
  let rest = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part));
      } catch {
        errors += `${part}\n`;
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = () => lines.find((l) => l.msg.startsWith('GraphQL API at'));
  try {
    await until(() => Boolean(started()) || child.exitCode !== null, 'the instance to listen', timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (!started()) throw new Error(`the instance exited at start: ${errors}`);
  const url = /GraphQL API at (http:\/\/[^/]+)\/graphql/.exec(started()!.msg)![1]!;
  return {
    url,
    child,
    lines,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
