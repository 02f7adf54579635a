// Reads shared by concurrent requests, two kinds:
//   - sharedRead: keys that requests ask for during one turn of the event loop go to the
//     database as ONE statement over all of them (`= ANY($1)`), and each request gets the rows
//     of its own keys (a paper page by arXiv id);
//   - sharedRows: the same statement with the same values, asked for by several requests in
//     one turn, is sent once (the newest papers, today's daily page).
// Per-request DataLoaders batch the keys of one operation; this batches the operations that
// arrive together: under load, a dozen paper pages asked at once cost one statement, one round
// trip and one wake-up of a Postgres backend instead of a dozen. Measured with bench/ab.sh on
// the 100k catalog, 16 connections: paperCompare 2x the requests per second at half the CPU
// per request, newest 1.9x, dailyAnon 1.3x (commit messages; bench/results/ for the whole run).
//
// Why it is safe to share:
//   - Only reads whose rows do not depend on who asks. Who may see a row is decided after, per
//     request (e.g. src/catalog/papers/visibility.ts `visibleTo`).
//   - A batch is sent after every request in it has arrived, so each request reads a state at
//     least as new as its own start: a client that wrote and then reads sees its write. Nothing
//     is kept once answered (no cache).
//   - Each request gets rows of its own: a row asked for by two requests is copied for the
//     second, so one request changing its row (primeRelations takes columns off) cannot touch
//     the other's.
//   - Requests share only a batch for the same reader: with replicas, a request that reads its
//     own writes from the primary (src/platform/db/replicas.ts) joins the primary's batches.
//   - Deadlines still hold: a request past its deadline sends nothing, and a batch waits for a
//     connection only as long as the latest deadline among its requests.
import DataLoader from 'dataloader';
import { operationTimedOut } from '../errors.ts';
import type { Deadline, Reader, ReadStatement } from './reader.ts';

/** What every request in a batch brings: its own part of the work and its deadline. */
interface Joined {
  deadline: Deadline | undefined;
}

interface Member<K> extends Joined {
  keys: readonly K[];
}

interface Asked extends Joined {
  key: string;
  statement: ReadStatement;
  name: string | undefined;
}

export interface SharedRead<K, R> {
  /** The rows of `keys` (any order; none for a key without a row), read with `reader`'s batch. */
  rows(reader: Reader, keys: readonly K[]): Promise<R[]>;
}

/** At most this many requests in one batch; more that arrive together make another. */
const MAX_REQUESTS_PER_BATCH = 64;

/** The latest deadline of a batch's requests; none if one of them has none. */
function latestDeadline(members: readonly Joined[]): Deadline | undefined {
  let latest: Deadline | undefined;
  for (const { deadline } of members) {
    if (!deadline) return undefined;
    if (!latest || deadline.at > latest.at) latest = deadline;
  }
  return latest;
}

const copyOf = <R>(row: R): R => (row !== null && typeof row === 'object' ? { ...row } : row);

/** `row` for its first taker, a copy for the others: no request can change another's row. */
function ownedBy<R>(given: Set<R>, row: R): R {
  if (given.has(row)) return copyOf(row);
  given.add(row);
  return row;
}

/**
 * Joins `member` to the batch of the reader that `reader` shares, sent after this turn of the
 * event loop by `run` (one batcher per shared reader: the pool's, a replica router's, the
 * primary's). A request already past its deadline joins nothing.
 */
function join<T extends Joined, V>(
  batchers: WeakMap<Reader, DataLoader<T, V>>,
  reader: Reader,
  run: (shared: Reader, members: readonly T[]) => Promise<V[]>,
  member: (deadline: Deadline | undefined) => T,
): Promise<V> {
  const { reader: shared = reader, deadline } = reader.shared ?? {};
  if (deadline && performance.now() > deadline.at) return Promise.reject(operationTimedOut(deadline.timeoutMs));
  let batcher = batchers.get(shared);
  if (!batcher) {
    batcher = new DataLoader<T, V>((members) => run(shared, members), {
      cache: false,
      // After the I/O callbacks of this turn: the requests that arrived together.
      batchScheduleFn: (send) => setImmediate(send),
      maxBatchSize: MAX_REQUESTS_PER_BATCH,
    });
    batchers.set(shared, batcher);
  }
  return batcher.load(member(deadline));
}

/**
 * A read by keys that concurrent requests share. `text` takes the array of keys as its only
 * parameter ($1) and must return, for each key, the rows whose `keyOf` is that key.
 */
export function sharedRead<K, R extends object>({ name, text, keyOf }: { name: string; text: string; keyOf: (row: R) => K }): SharedRead<K, R> {
  const run = async (reader: Reader, members: readonly Member<K>[]): Promise<R[][]> => {
    const keys = [...new Set(members.flatMap((member) => member.keys))];
    const rows = await reader.rows<R>({ text, values: [keys] }, name, latestDeadline(members));
    const byKey = new Map<K, R[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const group = byKey.get(key);
      if (group) group.push(row);
      else byKey.set(key, [row]);
    }
    const given = new Set<R>();
    return members.map(({ keys: own }) => own.flatMap((key) => (byKey.get(key) ?? []).map((row) => ownedBy(given, row))));
  };
  const batchers = new WeakMap<Reader, DataLoader<Member<K>, R[]>>();
  return { rows: (reader, keys) => join(batchers, reader, run, (deadline) => ({ keys, deadline })) };
}

/** The same statement with the same values, as one string; undefined when values cannot say. */
function statementKey(statement: ReadStatement, name: string | undefined): string | undefined {
  try {
    // A Date and its ISO string are different values: tagged apart.
    const values = statement.values.map((value) => (value instanceof Date ? { date: value.getTime() } : value));
    return `${name ?? ''}\u0000${statement.text}\u0000${JSON.stringify(values)}`;
  } catch {
    return undefined; // a BigInt, a cycle: sent alone
  }
}

async function runStatements(reader: Reader, asked: readonly Asked[]): Promise<unknown[][]> {
  const alike = new Map<string, Asked[]>();
  for (const one of asked) {
    const group = alike.get(one.key);
    if (group) group.push(one);
    else alike.set(one.key, [one]);
  }
  // Each distinct statement once, waiting for a connection as long as its latest request.
  const runs = new Map([...alike].map(([key, group]) => [key, reader.rows<unknown>(group[0]!.statement, group[0]!.name, latestDeadline(group))]));
  const given = new Set<string>();
  return Promise.all(
    asked.map(async ({ key }) => {
      const rows = await runs.get(key)!;
      if (given.has(key)) return rows.map(copyOf);
      given.add(key);
      return rows;
    }),
  );
}

const statementBatchers = new WeakMap<Reader, DataLoader<Asked, unknown[]>>();

/**
 * `reader.rows(statement, name)`, sent once for every request that asks for the same statement
 * with the same values during this turn of the event loop (the newest papers, today's daily
 * page: what many readers open at once). Each request gets rows of its own.
 */
export function sharedRows<R>(reader: Reader, statement: ReadStatement, name?: string): Promise<R[]> {
  const key = statementKey(statement, name);
  if (key === undefined) return reader.rows<R>(statement, name);
  return join(statementBatchers, reader, runStatements, (deadline) => ({ key, statement, name, deadline })) as Promise<R[]>;
}
