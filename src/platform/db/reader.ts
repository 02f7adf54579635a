// The read path's contract: a Reader runs a read statement and returns its rows. The pools'
// readers (./client.ts), the replicas' (./replicas.ts) and a request's (bound to its deadline,
// switched to the primary once it writes) all have this one shape.
import { operationTimedOut } from '../errors.ts';

/** A statement of the read path: `$1`-style placeholders, as Prisma.Sql's `text` gives them. */
export interface ReadStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

export interface Reader {
  /**
   * Runs a read and returns its rows as objects. A fixed statement passes a `name`: it is parsed
   * and planned once per connection. Without one, the text decides: see `namedFor`. With a
   * `deadline`, waiting for a connection stops there too (`readerUntil` passes it).
   */
  rows<R>(statement: ReadStatement, name?: string, deadline?: Deadline): Promise<R[]>;
  /**
   * A request's reader (`readerUntil`): the reader beneath, whose statements requests may share
   * (src/platform/db/shared-reads.ts), and this request's deadline. Absent: the reader is that one.
   */
  readonly shared?: { readonly reader: Reader; readonly deadline?: Deadline };
}

/** When a request stops sending statements: `at` is a performance.now() time. */
export interface Deadline {
  readonly at: number;
  readonly timeoutMs: number;
}

/**
 * `reader`, refusing every statement once the deadline has passed: an operation answered 503
 * OPERATION_TIMEOUT (src/http/deadline.ts) stops querying the database instead of running on
 * unseen. Checked per statement, not per field: a field costs nothing until it asks for rows.
 * A statement queued for a connection (pool exhausted) gives up at the deadline too, instead
 * of taking a connection later for an answer nobody reads.
 */
export function readerUntil(reader: Reader, deadline: Deadline): Reader {
  return {
    rows<R>(statement: ReadStatement, name?: string): Promise<R[]> {
      if (performance.now() > deadline.at) return Promise.reject(operationTimedOut(deadline.timeoutMs));
      return reader.rows<R>(statement, name, deadline);
    },
    // A getter: the reader beneath may change (a request that wrote reads from the primary).
    get shared() {
      return { reader: reader.shared?.reader ?? reader, deadline };
    },
  };
}

/**
 * A request's reader over `routed` (replicas, when configured) that can be switched to `primary`
 * for good: a request that has written reads its own writes from then on (src/graphql/server.ts
 * switches it when the operation is a mutation). Without replicas the two are one reader and
 * there is nothing to switch.
 */
export function switchableReader(routed: Reader, primary: Reader): { reader: Reader; readOwnWrites?: () => void } {
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

/** Where a metered reader adds up its statements' time. */
export interface ReadMeter {
  /** Milliseconds the statements took, waiting for a pool connection included, summed. */
  dbMs?: number;
}

/**
 * `reader`, adding each statement's time to `meter` (the operation's report: what its request
 * is charged, src/graphql/limits/plugin.ts). Statements that run side by side each count: a
 * request holding three connections for 10 ms used 30 ms of the database.
 */
export function meteredReader(reader: Reader, meter: ReadMeter): Reader {
  return {
    async rows<R>(statement: ReadStatement, name?: string, deadline?: Deadline): Promise<R[]> {
      const start = performance.now();
      try {
        return await reader.rows<R>(statement, name, deadline);
      } finally {
        meter.dbMs = (meter.dbMs ?? 0) + (performance.now() - start);
      }
    },
    get shared() {
      return reader.shared ?? { reader };
    },
  };
}
