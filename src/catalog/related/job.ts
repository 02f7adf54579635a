// The background job that keeps the precomputed related papers current (./neighbours.ts): every
// RELATED_REFRESH_SECONDS it drains the queue of papers whose term vector changed, batch after
// batch, until it is empty. One run at a time (a first run over a whole catalog outlasts the
// interval); stopping waits for the batch in progress only. Run by one instance: under the
// leader lease with Redis (src/main.ts, src/platform/redis/turns.ts), else by the primary.
//
// Freshness: a paper changed at t is in its neighbours' lists, and has its own list, by
// t + interval + the drain of the papers queued before it (bench/related-freshness.ts measures
// it). Until it has a list of its own, its related papers are computed live at every read.
import type { Db } from '../../platform/db/client.ts';
import type { Stop } from '../../platform/redis/turns.ts';
import { drainRelated, type DrainOptions, type DrainReport } from './neighbours.ts';

export interface RelatedJobOptions {
  intervalMs: number;
  /** Wraps each run (the job's metrics and span: trackJob). */
  track?: (run: () => Promise<DrainReport>) => Promise<DrainReport>;
  onRun?: (report: DrainReport) => void;
  onError?: (error: unknown) => void;
  /** Tests: batch size and list size. */
  drain?: Pick<DrainOptions, 'batchSize' | 'neighbours'>;
}

/** The job's start, for takeTurns or to call directly: drains now, then on its timer. */
export function relatedRefreshJob(db: Db, options: RelatedJobOptions): () => Promise<Stop> {
  return async () => {
    let stopped = false;
    let running: Promise<void> | undefined;
    const run = () => {
      running ??= (async () => {
        const drain = () => drainRelated(db, { ...options.drain, stopped: () => stopped });
        try {
          options.onRun?.(await (options.track ? options.track(drain) : drain()));
        } catch (error) {
          options.onError?.(error);
        }
      })().finally(() => (running = undefined));
    };
    run();
    const timer = setInterval(run, options.intervalMs).unref();
    return async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    };
  };
}
