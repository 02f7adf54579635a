// Rate limiting on a cost budget: each client may spend `points` of query cost per fixed window
// of `windowSeconds` (GitHub and Shopify budget GraphQL the same way: by calculated cost, not by
// request count). The state is reported with the IETF draft httpapi-ratelimit-headers fields
// (version 9, as Hugging Face sends them):
//   RateLimit-Policy: "cost";q=5000;w=60      the budget: 5000 points per 60 s window
//   RateLimit: "cost";r=4939;t=42             61 spent, 4939 left, the window closes in 42 s
// and a refused request gets 429 with Retry-After.
//
// The counters live in a rate-limiter-flexible store: RateLimiterMemory for one process; a
// RateLimiterRedis built with the same points and duration is the seam for several replicas.
import { RateLimiterCluster, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

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

/** Where the windows are kept: any rate-limiter-flexible limiter (memory, Redis...). */
export type RateLimitStore = Pick<RateLimiterAbstract, 'consume' | 'reward' | 'get' | 'block'>;

/** The longest a debt keeps a client out: an hour, whatever it owes. */
export const MAX_DEBT_SECONDS = 3600;

/** A store in this process's memory, with the policy's points and window. */
export function memoryStore(policy: RateLimitPolicy): RateLimiterMemory {
  return new RateLimiterMemory({ points: policy.points, duration: policy.windowSeconds });
}

/**
 * A store shared by the worker processes of one host (WEB_CONCURRENCY, src/platform/cluster.ts): the
 * windows live in the primary (a RateLimiterClusterMaster it creates), so N workers grant one
 * budget, not N. A primary that does not answer within a second (a busy host) fails open, as
 * Redis does (src/http/rate-limit/redis-store.ts): the request is served as if the client had its
 * whole budget, rather than failing with an internal error.
 */
export function clusterStore(policy: RateLimitPolicy): RateLimitStore {
  return failingOpen(new RateLimiterCluster({ keyPrefix: 'cost', points: policy.points, duration: policy.windowSeconds, timeoutMs: 1000 }), policy);
}

/**
 * `store`, answering as if the client had its whole budget when it fails (unreachable, timed
 * out), after telling `onFailure`. A refusal is the store's answer, not a failure: it passes.
 */
export function failingOpen(store: RateLimitStore, policy: RateLimitPolicy, onFailure: (error: unknown) => void = () => {}): RateLimitStore {
  const failOpen = (error: unknown) => {
    if (error instanceof RateLimiterRes) throw error;
    onFailure(error);
  };
  const whole = () => new RateLimiterRes(policy.points, 0, 0, false);
  return {
    consume: (key, points, options) => store.consume(key, points, options).catch((error: unknown) => (failOpen(error), whole())),
    reward: (key, points, options) => store.reward(key, points, options).catch((error: unknown) => (failOpen(error), whole())),
    get: (key, options) => store.get(key, options).catch((error: unknown) => (failOpen(error), null)),
    block: (key, seconds, options) => store.block(key, seconds, options).catch((error: unknown) => (failOpen(error), whole())),
  };
}

/** The policy's name in the RateLimit fields. */
const POLICY = '"cost"';

/**
 * The limiter a policy asks for, the one place that decides it: none when RATE_LIMIT_POINTS is 0,
 * else over `store` (Redis, or the cluster primary's), in memory by default.
 */
export function rateLimiterFor(policy: RateLimitPolicy, store?: RateLimitStore): RateLimiter | null {
  return policy.points > 0 ? new RateLimiter(policy, store) : null;
}

export class RateLimiter {
  readonly policy: RateLimitPolicy;
  private readonly store: RateLimitStore;

  constructor(policy: RateLimitPolicy, store: RateLimitStore = memoryStore(policy)) {
    if (!(policy.points >= 1) || !(policy.windowSeconds >= 1)) {
      throw new Error(`A rate limit needs at least 1 point and 1 second; got ${policy.points} points per ${policy.windowSeconds} s`);
    }
    this.policy = policy;
    this.store = store;
  }

  /** Spends `points` of the key's budget when enough is left; otherwise spends nothing. */
  async consume(key: string, points: number): Promise<RateLimitDecision> {
    try {
      const res = await this.store.consume(key, points);
      return { ...this.state(res.consumedPoints, res.msBeforeNext), allowed: true };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // The store counts refused points too; a refused operation does not run, so it must not
      // shrink what is left for a cheaper one.
      await this.store.reward(key, points);
      return { ...this.state(refusal.consumedPoints - points, refusal.msBeforeNext), allowed: false };
    }
  }

  /**
   * Spends `points` whatever is left: a cost found after the fact (the measured time of an
   * operation that already ran). What goes past the budget is a debt, paid in time: the client
   * is refused for as many windows as the debt is budgets (at most MAX_DEBT_SECONDS), on top of
   * what is left of this one. A request that cost eight budgets keeps its client out eight minutes.
   */
  async spend(key: string, points: number): Promise<RateLimitDecision> {
    try {
      const res = await this.store.consume(key, points);
      return { ...this.state(res.consumedPoints, res.msBeforeNext), allowed: true };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const debt = Math.min(refusal.consumedPoints - this.policy.points, points);
      const seconds = Math.min(MAX_DEBT_SECONDS, Math.ceil(refusal.msBeforeNext / 1000 + (debt / this.policy.points) * this.policy.windowSeconds));
      const blocked = await this.store.block(key, seconds);
      return { ...this.state(this.policy.points, blocked.msBeforeNext), allowed: false };
    }
  }

  /** The key's state without spending; null when it has no open window (a whole budget). */
  async peek(key: string): Promise<RateLimitState | null> {
    const res = await this.store.get(key);
    return res && res.msBeforeNext > 0 ? this.state(res.consumedPoints, res.msBeforeNext) : null;
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

  private state(used: number, msBeforeNext: number): RateLimitState {
    return {
      limit: this.policy.points,
      remaining: Math.max(0, this.policy.points - used),
      // Rounded up: a client that waits this long finds the window closed.
      resetSeconds: Math.max(0, Math.ceil(msBeforeNext / 1000)),
    };
  }
}
