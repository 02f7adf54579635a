// Point reads shared by concurrent requests. Keys that requests ask for during one turn of the
// event loop go to the database as ONE statement over all of them (`= ANY($1)`), and each
// request gets the rows of its own keys. Per-request DataLoaders batch the keys of one
// operation; this batches the operations that arrive together: under load, a dozen paper pages
// asked at once cost one statement, one round trip and one wake-up of a Postgres backend
// instead of a dozen (bench/results/2026-11-30-compare-12.md: paperCompare, 2.2x the requests
// per second at half the CPU per request).
//
// Why it is safe to share:
//   - Only reads whose rows do not depend on who asks. Who may see a row is decided after, per
//     request (e.g. src/papers/visibility.ts `visibleTo`).
//   - A batch is sent after every request in it has arrived, so each request reads a state at
//     least as new as its own start: a client that wrote and then reads sees its write. Nothing
//     is kept once answered (no cache).
//   - Each request gets rows of its own: a row asked for by two requests is copied for the
//     second, so one request changing its row (primeRelations takes columns off) cannot touch
//     the other's.
//   - Requests share only a batch for the same reader: with replicas, a request that reads its
//     own writes from the primary (src/db/replicas.ts) joins the primary's batches.
//   - Deadlines still hold: a request past its deadline sends nothing, and a batch waits for a
//     connection only as long as the latest deadline among its requests.
import DataLoader from 'dataloader';
import { operationTimedOut } from '../errors.ts';
import type { Deadline, Reader } from './client.ts';

interface Member<K> {
  keys: readonly K[];
  deadline: Deadline | undefined;
}

export interface SharedRead<K, R> {
  /** The rows of `keys` (any order; none for a key without a row), read with `reader`'s batch. */
  rows(reader: Reader, keys: readonly K[]): Promise<R[]>;
}

/** At most this many requests in one statement; more that arrive together make another. */
const MAX_REQUESTS_PER_BATCH = 64;

/** The latest deadline of a batch's requests; none if one of them has none. */
function latestDeadline<K>(members: readonly Member<K>[]): Deadline | undefined {
  let latest: Deadline | undefined;
  for (const { deadline } of members) {
    if (!deadline) return undefined;
    if (!latest || deadline.at > latest.at) latest = deadline;
  }
  return latest;
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
    return members.map(({ keys: own }) =>
      own.flatMap((key) =>
        (byKey.get(key) ?? []).map((row) => {
          if (!given.has(row)) {
            given.add(row);
            return row;
          }
          return { ...row };
        }),
      ),
    );
  };
  // One batcher per reader that requests share (the pool's, a replica router's, the primary's).
  const batchers = new WeakMap<Reader, DataLoader<Member<K>, R[]>>();
  return {
    rows(reader, keys) {
      const shared = reader.shared?.reader ?? reader;
      const deadline = reader.shared?.deadline;
      if (deadline && performance.now() > deadline.at) return Promise.reject(operationTimedOut(deadline.timeoutMs));
      let batcher = batchers.get(shared);
      if (!batcher) {
        batcher = new DataLoader((members) => run(shared, members), {
          cache: false,
          // After the I/O callbacks of this turn: the requests that arrived together.
          batchScheduleFn: (send) => setImmediate(send),
          maxBatchSize: MAX_REQUESTS_PER_BATCH,
        });
        batchers.set(shared, batcher);
      }
      return batcher.load({ keys, deadline });
    },
  };
}
