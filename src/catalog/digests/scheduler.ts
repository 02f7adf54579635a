// The in-process sender (DIGEST_SCHEDULER=true): confirmation emails every few seconds, due
// digests every DIGEST_SCHEDULER_INTERVAL_SECONDS. Runs never overlap within a process, and
// several processes may run it at once: the claim in send.ts decides who sends what.
import type { Config } from '../../config.ts';
import type { Logger } from '../../platform/logger.ts';
import { smtpMailer } from './mailer.ts';
import { sendConfirmations, sendDueDigests, type DigestRunOptions } from './send.ts';

export interface SchedulerOptions extends Omit<DigestRunOptions, 'at' | 'signal'> {
  intervalSeconds: number;
  confirmationIntervalSeconds?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Each run of the due digests goes through this (src/main.ts counts them: runs, failures, last success). */
  track?: (run: () => Promise<unknown>) => Promise<unknown>;
}

export interface DigestScheduler {
  /** Stops the timers; resolves once a run in progress has finished its in-flight emails. */
  stop(): Promise<void>;
}

export function startDigestScheduler(options: SchedulerOptions): DigestScheduler {
  const abort = new AbortController();
  const running = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();

  const loop = (everyMs: number, run: () => Promise<unknown>) => {
    const tick = async () => {
      if (abort.signal.aborted) return;
      const current = run().catch((error) => options.logger?.error({ err: error }, 'scheduled digest work failed'));
      running.add(current);
      await current;
      running.delete(current);
      if (abort.signal.aborted) return;
      // The next run is scheduled after this one ended: they never overlap.
      const timer = setTimeout(() => {
        timers.delete(timer);
        void tick();
      }, everyMs);
      timer.unref();
      timers.add(timer);
    };
    void tick();
  };

  loop((options.confirmationIntervalSeconds ?? 10) * 1000, () => sendConfirmations({ ...options, signal: abort.signal }));
  const due = () => sendDueDigests({ ...options, signal: abort.signal });
  loop(options.intervalSeconds * 1000, options.track ? () => options.track!(due) : due);

  return {
    async stop() {
      abort.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}

/**
 * The scheduler as the configuration says (src/config.ts, which refuses DIGEST_SCHEDULER
 * without DIGEST_SECRET and SMTP_URL): null when DIGEST_SCHEDULER is off. What src/main.ts
 * calls, then `stop()` on SIGTERM.
 */
export function digestSchedulerFromConfig(
  { follow: config }: Pick<Config, 'follow'>,
  platform: SchedulerOptions['platform'],
  logger?: SchedulerOptions['logger'],
  track?: SchedulerOptions['track'],
): DigestScheduler | null {
  if (!config.scheduler || config.secrets.length === 0 || !config.smtpUrl) return null;
  const mailer = smtpMailer({ url: config.smtpUrl, from: config.from, connections: config.smtpConnections });
  const scheduler = startDigestScheduler({
    platform,
    mailer,
    secrets: config.secrets,
    publicUrl: config.linkBaseUrl,
    from: config.from,
    intervalSeconds: config.intervalSeconds,
    sendHourUtc: config.sendHourUtc,
    papersPerDigest: config.papersPerDigest,
    concurrency: config.smtpConnections,
    ...(logger ? { logger } : {}),
    ...(track ? { track } : {}),
  });
  return {
    async stop() {
      await scheduler.stop();
      await mailer.close();
    },
  };
}
