// The rate budget in Redis (REDIS_URL): rate-limiter-flexible's RateLimiterRedis behind the
// RateLimitStore seam of src/http/rate-limit/limiter.ts, so every instance spends from one budget.
//
// Redis away: the limit fails open. Every call that cannot reach Redis answers as if the client
// had its whole budget, and the outage is logged once per minute. Considered and not taken:
// rate-limiter-flexible's `insuranceLimiter` with a RateLimiterMemory, which would keep limiting
// during an outage but with a whole budget per instance (N instances, N budgets), and would
// start every client over from zero when Redis comes back either way; the issue asks for open.
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { failingOpen, type RateLimitPolicy, type RateLimitStore } from './limiter.ts';
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
  return failingOpen(store, policy, (error) =>
    link.warn('rate-limit', 'Redis unreachable: rate limits fail open (requests are not limited) until it is back', error),
  );
}
