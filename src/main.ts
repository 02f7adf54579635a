// Entry point: read config, open the database, build the server, listen, drain on SIGTERM.
// With WEB_CONCURRENCY above 1 the same halves run in node:cluster processes (src/cluster.ts):
// the primary prepares the database and runs the background jobs, the workers serve requests.
import cluster from 'node:cluster';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { IpcEventBus, runProcesses } from './cluster.ts';
import { loadConfig } from './config.ts';
import { openDatabase, type Database } from './db/open.ts';
import { seedFirstStart } from './demo/first-start.ts';
import { isCatalogEmpty } from './demo/generate.ts';
import { refreshTrending, setTrendingMaxAge } from './papers/trending.ts';
import { digestSchedulerFromConfig } from './follow/digests/scheduler.ts';
import { CatalogEvents, InMemoryEventBus } from './follow/events.ts';
import { buildApp, listen } from './http/app.ts';
import { createLogger } from './logger.ts';
import { clusterStore, RateLimiter } from './rate-limit/limiter.ts';
import { createGraphQL } from './schema.ts';
import { createServer } from './server.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const clustered = config.webConcurrency > 1;
  // How old trending scores may get, in every process: the primary's timer and reads alike.
  setTrendingMaxAge(config.trendingRefreshSeconds);
  // Opened by the primary half; with one process the serving half uses the same database.
  let primaryDatabase: Database | undefined;

  await runProcesses({
    workers: config.webConcurrency,
    logger,

    async primary() {
      const database = await openDatabase(config);
      primaryDatabase = database;
      logger.info(
        { database: database.embedded ? `embedded (${config.dataDir}/pg)` : 'DATABASE_URL', applied: database.applied },
        'database ready',
      );
      if (config.seedDemo && (await isCatalogEmpty(database.db))) {
        const started = Date.now();
        // Real papers from the shipped sample, through the importer, plus generated users and votes.
        const { import: _details, ...summary } = await seedFirstStart(database.db);
        logger.info({ ...summary, ms: Date.now() - started }, 'empty catalog filled with the sample of real papers');
      }
      // The workers' shared rate budget lives here; it answers their messages.
      if (clustered) new RateLimiterClusterMaster();

      // Trending scores: recomputed now and then every TRENDING_REFRESH_SECONDS, so no reader
      // waits for a recomputation (reads refresh too, should this timer fall behind).
      const refresh = () => refreshTrending(database.db).catch((error) => logger.error({ err: error }, 'trending refresh failed'));
      await refresh();
      const trendingTimer = setInterval(refresh, config.trendingRefreshSeconds * 1000).unref();
      const scheduler = digestSchedulerFromConfig(config, database.db, logger);

      return async () => {
        clearInterval(trendingTimer);
        await scheduler?.stop();
        // With one process the serving half closes the database, after its last request.
        if (clustered) await database.close();
      };
    },

    async worker() {
      const database = primaryDatabase ?? (await openDatabase(config, { migrate: false }));
      // Live updates: in memory for this process, relayed to the other workers through the
      // primary (swap the bus for a shared one to run several hosts).
      const events = new CatalogEvents(new IpcEventBus(new InMemoryEventBus()));
      // One schema with its rules, served over HTTP (Apollo) and WebSocket (graphql-ws) alike.
      const graphql = createGraphQL(config, logger);
      const apollo = createServer({ config, logger, graphql });
      await apollo.start();
      const rateLimiter = cluster.isWorker && config.rateLimit.points > 0 ? new RateLimiter(config.rateLimit, clusterStore(config.rateLimit)) : undefined;
      const app = await buildApp({ apollo, db: database.db, logger, config, events, subscriptions: { graphql }, ...(rateLimiter ? { rateLimiter } : {}) });
      const http = await listen(app, config.port, config.host);
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
        await database.close();
      };
    },
  });
}

main().catch((error: unknown) => {
  // Start-up failures (bad configuration, unreachable database) end here with their message.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
