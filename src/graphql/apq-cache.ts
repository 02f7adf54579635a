// Automatic persisted queries shared by every instance (REDIS_URL): a query registered through
// one instance is known by its hash to all, so a GET with the hash alone works behind a load
// balancer. Apollo's KeyValueCache interface over ioredis, a few lines (no extra dependency).
// Redis away: a miss (Apollo then answers PERSISTED_QUERY_NOT_FOUND and the client sends the
// query again, which works), and a failed set is ignored.
import type { RedisLink } from '../platform/redis/client.ts';

/** Registered queries are kept this long after their last registration. */
const TTL_SECONDS = 7 * 24 * 3600;

export function persistedQueryCache(link: RedisLink) {
  const key = (hash: string) => `${link.prefix}apq:${hash}`;
  return {
    async get(hash: string): Promise<string | undefined> {
      return (await link.client.get(key(hash)).catch(() => null)) ?? undefined;
    },
    async set(hash: string, query: string, options?: { ttl?: number | null }): Promise<void> {
      await link.client.set(key(hash), query, 'EX', options?.ttl ?? TTL_SECONDS).catch(() => {});
    },
    async delete(hash: string): Promise<boolean | void> {
      await link.client.del(key(hash)).catch(() => {});
    },
  };
}
