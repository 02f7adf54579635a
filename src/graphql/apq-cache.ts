// Where automatic persisted queries are kept: a fixed memory budget (APQ_MAX_BYTES), least
// recently used first out. Apollo registers a query by its hash and looks it up by the hash
// alone; without a bound, anyone could fill the store with distinct documents (each one a
// registration), and nothing would ever leave it. Apollo's KeyValueCache interface, a few lines:
//   - with REDIS_URL, one store shared by every instance (a query registered through one is
//     known by its hash to all, so a GET with the hash alone works behind a load balancer);
//   - without it, a Map in this process (insertion order is recency).
// An entry counts its document's UTF-8 bytes plus ENTRY_OVERHEAD_BYTES, so the budget is what
// the store costs, not what the documents add up to. The cost of a registration to the client
// (src/graphql/apq.ts) is the same figure.
//
// Redis away: a miss (Apollo then answers PERSISTED_QUERY_NOT_FOUND and the client sends the
// query again, which works), and a failed set is ignored.
import type { RedisLink } from '../platform/redis/client.ts';

/**
 * What Redis spends on an entry besides its document: the hash field and the sorted-set member
 * (each `apq:` + 64 hex digits) with their dictionary entries and skip-list node. Measured on
 * Redis 7.0 (used_memory over 5,000 entries): 348 bytes an entry with 200-byte documents, 365
 * with 2,000-byte ones; rounded up.
 */
export const ENTRY_OVERHEAD_BYTES = 400;

/** The bytes an entry holding `query` takes of the budget. */
export function storedBytes(query: string): number {
  return Buffer.byteLength(query, 'utf8') + ENTRY_OVERHEAD_BYTES;
}

/** Apollo's KeyValueCache, as its persisted queries use it (keys are `apq:<sha256>`). */
export interface PersistedQueryCache {
  get(key: string): Promise<string | undefined>;
  /** Apollo's `ttl` is ignored: entries leave by recency, when the budget needs room. */
  set(key: string, query: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
  /** What is stored now: entries and the bytes they count against the budget (undefined: Redis away). */
  usage(): Promise<{ entries: number; bytes: number } | undefined>;
}

export interface PersistedQueryCacheOptions {
  /** APQ_MAX_BYTES: the budget; a set that goes over it evicts the least recently used entries. */
  maxBytes: number;
}

// The Redis store is three keys, changed only by these scripts, so every change is atomic across
// instances: `docs` (hash: key → document), `lru` (sorted set: key by a logical clock of its last
// use) and `meta` (hash: `bytes` counted against the budget, `clock`). A logical clock rather
// than time: instances' clocks disagree, and two uses in one millisecond must still be ordered.

/** KEYS docs lru meta; ARGV key. A hit moves the key to the most recently used end. */
const GET = `
local query = redis.call('HGET', KEYS[1], ARGV[1])
if query then redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[3], 'clock', 1), ARGV[1]) end
return query`;

/**
 * KEYS docs lru meta; ARGV key query maxBytes overhead. Stores, then evicts from the least
 * recently used end until the count is within the budget; the new entry is the most recent, and
 * no larger than the budget, so it is never the one evicted. An entry larger than the whole
 * budget is not stored. An empty recency list means an empty store: the count restarts at 0 (a
 * flushed or half-deleted store heals itself).
 */
const SET = `
local overhead = tonumber(ARGV[4])
local size = string.len(ARGV[2]) + overhead
local budget = tonumber(ARGV[3])
if size > budget then return 0 end
local clock = redis.call('HINCRBY', KEYS[3], 'clock', 1)
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], clock, ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[3], 'bytes', 0)
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], clock, ARGV[1])
local total = redis.call('HINCRBY', KEYS[3], 'bytes', size)
while total > budget do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then
    redis.call('HSET', KEYS[3], 'bytes', 0)
    break
  end
  local freed = redis.call('HSTRLEN', KEYS[1], oldest[1]) + overhead
  redis.call('HDEL', KEYS[1], oldest[1])
  total = redis.call('HINCRBY', KEYS[3], 'bytes', -freed)
end
return 1`;

/** KEYS docs lru meta; ARGV key overhead. */
const DELETE = `
local length = redis.call('HSTRLEN', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[3], 'bytes', -(length + tonumber(ARGV[2])))
return 1`;

/** The store shared by every instance through Redis (REDIS_URL). */
export function redisPersistedQueryCache(link: RedisLink, { maxBytes }: PersistedQueryCacheOptions): PersistedQueryCache {
  const keys = [`${link.prefix}apq:docs`, `${link.prefix}apq:lru`, `${link.prefix}apq:meta`] as const;
  return {
    async get(key) {
      const query = await link.client.eval(GET, 3, ...keys, key).catch(() => null);
      return typeof query === 'string' ? query : undefined;
    },
    async set(key, query) {
      await link.client.eval(SET, 3, ...keys, key, query, maxBytes, ENTRY_OVERHEAD_BYTES).catch(() => {});
    },
    async delete(key) {
      return (await link.client.eval(DELETE, 3, ...keys, key, ENTRY_OVERHEAD_BYTES).catch(() => 0)) === 1;
    },
    async usage() {
      try {
        const [entries, bytes] = await Promise.all([link.client.zcard(keys[1]), link.client.hget(keys[2], 'bytes')]);
        return { entries, bytes: entries === 0 ? 0 : Number(bytes ?? 0) };
      } catch {
        return undefined;
      }
    },
  };
}

/** The store of one process (no REDIS_URL): the same budget and eviction, in a Map. */
export function memoryPersistedQueryCache({ maxBytes }: PersistedQueryCacheOptions): PersistedQueryCache {
  // A Map iterates in insertion order: re-inserting a key on use keeps the least recent first.
  const entries = new Map<string, string>();
  let bytes = 0;
  const remove = (key: string) => {
    const query = entries.get(key);
    if (query === undefined) return false;
    entries.delete(key);
    bytes -= storedBytes(query);
    return true;
  };
  return {
    async get(key) {
      const query = entries.get(key);
      if (query !== undefined) {
        entries.delete(key);
        entries.set(key, query);
      }
      return query;
    },
    async set(key, query) {
      const size = storedBytes(query);
      if (size > maxBytes) return;
      remove(key);
      entries.set(key, query);
      bytes += size;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        remove(oldest);
      }
    },
    async delete(key) {
      return remove(key);
    },
    async usage() {
      return { entries: entries.size, bytes };
    },
  };
}
