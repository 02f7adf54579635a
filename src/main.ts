// Entry point: read config, open the database, build the server, listen, drain on SIGTERM.
// With WEB_CONCURRENCY above 1 the same halves run in node:cluster processes (src/platform/cluster.ts):
// the primary prepares the database and runs the background jobs, the workers serve requests.
import cluster from 'node:cluster';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { runProcesses } from './platform/cluster.ts';
import { IpcEventBus } from './platform/events/ipc.ts';
import { loadConfig } from './config.ts';
import { openDatabase, type Database } from './platform/db/open.ts';
import { createDb } from './platform/db/client.ts';
import { seedFirstStart } from './catalog/demo/first-start.ts';
import { isCatalogEmpty } from './catalog/demo/generate.ts';
import { trendingScores } from './catalog/papers/trending.ts';
import { digestSchedulerFromConfig } from './catalog/digests/scheduler.ts';
import { CatalogEvents, InMemoryEventBus } from './platform/events/bus.ts';
import { buildApp, listen } from './http/app.ts';
import { createLogger } from './platform/logger.ts';
import { createPlatform, type Platform } from './platform/platform.ts';
import { anonymousShareOf } from './platform/db/share.ts';
import { clusterStore, rateLimiterFor } from './http/rate-limit/limiter.ts';
import { connectRedis, type RedisLink } from './platform/redis/client.ts';
import { RedisEventBus } from './platform/events/redis.ts';
import { redisPersistedQueryCache } from './graphql/apq-cache.ts';
import { redisStore } from './http/rate-limit/redis-store.ts';
import { takeTurns, type Stop } from './platform/redis/turns.ts';
import { refreshEmbeddings } from './catalog/related/embeddings/refresh.ts';
import { buildSearchIndex, searchIndexOf } from './catalog/papers/search-index.ts';
import { relatedRefreshJob } from './catalog/related/job.ts';
import { createGraphQL } from './graphql/schema.ts';
import { createServer } from './http/server.ts';
import { createTelemetry, trackJob } from './platform/telemetry/telemetry.ts';
import { instrumentRedis } from './platform/telemetry/redis.ts';
import { serveMetrics } from './http/telemetry.ts';
import { startWebhookWorker } from './catalog/webhooks/index.ts';
import { smtpMailer } from './catalog/digests/index.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const clustered = config.webConcurrency > 1;
  // Metrics of this process, and tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/platform/telemetry/).
  const { otlpEndpoint, maxOperationNames, sampler, samplerRatio } = config.telemetry;
  const telemetry = await createTelemetry({ otlpEndpoint, maxOperationNames, sampler, samplerRatio });
  // Connected before serving when Redis answers within 5 s; without it the instance starts all
  // the same, in the outage mode of src/platform/redis/client.ts.
  const openRedis = async () => {
    if (!config.scale.redisUrl) return undefined;
    const link = connectRedis(config.scale.redisUrl, config.scale.redisKeyPrefix, logger);
    instrumentRedis(link, telemetry);
    if (!(await link.whenReady(5000))) logger.warn('Redis did not answer within 5 s: starting without it for now');
    return link;
  };
  // The platform object of a process (src/platform/platform.ts). Trending scores may get
  // TRENDING_REFRESH_SECONDS old, in every process: the primary's timer and reads alike; with
  // Redis, instances take turns at the refresh and reads never start one of their own.
  const platformOf = (database: Database, redis: RedisLink | undefined, events?: CatalogEvents): Platform =>
    createPlatform(database, {
      trending: trendingScores(database.db, { maxAgeSeconds: config.trendingRefreshSeconds, refreshedElsewhere: Boolean(config.scale.redisUrl) }),
      embeddings: database.embeddingPath,
      searchIndex: database.rum.state === 'installed' ? searchIndexOf(database.db) : null,
      events,
      redis,
      anonymousShare: anonymousShareOf(database.poolSize, config.database.reservedConnections),
    });
  // Opened by the primary half; with one process the serving half uses the same database.
  // One platform per process: with one process both halves share the trending scores' freshness.
  let primaryDatabase: Database | undefined;
  let primaryRedis: RedisLink | undefined;
  let primaryPlatform: Platform | undefined;

  await runProcesses({
    workers: config.webConcurrency,
    logger,

    async primary() {
      const database = await openDatabase(config, { embeddings: true, telemetry });
      primaryDatabase = database;
      logger.info(
        { database: database.embedded ? `embedded (${config.dataDir}/pg)` : 'DATABASE_URL', applied: database.applied, embeddings: database.embeddings, rum: database.rum },
        'database ready',
      );
      // The RUM index of search, CONCURRENTLY and in the background: minutes on a large catalog,
      // during which writes go on and searches rank on GIN (src/catalog/papers/search-index.ts).
      // Instances starting together: the first builds it, the others find it in progress.
      const searchIndexBuilt =
        database.rum.state === 'installed'
          ? buildSearchIndex(database.url).then(
              ({ outcome, ms }) => logger.info({ outcome, ms }, 'search: RUM index ready (or being built by another instance)'),
              (error) => logger.error({ err: error }, 'search: building the RUM index failed; search ranks on GIN'),
            )
          : Promise.resolve();
      if (config.seedDemo && (await isCatalogEmpty(database.db))) {
        const started = Date.now();
        // Real papers from the shipped sample, through the importer, plus generated users and votes.
        const { import: _details, ...summary } = await seedFirstStart(database.db);
        logger.info({ ...summary, ms: Date.now() - started }, 'empty catalog filled with the sample of real papers');
      }
      const redis = (primaryRedis = await openRedis());
      const platform = (primaryPlatform = platformOf(database, redis));
      // The workers' shared rate budget lives here (without Redis); it answers their messages.
      if (clustered && !redis) new RateLimiterClusterMaster();

      // Trending scores: recomputed now and then every TRENDING_REFRESH_SECONDS, so no reader
      // waits for a recomputation (reads refresh too, should this timer fall behind, unless
      // instances take turns through Redis).
      const refresh = async () => {
        const started = Date.now();
        await trackJob(telemetry, 'trending', () => platform.trending.refreshNow()).then(
          () => logger.debug({ ms: Date.now() - started }, 'trending refreshed'),
          (error) => logger.error({ err: error }, 'trending refresh failed'),
        );
      };
      const trending = async (): Promise<Stop> => {
        await refresh();
        const timer = setInterval(refresh, config.trendingRefreshSeconds * 1000).unref();
        return async () => clearInterval(timer);
      };
      // Embeddings of new and edited papers, while the embedding path is on
      // (src/catalog/related/embeddings/refresh.ts; the first run embeds the whole catalog).
      const path = platform.embeddings;
      const embeddings = async (): Promise<Stop> => {
        if (!path || config.embeddings.refreshSeconds === 0) return async () => {};
        let running: Promise<void> | undefined;
        const run = () => {
          // One run at a time: a first run over a large catalog can outlast the interval.
          running ??= trackJob(telemetry, 'embeddings', () => refreshEmbeddings(database.db, path.embedder))
            .then(
              ({ embedded, ms }) => (embedded > 0 ? logger.info({ embedded, ms, model: path.embedder.model }, 'papers embedded') : undefined),
              (error) => logger.error({ err: error }, 'embedding refresh failed'),
            )
            .finally(() => (running = undefined));
        };
        run();
        const timer = setInterval(run, config.embeddings.refreshSeconds * 1000).unref();
        return async () => {
          clearInterval(timer);
          await running;
        };
      };
      // Precomputed related papers: the papers changed since the last run get their lists, and
      // enter their neighbours' (src/catalog/related/job.ts); imports never wait on it.
      const related = config.relatedRefreshSeconds === 0
        ? async (): Promise<Stop> => async () => {}
        : relatedRefreshJob(database.db, {
            intervalMs: config.relatedRefreshSeconds * 1000,
            track: (run) => trackJob(telemetry, 'related', run),
            onRun: ({ papers, listsUpdated, maxWaitMs, ms, remaining }) =>
              papers > 0 ? logger.info({ papers, listsUpdated, maxWaitMs: Math.round(maxWaitMs), ms: Math.round(ms), remaining }, 'related papers refreshed') : undefined,
            onError: (error) => logger.error({ err: error }, 'related papers refresh failed'),
          });
      const digests = async (): Promise<Stop> => {
        const scheduler = digestSchedulerFromConfig(config, platform, logger, (run) => trackJob(telemetry, 'digests', run));
        return async () => scheduler?.stop();
      };
      // Signed webhooks: every instance delivers, sharing the outbox's work through FOR UPDATE
      // SKIP LOCKED (src/catalog/webhooks/worker.ts), woken by NOTIFY on commit. Owners of
      // endpoints it disables are told through the digests' mailer, when SMTP_URL is set.
      const webhooks = async (): Promise<Stop> => {
        if (!config.webhooks.worker) return async () => {};
        const mailer = config.follow.smtpUrl ? smtpMailer({ url: config.follow.smtpUrl, from: config.follow.from, connections: 1 }) : undefined;
        // On a PostgreSQL server the worker has connections of its own (one for its statements,
        // one to LISTEN), named in pg_stat_activity: requests never wait behind it, nor it behind
        // them. The embedded database has one connection, which it shares.
        const named = (url: string) => `${url}${url.includes('?') ? '&' : '?'}application_name=webhook-worker`;
        const own = database.embedded
          ? undefined
          : createDb({ connectionString: named(database.url), poolSize: 1, poolTimeoutMs: config.database.poolTimeoutMs, statementTimeoutMs: config.database.statementTimeoutMs });
        const worker = startWebhookWorker({
          db: own?.db ?? database.db, config: config.webhooks, logger, mailer, publicUrl: config.follow.publicUrl,
          listenUrl: database.embedded ? undefined : named(database.url),
          // Each attempt is a run of the `webhooks` job in /metrics: delivered (2xx) or failed.
          onAttempt: ({ result }) => telemetry.metrics.jobRan('webhooks', result.error === null, result.durationMs / 1000),
        });
        return async () => {
          await worker.stop();
          await own?.close();
          await mailer?.close();
        };
      };
      // Without Redis this host runs them all; with it, whichever instance holds each one's lease.
      const jobs: Stop[] = redis
        ? [
            takeTurns(redis, 'trending', trending, { logger }).stop,
            ...(config.follow.scheduler ? [takeTurns(redis, 'digests', digests, { logger }).stop] : []),
            ...(path ? [takeTurns(redis, 'embeddings', embeddings, { logger }).stop] : []),
            ...(config.relatedRefreshSeconds > 0 ? [takeTurns(redis, 'related', related, { logger }).stop] : []),
          ]
        : [await trending(), await digests(), await embeddings(), await related()];
      jobs.push(await webhooks());

      return async () => {
        // Not waited for: a build cut by the exit is left invalid, and the next start drops and redoes it.
        void searchIndexBuilt;
        await Promise.all(jobs.map((stop) => stop()));
        // With one process the serving half closes the database and Redis, after its last request.
        if (clustered) {
          await redis?.close();
          await database.close();
        }
      };
    },

    async worker() {
      const database = primaryDatabase ?? (await openDatabase(config, { migrate: false, embeddings: true, telemetry }));
      const redis = primaryRedis ?? (await openRedis());
      // Live updates: in memory for this process, and shared with every instance over Redis
      // pub/sub, or else relayed to this host's other workers through the primary.
      const local = new InMemoryEventBus();
      const events = new CatalogEvents(redis ? new RedisEventBus(redis, local) : new IpcEventBus(local));
      const platform = primaryPlatform ? { ...primaryPlatform, events } : platformOf(database, redis, events);
      // One schema with its rules, served over HTTP (Apollo) and WebSocket (graphql-ws) alike.
      const graphql = createGraphQL(config);
      const apollo = createServer({ config, logger, graphql, metrics: telemetry.metrics, ...(redis ? { persistedQueryCache: redisPersistedQueryCache(redis, config.persistedQueries) } : {}) });
      await apollo.start();
      // One budget for every instance (Redis) or for this host's workers (the primary's store).
      const store = redis ? redisStore(config.rateLimit, redis) : cluster.isWorker ? clusterStore(config.rateLimit) : undefined;
      const rateLimiter = rateLimiterFor(config.rateLimit, store);
      const app = await buildApp({
        apollo, platform, logger, config, subscriptions: { graphql }, rateLimiter, telemetry,
      });
      const http = await listen(app, config.port, config.host);
      // METRICS_PORT: /metrics on a port of its own (with WEB_CONCURRENCY, the first worker's).
      const metricsServer = config.telemetry.metricsPort !== undefined ? await serveMetrics(telemetry.metrics, config.telemetry.metricsPort, config.host).catch((error: unknown) => {
        logger.warn({ err: error }, 'METRICS_PORT: /metrics is not served by this process');
        return null;
      }) : null;
      if (metricsServer) logger.info(`metrics at ${metricsServer.url}`);
      logger.info(
        { ...(cluster.isWorker ? { pid: process.pid } : {}) },
        `GraphQL API at ${http.url}/graphql (subscriptions: ws://${http.url.slice('http://'.length)}/graphql)`,
      );

      return async () => {
        logger.info({ graceMs: config.http.shutdownGraceMs }, 'shutting down: finishing in-flight requests');
        // Stop accepting (and answer /readyz with 503), let in-flight requests finish (cut after
        // the grace period; WebSockets close first), then stop Apollo and close the database.
        await http.close(config.http.shutdownGraceMs).catch((error) => logger.error({ err: error }, 'closing the HTTP server'));
        await apollo.stop();
        await metricsServer?.close();
        await redis?.close();
        await database.close();
        await telemetry.tracing?.shutdown();
      };
    },
  });
}

main().catch((error: unknown) => {
  // Start-up failures (bad configuration, unreachable database) end here with their message.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
