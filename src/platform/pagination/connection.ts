// Cursor connections (Relay) over keyset pagination. A list is described once by its order
// (Prisma orderBy, the key of a row, and the `where` that selects the rows after or before a
// key); this module validates the arguments, fetches one extra row to learn whether another
// page exists, and never uses OFFSET, so page 500 costs what page 1 costs.
import { keyInt, type KeyValue } from './keys.ts';
import { badInput, truncate } from '../errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export type { KeyValue };

/** How one list is ordered; `Where` is the Prisma where type of its model. */
export interface KeysetOrder<Row, Where, OrderBy> {
  /** Name baked into cursors, so a cursor of one list is refused by another. */
  name: string;
  orderBy: OrderBy;
  /** Same order, reversed: used to walk backwards with `last`/`before`. */
  reverseOrderBy: OrderBy;
  key(row: Row): KeyValue[];
  /** Number of values in a key. */
  keyLength: number;
  /** Rows strictly after `key` in `orderBy` order (`direction: 'before'`: strictly before). */
  beyond(key: KeyValue[], direction: 'after' | 'before'): Where;
}

/**
 * The keyset condition of a list ordered by `field`, then `idField`, both ascending or both
 * descending: the rows strictly beyond `(value, id)` in the walking direction, in Prisma's form.
 * Written as `field >= v AND (field > v OR id > i)` (not a row comparison, which Prisma has not),
 * so that an index on (field, id) still bounds the scan.
 */
export function beyondPair<Where>(
  [field, value]: readonly [string, unknown],
  [idField, id]: readonly [string, number],
  { ascending, direction }: { ascending: boolean; direction: 'after' | 'before' },
): Where {
  const up = ascending === (direction === 'after');
  const [atLeast, past] = up ? ['gte', 'gt'] : ['lte', 'lt'];
  return { [field]: { [atLeast]: value }, OR: [{ [field]: { [past]: value } }, { [idField]: { [past]: id } }] } as Where;
}

/** Newest first, by id alone: a list whose rows are added in order (follows, collections). */
export function newestById<Row extends { id: number }, Where, OrderBy>(name: string): KeysetOrder<Row, Where, OrderBy> {
  return {
    name,
    orderBy: { id: 'desc' } as OrderBy,
    reverseOrderBy: { id: 'asc' } as OrderBy,
    keyLength: 1,
    key: (row) => [row.id],
    beyond: ([id], direction) => ({ id: direction === 'after' ? { lt: keyInt(id) } : { gt: keyInt(id) } }) as Where,
  };
}

export interface Edge<Row> {
  cursor: string;
  node: Row;
}

export interface Connection<Row> {
  edges: Edge<Row>[];
  nodes: Row[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Counted only when a client asks for it. */
  totalCount: () => Promise<number>;
}

export function encodeCursor(order: string, key: KeyValue[]): string {
  return Buffer.from(JSON.stringify([order, ...key])).toString('base64url');
}

export function decodeCursor(order: string, cursor: string, length: number, argumentName: string): KeyValue[] {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,512}$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length === length + 1 &&
    parsed[0] === order &&
    parsed.slice(1).every((v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
  if (!valid) {
    throw badInput(`${argumentName} is not a cursor of this list: pass a cursor from the same field's pageInfo or edges; got "${truncate(cursor)}"`, argumentName);
  }
  return (parsed as KeyValue[]).slice(1);
}

export interface PageRequest {
  take: number;
  direction: 'forward' | 'backward';
  cursor: string | null;
}

/** Validates first/after/last/before into one page request. */
export function pageRequest(args: ConnectionArgs): PageRequest {
  const { first, after, last, before } = args;
  if (first != null && last != null) throw badInput('Pass either first or last, not both', 'last');
  if (after != null && last != null) throw badInput('after goes with first; use before with last', 'after');
  if (before != null && first != null) throw badInput('before goes with last; use after with first', 'before');
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value != null && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw badInput(`${name} must be between 1 and ${MAX_PAGE_SIZE}; got ${value}`, name);
    }
  }
  if (last != null) return { take: last, direction: 'backward', cursor: before ?? null };
  return { take: first ?? DEFAULT_PAGE_SIZE, direction: 'forward', cursor: after ?? null };
}

export interface FindPage<Row, Where, OrderBy> {
  (query: { where: Where; orderBy: OrderBy; take: number }): Promise<Row[]>;
}

/**
 * One page of a list. `where` is the list's own filter; `find` runs the query (it gets the
 * filter combined with the cursor condition); `count` counts the whole filtered list.
 */
export async function paginate<Row, Where, OrderBy>(options: {
  args: ConnectionArgs;
  order: KeysetOrder<Row, Where, OrderBy>;
  where: Where;
  and: (a: Where, b: Where) => Where;
  find: FindPage<Row, Where, OrderBy>;
  count: (where: Where) => Promise<number>;
}): Promise<Connection<Row>> {
  const { args, order, where, and, find, count } = options;
  const request = pageRequest(args);
  const cursorArg = request.direction === 'forward' ? 'after' : 'before';
  const cursorKey = request.cursor === null ? null : decodeCursor(order.name, request.cursor, order.keyLength, cursorArg);
  const filtered = cursorKey === null ? where : and(where, order.beyond(cursorKey, cursorArg));
  const rows = await find({
    where: filtered,
    orderBy: request.direction === 'forward' ? order.orderBy : order.reverseOrderBy,
    take: request.take + 1,
  });
  return toConnection(rows, request, (node) => ({ cursor: encodeCursor(order.name, order.key(node)), node }), () => count(where));
}

/**
 * The connection of a page fetched with `take + 1` rows in walking order (reversed for
 * last/before): drops the extra row, restores the list's order, and builds pageInfo.
 * Every keyset list ends here, whatever built its query.
 */
export function toConnection<Row, E extends Edge<unknown>>(
  rows: Row[],
  request: PageRequest,
  edge: (row: Row) => E,
  count: () => Promise<number>,
): Omit<Connection<E['node']>, 'edges'> & { edges: E[] } {
  const forward = request.direction === 'forward';
  const hasMore = rows.length > request.take;
  const page = rows.slice(0, request.take);
  if (!forward) page.reverse();
  const edges = page.map(edge);
  let total: Promise<number> | undefined;
  return {
    edges,
    nodes: edges.map((e) => e.node as E['node']),
    pageInfo: {
      // Relay allows `false` when it cannot be known cheaply; a cursor given means rows exist on
      // that side of it (they may since have been deleted, which clients tolerate).
      hasNextPage: forward ? hasMore : request.cursor !== null,
      hasPreviousPage: forward ? request.cursor !== null : hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => (total ??= count()),
  };
}
