// Where the machine's CPU goes during a step, from /proc: the server under test, the Postgres
// backends of the bench database, the load generator (this process), and everything else
// ("foreign": other people's test runs on a shared machine). A step run while foreign load is
// high measures contention, not the server, so steps wait for a quiet machine first (bounded)
// and the report shows the foreign load each step had.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, ...fields] = line.trim().split(/\s+/);
  const n = fields.map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

function processTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after "pid (comm) "
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export interface CpuShare {
  /** Cores used on average by each, over the step. */
  server: number;
  postgres: number;
  loadGenerator: number;
  foreign: number;
}

interface Snapshot {
  at: number;
  machine: { busy: number; total: number };
  server: number;
  /** Ticks of each backend of the bench database alive at the time. */
  postgres: Map<number, number>;
  self: number;
}

/**
 * Postgres backends serving `database`: their titles read "postgres: <cluster>: <user>
 * <database> <client> <state>" (update_process_title is on by default). Found this way rather
 * than through pg_stat_activity so that backends opened during a step are found too.
 */
function backendsOf(database: string): Map<number, number> {
  const ticks = new Map<number, number>();
  const needle = ` ${database} `;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres:') && title.includes(needle)) ticks.set(Number(entry), processTicks(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

export class CpuMeter {
  private readonly database: string;

  constructor(
    url: string,
    private readonly serverPids: () => number[],
  ) {
    this.database = decodeURIComponent(new URL(url).pathname.slice(1));
  }

  snapshot(): Snapshot {
    return {
      at: performance.now(),
      machine: machineTicks(),
      server: this.serverPids().reduce((sum, pid) => sum + processTicks(pid), 0),
      postgres: backendsOf(this.database),
      self: processTicks(process.pid),
    };
  }

  /**
   * Backends alive at the end count from the start (or from zero when they started meanwhile);
   * one that worked and then ended within the interval is missed (pools keep busy ones open).
   */
  static share(a: Snapshot, b: Snapshot): CpuShare {
    const seconds = Math.max(0.001, (b.at - a.at) / 1000);
    const cores = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100) / 100;
    const server = b.server - a.server;
    let postgres = 0;
    for (const [pid, ticks] of b.postgres) postgres += ticks - (a.postgres.get(pid) ?? 0);
    const self = b.self - a.self;
    const foreign = Math.max(0, b.machine.busy - a.machine.busy - server - postgres - self);
    return { server: cores(server), postgres: cores(postgres), loadGenerator: cores(self), foreign: cores(foreign) };
  }

  /**
   * Waits until the foreign load over one second is at most `maxForeign` cores, at most
   * `maxWaitMs`. Returns how long it waited and the last foreign load seen.
   */
  async quiet(maxForeign: number, maxWaitMs: number): Promise<{ waitedMs: number; foreign: number }> {
    const started = performance.now();
    for (;;) {
      const a = this.snapshot();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const foreign = CpuMeter.share(a, this.snapshot()).foreign;
      const waitedMs = performance.now() - started;
      if (foreign <= maxForeign || waitedMs >= maxWaitMs) return { waitedMs: Math.round(waitedMs), foreign };
    }
  }
}
