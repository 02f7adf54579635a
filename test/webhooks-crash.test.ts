// Nothing lost when the API dies: src/main.ts as production starts it, killed with SIGKILL while
// deliveries are pending (some in flight, some waiting for a retry, some not yet fanned out),
// then restarted. Every committed event arrives, with the webhook-id it had before the kill,
// verified by the `standardwebhooks` package. Needs DATABASE_URL (two processes, one database).
import { createTestDatabase, usingRealPostgres, type TestDatabase } from './helpers/database.ts';
import { startInstance } from './helpers/instances.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { createTestServer, userWithToken } from './helpers/server.ts';
import { until } from './helpers/wait.ts';
import { startReceiver } from './helpers/webhook-receiver.ts';

const withRealPostgres = usingRealPostgres ? test : test.skip;
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await smallCatalog(t.db);
});
afterAll(async () => {
  await t?.close();
});

async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

withRealPostgres('an API process killed with SIGKILL while deliveries are pending: after restart every committed event arrives, with the same webhook-id', async () => {
  const receiver = await startReceiver();
  const env = {
    DATABASE_URL: t.url,
    WEBHOOK_ALLOW_INSECURE_TARGETS: '127.0.0.1',
    WEBHOOK_RETRY_SCHEDULE: Array(10).fill('0.2').join(','),
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_POLL_MS: '200',
    WEBHOOK_CONCURRENCY: '4',
    // 21 mutations in a row from one user: not what this test is about.
    RATE_LIMIT_POINTS: '0',
  };
  const { user: bob, token } = await userWithToken(t, 'crash-bob');
  let instance = await startInstance(env);
  const inProcess = await createTestServer(t, env);
  try {
    const created = await post(instance.url, token, `mutation($url: String!) { createWebhook(input: { url: $url, events: [COLLECTION_UPDATED] }) { secret userErrors { code } } }`, { url: `${receiver.url}/hook` });
    receiver.secrets = [created.createWebhook.secret];
    // The first four requests hang (attempts in flight at the kill), the rest fail with a 500.
    receiver.answer = (_request, index) => (index < 4 ? { status: 0, hang: true } : { status: 500 });
    for (let i = 0; i < 20; i++) await post(instance.url, token, `mutation($n: String!) { createCollection(input: { name: $n, public: true }) { userErrors { code } } }`, { n: `before ${i}` });
    await until(() => receiver.received.length >= 6, 'attempts in flight and failing', 20_000);
    instance.child.kill('SIGKILL');
    await instance.stop();
    const seenBeforeKill = new Set(receiver.received.map((r) => r.webhookId));

    // Committed while no instance runs: written to the outbox, fanned out by nobody yet.
    for (let i = 0; i < 5; i++) {
      const { createCollection } = await inProcess.as(bob).data(`mutation($n: String!) { createCollection(input: { name: $n, public: true }) { userErrors { code } } }`, { n: `during ${i}` });
      expect(createCollection.userErrors).toEqual([]);
    }
    receiver.answer = () => ({ status: 204 });
    instance = await startInstance(env);
    await until(() => receiver.delivered().size === 25, 'all 25 events delivered', 60_000);

    const messages = await t.db.webhookMessage.findMany({ select: { webhookId: true, state: true } });
    expect(messages).toHaveLength(25);
    expect(await t.db.outboxEvent.count({ where: { dispatchedAt: null } })).toBe(0);
    const delivered = receiver.delivered();
    expect(new Set(delivered.keys())).toEqual(new Set(messages.map((m) => m.webhookId)));
    // The webhook-ids attempted before the kill are the ones delivered after it.
    for (const id of seenBeforeKill) expect(delivered.has(id)).toBe(true);
    expect(receiver.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const names = new Set([...delivered.values()].map((copies) => copies[0]!.body.data.collection.id));
    expect(names.size).toBe(25);
    await until(async () => (await t.db.webhookMessage.count({ where: { state: 'DELIVERED' } })) === 25, 'every message recorded delivered', 20_000);
  } finally {
    await instance.stop();
    await inProcess.stop();
    await receiver.close();
  }
}, 180_000);
