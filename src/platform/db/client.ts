// The one way the app builds its database access: ONE pg pool per database, shared by Prisma
// (through the pg driver adapter: schema, migrations, writes) and by the hot read path
// (the database's `reader`: plain pg, named prepared statements). One pool, not two, because the
// embedded database (PGlite) serves one connection only: a second pool would wait forever.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamps.ts';
import { PrismaPg } from '@prisma/adapter-pg';
import { operationTimedOut } from '../errors.ts';
import type { Deadline, Reader, ReadStatement } from './reader.ts';
import { PrismaClient } from '../../generated/prisma/client.ts';
import { ReplicaSet, type ReplicaOptions, type ReplicaStatus } from './replicas.ts';
import { instrumentPool } from '../telemetry/pg.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';

export type Db = PrismaClient;

export interface DbOptions {
  connectionString: string;
  /** pg pool size; EMBEDDED_POOL_SIZE on the embedded database. */
  poolSize?: number;
  /** Called with every SQL statement sent, by Prisma and by the reader (tests count them; bench reports them). */
  onQuery?: (sql: string) => void;
  /**
   * Whether reads use named (prepared) statements; default true. False for a server whose
   * connections share one session, as the embedded PGlite's do (one backend behind the
   * socket): a name prepared by one pg client still exists there when the pool opens the next
   * one, which then fails with "prepared statement ... already exists".
   */
  prepare?: boolean;
  /**
   * How long a statement waits for a connection (pg's `connectionTimeoutMillis`: a free one
   * from the pool, or a new one to open) before failing; default 5000. Fails as "database
   * unavailable" (src/platform/db/errors.ts), answered 503.
   */
  poolTimeoutMs?: number;
  /**
   * `statement_timeout` of every connection, sent when it opens (a startup parameter, so it
   * costs no round trip); undefined or 0: the server's own setting.
   */
  statementTimeoutMs?: number;
  /** DATABASE_READ_URLS: the reader's statements go to these (src/platform/db/replicas.ts). */
  replicas?: ReplicaOptions;
  /** Metrics (and spans, with tracing) of every pool: the primary's and each replica's (src/platform/telemetry/pg.ts). */
  telemetry?: Telemetry;
}

// pg reads DATE as a local-time Date; Prisma (and every caller here) means UTC midnight.
// Only here, per query: the global pg.types registry is shared with Prisma's adapter.
const DATE_OID = 1082;
const parseDay = (value: string) => new Date(`${value}T00:00:00.000Z`);
const readTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? parseDay : oid === TIMESTAMPTZ_OID ? parseTimestamptz : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

// Dynamic statements (the paper lists) are prepared under a name derived from their text.
// Each name costs a prepared statement on every connection, kept until it closes, so only the
// first MAX_NAMED distinct texts get one; rarer shapes run unnamed (parsed each time).
const MAX_NAMED = 200;
const names = new Map<string, string>();
function namedFor(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `r_${createHash('sha1').update(text).digest('base64url')}`;
    names.set(text, name);
  }
  return name;
}

function poolReader(pool: pg.Pool, onQuery: ((sql: string) => void) | undefined, prepare: boolean): Reader {
  return {
    async rows<R>(statement: ReadStatement, name?: string, deadline?: Deadline): Promise<R[]> {
      onQuery?.(statement.text);
      const query = {
        name: prepare ? (name ?? namedFor(statement.text)) : undefined,
        text: statement.text,
        values: statement.values as unknown[],
        types: readTypes,
      };
      if (!deadline) return (await pool.query(query)).rows as R[];
      // A free connection is handed out at once; else the wait for one ends at the deadline as
      // well as at the pool's timeout.
      const client = pool.idleCount > 0 && pool.waitingCount === 0 ? await pool.connect() : await connectBefore(pool, deadline);
      // A statement still running at the deadline is cancelled: nobody reads its answer, and
      // the server would otherwise go on working for it up to statement_timeout.
      let cancelled = false;
      const timer = setTimeout(() => {
        cancelled = true;
        cancelStatement(pool, client);
      }, Math.max(0, deadline.at - performance.now()));
      try {
        const result = await client.query(query);
        // A cancel sent at the deadline travels on a connection of its own and names the backend,
        // not the statement: arriving after this statement ended, it would cancel whatever the
        // connection ran next (another request's statement: seen in CI as a 57014 in a later
        // test's TRUNCATE). So a connection a cancel was sent for is closed, never reused.
        client.release(cancelled);
        return result.rows as R[];
      } catch (error) {
        // As pool.query does: a client whose statement failed is closed, not reused (it may be
        // the connection that broke).
        client.release(error as Error);
        throw cancelled ? operationTimedOut(deadline.timeoutMs) : error;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Asks the server to cancel what `client` is running (PostgreSQL's cancel request, on a connection of its own). */
function cancelStatement(pool: pg.Pool, client: pg.PoolClient): void {
  const running = (client as unknown as { activeQuery?: unknown }).activeQuery;
  if (!running) return;
  const canceller = new pg.Client(pool.options);
  // Best effort: a cancel that cannot reach the server leaves the statement to statement_timeout.
  (canceller as unknown as { connection: NodeJS.EventEmitter }).connection.on('error', () => {});
  (canceller as unknown as { cancel(client: pg.PoolClient, query: unknown): void }).cancel(client, running);
}

/** A pool connection, or OPERATION_TIMEOUT once the deadline passes first. */
function connectBefore(pool: pg.Pool, deadline: Deadline): Promise<pg.PoolClient> {
  const remaining = deadline.at - performance.now();
  if (remaining <= 0) return Promise.reject(operationTimedOut(deadline.timeoutMs));
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(operationTimedOut(deadline.timeoutMs));
    }, remaining);
    pool.connect().then(
      (client) => {
        clearTimeout(timer);
        // pg-pool cannot take a waiter out of its queue: one that gave up returns the
        // connection as soon as it gets it.
        if (late) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!late) reject(error);
      },
    );
  });
}

/**
 * A database as the app holds it: the Prisma client (schema, migrations, writes, transactions)
 * and the plain-pg readers of the hot read path, all over one pool (plus the replicas' pools).
 * Built once by `createDb` and handed down inside the platform object (src/platform/platform.ts):
 * nothing finds a database's reader by looking it up.
 */
export interface Database {
  readonly db: Db;
  /** The read path: a replica per statement with DATABASE_READ_URLS, else the primary. */
  readonly reader: Reader;
  /** Reads that must see the latest writes (a request that has written, token checks). */
  readonly primaryReader: Reader;
  /** DATABASE_READ_URLS (src/platform/db/replicas.ts); null without replicas. */
  readonly replicas: ReplicaSet | null;
  /** Connections of the primary's pool. */
  readonly poolSize: number;
  /** Closes the replicas' pools, then the primary's (Prisma's $disconnect). */
  close(): Promise<void>;
}

/**
 * The read path over a Prisma client built elsewhere than `createDb` (a script's own
 * PrismaClient): same rows, through Prisma's raw queries, slower.
 */
export function prismaReader(db: Db): Reader {
  return { rows: <R>(s: ReadStatement) => db.$queryRawUnsafe<R[]>(s.text, ...s.values) };
}

export function createDb({ connectionString, poolSize = 10, onQuery, prepare = true, poolTimeoutMs = 5000, statementTimeoutMs, replicas, telemetry }: DbOptions): Database {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: poolTimeoutMs,
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // An idle connection that dies (server restart, network) is dropped by the pool and the next
  // query opens another; without a listener its 'error' event would end the process.
  pool.on('error', () => {});
  // A connection in use but between two statements (a Prisma transaction's) that the server
  // ends (pg_terminate_backend, a restart) makes its client emit 'error' while pg-pool has taken
  // its own listener off: with none, that ends the process (seen in bench/faults.ts). With this
  // one, the client's next statement fails (answered 503) and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  if (telemetry) instrumentPool(pool, 'primary', telemetry);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  let db: Db;
  if (onQuery) {
    const logged = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
    logged.$on('query', (event) => onQuery(event.query));
    db = logged;
  } else {
    db = new PrismaClient({ adapter });
  }
  const primary = poolReader(pool, onQuery, prepare);
  const replicaReader = (replicaPool: pg.Pool, name: string) => {
    if (telemetry) instrumentPool(replicaPool, name, telemetry);
    return poolReader(replicaPool, onQuery, prepare);
  };
  const metrics = telemetry?.metrics;
  const set = replicas && replicas.urls.length > 0
    ? new ReplicaSet(pool, metrics ? { onSkip: (replica, reason) => metrics.replicaSkipped(replica, reason), ...replicas } : replicas, replicaReader, poolSize)
    : null;
  if (set) metrics?.watchReplicas(() => set.status());
  return {
    db,
    reader: set ? set.reader(primary) : primary,
    primaryReader: primary,
    replicas: set,
    poolSize,
    async close() {
      await set?.close();
      await db.$disconnect();
    },
  };
}

/** The replicas' health and lag; empty without replicas. */
export function replicaStatus(database: Pick<Database, 'replicas'>): ReplicaStatus[] {
  return database.replicas?.status() ?? [];
}
