// Fair share under abuse, over real HTTP: a request pays what it measured, a user's tokens share
// one budget, a client has a cap on requests in flight, and anonymous reads keep to their share
// of the database, shed with 503 before they take the connections kept for signed-in readers.
import pg from 'pg';
import { generateToken } from '../src/catalog/users/tokens.ts';
import { readerUntil } from '../src/platform/db/reader.ts';
import { ConnectionShare } from '../src/platform/db/share.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { createTestServer, startTestHttp, userWithToken, type TestHttp } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const run = setupTestRunner({ scenario: smallCatalog, reset: 'once', server: false });

const PAGE = '{ papers(first: 20) { nodes { title } } }'; // 1 + 20 × 1 = 21 points
const EXPENSIVE = '{ papers(first: 100) { nodes { title authors { name } } } }'; // 1 + 100 × 2 = 201 points

const servers: { close(graceMs?: number): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(1000);
});

async function serve(env: Record<string, string>, options: Parameters<typeof startTestHttp>[2] = {}): Promise<TestHttp> {
  const server = await createTestServer(run.t, env);
  const http = await startTestHttp(run.t, server, options);
  servers.push({ close: async (graceMs) => (await http.close(graceMs), await server.stop()) });
  return http;
}

function ask(http: TestHttp, query: string, token?: string): Promise<Response> {
  return fetch(`${http.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
}

const remainingOf = (response: Response) => Number(/r=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1]);

/** Holds every statement that reads papers until `release` (an exclusive lock on the table). */
async function lockPapers() {
  const admin = new pg.Client({ connectionString: run.t.url });
  // Another connection looks: inside the lock's transaction the activity view is a snapshot.
  const watcher = new pg.Client({ connectionString: run.t.url });
  await Promise.all([admin.connect(), watcher.connect()]);
  await admin.query('BEGIN');
  await admin.query('LOCK TABLE "Paper" IN ACCESS EXCLUSIVE MODE');
  return {
    /** Statements waiting for the lock now. */
    async waiting(): Promise<number> {
      const { rows } = await watcher.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
      return rows[0]!.n;
    },
    async release() {
      await admin.query('COMMIT');
      await Promise.all([admin.end(), watcher.end()]);
    },
  };
}

test('an operation pays its measured time past its calculated cost, and the debt is waited out', async () => {
  // At 100,000 points a millisecond any operation costs more than the whole budget once it has run.
  const http = await serve({ RATE_LIMIT_POINTS: '5000', RATE_LIMIT_POINTS_PER_MS: '100000' });
  const first = await ask(http, PAGE);
  expect(first.status).toBe(200);
  const { cost } = (await first.json()).extensions;
  expect(cost.requested).toBe(21);
  expect(cost.measuredMs).toBeGreaterThan(0);
  expect(cost.charged).toBeGreaterThanOrEqual(Math.floor(cost.measuredMs * 100_000) - 5_000);
  expect(cost.charged).toBeGreaterThan(cost.requested);
  expect(cost.remaining).toBe(0);
  // Admitted on its calculated cost, it ran; the next one finds the budget spent, and the debt
  // (many budgets) keeps the address out for as many windows, not only to the end of this one.
  const next = await ask(http, PAGE);
  expect(next.status).toBe(429);
  expect((await next.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
  const debtWindows = (cost.charged - 5000) / 5000;
  expect(Number(next.headers.get('retry-after'))).toBeGreaterThanOrEqual(Math.min(3600, Math.floor(debtWindows * 60)));
  expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(60);

  // Without a price on time, the calculated cost is what is charged.
  const flat = await serve({ RATE_LIMIT_POINTS: '5000', RATE_LIMIT_POINTS_PER_MS: '0' });
  const answer = await (await ask(flat, PAGE)).json();
  expect(answer.extensions.cost).toMatchObject({ requested: 21, charged: 21, remaining: 5000 - 21 });
});

test("all of a user's tokens spend from one budget; another user's is their own", async () => {
  const http = await serve({ RATE_LIMIT_POINTS: '100', GRAPHQL_MAX_COST: '100' });
  const { user, token } = await userWithToken(run.t, 'many-tokens');
  const second = generateToken();
  await run.db.apiToken.create({ data: { userId: user.id, name: 'second', tokenHash: second.tokenHash, prefix: second.prefix } });
  expect(remainingOf(await ask(http, PAGE, token))).toBe(79);
  expect(remainingOf(await ask(http, PAGE, second.token))).toBe(58);
  expect(remainingOf(await ask(http, PAGE, token))).toBe(37);
  const other = await userWithToken(run.t, 'one-token');
  expect(remainingOf(await ask(http, PAGE, other.token))).toBe(79);
});

test('a client past its cap on requests in flight is refused at once; others are served', async () => {
  const http = await serve({ RATE_LIMIT_IN_FLIGHT_ANONYMOUS: '1' });
  const reader = await userWithToken(run.t, 'in-flight-reader');
  const lock = await lockPapers();
  let held: Promise<Response>;
  try {
    held = ask(http, PAGE);
    await until(async () => (await lock.waiting()) > 0, 'the first request to wait on the lock');
    const refused = await ask(http, PAGE);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await refused.json();
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0].message).toMatch(/in flight/);
    // Another client (a signed-in reader) is not held by the anonymous address's cap.
    expect((await ask(http, '{ viewer { handle } }', reader.token)).status).toBe(200);
  } finally {
    await lock.release();
  }
  expect((await held!).status).toBe(200);
  // Its place is free again once the first is answered.
  expect((await ask(http, PAGE)).status).toBe(200);
});

test('anonymous reads keep to their share of the database: past it expensive work is shed first, then every read, and signed-in readers go on', async () => {
  // One connection for anonymous statements, one waiting place; the rest of the pool is reserved.
  const share = new ConnectionShare(1, 1);
  const http = await serve({}, { platform: { ...run.t.platform, anonymousShare: share } });
  const reader = await userWithToken(run.t, 'reserved-reader');
  const lock = await lockPapers();
  const answers: Promise<Response>[] = [];
  try {
    answers.push(ask(http, PAGE));
    await until(() => share.load().running === 1, 'the first anonymous read to hold the share');
    answers.push(ask(http, '{ papers(first: 5) { nodes { arxivId } } }'));
    await until(() => share.busy(), 'a second anonymous read to wait for the share');

    // Expensive anonymous work is shed before it starts.
    const expensive = await ask(http, EXPENSIVE);
    expect(expensive.status).toBe(503);
    expect(Number(expensive.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await expensive.json()).errors[0].extensions.code).toBe('SERVICE_OVERLOADED');
    // A cheap one starts, and its read is shed: the waiting place is taken.
    const cheap = await ask(http, '{ papers(first: 3) { nodes { title } } }');
    expect(cheap.status).toBe(503);
    expect((await cheap.json()).errors[0].extensions.code).toBe('SERVICE_OVERLOADED');
    // A signed-in reader's statements are not in the share: the expensive page waits only for the lock.
    answers.push(ask(http, EXPENSIVE, reader.token));
    await until(async () => (await lock.waiting()) >= 2, 'the signed-in read to reach the database');
    expect(share.load()).toEqual({ running: 1, waiting: 1 });
  } finally {
    await lock.release();
  }
  const statuses = await Promise.all(answers.map(async (answer) => (await answer).status));
  expect(statuses).toEqual([200, 200, 200]);
  expect(share.load()).toEqual({ running: 0, waiting: 0 });
});

test('a statement still running at its deadline is cancelled on the server, not left to statement_timeout', async () => {
  const watcher = new pg.Client({ connectionString: run.t.url });
  await watcher.connect();
  const sleeping = async () =>
    (await watcher.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()`)).rows[0]!.n;
  try {
    const deadline = { at: performance.now() + 300, timeoutMs: 300 };
    const read = readerUntil(run.t.platform.reader, deadline).rows({ text: 'SELECT pg_sleep(30) AS slept', values: [] });
    await until(async () => (await sleeping()) === 1, 'the statement to run');
    await expect(read).rejects.toMatchObject({ extensions: { code: 'OPERATION_TIMEOUT' } });
    await until(async () => (await sleeping()) === 0, 'the server to stop the statement');
    // The pool goes on serving.
    expect(await run.t.platform.reader.rows<{ one: number }>({ text: 'SELECT 1 AS one', values: [] }, undefined, { at: performance.now() + 5000, timeoutMs: 5000 })).toEqual([{ one: 1 }]);
  } finally {
    await watcher.end();
  }
});
