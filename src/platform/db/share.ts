// A share of the database for one class of requests: anonymous ones. At most `capacity` of their
// statements run at once in this process; the rest of the pool stays reserved for signed-in
// readers, so a flood of anonymous work cannot take every connection (the pool's own queue is
// first come, first served: without this, one address's twelve slow searches would hold the
// connections a signed-in reader's daily page waits for).
//
// Statements past the capacity wait in a queue of at most `maxQueue`; past it, and at the
// request's deadline while waiting, they are refused: shed with 503 SERVICE_OVERLOADED, or
// OPERATION_TIMEOUT. `busy` tells the limits plugin (src/graphql/limits/plugin.ts) to refuse
// expensive anonymous operations before they start, which sheds the costliest work first.
//
// Statements shared between requests (src/platform/db/shared-reads.ts: the paper lists, search,
// a paper page by arXiv id) are shared among anonymous requests only, and take their place in
// the share like any other: the share's reader offers, as the reader to share on, one gated
// reader per reader beneath, the same object for every anonymous request.
import { operationTimedOut, serviceOverloaded } from '../errors.ts';
import type { Deadline, Reader, ReadStatement } from './reader.ts';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

export class ConnectionShare {
  private running = 0;
  private readonly queue: Waiter[] = [];
  /** Per reader beneath, the one gated reader that anonymous requests share statements on. */
  private readonly gates = new WeakMap<Reader, Reader>();

  constructor(
    /** Statements that may run at once: the pool's size less the connections reserved. */
    readonly capacity: number,
    /** Statements that may wait for one of those; more are shed. */
    readonly maxQueue: number = capacity * 2,
  ) {
    if (!(capacity >= 1)) throw new Error(`A connection share needs at least 1 connection; got ${capacity}`);
  }

  /** Whether statements are waiting for the share: expensive work is shed until they are not. */
  busy(): boolean {
    return this.queue.length > 0;
  }

  /** Statements running and waiting now. */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.length };
  }

  /** `inner`, whose statements each hold a place in the share while they run. */
  reader(inner: Reader): Reader {
    const share = this;
    return {
      rows: (statement, name, deadline) => this.run(inner, statement, name, deadline),
      get shared() {
        const below = inner.shared ?? { reader: inner };
        return { ...below, reader: share.gated(below.reader) };
      },
    };
  }

  private gated(reader: Reader): Reader {
    let gated = this.gates.get(reader);
    if (!gated) {
      gated = { rows: (statement, name, deadline) => this.run(reader, statement, name, deadline) };
      this.gates.set(reader, gated);
    }
    return gated;
  }

  private async run<R>(reader: Reader, statement: ReadStatement, name: string | undefined, deadline: Deadline | undefined): Promise<R[]> {
    await this.acquire(deadline);
    try {
      return await reader.rows<R>(statement, name, deadline);
    } finally {
      this.release();
    }
  }

  private acquire(deadline: Deadline | undefined): Promise<void> {
    if (this.running < this.capacity) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(serviceOverloaded('too many anonymous reads are waiting for the database'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (deadline) {
        waiter.timer = setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          reject(operationTimedOut(deadline.timeoutMs));
        }, Math.max(0, deadline.at - performance.now()));
      }
      this.queue.push(waiter);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (!next) {
      this.running--;
      return;
    }
    // The place passes to the next statement as it is: `running` stays the same.
    clearTimeout(next.timer);
    next.resolve();
  }
}

/**
 * The anonymous share of a pool of `poolSize` with `reserved` connections kept for signed-in
 * readers; none when nothing is reserved or the pool is too small to keep any (the embedded
 * database's single connection).
 */
export function anonymousShareOf(poolSize: number, reserved: number): ConnectionShare | undefined {
  return reserved > 0 && poolSize - reserved >= 1 ? new ConnectionShare(poolSize - reserved) : undefined;
}
