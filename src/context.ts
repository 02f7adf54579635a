// What every resolver gets: the database, this request's loaders and who is asking.
import type { Db } from './db/client.ts';
import { createLoaders, type Loaders } from './loaders/index.ts';

export interface Context {
  db: Db;
  loaders: Loaders;
}

export function createContext(db: Db): Context {
  return { db, loaders: createLoaders(db) };
}
