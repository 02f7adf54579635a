// The one way the app builds its Prisma client: the pg driver adapter, on a real server or on
// the embedded one alike.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;

export interface DbOptions {
  connectionString: string;
  /** pg pool size; EMBEDDED_POOL_SIZE on the embedded database. */
  poolSize?: number;
  /** Called with every SQL statement Prisma sends (tests count them; bench reports them). */
  onQuery?: (sql: string) => void;
}

export function createDb({ connectionString, poolSize = 10, onQuery }: DbOptions): Db {
  const adapter = new PrismaPg({ connectionString, max: poolSize, connectionTimeoutMillis: 10_000 });
  if (!onQuery) return new PrismaClient({ adapter });
  const db = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  db.$on('query', (event) => onQuery(event.query));
  return db;
}
