// The rate budget in Redis (REDIS_URL): rate-limiter-flexible's RateLimiterRedis behind the
// RateLimitStore seam of src/http/rate-limit/limiter.ts, so every instance spends from one budget.
//
// Redis away: the limit fails open. Every call that cannot reach Redis answers as if the client
// had its whole budget, and the outage is logged once per minute. Considered and not taken:
// rate-limiter-flexible's `insuranceLimiter` with a RateLimiterMemory, which would keep limiting
// during an outage but with a whole budget per instance (N instances, N budgets), and would
// start every client over from zero when Redis comes back either way; the issue asks for open.
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitPolicy, RateLimitStore } from './limiter.ts';
import type { RedisLink } from '../../platform/redis/client.ts';

export function redisStore(policy: RateLimitPolicy, link: RedisLink): RateLimitStore {
  const store = new RateLimiterRedis({
    storeClient: link.client,
    keyPrefix: `${link.prefix}cost`,
    points: policy.points,
    duration: policy.windowSeconds,
    // Refuse at once (and so fail open here) while disconnected, instead of waiting on a timeout.
    rejectIfRedisNotReady: true,
  });
  const failOpen = (error: unknown) => {
    // A refusal is the limiter's answer, not a failure: it goes back to the caller.
    if (error instanceof RateLimiterRes) throw error;
    link.warn('rate-limit', 'Redis unreachable: rate limits fail open (requests are not limited) until it is back', error);
  };
  const whole = () => new RateLimiterRes(policy.points, 0, 0, false);
  return {
    consume: (key, points, options) => store.consume(key, points, options).catch((error: unknown) => (failOpen(error), whole())),
    reward: (key, points, options) => store.reward(key, points, options).catch((error: unknown) => (failOpen(error), whole())),
    get: (key, options) => store.get(key, options).catch((error: unknown) => (failOpen(error), null)),
  };
}
