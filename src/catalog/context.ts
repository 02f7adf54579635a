// What every resolver gets: the database, this request's loaders and who is asking.
import { primaryReaderOf, readerOf, readerUntil, type Db, type Deadline, type Reader } from '../platform/db/client.ts';
import type { User } from '../generated/prisma/client.ts';
import type { CatalogEvents } from '../platform/events/bus.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import { authenticate } from './users/tokens.ts';

export interface Context {
  db: Db;
  /** The signed-in user; null when anonymous. */
  viewer: User | null;
  loaders: Loaders;
  /** This request's reads: past its deadline (over HTTP) every statement is refused. */
  reader: Reader;
  /** Where mutations publish live updates (src/platform/events/bus.ts); absent: nobody listens. */
  events?: CatalogEvents;
  /**
   * With read replicas: this request's reads go to the primary from now on (called once a
   * mutation starts, src/platform/db/replicas.ts's plugin), so it reads its own writes.
   */
  readOwnWrites?: () => void;
}

/** `readerOf(db)`, or with replicas a reader that can be switched to the primary for good. */
function requestReader(db: Db): { reader: Reader; readOwnWrites?: () => void } {
  const routed = readerOf(db);
  const primary = primaryReaderOf(db);
  if (primary === routed) return { reader: routed };
  let current = routed;
  const reader: Reader = {
    rows: (statement, name, deadline) => current.rows(statement, name, deadline),
    get shared() {
      return { reader: current };
    },
  };
  return { reader, readOwnWrites: () => void (current = primary) };
}

export function createContext(db: Db, viewer: User | null = null, events?: CatalogEvents, deadline?: Deadline): Context {
  const routing = requestReader(db);
  const reader = deadline ? readerUntil(routing.reader, deadline) : routing.reader;
  return {
    db, viewer, reader, loaders: createLoaders(db, viewer, reader), ...(events ? { events } : {}),
    ...(routing.readOwnWrites ? { readOwnWrites: routing.readOwnWrites } : {}),
  };
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
