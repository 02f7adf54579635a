// Rate limiting on a cost budget: each client may spend `points` of query cost per fixed window
// of `windowSeconds` (GitHub and Shopify budget GraphQL the same way: by calculated cost, not by
// request count). The state is reported with the IETF draft httpapi-ratelimit-headers fields
// (version 9, as Hugging Face sends them):
//   RateLimit-Policy: "cost";q=5000;w=60      the budget: 5000 points per 60 s window
//   RateLimit: "cost";r=4939;t=42             61 spent, 4939 left, the window closes in 42 s
// and a refused request gets 429 with Retry-After.
import { MemoryRateLimitStore, type RateLimitStore, type WindowUsage } from './store.ts';

export interface RateLimitPolicy {
  /** Cost points per window; must be at least 1. */
  readonly points: number;
  readonly windowSeconds: number;
}

export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window closes and the budget is whole again. */
  readonly resetSeconds: number;
}

export interface RateLimitDecision extends RateLimitState {
  readonly allowed: boolean;
}

/** Where one request's cost is charged: the limiter and the client's key (never a raw token). */
export interface RateLimitBinding {
  readonly limiter: RateLimiter;
  readonly key: string;
  /** The client's network address key, charged for what fails before authentication. */
  readonly addressKey?: string;
  /** The latest state of the key, for the response headers and `extensions.cost`. */
  state?: RateLimitState;
  /** Whether this request has been charged yet (every request costs at least one point). */
  charged?: boolean;
}

/** The policy's name in the RateLimit fields. */
const POLICY = '"cost"';

export class RateLimiter {
  readonly policy: RateLimitPolicy;
  private readonly store: RateLimitStore;
  private readonly now: () => number;

  constructor(policy: RateLimitPolicy, store: RateLimitStore = new MemoryRateLimitStore(), now: () => number = Date.now) {
    if (!(policy.points >= 1) || !(policy.windowSeconds >= 1)) {
      throw new Error(`A rate limit needs at least 1 point and 1 second; got ${policy.points} points per ${policy.windowSeconds} s`);
    }
    this.policy = policy;
    this.store = store;
    this.now = now;
  }

  /** Spends `points` of the key's budget when enough is left; otherwise spends nothing. */
  async consume(key: string, points: number): Promise<RateLimitDecision> {
    const usage = await this.store.consume(key, points, this.policy.points, this.policy.windowSeconds * 1000);
    return { ...this.state(usage), allowed: usage.consumed };
  }

  /** The key's state without spending; null when it has no open window (a whole budget). */
  async peek(key: string): Promise<RateLimitState | null> {
    const usage = await this.store.get(key);
    return usage ? this.state(usage) : null;
  }

  /** The state of a key with no open window. */
  fresh(): RateLimitState {
    return { limit: this.policy.points, remaining: this.policy.points, resetSeconds: this.policy.windowSeconds };
  }

  headers(state: RateLimitState): [string, string][] {
    return [
      ['ratelimit-policy', `${POLICY};q=${this.policy.points};w=${this.policy.windowSeconds}`],
      ['ratelimit', `${POLICY};r=${state.remaining};t=${state.resetSeconds}`],
    ];
  }

  private state(usage: WindowUsage): RateLimitState {
    return {
      limit: this.policy.points,
      remaining: Math.max(0, this.policy.points - usage.used),
      // Rounded up: a client that waits this long finds the window closed.
      resetSeconds: Math.max(0, Math.ceil((usage.resetAt - this.now()) / 1000)),
    };
  }
}
