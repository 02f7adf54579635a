// DATABASE_READ_URLS on a real streaming replica: a private primary and its replica started
// for this file (test/helpers/replica.ts; never the machine's own server). The app's reads go
// to the replica, its writes to the primary, a mutation reads its own writes, a lagging or
// stopped replica is skipped without a failed request, and used again once it is back.
import pg from 'pg';
import { createDb, replicaStatus, type Database } from '../src/platform/db/client.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { testPlatform, type TestDatabase } from './helpers/database.ts';
import { startPrimaryWithReplica, type PrivateCluster } from './helpers/replica.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { createTestServer, startTestHttp, userWithToken, type TestHttp, type TestServer } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

let cluster: PrivateCluster;
let primary: pg.Client;
let replica: pg.Client;
let t: TestDatabase;
let server: TestServer;
let http: TestHttp;
const dbs: Database[] = [];

/** The app's database: Prisma and writes on the primary, the reader on the replica. */
function appDb(maxLagSeconds: number): Database {
  const db = createDb({ connectionString: cluster.primaryUrl, poolSize: 8, replicas: { urls: [cluster.replicaUrl], maxLagSeconds, checkEveryMs: 200 } });
  dbs.push(db);
  return db;
}

// The probe: a paper's title, read by the app through the read service (plain pg), and changed
// on the primary alone while the replica's replay is paused.
const PROBE = '2407.00003';
const titleSeen = async (h: TestHttp) => {
  const response = await h.post(`{ paper(arxivId: "${PROBE}") { title } }`);
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.paper.title as string;
};
let probes = 0;
/** Gives the probe a new title on the primary; returns it. */
const retitle = async () => {
  const title = `Probe title ${++probes}`;
  await primary.query('UPDATE "Paper" SET title = $1 WHERE "arxivId" = $2', [title, PROBE]);
  return title;
};

/** Waits until the replica has replayed everything the primary has written so far. */
async function replicaCaughtUp() {
  const { rows } = await primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows: r } = await replica.query('SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), $1::pg_lsn) >= 0 AS done', [rows[0].lsn]);
    if (r[0].done) return;
    if (Date.now() > deadline) throw new Error('the replica did not catch up within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  cluster = await startPrimaryWithReplica('catalog');
  primary = new pg.Client({ connectionString: cluster.primaryUrl });
  replica = new pg.Client({ connectionString: cluster.replicaUrl });
  // The replica is stopped on purpose below: its connection's end must not fail the file.
  for (const client of [primary, replica]) client.on('error', () => {});
  await Promise.all([primary.connect(), replica.connect()]);
  await applyMigrations(cluster.primaryUrl);
  const database = appDb(30);
  await smallCatalog(database.db);
  await replicaCaughtUp();
  await database.replicas!.check();
  t = { url: cluster.primaryUrl, db: database.db, platform: testPlatform(database), queries: [], reset: async () => {}, close: async () => {} };
  server = await createTestServer(t, { RATE_LIMIT_POINTS: '0' });
  http = await startTestHttp(t, server, { rateLimiter: null });
}, 180_000);

afterAll(async () => {
  await http?.close();
  await server?.stop();
  for (const database of dbs) await database.close();
  await Promise.all([primary?.end(), replica?.end()].map((p) => p?.catch(() => {})));
  cluster?.close();
}, 60_000);

test('the replica is a real streaming replica, judged healthy', async () => {
  expect((await replica.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
  expect((await primary.query('SELECT count(*)::int AS n FROM pg_stat_replication')).rows[0].n).toBe(1);
  expect(replicaStatus(t.platform)).toEqual([{ name: expect.stringContaining('127.0.0.1:'), healthy: true, lagSeconds: expect.any(Number) }]);
});

test('reads reach the replica and writes the primary; a mutation reads its own writes from the primary', async () => {
  // With replay paused, what only the primary has tells where a read was answered.
  const before = await titleSeen(http);
  await replica.query('SELECT pg_wal_replay_pause()');
  let latest: string;
  try {
    latest = await retitle();
    // Read through the app: the replica's answer (it has not replayed the update).
    expect(await titleSeen(http)).toBe(before);
    const replicaReads = await replica.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'paper-catalog:read'`);
    expect(replicaReads.rows[0].n).toBeGreaterThan(0);

    // A write through the app lands on the primary (the replica is read-only anyway), and the
    // mutation's own reads come from the primary: it sees its vote although the replica does not.
    const paper = await t.db.paper.findUniqueOrThrow({ where: { arxivId: '2407.00001' } });
    const voter = await userWithToken(t, 'replica-voter');
    const response = await http.post(
      'mutation($id: ID!) { upvotePaper(paperId: $id) { paper { upvotes viewerHasUpvoted topics { slug } } } }',
      { id: toGlobalId('Paper', paper.id) },
      voter.token,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.upvotePaper.paper).toMatchObject({ upvotes: paper.upvoteCount + 1, viewerHasUpvoted: true });
    expect((await primary.query('SELECT count(*)::int AS n FROM "Vote" WHERE "userId" = $1', [voter.user.id])).rows[0].n).toBe(1);
    expect((await replica.query('SELECT count(*)::int AS n FROM "Vote" WHERE "userId" = $1', [voter.user.id])).rows[0].n).toBe(0);
    // A query of the same client right after reads the replica again (only the writing request sticks).
    const read = await http.post('query($id: ID!) { node(id: $id) { ... on Paper { upvotes } } }', { id: toGlobalId('Paper', paper.id) }, voter.token);
    expect(read.body.data!.node.upvotes).toBe(paper.upvoteCount);
  } finally {
    await replica.query('SELECT pg_wal_replay_resume()');
  }
  await replicaCaughtUp();
  await until(() => replicaStatus(t.platform)[0]!.healthy, 'the replica healthy', 5000);
  expect(await titleSeen(http)).toBe(latest!);
}, 60_000);

test('a replica further behind than DATABASE_MAX_REPLICA_LAG_SECONDS is skipped, and used again once caught up', async () => {
  const db = appDb(1);
  await db.replicas!.check();
  const lagged = { ...t, db: db.db, platform: testPlatform(db) };
  const h = await startTestHttp(lagged, server, { rateLimiter: null });
  try {
    expect(replicaStatus(db)[0]!.healthy).toBe(true);
    await replica.query('SELECT pg_wal_replay_pause()');
    const expected = await retitle();
    // Past a second behind: skipped, and the primary answers (the latest count).
    await until(() => !replicaStatus(db)[0]!.healthy, 'the lagging replica to be skipped', 10_000);
    expect(replicaStatus(db)[0]!.lagSeconds).toBeGreaterThan(1);
    expect(await titleSeen(h)).toBe(expected);
    await replica.query('SELECT pg_wal_replay_resume()');
    await until(() => replicaStatus(db)[0]!.healthy, 'the replica back once caught up', 10_000);
    // Used again: pause once more and read the replica's (older) answer.
    await replica.query('SELECT pg_wal_replay_pause()');
    await retitle();
    expect(await titleSeen(h)).toBe(expected);
  } finally {
    await replica.query('SELECT pg_wal_replay_resume()');
    await h.close();
  }
  await replicaCaughtUp();
}, 60_000);

test('stopping the replica under read and vote load fails no request; started again, it is used again', async () => {
  const paper = await t.db.paper.findUniqueOrThrow({ where: { arxivId: '2407.00002' } });
  const id = toGlobalId('Paper', paper.id);
  const voters = await Promise.all(Array.from({ length: 40 }, (_, i) => userWithToken(t, `load-voter-${i}`)));
  const failures: unknown[] = [];
  const lags: number[] = [];
  let done = false;
  let requests = 0;
  let votes = 0;
  const reader = async () => {
    while (!done) {
      const response = await http.post('{ papers(first: 10) { totalCount nodes { arxivId upvotes authors { name } topics { slug } } } }');
      requests += 1;
      if (response.status !== 200 || response.body.errors) failures.push(response.body.errors ?? response.status);
    }
  };
  const voter = async () => {
    while (!done && votes < voters.length) {
      const response = await http.post('mutation($id: ID!) { upvotePaper(paperId: $id) { paper { upvotes } } }', { id }, voters[votes++]!.token);
      requests += 1;
      if (response.status !== 200 || response.body.errors) failures.push(response.body.errors ?? response.status);
    }
  };
  // The replay lag the primary sees (pg_stat_replication), sampled under the vote load.
  const sampler = async () => {
    while (!done) {
      const { rows } = await primary.query(`SELECT extract(epoch FROM coalesce(replay_lag, '0'))::float8 AS lag FROM pg_stat_replication`);
      if (rows[0]) lags.push(rows[0].lag);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const load = Promise.all([reader(), reader(), reader(), reader(), voter(), voter(), sampler()]);
  await until(() => requests >= 20 && votes >= 5, 'reads and votes under way on the replica', 30_000);
  const servedBefore = requests;
  await cluster.stopReplica();
  await until(() => !replicaStatus(t.platform)[0]!.healthy && requests >= servedBefore + 20, 'reads going on without the stopped replica', 30_000);
  done = true;
  await load;
  expect(failures).toEqual([]);
  expect(requests).toBeGreaterThan(servedBefore);
  expect(replicaStatus(t.platform)[0]!.healthy).toBe(false);
  expect((await primary.query('SELECT "upvoteCount" FROM "Paper" WHERE id = $1', [paper.id])).rows[0].upvoteCount).toBe(paper.upvoteCount + votes);
  // For the report: how far behind the replica ran under this load.
  console.log(`replica under load: ${requests} requests, ${votes} votes, 0 failed; replay_lag max ${Math.max(0, ...lags).toFixed(4)} s over ${lags.length} samples`);

  await cluster.startReplica();
  await replica.end().catch(() => {});
  replica = new pg.Client({ connectionString: cluster.replicaUrl });
  replica.on('error', () => {});
  await replica.connect();
  await replicaCaughtUp();
  await until(() => replicaStatus(t.platform)[0]!.healthy, 'the restarted replica to be used again', 15_000);
  const before = await titleSeen(http);
  await replica.query('SELECT pg_wal_replay_pause()');
  try {
    await retitle();
    expect(await titleSeen(http)).toBe(before);
  } finally {
    await replica.query('SELECT pg_wal_replay_resume()');
  }
}, 120_000);
