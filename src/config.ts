// Environment read once, validated, frozen. A bad value stops the process at start-up
// with the variable's name, instead of surfacing later as a confusing runtime error.

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  readonly nodeEnv: NodeEnv;
  /** Real Postgres to use; undefined means: start the embedded one. */
  readonly databaseUrl: string | undefined;
  /** Where the embedded Postgres keeps its files. */
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** Fill an empty database with the demo catalog at start (default: only when embedded). */
  readonly seedDemo: boolean;
  readonly introspection: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got "${raw}"`);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}"`);
}

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${name} must be a port number 0-65535; got "${raw}"`);
  }
  return n;
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(`${name} must be a postgresql:// URL; got a value starting "${raw.slice(0, 12)}"`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const databaseUrl = url(env, 'DATABASE_URL');
  return Object.freeze({
    nodeEnv,
    databaseUrl,
    dataDir: env.DATA_DIR || '.data',
    host: env.HOST || '127.0.0.1',
    port: port(env, 'PORT', 4000),
    seedDemo: bool(env, 'SEED_DEMO', databaseUrl === undefined),
    introspection: bool(env, 'GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
  });
}
