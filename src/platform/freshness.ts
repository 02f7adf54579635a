// A derived table kept at most `maxAgeMs` old (the trending scores: src/catalog/papers/trending.ts):
// a read that finds it stale starts a refresh. The first read of a process waits for one; later
// reads serve the current rows while a refresh runs in the background, and concurrent reads share
// one run. Where another process refreshes on a timer (instances taking turns through Redis),
// reads leave it to that one (`refreshedElsewhere`).
//
// One object per database and process, built by the composition root and held by the platform
// object: what a read depends on shows in what it is handed.
export interface FreshnessOptions {
  /** How old the rows may get (TRENDING_REFRESH_SECONDS). */
  readonly maxAgeMs: number;
  /** true: reads never refresh; the holder of the job's turn does, on its timer. */
  readonly refreshedElsewhere?: boolean;
}

export class Freshness {
  private last: number | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly options: FreshnessOptions,
  ) {}

  /** Refreshes now (a timer, a script, a test) and records when. */
  async refreshNow(): Promise<void> {
    await this.refresh();
    this.last = Date.now();
  }

  /** Resolves once the rows are fresh enough to read: see the top of this file. */
  async ensureFresh(): Promise<void> {
    if (this.options.refreshedElsewhere) return;
    const last = this.last;
    if (last !== undefined && Date.now() - last < this.options.maxAgeMs) return;
    this.running ??= this.refreshNow().finally(() => (this.running = undefined));
    if (last === undefined) await this.running;
    else this.running.catch(() => {}); // a failed background refresh is retried by the next read
  }
}
