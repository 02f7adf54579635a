// Optional worker processes (WEB_CONCURRENCY, default 1) for hosts with more cores than one
// Node process can use. With node:cluster every worker listens on the same port and the
// primary hands connections out; a process's jobs split in two:
//
//   primary  once per host: migrations and the demo catalog (before any worker starts), then
//            the background jobs (trending refresh, digest scheduler); serves no request.
//   workers  the HTTP server, each with its own database pool and loaders.
//
// With one process (the default) the same two halves run in this process, one after the other,
// so the service behaves exactly as it did before this file existed.
//
// What workers must share crosses the primary over IPC: live events (`IpcEventBus`), so a
// subscriber on one worker hears a vote cast on another. The rate budget is shared through
// rate-limiter-flexible's cluster store, which rides on the same channel.
import cluster, { type Worker } from 'node:cluster';
import { isEventMessage } from './events/ipc.ts';
import type { Logger } from './logger.ts';

/** Something started that `stop` ends; resolves once everything it opened is closed. */
export type Stop = () => Promise<void>;

export interface ProcessPlan {
  /** WEB_CONCURRENCY: worker processes; 1 runs everything in this process. */
  workers: number;
  logger: Logger;
  /** Once per host, before any request is served; returns how to stop its background jobs. */
  primary(): Promise<Stop>;
  /** The request-serving half; runs in each worker (or here, when `workers` is 1). */
  worker(): Promise<Stop>;
}

/** How long a worker that keeps crashing waits before it is started again, at most. */
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Runs the plan and ends the process on SIGTERM/SIGINT once both halves have stopped.
 * Start-up failures reject, so the caller can print them and exit non-zero.
 */
export async function runProcesses(plan: ProcessPlan): Promise<void> {
  if (cluster.isWorker) {
    const stopWorker = await plan.worker();
    onSignal(plan.logger, async () => {
      await stopWorker();
      // The channel to the primary is the last handle that keeps a worker alive.
      process.disconnect();
    });
    return;
  }
  const stopPrimary = await plan.primary();
  if (plan.workers <= 1) {
    const stopWorker = await plan.worker();
    onSignal(plan.logger, async () => {
      // Background jobs first: they may still use the database that the serving half closes.
      await stopPrimary();
      await stopWorker();
    });
    return;
  }
  const workers = superviseWorkers(plan.workers, plan.logger);
  onSignal(plan.logger, async () => {
    await workers.stop();
    await stopPrimary();
  });
}

function onSignal(logger: Logger, stop: Stop): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received');
    stop().then(
      () => {
        logger.info('stopped');
        // Everything is closed, so the process ends by itself; a stray handle must not keep it.
        setTimeout(() => {
          logger.warn('handles still open after shutdown: exiting anyway');
          process.exit(0);
        }, 2000).unref();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

/**
 * Forks `count` workers, restarts one that dies (with a growing delay while they keep dying),
 * relays live events between them, and on `stop` sends each SIGTERM and waits for it to exit.
 */
function superviseWorkers(count: number, logger: Logger): { stop: Stop } {
  // Structured clone over IPC: events carry Paper rows whose Dates must arrive as Dates.
  cluster.setupPrimary({ serialization: 'advanced' });
  let stopping = false;
  let failures = 0;

  const relay = (from: Worker, message: unknown) => {
    if (!isEventMessage(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(message);
    }
  };
  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => relay(worker, message));
    // A worker that served for a while was healthy: its death does not count against restarts.
    const healthy = setTimeout(() => (failures = 0), MAX_RESTART_DELAY_MS).unref();
    worker.once('exit', (code, signal) => {
      clearTimeout(healthy);
      if (stopping) return;
      failures += 1;
      const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** Math.min(failures, 9));
      logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker exited: starting another');
      setTimeout(fork, delay).unref();
    });
  };
  for (let i = 0; i < count; i++) fork();
  logger.info({ workers: count }, 'worker processes started');

  return {
    async stop() {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w && !w.isDead()));
      await Promise.all(
        alive.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
