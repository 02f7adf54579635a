// What every resolver gets: the database, this request's loaders and who is asking.
import { readerOf, readerUntil, type Db, type Deadline, type Reader } from './db/client.ts';
import type { User } from './generated/prisma/client.ts';
import type { CatalogEvents } from './follow/events.ts';
import { createLoaders, type Loaders } from './loaders/index.ts';
import { authenticate } from './users/tokens.ts';

export interface Context {
  db: Db;
  /** The signed-in user; null when anonymous. */
  viewer: User | null;
  loaders: Loaders;
  /** This request's reads: past its deadline (over HTTP) every statement is refused. */
  reader: Reader;
  /** Where mutations publish live updates (src/follow/events.ts); absent: nobody listens. */
  events?: CatalogEvents;
}

export function createContext(db: Db, viewer: User | null = null, events?: CatalogEvents, deadline?: Deadline): Context {
  const reader = deadline ? readerUntil(readerOf(db), deadline) : readerOf(db);
  return { db, viewer, reader, loaders: createLoaders(db, viewer, reader), ...(events ? { events } : {}) };
}

/** The context of an HTTP request: authenticates its Authorization header. */
export async function contextFromRequest(
  db: Db,
  headers: { authorization?: string | undefined },
  events?: CatalogEvents,
  deadline?: Deadline,
): Promise<Context> {
  return createContext(db, await authenticate(db, headers.authorization), events, deadline);
}
