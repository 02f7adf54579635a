// The platform object: everything the domains stand on, built once by the composition root
// (src/main.ts; test/helpers/database.ts for tests) and handed down as an argument. Services and
// the per-request context receive it, or the parts they need; nothing finds a collaborator in a
// module-level registry, so what a function depends on shows in its signature.
import type { Database } from './db/client.ts';
import type { EmbeddingPath } from './embeddings/path.ts';
import type { RankedIndex } from './db/rum.ts';
import type { CatalogEvents } from './events/bus.ts';
import type { Freshness } from './freshness.ts';
import type { RedisLink } from './redis/client.ts';
import type { ConnectionShare } from './db/share.ts';

export interface Platform extends Omit<Database, 'close' | 'poolSize'> {
  /** The embedding path of related papers and HYBRID search; null: term weights only. */
  readonly embeddings: EmbeddingPath | null;
  /**
   * The RUM index of keyword search (src/catalog/papers/search-index.ts), where the server has
   * RUM: searches rank from it once it is valid. null: GIN only (no RUM, or SEARCH_RUM=off).
   */
  readonly searchIndex: RankedIndex | null;
  /** The trending scores' freshness (src/catalog/papers/trending.ts builds it). */
  readonly trending: Freshness;
  /** Where writes publish live updates; absent: nobody listens (scripts). */
  readonly events?: CatalogEvents;
  /** REDIS_URL's connection; absent: everything stays in the process. */
  readonly redis?: RedisLink;
  /** The time, for what decides by the day or the period: the latest daily page, the digests due. */
  readonly now: () => Date;
  /**
   * The connections anonymous requests may use at once (src/platform/db/share.ts); absent: all
   * of them (scripts, and DATABASE_RESERVED_CONNECTIONS=0).
   */
  readonly anonymousShare?: ConnectionShare;
}

export interface PlatformParts {
  readonly trending: Freshness;
  readonly embeddings?: EmbeddingPath | null;
  readonly searchIndex?: RankedIndex | null;
  readonly events?: CatalogEvents | undefined;
  readonly redis?: RedisLink | undefined;
  readonly now?: () => Date;
  readonly anonymousShare?: ConnectionShare | undefined;
}

export function createPlatform(database: Omit<Database, 'poolSize'>, { trending, embeddings = null, searchIndex = null, events, redis, now = () => new Date(), anonymousShare }: PlatformParts): Platform {
  const { db, reader, primaryReader, replicas } = database;
  return {
    db, reader, primaryReader, replicas, embeddings, searchIndex, trending, now,
    ...(events ? { events } : {}),
    ...(redis ? { redis } : {}),
    ...(anonymousShare ? { anonymousShare } : {}),
  };
}
