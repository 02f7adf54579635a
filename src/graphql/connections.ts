// Fields every connection type shares. `totalCount` is counted only when asked for, so the
// connection carries it as a function; graphql-js would call a function-valued property by
// itself, but graphql-jit (src/graphql/jit.ts) reads properties as they are, so it gets a resolver.
import type { Connection as ConnectionRow } from '../platform/pagination/connection.ts';

export const Connection = {
  totalCount: (connection: Pick<ConnectionRow<unknown>, 'totalCount'>) => connection.totalCount(),
};
