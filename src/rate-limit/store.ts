// Where rate-limit counters live. One instance keeps them in memory; the interface is what a
// shared store (Redis: one Lua script doing GET, INCRBY and PEXPIRE ... NX) implements so that
// replicas behind a load balancer share one budget per client.

/** A key's fixed window: points used since it opened, and when it closes (epoch ms). */
export interface WindowUsage {
  readonly used: number;
  readonly resetAt: number;
}

export interface RateLimitStore {
  /**
   * Atomically adds `points` to `key`'s open window unless that would take it past `limit`; opens a
   * window of `windowMs` when none is open. `consumed` tells whether the points were added.
   */
  consume(key: string, points: number, limit: number, windowMs: number): Promise<WindowUsage & { consumed: boolean }>;
  /** The key's open window; null when it has none (never charged, or its window has closed). */
  get(key: string): Promise<WindowUsage | null>;
}

export interface MemoryStoreOptions {
  /**
   * Keys kept at most. Past this the oldest windows are dropped (their clients start afresh):
   * a client spraying addresses must not grow the process without bound.
   */
  maxKeys?: number;
  now?: () => number;
}

/** Counters of one process. Windows are kept in opening order, so expired ones are at the front. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { used: number; resetAt: number }>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  async consume(key: string, points: number, limit: number, windowMs: number): Promise<WindowUsage & { consumed: boolean }> {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      // Re-inserted, not updated in place: the Map's order stays the order windows opened.
      this.windows.delete(key);
      window = { used: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    const consumed = window.used + points <= limit;
    if (consumed) window.used += points;
    return { used: window.used, resetAt: window.resetAt, consumed };
  }

  async get(key: string): Promise<WindowUsage | null> {
    const window = this.windows.get(key);
    if (!window || window.resetAt <= this.now()) return null;
    return { used: window.used, resetAt: window.resetAt };
  }

  /** The keys held, oldest window first (tests and diagnostics). */
  keys(): string[] {
    return [...this.windows.keys()];
  }

  private sweep(now: number): void {
    // Windows all last the same time, so they close in the order they opened: stop at the
    // first open one. Amortised O(1) per call.
    for (const [key, window] of this.windows) {
      if (window.resetAt > now && this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}
