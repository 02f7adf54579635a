// Entry point: read config, open the database, build the server, listen, drain on SIGTERM.
import { loadConfig } from './config.ts';
import { openDatabase } from './db/open.ts';
import { generateDemoCatalog, isCatalogEmpty } from './demo/generate.ts';
import { refreshTrending, setTrendingMaxAge } from './papers/trending.ts';
import { digestSchedulerFromConfig } from './follow/digests/scheduler.ts';
import { CatalogEvents, InMemoryEventBus } from './follow/events.ts';
import { buildApp, listen } from './http/app.ts';
import { createLogger } from './logger.ts';
import { createGraphQL } from './schema.ts';
import { createServer } from './server.ts';

const DEMO_PAPERS = 600;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);

  const database = await openDatabase(config);
  logger.info(
    { database: database.embedded ? `embedded (${config.dataDir}/pg)` : 'DATABASE_URL', applied: database.applied },
    'database ready',
  );
  if (config.seedDemo && (await isCatalogEmpty(database.db))) {
    const started = Date.now();
    const summary = await generateDemoCatalog(database.db, { papers: DEMO_PAPERS });
    logger.info({ ...summary, ms: Date.now() - started }, 'empty catalog filled with the demo catalog');
  }

  // Trending scores: recomputed now and then every TRENDING_REFRESH_SECONDS, so no reader
  // waits for a recomputation (reads refresh too, should this timer fall behind).
  setTrendingMaxAge(config.trendingRefreshSeconds);
  const refresh = () => refreshTrending(database.db).catch((error) => logger.error({ err: error }, 'trending refresh failed'));
  await refresh();
  const trendingTimer = setInterval(refresh, config.trendingRefreshSeconds * 1000).unref();

  // Live updates: one in-memory event bus for this instance (swap the EventBus for a shared
  // one to run several instances).
  const events = new CatalogEvents(new InMemoryEventBus());
  // One schema with its rules, served over HTTP (Apollo) and WebSocket (graphql-ws) alike.
  const graphql = createGraphQL(config, logger);
  const apollo = createServer({ config, logger, graphql });
  await apollo.start();
  const app = await buildApp({ apollo, db: database.db, logger, config, events, subscriptions: { graphql } });
  const http = await listen(app, config.port, config.host);
  const scheduler = digestSchedulerFromConfig(config, database.db, logger);
  logger.info(`GraphQL API at ${http.url}/graphql (subscriptions: ws://${http.url.slice('http://'.length)}/graphql)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.http.shutdownGraceMs }, 'shutting down: finishing in-flight requests');
    // Stop accepting (and answer /readyz with 503), let in-flight requests finish (cut after
    // the grace period), then stop Apollo and close the database.
    clearInterval(trendingTimer);
    await scheduler?.stop();
    // WebSockets close first (a preClose hook), then HTTP drains.
    await http.close(config.http.shutdownGraceMs).catch((error) => logger.error({ err: error }, 'closing the HTTP server'));
    try {
      await apollo.stop();
      await database.close();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    logger.info('stopped');
    // Everything is closed, so the process ends by itself; should a stray handle keep it
    // alive, it still ends, and says so.
    setTimeout(() => {
      logger.warn('handles still open after shutdown: exiting anyway');
      process.exit(0);
    }, 2000).unref();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Start-up failures (bad configuration, unreachable database) end here with their message.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
