// Environment read once, validated, frozen. A bad value stops the process at start-up
// with the variable's name, instead of surfacing later as a confusing runtime error.

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  readonly nodeEnv: NodeEnv;
  /** Real Postgres to use; undefined means: start the embedded one. */
  readonly databaseUrl: string | undefined;
  /** Where the embedded Postgres keeps its files. */
  readonly dataDir: string;
  /** How long the app waits on the database (src/platform/db/client.ts). */
  readonly database: DatabaseConfig;
  readonly host: string;
  readonly port: number;
  /**
   * WEB_CONCURRENCY: processes serving requests (node:cluster, src/platform/cluster.ts); 1 serves from
   * this process. Only with DATABASE_URL: the embedded database is one process's.
   */
  readonly webConcurrency: number;
  /** Fill an empty database with the demo catalog at start (default: only when embedded). */
  readonly seedDemo: boolean;
  readonly introspection: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** How old trending scores may get before they are recomputed (src/catalog/papers/trending.ts). */
  readonly trendingRefreshSeconds: number;
  /**
   * How often the precomputed related papers take in the papers changed since (src/catalog/related/job.ts);
   * 0: never (npm run related:rebuild drains them too).
   */
  readonly relatedRefreshSeconds: number;
  /** What one GraphQL document may ask for; checked before anything executes. */
  readonly limits: QueryLimits;
  /** Query-cost budget per client (API token, else IP address) and window. */
  readonly rateLimit: RateLimitConfig;
  readonly http: HttpConfig;
  /** What WebSocket subscribers may hold and how one event's deliveries take turns (src/graphql/websocket.ts). */
  readonly subscriptions: SubscriptionConfig;
  /** Digests, feeds and the links in emails. */
  readonly follow: FollowConfig;
  /** Where the importPapers mutation fetches from. */
  readonly sources: SourcesConfig;
  /** Several instances: Redis and read replicas (src/platform/redis/, src/platform/db/replicas.ts). */
  readonly scale: ScaleConfig;
  /** The optional embedding path of related papers and HYBRID search (src/catalog/related/embeddings/). */
  readonly embeddings: EmbeddingsConfig;
  /**
   * SEARCH_RUM: `on` ranks KEYWORD search from a RUM index where the server offers the extension,
   * installing it and building the index in the background at start
   * (src/catalog/papers/search-index.ts); `off` (default): GIN only, nothing installed or built.
   * Off by default: RUM 1.3 can crash the server process (README "Search").
   */
  readonly searchRum: 'on' | 'off';
  /** Automatic persisted queries: what a registration may be and what the store holds (src/graphql/apq.ts). */
  readonly persistedQueries: PersistedQueriesConfig;
  /** Metrics, traces and the log format (src/platform/telemetry/, src/platform/logger.ts). */
  readonly telemetry: TelemetryConfig;
  /** Signed webhooks: targets, retries, the delivery worker (src/catalog/webhooks/). */
  readonly webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /** WEBHOOK_WORKER: this process delivers (default true; instances share the work). */
  readonly worker: boolean;
  /**
   * WEBHOOK_ALLOW_INSECURE_TARGETS: hosts (as written in the URL, lower-cased) that may be
   * `http://` and on any address, loopback and private ones included. Empty: https only, public
   * addresses only. For tests and local development; never a production setting.
   */
  readonly allowInsecureTargets: readonly string[];
  /** WEBHOOK_RETRY_SCHEDULE: waits before each retry, in ms (given in seconds), before jitter. */
  readonly retrySchedule: readonly number[];
  /** WEBHOOK_TIMEOUT_MS: one attempt's whole time, connect to last byte (Standard Webhooks: 15 s). */
  readonly timeoutMs: number;
  /** WEBHOOK_DISABLE_AFTER_FAILURES / _SECONDS: a failing streak this long (both) disables the endpoint. */
  readonly disableAfterFailures: number;
  readonly disableAfterSeconds: number;
  /** WEBHOOK_MAX_PER_USER: endpoints one user may have. */
  readonly maxPerUser: number;
  /** WEBHOOK_CONCURRENCY: attempts in flight per process. */
  readonly concurrency: number;
  /** WEBHOOK_POLL_MS: the fallback poll, when no NOTIFY woke the worker (the embedded database has none). */
  readonly pollMs: number;
}

export interface TelemetryConfig {
  /** LOG_FORMAT: `pretty` (pino-pretty, for people) by default in development, else `json`. */
  readonly logFormat: 'json' | 'pretty';
  /** METRICS_PORT: /metrics on its own port (and not on the API's); undefined: on the API's port. */
  readonly metricsPort: number | undefined;
  /** METRICS_TOKEN: /metrics on the API's port wants `Authorization: Bearer <it>`. */
  readonly metricsToken: string | undefined;
  /** METRICS_OPERATION_NAMES: distinct operation names kept as labels; later ones count as `other`. */
  readonly maxOperationNames: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT): tracing is on when set (OTLP over HTTP). */
  readonly otlpEndpoint: string | undefined;
  /** OTEL_TRACES_SAMPLER (default parentbased_always_on) and OTEL_TRACES_SAMPLER_ARG (the ratio, default 1). */
  readonly sampler: TraceSampler;
  readonly samplerRatio: number;
}

export type TraceSampler = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

export interface PersistedQueriesConfig {
  /**
   * APQ_MAX_QUERY_BYTES: the largest document (UTF-8 bytes) a client may register; larger ones
   * are refused with QUERY_TOO_LARGE and not stored. At most GRAPHQL_MAX_QUERY_LENGTH (whose
   * characters are each at least a byte, so a registration allowed here is allowed there).
   */
  readonly maxQueryBytes: number;
  /**
   * APQ_MAX_BYTES: the memory budget of the registered queries (in Redis with REDIS_URL, shared
   * by every instance; else per process); past it the least recently used are evicted.
   */
  readonly maxBytes: number;
}

/**
 * EMBEDDINGS: which embedder fills PaperEmbedding and embeds HYBRID queries.
 * - `off` (default without EMBEDDINGS_MODEL_DIR): term weights only.
 * - `hashing`: the built-in feature-hashing embedder (no model files; src/platform/embeddings/hashing.ts).
 * - `model` (default with EMBEDDINGS_MODEL_DIR): the transformers.js model in EMBEDDINGS_MODEL_DIR,
 *   loaded from that folder only (nothing is ever downloaded).
 * Either way the vectors are used only where pgvector is installable (src/platform/embeddings/path.ts).
 */
export type EmbeddingsConfig = (
  | { readonly embedder: 'off' }
  | { readonly embedder: 'hashing' }
  | { readonly embedder: 'model'; readonly modelDir: string }
) & {
  /**
   * EMBEDDINGS_REFRESH_SECONDS: how often the server embeds new and edited papers while the
   * path is on (src/main.ts; the same as npm run embeddings:refresh); 0: never, leave it to the script.
   */
  readonly refreshSeconds: number;
};

export interface ScaleConfig {
  /**
   * REDIS_URL: `redis://[:password@]host:6379[/db]` or `rediss://...`. Set: the rate budget,
   * live events and the one-at-a-time jobs are shared through it. Unset: all in this process.
   */
  readonly redisUrl: string | undefined;
  /** REDIS_KEY_PREFIX: every key and channel this app uses starts with it (default `catalog:`). */
  readonly redisKeyPrefix: string;
  /** DATABASE_READ_URLS: read replicas of DATABASE_URL, comma-separated. */
  readonly readUrls: readonly string[];
  /** DATABASE_MAX_REPLICA_LAG_SECONDS: a replica further behind than this is skipped. */
  readonly maxReplicaLagSeconds: number;
  /** GRAPHQL_PUBLIC_MAX_AGE_SECONDS: max-age of anonymous GET queries (src/http/cache-control.ts); 0: none public. */
  readonly publicMaxAgeSeconds: number;
}

export interface DatabaseConfig {
  /**
   * DATABASE_POOL_TIMEOUT_MS: how long a statement waits for a free pool connection (or a new
   * one to open) before failing with 503 SERVICE_UNAVAILABLE. A read also stops waiting at its
   * operation's deadline.
   */
  readonly poolTimeoutMs: number;
  /**
   * DATABASE_STATEMENT_TIMEOUT_MS: `statement_timeout` of every connection of the pool, so the
   * server itself ends a statement nobody waits for any more; 0: none. Not on the embedded
   * database (one backend, statements run one at a time).
   */
  readonly statementTimeoutMs: number;
  /**
   * DATABASE_RESERVED_CONNECTIONS: connections of the pool that anonymous requests never use,
   * kept for signed-in readers (src/platform/db/share.ts); 0: none reserved.
   */
  readonly reservedConnections: number;
}

export interface SourcesConfig {
  /** HF_API_URL: the Hugging Face API's base; undefined: https://huggingface.co. */
  readonly hfApiUrl: string | undefined;
  /** ARXIV_API_URL: the arXiv API's base; undefined: http://export.arxiv.org. */
  readonly arxivApiUrl: string | undefined;
  /** ARXIV_OAI_URL: arXiv's OAI-PMH base; undefined: https://oaipmh.arxiv.org/oai. */
  readonly oaiUrl: string | undefined;
  /** HF_DELAY_MS, ARXIV_DELAY_MS, ARXIV_OAI_DELAY_MS: least time between requests to each; undefined: the importer's. */
  readonly hfDelayMs: number | undefined;
  readonly arxivDelayMs: number | undefined;
  readonly oaiDelayMs: number | undefined;
  /**
   * ARXIV_OAI_MAX_PAGE_BYTES: most bytes of one OAI-PMH response page, read as a stream; past it
   * the download is aborted and the harvest fails at that page. Undefined: the harvester's 32 MiB.
   */
  readonly oaiMaxPageBytes: number | undefined;
}

export interface QueryLimits {
  /** GRAPHQL_MAX_DEPTH: nesting of fields (fragments flattened; introspection not counted). */
  readonly maxDepth: number;
  /** GRAPHQL_MAX_ALIASES: aliased fields in an operation, fragments expanded. */
  readonly maxAliases: number;
  /** GRAPHQL_MAX_DIRECTIVES: directive uses in an operation, fragments expanded. */
  readonly maxDirectives: number;
  /** GRAPHQL_MAX_TOKENS: lexical tokens of the document. */
  readonly maxTokens: number;
  /** GRAPHQL_MAX_QUERY_LENGTH: characters of the document (comments and strings included). */
  readonly maxQueryLength: number;
  /** GRAPHQL_MAX_COST: calculated cost of one operation (see src/graphql/limits/cost.ts). */
  readonly maxCost: number;
}

export interface RateLimitConfig {
  /** RATE_LIMIT_POINTS: cost points per window; 0 turns rate limiting off. */
  readonly points: number;
  /** RATE_LIMIT_WINDOW_SECONDS */
  readonly windowSeconds: number;
  /**
   * RATE_LIMIT_POINTS_PER_MS: what a millisecond of measured server time costs, charged after
   * the run when it comes to more than the calculated cost (src/graphql/limits/plugin.ts); 0: the
   * calculated cost only. Default 10 with DATABASE_URL, 0 on the embedded database.
   */
  readonly pointsPerMs: number;
  /** RATE_LIMIT_IN_FLIGHT_ANONYMOUS: requests one address may have in flight at once, per process. */
  readonly inFlightAnonymous: number;
  /** RATE_LIMIT_IN_FLIGHT: requests one signed-in user may have in flight at once, per process. */
  readonly inFlightSignedIn: number;
}

export interface HttpConfig {
  /** HTTP_MAX_BODY_BYTES */
  readonly maxBodyBytes: number;
  /** HTTP_REQUEST_TIMEOUT_MS: time a client has to send its whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /** GRAPHQL_OPERATION_TIMEOUT_MS: time an operation may run before it is answered with 503. */
  readonly operationTimeoutMs: number;
  /** CORS_ORIGINS: origins whose pages may call the API from a browser; '*' for any. */
  readonly corsOrigins: readonly string[] | '*';
  /** TRUST_PROXY: take the client address from X-Forwarded-For (last hop) for rate limits. */
  readonly trustProxy: boolean;
  /** SHUTDOWN_GRACE_MS: how long SIGTERM waits for in-flight requests before closing them. */
  readonly shutdownGraceMs: number;
}

export interface SubscriptionConfig {
  /** SUBSCRIPTIONS_PER_CONNECTION: subscriptions open at once on one WebSocket connection. */
  readonly maxSubscriptionsPerConnection: number;
  /** SUBSCRIPTIONS_PER_CLIENT: across a client's connections (a client: its token, else its address, as the rate limit keys it). */
  readonly maxSubscriptionsPerClient: number;
  /** SUBSCRIPTION_CONNECTIONS_PER_CLIENT: WebSocket connections of one client at once. */
  readonly maxConnectionsPerClient: number;
  /** SUBSCRIPTION_DELIVERY_CONCURRENCY: subscribers' selections run at once in a process (one event's fan-out takes turns). */
  readonly deliveryConcurrency: number;
  /** SUBSCRIPTION_DELIVERY_QUEUE: deliveries waiting for a turn; past it an event is dropped for that subscriber, with a notice. */
  readonly maxQueuedDeliveries: number;
  /** SUBSCRIPTION_DELIVERY_WAIT_MS: a delivery that waited longer than this for its turn is dropped, with a notice. */
  readonly maxDeliveryWaitMs: number;
}

export interface FollowConfig {
  /**
   * DIGEST_SECRET: keys of the HMAC that signs confirm and unsubscribe links, comma-separated,
   * each at least 32 characters. The first signs; every one verifies, so a key can be rotated
   * without breaking the links in emails already sent. Empty: digests are off.
   */
  readonly secrets: readonly string[];
  /** SMTP_URL: `smtp://user:pass@host:587` or `smtps://...:465`. Unset: no email can be sent. */
  readonly smtpUrl: string | undefined;
  /** DIGEST_FROM: the From of every email. */
  readonly from: string;
  /**
   * PUBLIC_URL: the address the API is reached at from outside (`https://papers.example.org`),
   * for feed ids. Feeds fall back to the request's Host when unset.
   */
  readonly publicUrl: string | undefined;
  /** Where links in emails point: PUBLIC_URL, else http://HOST:PORT. */
  readonly linkBaseUrl: string;
  /** DIGEST_SCHEDULER: run the digest and confirmation sender inside the server process. */
  readonly scheduler: boolean;
  /** DIGEST_SCHEDULER_INTERVAL_SECONDS: how often the scheduler looks for due digests. */
  readonly intervalSeconds: number;
  /** DIGEST_SEND_HOUR_UTC: the hour (UTC) at which a new day's (or Monday's) digest is due. */
  readonly sendHourUtc: number;
  /** DIGEST_PAPERS: papers per digest. */
  readonly papersPerDigest: number;
  /** DIGEST_SMTP_CONNECTIONS: emails sent at once (pooled SMTP connections). */
  readonly smtpConnections: number;
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

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw.slice(0, 20)}"`);
  }
  return n;
}

/** `int` without a default: undefined when unset. */
function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  return env[name] === undefined || env[name] === '' ? undefined : int(env, name, 0, min, max);
}

/** Origins as browsers send them: scheme://host[:port], no path; or '*'. */
function origins(env: Env, name: string): readonly string[] | '*' {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return Object.freeze([]);
  if (raw === '*') return '*';
  const list = raw.split(',').map((origin) => origin.trim().toLowerCase()).filter(Boolean);
  for (const origin of list) {
    if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin) && !/^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/.test(origin)) {
      throw new ConfigError(`${name} must be '*' or a comma-separated list of origins like https://papers.example.org (no path, no trailing slash); got "${origin.slice(0, 60)}"`);
    }
  }
  return Object.freeze(list);
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(raw)) throw new ConfigError(`${name} must be an http:// or https:// URL; got "${raw.slice(0, 40)}"`);
  return raw;
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(`${name} must be a postgresql:// URL; got a value starting "${raw.slice(0, 12)}"`);
  }
  return raw;
}

function redisUrl(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(raw)) throw new ConfigError(`${name} must be a redis:// or rediss:// URL; got a value starting "${raw.slice(0, 8)}"`);
  return raw;
}

function scaleConfig(env: Env, databaseUrl: string | undefined): ScaleConfig {
  const readUrls = (env.DATABASE_READ_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  readUrls.forEach((_, i) => url({ DATABASE_READ_URLS: readUrls[i] }, 'DATABASE_READ_URLS'));
  if (readUrls.length > 0 && databaseUrl === undefined) throw new ConfigError('DATABASE_READ_URLS needs DATABASE_URL: replicas are replicas of a real PostgreSQL');
  const prefix = env.REDIS_KEY_PREFIX ?? 'catalog:';
  if (!/^[\w:.-]{0,64}$/.test(prefix)) throw new ConfigError(`REDIS_KEY_PREFIX must be up to 64 letters, digits, '_', '-', '.' or ':'; got "${prefix.slice(0, 70)}"`);
  return Object.freeze({
    redisUrl: redisUrl(env, 'REDIS_URL'),
    redisKeyPrefix: prefix,
    readUrls: Object.freeze(readUrls),
    maxReplicaLagSeconds: int(env, 'DATABASE_MAX_REPLICA_LAG_SECONDS', 10, 1, 86_400),
    publicMaxAgeSeconds: int(env, 'GRAPHQL_PUBLIC_MAX_AGE_SECONDS', 60, 0, 86_400),
  });
}

function persistedQueriesConfig(env: Env, limits: QueryLimits): PersistedQueriesConfig {
  // 10,000 bytes: twenty times the operations the benchmarks send (bench/operations.ts, 300 to
  // 500 bytes), half the general limit: a registration stores at most that much for everyone.
  const maxQueryBytes = int(env, 'APQ_MAX_QUERY_BYTES', Math.min(10_000, limits.maxQueryLength), 100, 10_000_000);
  if (maxQueryBytes > limits.maxQueryLength) {
    throw new ConfigError(`APQ_MAX_QUERY_BYTES (${maxQueryBytes}) must not exceed GRAPHQL_MAX_QUERY_LENGTH (${limits.maxQueryLength}): a registration is a query first`);
  }
  // 4 MB: a few hundred of the largest registrations, thousands of ordinary ones.
  const maxBytes = int(env, 'APQ_MAX_BYTES', Math.max(4_000_000, 2 * maxQueryBytes), 1000, 10_000_000_000);
  if (maxBytes < 2 * maxQueryBytes) {
    throw new ConfigError(`APQ_MAX_BYTES (${maxBytes}) must be at least twice APQ_MAX_QUERY_BYTES (${maxQueryBytes}): the largest registration, with what storing it costs, must fit`);
  }
  return Object.freeze({ maxQueryBytes, maxBytes });
}

function embeddingsConfig(env: Env): EmbeddingsConfig {
  const modelDir = env.EMBEDDINGS_MODEL_DIR || undefined;
  const embedder = oneOf(env, 'EMBEDDINGS', ['off', 'hashing', 'model'] as const, modelDir ? 'model' : 'off');
  const refreshSeconds = int(env, 'EMBEDDINGS_REFRESH_SECONDS', 900, 0, 604_800);
  switch (embedder) {
    case 'model':
      if (!modelDir) throw new ConfigError('EMBEDDINGS=model needs EMBEDDINGS_MODEL_DIR: the folder of a transformers.js model (config.json, tokenizer.json, onnx/model.onnx)');
      return Object.freeze({ embedder, modelDir, refreshSeconds });
    case 'off':
    case 'hashing':
      if (modelDir) throw new ConfigError(`EMBEDDINGS_MODEL_DIR is set but EMBEDDINGS=${embedder}: unset one of them (EMBEDDINGS=model uses the folder)`);
      return Object.freeze({ embedder, refreshSeconds });
    default: {
      const unreachable: never = embedder;
      throw new ConfigError(`EMBEDDINGS: unexpected ${String(unreachable)}`);
    }
  }
}

export const MIN_SECRET_LENGTH = 32;

function secrets(env: Env, name: string): readonly string[] {
  const list = (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const secret of list) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`${name} must hold keys of at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32); got one of ${secret.length}`);
    }
  }
  return Object.freeze(list);
}

function followConfig(env: Env, host: string, listenPort: number): FollowConfig {
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) {
    throw new ConfigError(`SMTP_URL must be an smtp:// or smtps:// URL; got a value starting "${smtpUrl.slice(0, 8)}"`);
  }
  const publicUrl = env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(publicUrl)) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL without query, like https://papers.example.org; got "${publicUrl.slice(0, 60)}"`);
  }
  const from = env.DIGEST_FROM || 'Paper Catalog <digest@localhost>';
  if (/[\r\n]/.test(from)) throw new ConfigError('DIGEST_FROM must be one line');
  const follow: FollowConfig = Object.freeze({
    secrets: secrets(env, 'DIGEST_SECRET'),
    smtpUrl,
    from,
    publicUrl,
    linkBaseUrl: publicUrl ?? `http://${host}:${listenPort}`,
    scheduler: bool(env, 'DIGEST_SCHEDULER', false),
    intervalSeconds: int(env, 'DIGEST_SCHEDULER_INTERVAL_SECONDS', 300, 10, 86_400),
    sendHourUtc: int(env, 'DIGEST_SEND_HOUR_UTC', 7, 0, 23),
    papersPerDigest: int(env, 'DIGEST_PAPERS', 10, 1, 50),
    smtpConnections: int(env, 'DIGEST_SMTP_CONNECTIONS', 4, 1, 50),
  });
  if (follow.scheduler && follow.secrets.length === 0) throw new ConfigError('DIGEST_SCHEDULER is on but DIGEST_SECRET is not set: digest links cannot be signed');
  if (follow.scheduler && !follow.smtpUrl) throw new ConfigError('DIGEST_SCHEDULER is on but SMTP_URL is not set: digests cannot be sent');
  return follow;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const databaseUrl = url(env, 'DATABASE_URL');
  const limits: QueryLimits = Object.freeze({
    maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 10, 1, 100),
    maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 15, 0, 1000),
    maxDirectives: int(env, 'GRAPHQL_MAX_DIRECTIVES', 50, 0, 1000),
    maxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 2000, 10, 1_000_000),
    maxQueryLength: int(env, 'GRAPHQL_MAX_QUERY_LENGTH', 20_000, 100, 10_000_000),
    maxCost: int(env, 'GRAPHQL_MAX_COST', 1000, 1, 1_000_000_000),
  });
  const rateLimit: RateLimitConfig = Object.freeze({
    points: int(env, 'RATE_LIMIT_POINTS', 5000, 0, 1_000_000_000),
    windowSeconds: int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    // Not on the embedded database by default: it is one developer's, and its times (one
    // WebAssembly backend) say nothing of what a request costs a real server.
    pointsPerMs: int(env, 'RATE_LIMIT_POINTS_PER_MS', databaseUrl === undefined ? 0 : 10, 0, 1_000_000),
    inFlightAnonymous: int(env, 'RATE_LIMIT_IN_FLIGHT_ANONYMOUS', 4, 1, 100_000),
    inFlightSignedIn: int(env, 'RATE_LIMIT_IN_FLIGHT', 8, 1, 100_000),
  });
  if (rateLimit.points > 0 && limits.maxCost > rateLimit.points) {
    throw new ConfigError(
      `GRAPHQL_MAX_COST (${limits.maxCost}) must not exceed RATE_LIMIT_POINTS (${rateLimit.points}): a query allowed by the first could never run under the second`,
    );
  }
  const requestTimeoutMs = int(env, 'HTTP_REQUEST_TIMEOUT_MS', 10_000, 100, 3_600_000);
  const operationTimeoutMs = int(env, 'GRAPHQL_OPERATION_TIMEOUT_MS', 10_000, 10, 3_600_000);
  const httpConfig: HttpConfig = Object.freeze({
    maxBodyBytes: int(env, 'HTTP_MAX_BODY_BYTES', 1_000_000, 1024, 100_000_000),
    requestTimeoutMs,
    operationTimeoutMs,
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    // By default long enough for a request that just arrived to be received and answered.
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', requestTimeoutMs + operationTimeoutMs, 0, 3_600_000),
  });
  const subscriptions: SubscriptionConfig = Object.freeze({
    maxSubscriptionsPerConnection: int(env, 'SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 10_000),
    maxSubscriptionsPerClient: int(env, 'SUBSCRIPTIONS_PER_CLIENT', 50, 1, 1_000_000),
    maxConnectionsPerClient: int(env, 'SUBSCRIPTION_CONNECTIONS_PER_CLIENT', 10, 1, 1_000_000),
    deliveryConcurrency: int(env, 'SUBSCRIPTION_DELIVERY_CONCURRENCY', 4, 1, 1000),
    maxQueuedDeliveries: int(env, 'SUBSCRIPTION_DELIVERY_QUEUE', 2000, 0, 10_000_000),
    maxDeliveryWaitMs: int(env, 'SUBSCRIPTION_DELIVERY_WAIT_MS', 5000, 0, 600_000),
  });
  const webConcurrency = int(env, 'WEB_CONCURRENCY', 1, 1, 64);
  if (webConcurrency > 1 && databaseUrl === undefined) {
    throw new ConfigError(`WEB_CONCURRENCY=${webConcurrency} needs DATABASE_URL: the embedded database belongs to one process`);
  }
  const host = env.HOST || '127.0.0.1';
  const listenPort = port(env, 'PORT', 4000);
  return Object.freeze({
    nodeEnv,
    databaseUrl,
    dataDir: env.DATA_DIR || '.data',
    database: Object.freeze({
      poolTimeoutMs: int(env, 'DATABASE_POOL_TIMEOUT_MS', 5000, 1, 600_000),
      statementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
      reservedConnections: int(env, 'DATABASE_RESERVED_CONNECTIONS', 3, 0, 10_000),
    }),
    host,
    port: listenPort,
    seedDemo: bool(env, 'SEED_DEMO', databaseUrl === undefined),
    introspection: bool(env, 'GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
    trendingRefreshSeconds: int(env, 'TRENDING_REFRESH_SECONDS', 300, 1, 86_400),
    relatedRefreshSeconds: int(env, 'RELATED_REFRESH_SECONDS', 30, 0, 86_400),
    webConcurrency,
    limits,
    rateLimit,
    http: httpConfig,
    subscriptions,
    follow: followConfig(env, host, listenPort),
    sources: Object.freeze({
      hfApiUrl: httpUrl(env, 'HF_API_URL'),
      arxivApiUrl: httpUrl(env, 'ARXIV_API_URL'),
      oaiUrl: httpUrl(env, 'ARXIV_OAI_URL'),
      hfDelayMs: optionalInt(env, 'HF_DELAY_MS', 0, 3_600_000),
      arxivDelayMs: optionalInt(env, 'ARXIV_DELAY_MS', 0, 3_600_000),
      oaiDelayMs: optionalInt(env, 'ARXIV_OAI_DELAY_MS', 0, 3_600_000),
      oaiMaxPageBytes: optionalInt(env, 'ARXIV_OAI_MAX_PAGE_BYTES', 65_536, 1_073_741_824),
    }),
    scale: scaleConfig(env, databaseUrl),
    embeddings: embeddingsConfig(env),
    searchRum: oneOf(env, 'SEARCH_RUM', ['on', 'off'] as const, 'off'),
    persistedQueries: persistedQueriesConfig(env, limits),
    telemetry: telemetryConfig(env, nodeEnv),
    webhooks: webhookConfig(env, databaseUrl),
  });
}

/**
 * About three days of retries (Standard Webhooks' and Svix's schedule, stretched): 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 20 h after the first attempt, 10 attempts in all (71.6 h).
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 72_000] as const;

function webhookConfig(env: Env, databaseUrl: string | undefined): WebhookConfig {
  const rawSchedule = (env.WEBHOOK_RETRY_SCHEDULE ?? '').trim();
  const seconds = rawSchedule === '' ? [...DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS] : rawSchedule.split(',').map((part) => Number(part.trim()));
  if (seconds.length > 50 || seconds.some((n) => !Number.isFinite(n) || n < 0.001 || n > 604_800)) {
    throw new ConfigError(`WEBHOOK_RETRY_SCHEDULE must be a comma-separated list of at most 50 waits in seconds (0.001 to 604800, decimals allowed), e.g. 5,300,1800; got "${rawSchedule.slice(0, 60)}"`);
  }
  const hosts = (env.WEBHOOK_ALLOW_INSECURE_TARGETS ?? '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  for (const host of hosts) {
    if (!/^[a-z0-9.-]+$/.test(host) && !/^\[[0-9a-f:.]+\]$/.test(host)) {
      throw new ConfigError(`WEBHOOK_ALLOW_INSECURE_TARGETS must be a comma-separated list of host names or addresses (IPv6 in brackets); got "${host.slice(0, 60)}"`);
    }
  }
  return Object.freeze({
    worker: bool(env, 'WEBHOOK_WORKER', true),
    allowInsecureTargets: Object.freeze(hosts),
    retrySchedule: Object.freeze(seconds.map((s) => Math.round(s * 1000))),
    timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 15_000, 100, 60_000),
    disableAfterFailures: int(env, 'WEBHOOK_DISABLE_AFTER_FAILURES', 10, 1, 1_000_000),
    disableAfterSeconds: int(env, 'WEBHOOK_DISABLE_AFTER_SECONDS', 259_200, 0, 31_536_000),
    maxPerUser: int(env, 'WEBHOOK_MAX_PER_USER', 10, 1, 1000),
    concurrency: int(env, 'WEBHOOK_CONCURRENCY', 8, 1, 256),
    // LISTEN/NOTIFY wakes the worker on a PostgreSQL server; the embedded one polls more often.
    pollMs: int(env, 'WEBHOOK_POLL_MS', databaseUrl === undefined ? 250 : 2000, 10, 600_000),
  });
}

function telemetryConfig(env: Env, nodeEnv: NodeEnv): TelemetryConfig {
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    throw new ConfigError('METRICS_TOKEN must be 16 to 256 printable ASCII characters without spaces');
  }
  const metricsPort = env.METRICS_PORT ? port(env, 'METRICS_PORT', 0) : undefined;
  return Object.freeze({
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, nodeEnv === 'development' ? 'pretty' : 'json'),
    metricsPort,
    metricsToken,
    maxOperationNames: int(env, 'METRICS_OPERATION_NAMES', 100, 0, 10_000),
    otlpEndpoint: httpUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? httpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
    sampler: oneOf(env, 'OTEL_TRACES_SAMPLER', ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const, 'parentbased_always_on'),
    samplerRatio: ratio(env, 'OTEL_TRACES_SAMPLER_ARG', 1),
  });
}

function ratio(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\s*[0-9.]+\s*$/.test(raw) || !(n >= 0 && n <= 1)) throw new ConfigError(`${name} must be a number from 0 to 1; got "${raw.slice(0, 20)}"`);
  return n;
}
