// Faults: a database that cannot be reached is answered 503 SERVICE_UNAVAILABLE with Retry-After
// (src/http/unavailable.ts), over real HTTP: a refused connection, a backend terminated by the
// server in the middle of a request, a pool that stays exhausted. A statement failing for any
// other reason stays a masked field error. The fault run under load is bench/faults.ts.
import net from 'node:net';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createDb, type Database } from '../src/platform/db/client.ts';
import { isDatabaseUnavailable } from '../src/platform/db/errors.ts';
import { createLogger } from '../src/platform/logger.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { createServer } from '../src/http/server.ts';
import { createTestDatabase, testPlatform, usingRealPostgres, type TestDatabase } from './helpers/database.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { startTestHttp, userWithToken, type TestHttp } from './helpers/server.ts';

let t: TestDatabase;
let catalog: Awaited<ReturnType<typeof smallCatalog>>;
const logger = createLogger({ logLevel: 'silent' });

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
  catalog = await smallCatalog(t.db);
});

/** The API over `db` on a free port, configured by `env`; stopped by the returned function. */
async function apiOver(database: Database | TestDatabase, env: Record<string, string> = {}): Promise<TestHttp & { stop(): Promise<void> }> {
  const config = loadConfig({ NODE_ENV: 'test', RATE_LIMIT_POINTS: '0', ...env });
  const apollo = createServer({ config, logger });
  await apollo.start();
  const http = await startTestHttp(t, { apollo, config }, { platform: 'platform' in database ? database.platform : testPlatform(database), logger });
  return {
    ...http,
    async stop() {
      await http.close(1000);
      await apollo.stop();
    },
  };
}

// What an unavailable answer must never carry: the connection's address, driver or SQL.
const LEAKS = /127\.0\.0\.1|localhost|(?<!"(line|column)"):\d{2,5}\b|ECONN|pg_|postgres|prisma|SELECT|terminat|stack/i;

function expectUnavailable(response: { status: number; body: any; headers: Headers }, path?: string[]) {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(response.body.errors).toEqual([
    expect.objectContaining({
      message: 'The service is temporarily unavailable: the database could not be reached. Retry shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
      ...(path ? { path } : {}),
    }),
  ]);
  expect(JSON.stringify(response.body)).not.toMatch(LEAKS);
}

/** A TCP port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a refused connection', () => {
  let down: Database;
  let api: TestHttp & { stop(): Promise<void> };
  beforeEach(async () => {
    down = createDb({ connectionString: `postgresql://app@127.0.0.1:${await closedPort()}/catalog`, poolSize: 2 });
    api = await apiOver(down);
  });
  afterEach(async () => {
    await api.stop();
    await down.close();
  });

  test('a read is 503 SERVICE_UNAVAILABLE with Retry-After, naming no host, port or driver', async () => {
    expectUnavailable(await api.post('{ papers(first: 1) { totalCount } }'), ['papers']);
    // A Prisma read (a paper by global id goes through the read path, topics through Prisma).
    expectUnavailable(await api.post(`{ node(id: "${toGlobalId('Paper', 1)}") { id } }`), ['node']);
  });

  test('a signed-in request is refused the same way while its token is looked up, before any field', async () => {
    const { token } = await userWithToken(t, 'carol');
    const response = await api.post(`mutation { upvotePaper(paperId: "${toGlobalId('Paper', catalog.papers[0]!.id)}") { paper { upvotes } } }`, undefined, token);
    expectUnavailable(response);
  });

  test('/healthz still answers 200 without touching the database; /readyz names the database as down', async () => {
    const healthz = await fetch(`${api.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok' });
    const readyz = await fetch(`${api.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'unavailable', checks: { database: 'down' } });
  });
});

test('/healthz sends no statement to the database', async () => {
  const api = await apiOver(t);
  try {
    t.queries.length = 0;
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect(t.queries).toEqual([]);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect(t.queries.length).toBe(1);
  } finally {
    await api.stop();
  }
});

test('a statement that fails for another reason stays a masked field error next to the fields that succeeded, with 200', async () => {
  const api = await apiOver(t);
  const admin = new pg.Client({ connectionString: t.url });
  await admin.connect();
  try {
    await admin.query('ALTER TABLE "Topic" RENAME TO "TopicMoved"');
    const response = await api.post('{ papers(first: 1) { totalCount } topic(slug: "nlp") { name } }');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ papers: { totalCount: 6 }, topic: null });
    expect(response.body.errors).toEqual([{ message: 'Internal server error', locations: [{ line: 1, column: 35 }], path: ['topic'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  } finally {
    await admin.query('ALTER TABLE "TopicMoved" RENAME TO "Topic"');
    await admin.end();
    await api.stop();
  }
});

// The rest needs a server with more than one backend: the machine's PostgreSQL (CI sets
// DATABASE_URL). The embedded database serves one connection at a time.
const realPostgres = usingRealPostgres ? describe : describe.skip;
if (!usingRealPostgres) console.warn('test/faults.test.ts: terminated-backend and exhausted-pool tests skipped: they need DATABASE_URL (a real PostgreSQL)');

realPostgres('on a real PostgreSQL', () => {
  let admin: pg.Client;
  let locker: pg.Client;
  beforeEach(async () => {
    admin = new pg.Client({ connectionString: t.url });
    locker = new pg.Client({ connectionString: t.url });
    await admin.connect();
    await locker.connect();
  });
  afterEach(async () => {
    await locker.end();
    await admin.end();
  });

  /** Holds an exclusive lock on "Paper" until the returned function is called: statements on it wait. */
  async function lockPapers(): Promise<() => Promise<void>> {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "Paper" IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await locker.query('ROLLBACK');
    };
  }

  /** The app's backends waiting for the lock, once there are `count` of them. */
  async function waitingBackends(count = 1): Promise<number[]> {
    let pids: number[] = [];
    const poll = async () => {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
        [(locker as unknown as { processID: number }).processID],
      );
      pids = rows.map((row) => row.pid);
    };
    const deadline = Date.now() + 10_000;
    for (await poll(); pids.length < count; await poll()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} backend(s) waiting for the lock`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return pids;
  }

  const terminate = (pids: number[]) => admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);

  test('a read whose backend is terminated mid-statement is 503; the next read gets a fresh connection and 200', async () => {
    const api = await apiOver(t);
    const unlock = await lockPapers();
    try {
      const pending = api.post('{ papers(first: 1) { totalCount } }');
      await terminate(await waitingBackends());
      expectUnavailable(await pending, ['papers']);
    } finally {
      await unlock();
    }
    expect(await api.post('{ papers(first: 1) { totalCount } }')).toMatchObject({ status: 200, body: { data: { papers: { totalCount: 6 } } } });
    await api.stop();
  });

  test('a vote whose backend is terminated is 503 and left nothing half-written; retrying it counts it once', async () => {
    const { user, token } = await userWithToken(t, 'carol');
    const paper = catalog.papers[0]!;
    const upvote = `mutation { upvotePaper(paperId: "${toGlobalId('Paper', paper.id)}") { paper { upvotes viewerHasUpvoted } userErrors { code } } }`;
    const api = await apiOver(t);
    const unlock = await lockPapers();
    try {
      const pending = api.post(upvote, undefined, token);
      await terminate(await waitingBackends());
      expectUnavailable(await pending, ['upvotePaper']);
    } finally {
      await unlock();
    }
    const state = async () => ({
      votes: await t.db.vote.count({ where: { paperId: paper.id } }),
      upvoteCount: (await t.db.paper.findUniqueOrThrow({ where: { id: paper.id } })).upvoteCount,
    });
    expect(await state()).toEqual({ votes: 0, upvoteCount: 0 });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await api.post(upvote, undefined, token)).toMatchObject({ status: 200, body: { data: { upvotePaper: { paper: { upvotes: 1, viewerHasUpvoted: true }, userErrors: [] } } } });
    }
    expect(await state()).toEqual({ votes: 1, upvoteCount: 1 });
    expect(await t.db.vote.findMany({ where: { paperId: paper.id }, select: { userId: true } })).toEqual([{ userId: user.id }]);
    await api.stop();
  });

  test('idle connections terminated between requests cost nothing: the pool opens new ones', async () => {
    const api = await apiOver(t);
    try {
      expect((await api.post('{ papers(first: 1) { totalCount } }')).status).toBe(200);
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1)`,
        [(locker as unknown as { processID: number }).processID],
      );
      expect(rows.length).toBeGreaterThan(0);
      const pids = rows.map((row) => row.pid);
      await terminate(pids);
      // Once the backends have exited (each told its client so as it went), the pool has dropped
      // those connections and none of these may fail. (A request in the instant between the
      // termination and the backend's exit may still take a dying connection: 503, retryable.)
      for (;;) {
        const { rows: left } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
        if (left.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (let i = 0; i < 5; i++) expect(await api.post('{ papers(first: 1) { totalCount } topics(first: 1) { totalCount } }')).toMatchObject({ status: 200, body: { data: { papers: { totalCount: 6 } } } });
    } finally {
      await api.stop();
    }
  });

  test('a connection the server ends while a transaction holds it between statements fails that transaction as unavailable; the pool serves again', async () => {
    const database = createDb({ connectionString: t.url, poolSize: 1 });
    const { db } = database;
    try {
      const outcome = await db
        .$transaction(async (tx) => {
          const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          await terminate([row!.pid]);
          // The backend's exit reaches the idle client before its next statement.
          for (;;) {
            const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [row!.pid]);
            if (rows.length === 0) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
          return tx.user.count();
        })
        .then(
          () => 'committed',
          (error: unknown) => (isDatabaseUnavailable(error) ? 'unavailable' : `other: ${String(error)}`),
        );
      expect(outcome).toBe('unavailable');
      // The broken connection was dropped: the pool of one serves again.
      expect(await db.user.count()).toBe(2);
    } finally {
      await database.close();
    }
  });

  test('a pool that stays exhausted past DATABASE_POOL_TIMEOUT_MS is 503 SERVICE_UNAVAILABLE, well before the operation deadline', async () => {
    const small = createDb({ connectionString: t.url, poolSize: 1, poolTimeoutMs: 300 });
    const api = await apiOver(small, { GRAPHQL_OPERATION_TIMEOUT_MS: '20000' });
    const unlock = await lockPapers();
    try {
      // The one connection waits for the lock; the next request finds none free.
      const holder = api.post('{ papers(first: 1) { totalCount } }');
      await waitingBackends();
      const started = performance.now();
      expectUnavailable(await api.post('{ papers(first: 1) { totalCount } }'), ['papers']);
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5000);
      // A Prisma read waits the same way (topics go through Prisma).
      expectUnavailable(await api.post('{ topics(first: 1) { totalCount } }'), ['topics']);
      await unlock();
      expect((await holder).status).toBe(200);
    } finally {
      await unlock().catch(() => {});
      await api.stop();
      await small.close();
    }
  });

  test('a read never waits for a connection past its operation deadline: 503 OPERATION_TIMEOUT, and it gives its place up', async () => {
    const small = createDb({ connectionString: t.url, poolSize: 1, poolTimeoutMs: 30_000, onQuery: () => {} });
    const api = await apiOver(small, { GRAPHQL_OPERATION_TIMEOUT_MS: '400' });
    const unlock = await lockPapers();
    try {
      const holder = api.post('{ papers(first: 1) { totalCount } }');
      await waitingBackends();
      const started = performance.now();
      const late = await api.post('{ papers(first: 1) { totalCount } }');
      expect(late.status).toBe(503);
      expect(late.body.errors?.[0]?.extensions?.code).toBe('OPERATION_TIMEOUT');
      expect(performance.now() - started).toBeLessThan(5000);
      await unlock();
      // The holder's own deadline passed while it waited for the lock.
      expect((await holder).status).toBe(503);
      // Nobody is left queued for the one connection: the next request gets it at once.
      expect(await api.post('{ topics(first: 1) { totalCount } }')).toMatchObject({ status: 200, body: { data: { topics: { totalCount: 3 } } } });
    } finally {
      await unlock().catch(() => {});
      await api.stop();
      await small.close();
    }
  });
});
