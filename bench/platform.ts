// The platform object of a bench script (src/platform/platform.ts), as the server builds it.
import { trendingScores } from '../src/catalog/papers/trending.ts';
import { prismaReader, type Database, type Db } from '../src/platform/db/client.ts';
import { createPlatform, type Platform } from '../src/platform/platform.ts';

export function benchPlatform(database: Omit<Database, 'poolSize'>): Platform {
  return createPlatform(database, { trending: trendingScores(database.db) });
}

/** Over a Prisma client of the script's own (one that logs its statements): reads go through Prisma. */
export function prismaPlatform(db: Db): Platform {
  const reader = prismaReader(db);
  return benchPlatform({ db, reader, primaryReader: reader, replicas: null, close: () => db.$disconnect() });
}
