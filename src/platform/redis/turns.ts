// One instance at a time (REDIS_URL): the digest scheduler and the trending refresh each run on
// the instance that holds their lease in Redis, a key set with SET NX PX to a token of its own.
// The holder renews the lease every third of its length; an instance that dies stops renewing
// and its lease expires, so another takes the turn within one lease. A stopping instance deletes
// its lease (only if it still holds it: compare-and-delete in Lua) so the next takes over at
// its next try.
//
// Redis away: the holder keeps the turn until its lease would have expired (nobody else can
// have taken it before then), then stops the job; nobody runs it until Redis is back. Two
// holders at once would need a lease to expire while its holder still runs: the jobs tolerate
// that (the trending refresh takes an advisory lock; the digest sender claims each email).
import type { Logger } from '../logger.ts';
import type { RedisLink } from './client.ts';

/** Something started that `stop` ends. */
export type Stop = () => Promise<void>;

export interface TurnOptions {
  /** How long a lease lasts without renewal: the longest a dead holder blocks the job. */
  leaseMs?: number;
  logger: Pick<Logger, 'info' | 'error'>;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export const DEFAULT_LEASE_MS = 15_000;

/**
 * Runs `start` whenever this instance holds the `name` lease, and the Stop it returned when the
 * lease is lost. The result stops trying, stops the job and hands the lease back.
 */
export function takeTurns(link: RedisLink, name: string, start: () => Promise<Stop>, { leaseMs = DEFAULT_LEASE_MS, logger }: TurnOptions): { stop: Stop } {
  const key = `${link.prefix}turn:${name}`;
  const token = `${link.instanceId}`;
  let job: Promise<Stop> | null = null;
  let heldUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const end = async (why: string) => {
    const running = job;
    job = null;
    heldUntil = 0;
    if (!running) return;
    logger.info({ job: name, why }, 'this instance ends its turn');
    await (await running.catch(() => async () => {}))();
  };

  const attempt = async () => {
    const now = Date.now();
    try {
      if (job) {
        const renewed = await link.client.eval(RENEW, 1, key, token, String(leaseMs));
        if (renewed === 1) heldUntil = now + leaseMs;
        else await end('lease lost');
      } else if ((await link.client.set(key, token, 'PX', leaseMs, 'NX')) === 'OK') {
        heldUntil = now + leaseMs;
        logger.info({ job: name, leaseMs }, 'this instance takes its turn');
        // Not awaited: a first run that takes longer than the lease (a month of votes to score)
        // must not hold up the renewals that keep the turn.
        job = start();
        job.catch((error: unknown) => logger.error({ err: error, job: name }, 'starting the job failed'));
      }
    } catch (error) {
      // Redis away (warned by the connection): keep the turn while the lease would still hold.
      if (job && Date.now() >= heldUntil) await end('lease expired while Redis was unreachable');
      void error;
    }
  };

  let current: Promise<void> = Promise.resolve();
  const loop = async () => {
    current = attempt();
    await current;
    if (!stopped) timer = setTimeout(() => void loop(), Math.max(100, Math.floor(leaseMs / 3))).unref();
  };
  void loop();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // An attempt under way may be starting the job: let it finish, then end it.
      await current;
      const held = job !== null;
      await end('stopping');
      if (held) await link.client.eval(RELEASE, 1, key, token).catch(() => {});
    },
  };
}
