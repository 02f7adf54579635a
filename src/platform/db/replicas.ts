// Read replicas (DATABASE_READ_URLS): the plain-pg read path (the database's `reader`, src/platform/db/client.ts)
// sends its statements to a replica; Prisma (writes, transactions, the few reads it makes)
// stays on the primary. Chosen over @prisma/extension-read-replicas because the hot reads do
// not go through Prisma at all: they are pg statements on a pool, so the replica choice belongs
// beside that pool, and Prisma's extension would have moved only the reads that do not matter
// (and needs a PrismaClient per replica with its own adapter and pool anyway).
//
// Rules:
//   - a replica is used while it answers and is at most `maxLagSeconds` behind the primary;
//     otherwise it is skipped until a later check finds it back (every `checkEveryMs`);
//   - a statement that fails on a replica for a reason of the replica's (connection lost,
//     server shutting down, recovery conflict) runs again on the primary: nothing fails;
//   - a request that has written reads from the primary from then on (src/graphql/server.ts):
//     its own writes may not have reached any replica yet.
//
// How far behind: the primary's WAL position (pg_current_wal_lsn) is sampled at each check and
// kept for a while; a replica that has replayed past the sample taken at time T has everything
// the primary had at T, so it is at most now - T behind. An upper bound to the check interval,
// that needs no write on the primary (pg_last_xact_replay_timestamp grows on an idle primary).
import pg from 'pg';
import type { Reader, ReadStatement } from './reader.ts';

export interface ReplicaOptions {
  readonly urls: readonly string[];
  /** DATABASE_MAX_REPLICA_LAG_SECONDS. */
  readonly maxLagSeconds: number;
  /** How often each replica's lag and health are checked (default 1000 ms). */
  readonly checkEveryMs?: number;
  /**
   * Called when a read meant for a replica goes to the primary (metrics): `unhealthy`, no
   * replica is healthy (named `none` then), or `failed`, this one failed the statement.
   */
  readonly onSkip?: (replica: string, reason: 'unhealthy' | 'failed') => void;
}

export interface ReplicaStatus {
  /** The replica's address, without credentials. */
  readonly name: string;
  readonly healthy: boolean;
  /** Upper bound on how far behind it was at the last check; null: unreachable. */
  readonly lagSeconds: number | null;
}

interface Replica {
  readonly name: string;
  readonly pool: pg.Pool;
  readonly reader: Reader;
  reachable: boolean;
  lagSeconds: number | null;
}

/** SQLSTATE classes that say "this server, not this statement": connection (08), operator intervention (57), resources (53). */
const SERVER_TROUBLE = /^(08|57|53)/;
/** Canceling statement due to conflict with recovery: a replica's own reason; the primary has none. */
const RECOVERY_CONFLICT = '40001';

function isReplicaTrouble(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // No SQLSTATE: the connection itself failed (ECONNREFUSED, "Connection terminated", timeout).
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return SERVER_TROUBLE.test(code) || code === RECOVERY_CONFLICT;
}

/** 'X/Y' (hex halves) as one number. */
const lsn = (text: string) => {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
};

const nameOf = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
};

export class ReplicaSet {
  private readonly replicas: Replica[];
  private readonly samples: { at: number; lsn: bigint }[] = [];
  private readonly timer: NodeJS.Timeout;
  private next = 0;
  private checking: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly primary: pg.Pool,
    private readonly options: ReplicaOptions,
    makeReader: (pool: pg.Pool, name: string) => Reader,
    poolSize: number,
  ) {
    this.replicas = options.urls.map((url) => {
      const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 2000, application_name: 'paper-catalog:read' });
      // A replica that goes away: its idle connections error; the pool drops them.
      pool.on('error', () => {});
      // Unknown until the first check: not used before it.
      const name = nameOf(url);
      return { name, pool, reader: makeReader(pool, name), reachable: false, lagSeconds: null };
    });
    const every = options.checkEveryMs ?? 1000;
    this.timer = setInterval(() => void this.check(), every).unref();
    void this.check();
  }

  /** Resolves after a check of every replica (tests and start-up use it). */
  async check(): Promise<void> {
    if (this.closed) return;
    if (!this.checking) this.checking = this.runCheck().finally(() => (this.checking = null));
    return this.checking;
  }

  private async runCheck(): Promise<void> {
    const keepMs = (this.options.maxLagSeconds + 5) * 1000;
    try {
      const { rows } = await withTimeout(this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'), 2000);
      this.samples.push({ at: Date.now(), lsn: lsn(rows[0]!.lsn) });
    } catch {
      // The primary did not answer: judge the replicas on the samples already taken.
    }
    while (this.samples.length > 1 && Date.now() - this.samples[1]!.at > keepMs) this.samples.shift();
    await Promise.all(
      this.replicas.map(async (replica) => {
        try {
          const { rows } = await withTimeout(
            replica.pool.query<{ replayed: string | null; recovery: boolean }>('SELECT pg_last_wal_replay_lsn()::text AS replayed, pg_is_in_recovery() AS recovery'),
            2000,
          );
          const { replayed, recovery } = rows[0]!;
          // A promoted replica (no longer in recovery) is a primary of its own: not ours to read.
          const position = recovery && replayed ? lsn(replayed) : null;
          const caughtUp = position === null ? undefined : [...this.samples].reverse().find((sample) => position >= sample.lsn);
          replica.reachable = position !== null;
          replica.lagSeconds = caughtUp ? (Date.now() - caughtUp.at) / 1000 : Infinity;
        } catch {
          replica.reachable = false;
          replica.lagSeconds = null;
        }
      }),
    );
  }

  private healthy(replica: Replica): boolean {
    return replica.reachable && replica.lagSeconds !== null && replica.lagSeconds <= this.options.maxLagSeconds;
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({ name: r.name, healthy: this.healthy(r), lagSeconds: r.lagSeconds === Infinity ? null : r.lagSeconds }));
  }

  /** Reads from a healthy replica in turn, else from `primary`. */
  reader(primary: Reader): Reader {
    return {
      rows: async <R>(statement: ReadStatement, name?: string): Promise<R[]> => {
        const replica = this.pick();
        if (!replica) {
          this.options.onSkip?.('none', 'unhealthy');
          return primary.rows<R>(statement, name);
        }
        try {
          return await replica.reader.rows<R>(statement, name);
        } catch (error) {
          if (!isReplicaTrouble(error)) throw error;
          // Skipped from now until a check finds it answering again; this statement goes on.
          if ((error as { code?: unknown }).code !== RECOVERY_CONFLICT) replica.reachable = false;
          this.options.onSkip?.(replica.name, 'failed');
          return primary.rows<R>(statement, name);
        }
      },
    };
  }

  private pick(): Replica | undefined {
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.next + i) % this.replicas.length]!;
      if (this.healthy(replica)) {
        this.next = (this.next + i + 1) % this.replicas.length;
        return replica;
      }
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.checking?.catch(() => {});
    await Promise.all(this.replicas.map((r) => r.pool.end().catch(() => {})));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
