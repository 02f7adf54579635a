// One event, many subscribers: each subscriber's selection reads the database, and a vote on a
// paper watched by three hundred clients would otherwise start three hundred selections in the
// same turn of the event loop, take every pool connection and leave HTTP readers waiting until
// they fail with SERVICE_UNAVAILABLE. The deliveries of this process take turns here instead:
// at most `concurrency` run at once, the rest wait in order, and what waits is bounded.
//
// A delivery that cannot be served is dropped, not queued without end: when `maxQueued` are
// waiting already, or when its turn comes after more than `maxWaitMs` (the event is stale by then,
// and the next one carries the current state). The caller tells its subscriber (src/graphql/websocket.ts).

export interface FanOutLimits {
  /** Deliveries running at once in this process (at least 1): keep it below the pool's size. */
  readonly concurrency: number;
  /** Deliveries waiting for a turn; past it a new one is dropped at once. */
  readonly maxQueued: number;
  /** A delivery that waited longer than this is dropped when its turn comes. */
  readonly maxWaitMs: number;
}

/** Ends a turn; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  readonly since: number;
  readonly grant: (release: Release | null) => void;
}

export class FanOutLimiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private droppedCount = 0;

  constructor(
    private readonly limits: FanOutLimits,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limits.concurrency >= 1)) throw new Error(`A fan-out limit needs a concurrency of at least 1; got ${limits.concurrency}`);
  }

  /**
   * A turn: resolves with its release once one is free, or with null when the delivery is
   * dropped (the queue is full, or it waited past `maxWaitMs`). The holder must release it.
   */
  acquire(): Promise<Release | null> {
    if (this.active < this.limits.concurrency && this.waiting.length === 0) return Promise.resolve(this.turn());
    if (this.waiting.length >= this.limits.maxQueued) {
      this.droppedCount++;
      return Promise.resolve(null);
    }
    return new Promise((grant) => this.waiting.push({ since: this.now(), grant }));
  }

  /** Deliveries running now, waiting now, and dropped since the start (for tests and logs). */
  stats(): { running: number; queued: number; dropped: number } {
    return { running: this.active, queued: this.waiting.length, dropped: this.droppedCount };
  }

  private turn(): Release {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.next();
    };
  }

  /** Hands free turns to the oldest waiters still in time; stale ones are dropped on the way. */
  private next(): void {
    while (this.active < this.limits.concurrency && this.waiting.length > 0) {
      const waiter = this.waiting.shift()!;
      if (this.now() - waiter.since > this.limits.maxWaitMs) {
        this.droppedCount++;
        waiter.grant(null);
      } else {
        waiter.grant(this.turn());
      }
    }
  }
}
