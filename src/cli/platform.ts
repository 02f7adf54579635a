// The platform object of a command (src/platform/platform.ts), over the database it opened: no
// live events (nobody listens to a script), trending refreshed by its reads as in the server.
import { trendingScores } from '../catalog/papers/trending.ts';
import { searchIndexOf } from '../catalog/papers/search-index.ts';
import type { Config } from '../config.ts';
import type { Database } from '../platform/db/open.ts';
import { createPlatform, type Platform } from '../platform/platform.ts';

export function cliPlatform(database: Database, config: Pick<Config, 'trendingRefreshSeconds'>): Platform {
  return createPlatform(database, {
    trending: trendingScores(database.db, { maxAgeSeconds: config.trendingRefreshSeconds }),
    embeddings: database.embeddingPath,
    searchIndex: database.rum.state === 'installed' ? searchIndexOf(database.db) : null,
  });
}
