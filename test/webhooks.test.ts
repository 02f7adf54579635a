// Signed webhooks (src/catalog/webhooks/): endpoints through GraphQL, events from the outbox,
// delivered by the real worker over real HTTP to a receiver on loopback that verifies every
// delivery with the `standardwebhooks` package. Short retry waits come from configuration; the
// tests wait on conditions, never on sleeps.
import type { Mailer, OutgoingEmail } from '../src/catalog/digests/index.ts';
import { startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from '../src/catalog/webhooks/index.ts';
import { retryDelay } from '../src/catalog/webhooks/worker.ts';
import type { User } from '../src/generated/prisma/client.ts';
import { createDb } from '../src/platform/db/client.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { createLogger } from '../src/platform/logger.ts';
import { usingRealPostgres } from './helpers/database.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';
import { startReceiver, type Receiver } from './helpers/webhook-receiver.ts';

const ENV = {
  WEBHOOK_ALLOW_INSECURE_TARGETS: '127.0.0.1',
  WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.05',
  WEBHOOK_DISABLE_AFTER_FAILURES: '4',
  WEBHOOK_DISABLE_AFTER_SECONDS: '0',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_POLL_MS: '200',
  WEBHOOK_MAX_PER_USER: '3',
};

const run = setupTestRunner({ env: ENV, scenario: smallCatalog });
const logger = createLogger({ logLevel: 'silent' });

let receiver: Receiver;
const workers: WebhookWorker[] = [];
const sent: OutgoingEmail[] = [];
const mailer: Mailer = {
  async send(email) {
    sent.push(email);
  },
  async close() {},
};

beforeEach(async () => {
  receiver = await startReceiver();
  sent.length = 0;
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  await receiver.close();
});

function startWorker(options: Partial<WebhookWorkerOptions> = {}): WebhookWorker {
  const worker = startWebhookWorker({
    db: run.db,
    config: run.server.config.webhooks,
    logger,
    mailer,
    listenUrl: usingRealPostgres ? run.t.url : undefined,
    ...options,
  });
  workers.push(worker);
  return worker;
}

const ALL_EVENTS = ['PAPERS_FEATURED', 'PAPER_UPDATED', 'PAPER_HIDDEN', 'PAPER_UNHIDDEN', 'COMMENT_CREATED', 'COLLECTION_UPDATED'];

async function createWebhook(user: User, events = ALL_EVENTS, path = '/hook') {
  const { createWebhook } = await run.server.as(user).data(
    `mutation($url: String!, $events: [WebhookEvent!]!) { createWebhook(input: { url: $url, events: $events }) { secret webhook { id url events enabled } userErrors { code message } } }`,
    { url: `${receiver.url}${path}`, events },
  );
  expect(createWebhook.userErrors).toEqual([]);
  receiver.secrets.push(createWebhook.secret);
  return createWebhook as { secret: string; webhook: { id: string } };
}

const paperId = (n: number) => toGlobalId('Paper', run.scenario.papers[n]!.id);

async function tagPaper(n: number, topic: 'ml' | 'cv' | 'nlp' = 'ml') {
  const { tagPaper } = await run.server.as(run.scenario.users.alice).data(
    `mutation($p: ID!, $t: ID!) { tagPaper(paperId: $p, topicId: $t) { userErrors { code } } }`,
    { p: paperId(n), t: toGlobalId('Topic', run.scenario.topics[topic].id) },
  );
  expect(tagPaper.userErrors).toEqual([]);
}

async function deliveries(user: User, webhookId: string) {
  const { node } = await run.server.as(user).data(
    `query($id: ID!) { node(id: $id) { ... on Webhook { enabled disabledReason consecutiveFailures deliveries(first: 50) { totalCount nodes { id messageId event attempt status responseCode durationMs error } } } } }`,
    { id: webhookId },
  );
  return node;
}

describe('endpoints', () => {
  test('createWebhook returns a Standard Webhooks secret once; the owner and admins see the endpoint, nobody else does', async () => {
    const { alice, bob } = run.scenario.users;
    const admin = await run.db.user.create({ data: { handle: 'root', displayName: 'Root', role: 'ADMIN' } });
    const created = await createWebhook(bob, ['PAPER_UPDATED', 'PAPER_UPDATED', 'COMMENT_CREATED']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(24);
    expect(created.webhook).toMatchObject({ url: `${receiver.url}/hook`, events: ['PAPER_UPDATED', 'COMMENT_CREATED'], enabled: true });

    const own = await run.server.as(bob).data(`{ viewer { webhooks { totalCount nodes { id } } } }`);
    expect(own.viewer.webhooks).toEqual({ totalCount: 1, nodes: [{ id: created.webhook.id }] });
    // The secret is shown nowhere else: the type has no field for it.
    expect((await run.server.as(bob).gql(`{ viewer { webhooks { nodes { secret } } } }`)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // Another user: null for the list, null for the node, NOT_FOUND for every mutation.
    const bobId = toGlobalId('User', bob.id);
    const other = await run.server.as(alice).data(`query($id: ID!, $w: ID!) { node(id: $id) { ... on User { webhooks { totalCount } } } w: node(id: $w) { id } }`, { id: bobId, w: created.webhook.id });
    expect(other).toEqual({ node: { webhooks: null }, w: null });
    for (const mutation of [
      `updateWebhook(input: { webhookId: $w, enabled: false }) { userErrors { code message } }`,
      `rotateWebhookSecret(webhookId: $w) { secret userErrors { code message } }`,
      `deleteWebhook(webhookId: $w) { userErrors { code message } }`,
      `replayWebhookDeliveries(webhookId: $w, since: "2020-01-01T00:00:00Z", until: "2030-01-01T00:00:00Z") { userErrors { code message } }`,
    ]) {
      const answer = await run.server.as(alice).data(`mutation($w: ID!) { m: ${mutation} }`, { w: created.webhook.id });
      expect(answer.m.userErrors).toEqual([{ code: 'NOT_FOUND', message: 'You have no webhook with this id' }]);
    }
    expect(await run.db.webhookEndpoint.findFirstOrThrow()).toMatchObject({ disabledAt: null, secret: created.secret });

    // An admin sees every endpoint, and may manage it.
    const all = await run.server.as(admin).data(`query($id: ID!) { webhooks { totalCount nodes { id owner { handle } } } node(id: $id) { id } }`, { id: bobId });
    expect(all.webhooks).toEqual({ totalCount: 1, nodes: [{ id: created.webhook.id, owner: { handle: 'bob' } }] });
    const disabled = await run.server.as(admin).data(`mutation($w: ID!) { updateWebhook(input: { webhookId: $w, enabled: false }) { webhook { enabled disabledReason } } }`, { w: created.webhook.id });
    expect(disabled.updateWebhook.webhook).toEqual({ enabled: false, disabledReason: 'disabled by an admin' });
    // Readers may not list every endpoint.
    expect((await run.server.as(bob).gql(`{ webhooks { totalCount } }`)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const deleted = await run.server.as(bob).data(`mutation($w: ID!) { deleteWebhook(webhookId: $w) { deletedWebhookId userErrors { code } } }`, { w: created.webhook.id });
    expect(deleted.deleteWebhook).toEqual({ deletedWebhookId: created.webhook.id, userErrors: [] });
    expect(await run.db.webhookEndpoint.count()).toBe(0);
  });

  test('bad input is a user error with a code: scheme, addresses, events, and the cap per user', async () => {
    const { bob } = run.scenario.users;
    const create = (url: string, events: string[] = ['PAPER_UPDATED']) =>
      run.server.as(bob).data(`mutation($url: String!, $events: [WebhookEvent!]!) { createWebhook(input: { url: $url, events: $events }) { secret userErrors { field code message } } }`, { url, events }).then((d) => d.createWebhook);
    expect(await create('http://93.184.215.14/hook')).toEqual({ secret: null, userErrors: [{ field: ['input', 'url'], code: 'INVALID', message: 'url must use https://; got http://' }] });
    expect((await create('not a url')).userErrors[0]).toMatchObject({ code: 'INVALID', message: 'url must be an absolute https:// URL' });
    expect((await create('https://user:pw@93.184.215.14/')).userErrors[0]).toMatchObject({ code: 'INVALID' });
    expect((await create(`https://${'a'.repeat(2000)}.org/`)).userErrors[0]).toMatchObject({ code: 'TOO_LONG', message: expect.stringContaining('at most 2000 characters') });
    expect((await create('https://93.184.215.14/\u0000')).userErrors[0]).toMatchObject({ field: ['input', 'url'], code: 'INVALID', message: 'url must be plain text without control characters or broken Unicode' });
    expect((await create('https://169.254.169.254/latest/meta-data/')).userErrors[0]).toMatchObject({ field: ['input', 'url'], code: 'FORBIDDEN_TARGET', message: expect.stringContaining('linkLocal') });
    expect((await create('https://[::ffff:10.0.0.1]/')).userErrors[0]).toMatchObject({ code: 'FORBIDDEN_TARGET', message: expect.stringContaining('private') });
    expect((await create('https://localhost/')).userErrors[0]).toMatchObject({ code: 'FORBIDDEN_TARGET', message: expect.stringContaining('loopback') });
    expect((await create('https://93.184.215.14/', [])).userErrors[0]).toMatchObject({ field: ['input', 'events'], code: 'INVALID' });
    for (let i = 0; i < 3; i++) expect((await create(`https://93.184.215.14/${i}`)).userErrors).toEqual([]);
    expect((await create('https://93.184.215.14/4')).userErrors).toEqual([{ field: null, code: 'LIMIT_REACHED', message: 'You have 3 webhooks, the most allowed (3); delete one first' }]);
  });
});

describe('SSRF at delivery (every address class: test/webhook-targets.test.ts)', () => {
  test('checked again at each delivery, after DNS: a name that turned private (rebinding) gets nothing sent', async () => {
    const { bob } = run.scenario.users;
    // Saved while it resolved to a public address; it now resolves to loopback.
    const endpoint = await run.db.webhookEndpoint.create({ data: { ownerId: bob.id, url: 'https://rebind.example/hook', events: ['paper.updated'], secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64') } });
    startWorker({ lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    await tagPaper(0);
    await until(async () => (await run.db.webhookDelivery.count()) >= 1, 'a refused attempt');
    const attempt = await run.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(attempt).toMatchObject({ succeeded: false, responseCode: null, error: expect.stringContaining('target refused: url must point at a public address') });
    expect(receiver.received).toEqual([]);
  });
});

describe('delivery', () => {
  test('each event is delivered signed per Standard Webhooks, with small payloads of global ids', async () => {
    const { alice, bob } = run.scenario.users;
    const { webhook } = await createWebhook(bob);
    startWorker();
    // papers.featured, paper.updated, comment.created, collection.updated, paper.hidden, paper.unhidden
    const submitted = await run.server.as(bob).data(`mutation { submitPaper(input: { arxivId: "2407.00099", title: "New", abstract: "A", authors: ["Ada Lovelace"], featuredOn: "2024-07-01" }) { paper { id } userErrors { code } } }`);
    await tagPaper(0);
    await run.server.as(bob).data(`mutation($p: ID!) { addComment(input: { paperId: $p, body: "Nice" }) { userErrors { code } } }`, { p: paperId(0) });
    await run.server.as(bob).data(`mutation { createCollection(input: { name: "Private" }) { userErrors { code } } }`);
    const pub = await run.server.as(bob).data(`mutation { createCollection(input: { name: "Reading", public: true }) { collection { id } } }`);
    await run.server.as(alice).data(`mutation($p: ID!) { hidePaper(paperId: $p) { userErrors { code } } }`, { p: paperId(1) });
    await run.server.as(alice).data(`mutation($p: ID!) { unhidePaper(paperId: $p) { userErrors { code } } }`, { p: paperId(1) });
    await until(async () => receiver.delivered().size === 6 && (await run.db.webhookDelivery.count()) === 6, 'six deliveries, recorded');
    expect(receiver.received.every((r) => r.verifiedWith.length === 1 && r.status === 204)).toBe(true);
    const byType = Object.fromEntries(receiver.received.map((r) => [r.body.type, r.body]));
    expect(Object.keys(byType).sort()).toEqual(['collection.updated', 'comment.created', 'paper.hidden', 'paper.unhidden', 'paper.updated', 'papers.featured']);
    expect(byType['papers.featured'].data).toEqual({
      date: '2024-07-01',
      added: [{ id: submitted.submitPaper.paper.id, arxivId: '2407.00099' }],
      papers: [{ id: paperId(0), arxivId: '2407.00001' }, { id: paperId(1), arxivId: '2407.00002' }, { id: submitted.submitPaper.paper.id, arxivId: '2407.00099' }],
      paperCount: 3,
    });
    expect(byType['paper.updated'].data).toEqual({ paper: { id: paperId(0), arxivId: '2407.00001' }, changed: ['topics'] });
    expect(byType['comment.created'].data).toMatchObject({ paper: { id: paperId(0) }, parent: null, author: { id: toGlobalId('User', bob.id) } });
    expect(byType['collection.updated'].data).toEqual({ collection: { id: pub.createCollection.collection.id } });
    expect(byType['paper.hidden'].data).toEqual({ paper: { id: paperId(1) } });
    expect(byType['paper.unhidden'].data).toEqual({ paper: { id: paperId(1), arxivId: '2407.00002' } });
    for (const r of receiver.received) {
      expect(r.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Math.abs(Number(r.timestamp) - Date.now() / 1000)).toBeLessThan(60);
      expect(Buffer.byteLength(r.raw)).toBeLessThan(20_000);
      expect(new Date(r.body.timestamp).getTime()).toBeLessThanOrEqual(Date.now());
    }
    const listed = await deliveries(bob, webhook.id);
    expect(listed.deliveries.totalCount).toBe(6);
    expect(listed.deliveries.nodes.every((d: any) => d.status === 'SUCCEEDED' && d.responseCode === 204 && d.attempt === 1 && d.durationMs >= 0 && d.error === null)).toBe(true);
  });

  test('a receiver that fails then recovers gets the event again with the same webhook-id; attempts are listed', async () => {
    const { bob } = run.scenario.users;
    const { webhook } = await createWebhook(bob, ['PAPER_UPDATED']);
    receiver.answer = (_request, index) => (index < 2 ? { status: index === 0 ? 500 : 302, headers: { location: 'http://127.0.0.1:1/' } } : { status: 200 });
    startWorker();
    await tagPaper(0);
    await until(async () => (await run.db.webhookDelivery.count()) === 3, 'the third attempt to succeed and be recorded');
    expect(receiver.received.map((r) => r.status)).toEqual([500, 302, 200]);
    expect(new Set(receiver.received.map((r) => r.webhookId)).size).toBe(1);
    expect(receiver.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const listed = await deliveries(bob, webhook.id);
    expect(listed.deliveries.nodes.map((d: any) => [d.attempt, d.status, d.responseCode, d.event])).toEqual([
      [3, 'SUCCEEDED', 200, 'PAPER_UPDATED'],
      [2, 'FAILED', 302, 'PAPER_UPDATED'],
      [1, 'FAILED', 500, 'PAPER_UPDATED'],
    ]);
    expect(listed.deliveries.nodes[1].error).toBe('answered 302');
    expect(listed.consecutiveFailures).toBe(0);
  });

  test('410 Gone disables the endpoint at once, and its owner is told by email', async () => {
    const { bob } = run.scenario.users;
    await run.db.digestSubscription.create({ data: { email: 'bob@example.org', ownerId: bob.id, frequency: 'DAILY', confirmedAt: new Date() } });
    const { webhook } = await createWebhook(bob, ['PAPER_UPDATED']);
    receiver.answer = () => ({ status: 410 });
    startWorker();
    await tagPaper(0);
    await until(() => sent.length === 1, 'the email');
    const state = await deliveries(bob, webhook.id);
    expect(state).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
    expect(sent[0]).toMatchObject({ to: 'bob@example.org', subject: 'Your webhook endpoint was disabled', text: expect.stringContaining(`${receiver.url}/hook was disabled: the endpoint answered 410 Gone`) });
    // Nothing more is sent to it, and no message is even made for it.
    await tagPaper(1);
    await until(async () => (await run.db.outboxEvent.count({ where: { dispatchedAt: null } })) === 0, 'the event to be dispatched');
    expect(receiver.received).toHaveLength(1);
    expect(await run.db.webhookMessage.count()).toBe(1);
    // Enabled again by its owner, it receives what comes next.
    receiver.answer = () => ({ status: 204 });
    await run.server.as(bob).data(`mutation($w: ID!) { updateWebhook(input: { webhookId: $w, enabled: true }) { webhook { enabled } } }`, { w: webhook.id });
    await tagPaper(2, 'cv');
    await until(() => receiver.delivered().size === 1, 'a delivery after re-enabling');
  });

  test('429 and 503 wait for Retry-After instead of the schedule', async () => {
    const { bob } = run.scenario.users;
    await createWebhook(bob, ['PAPER_UPDATED']);
    receiver.answer = (_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : index === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 204 });
    startWorker();
    await tagPaper(0);
    await until(() => receiver.delivered().size === 1, 'the delivery after two Retry-Afters', 10_000);
    const [first, second, third] = receiver.received;
    // The schedule says 40-60 ms; Retry-After says 1 s (the header has whole seconds).
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(950);
  });

  test('a spent schedule fails the message (5 attempts with 4 retries); the endpoint stays enabled below the streak rule', async () => {
    const { bob } = run.scenario.users;
    const { webhook } = await createWebhook(bob, ['PAPER_UPDATED']);
    receiver.answer = () => ({ status: 500 });
    startWorker({ config: { ...run.server.config.webhooks, disableAfterFailures: 100 } });
    await tagPaper(0);
    await until(async () => (await run.db.webhookMessage.count({ where: { state: 'FAILED' } })) === 1, 'the message failed');
    expect(receiver.received).toHaveLength(5);
    expect(await run.db.webhookDelivery.count()).toBe(5);
    expect(await deliveries(bob, webhook.id)).toMatchObject({ enabled: true, consecutiveFailures: 5 });
  });

  test('a long failing streak disables the endpoint (WEBHOOK_DISABLE_AFTER_FAILURES) and its owner is emailed', async () => {
    const { bob } = run.scenario.users;
    await run.db.digestSubscription.create({ data: { email: 'bob@example.org', ownerId: bob.id, frequency: 'DAILY', confirmedAt: new Date() } });
    const { webhook } = await createWebhook(bob, ['PAPER_UPDATED']);
    receiver.answer = () => ({ status: 500 });
    startWorker();
    await tagPaper(0);
    await until(() => sent.length === 1, 'the email');
    expect(await deliveries(bob, webhook.id)).toMatchObject({ enabled: false, consecutiveFailures: 4, disabledReason: expect.stringMatching(/^4 consecutive failed attempts since /) });
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.webhookId)).size).toBe(1);
  });

  test('retry waits follow the schedule with ±20 % jitter, and end with it', () => {
    const schedule = [5000, 300_000];
    expect(retryDelay(schedule, 0, () => 0)).toBe(4000);
    expect(retryDelay(schedule, 0, () => 1)).toBe(6000);
    expect(retryDelay(schedule, 1, () => 0.5)).toBe(300_000);
    expect(retryDelay(schedule, 2, () => 0.5)).toBeNull();
  });

  test('after rotateWebhookSecret both the old and the new secret verify, for 24 hours', async () => {
    const { bob } = run.scenario.users;
    const { webhook, secret: old } = await createWebhook(bob, ['PAPER_UPDATED']);
    const { rotateWebhookSecret } = await run.server.as(bob).data(`mutation($w: ID!) { rotateWebhookSecret(webhookId: $w) { secret webhook { previousSecretExpiresAt } } }`, { w: webhook.id });
    const fresh = rotateWebhookSecret.secret as string;
    expect(fresh).not.toBe(old);
    expect(new Date(rotateWebhookSecret.webhook.previousSecretExpiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    receiver.secrets = [fresh, old];
    startWorker();
    await tagPaper(0);
    await until(() => receiver.delivered().size === 1, 'the delivery');
    expect(receiver.received[0]!.signature.split(' ')).toHaveLength(2);
    expect(receiver.received[0]!.verifiedWith.sort()).toEqual([fresh, old].sort());
    // Once the overlap has ended, only the new secret signs.
    await run.db.webhookEndpoint.updateMany({ data: { previousSecretUntil: new Date(Date.now() - 1000) } });
    await tagPaper(1);
    await until(() => receiver.delivered().size === 2, 'the second delivery');
    expect(receiver.received[1]!.verifiedWith).toEqual([fresh]);
  });

  test('replayWebhookDelivery and replayWebhookDeliveries send again with the same webhook-id', async () => {
    const { bob } = run.scenario.users;
    const { webhook } = await createWebhook(bob, ['PAPER_UPDATED']);
    startWorker();
    const before = new Date(Date.now() - 1000);
    await tagPaper(0);
    await tagPaper(1);
    await until(() => receiver.received.length === 2, 'two deliveries');
    const listed = await deliveries(bob, webhook.id);
    const one = listed.deliveries.nodes[0];
    const replay = await run.server.as(bob).data(`mutation($d: ID!) { replayWebhookDelivery(deliveryId: $d) { replayed userErrors { code } } }`, { d: one.id });
    expect(replay.replayWebhookDelivery).toEqual({ replayed: 1, userErrors: [] });
    await until(async () => receiver.received.length === 3 && (await run.db.webhookDelivery.count()) === 3, 'the replay, recorded');
    expect(receiver.received[2]!.webhookId).toBe(one.messageId);
    const range = await run.server.as(bob).data(`mutation($w: ID!, $s: DateTime!, $u: DateTime!) { replayWebhookDeliveries(webhookId: $w, since: $s, until: $u) { replayed } }`, { w: webhook.id, s: before.toISOString(), u: new Date(Date.now() + 1000).toISOString() });
    expect(range.replayWebhookDeliveries.replayed).toBe(2);
    await until(() => receiver.received.length === 5, 'the range replayed');
    expect(receiver.received.slice(3).map((r) => r.webhookId).sort()).toEqual(receiver.received.slice(0, 2).map((r) => r.webhookId).sort());
    expect(receiver.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const bad = await run.server.as(bob).data(`mutation($w: ID!) { replayWebhookDeliveries(webhookId: $w, since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z") { replayed userErrors { field code } } }`, { w: webhook.id });
    expect(bad.replayWebhookDeliveries).toEqual({ replayed: null, userErrors: [{ field: ['until'], code: 'INVALID' }] });
    // Someone else's delivery does not exist for them.
    const other = await run.server.as(run.scenario.users.alice).data(`mutation($d: ID!) { replayWebhookDelivery(deliveryId: $d) { userErrors { code } } }`, { d: one.id });
    expect(other.replayWebhookDelivery.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  });

  (usingRealPostgres ? test : test.skip)('two instances deliver without doubling', async () => {
    const { bob } = run.scenario.users;
    await createWebhook(bob, ['PAPER_UPDATED', 'COLLECTION_UPDATED']);
    await createWebhook(bob, ['COLLECTION_UPDATED'], '/second');
    // A second instance: its own pool and LISTEN connection on the same database.
    const other = createDb({ connectionString: run.t.url, poolSize: 2, prepare: false });
    try {
      const counts = [0, 0];
      startWorker({ onAttempt: () => counts[0]!++ });
      startWorker({ db: other.db, onAttempt: () => counts[1]!++ });
      const writes = [];
      for (let i = 0; i < 30; i++) writes.push(run.server.as(bob).data(`mutation($n: String!) { createCollection(input: { name: $n, public: true }) { userErrors { code } } }`, { n: `c${i}` }));
      await Promise.all(writes);
      await until(() => receiver.delivered().size === 60, '60 deliveries', 20_000);
      expect(await run.db.webhookMessage.count()).toBe(60);
      expect([...receiver.delivered().values()].every((copies) => copies.length === 1)).toBe(true);
      await until(() => counts[0]! + counts[1]! === 60, 'every attempt recorded');
      expect(receiver.received).toHaveLength(60);
    } finally {
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
      await other.close();
    }
  });
});

test('events past the 30 days of retention are deleted with their messages; younger ones stay', async () => {
  const { bob } = run.scenario.users;
  const endpoint = await run.db.webhookEndpoint.create({ data: { ownerId: bob.id, url: `${receiver.url}/hook`, events: ['paper.updated'], secret: 'whsec_' + Buffer.alloc(24, 2).toString('base64') } });
  const day = 86_400_000;
  const old = await run.db.outboxEvent.create({ data: { type: 'paper.updated', payload: {}, createdAt: new Date(Date.now() - 31 * day), dispatchedAt: new Date(Date.now() - 31 * day) } });
  const young = await run.db.outboxEvent.create({ data: { type: 'paper.updated', payload: {}, createdAt: new Date(Date.now() - 29 * day), dispatchedAt: new Date(Date.now() - 29 * day) } });
  await run.db.webhookMessage.create({ data: { webhookId: 'msg_old', endpointId: endpoint.id, eventId: old.id, state: 'DELIVERED', nextAttemptAt: new Date() } });
  startWorker();
  await until(async () => (await run.db.outboxEvent.count({ where: { id: old.id } })) === 0, 'the old event deleted');
  expect(await run.db.webhookMessage.count()).toBe(0);
  expect(await run.db.outboxEvent.count({ where: { id: young.id } })).toBe(1);
});

describe('events and the hidden-paper rule', () => {
  test('an event commits with its change or not at all', async () => {
    const { alice, bob } = run.scenario.users;
    await run.server.as(alice).data(`mutation($p: ID!) { hidePaper(paperId: $p) { userErrors { code } } }`, { p: paperId(2) });
    const events = await run.db.outboxEvent.count();
    // A comment on a hidden paper is refused inside its transaction: no event either.
    const refused = await run.server.as(bob).data(`mutation($p: ID!) { addComment(input: { paperId: $p, body: "x" }) { userErrors { code } } }`, { p: paperId(2) });
    expect(refused.addComment.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    // Hiding a hidden paper, tagging with a topic it has: nothing changes, nothing is written.
    await run.server.as(alice).data(`mutation($p: ID!) { hidePaper(paperId: $p) { userErrors { code } } }`, { p: paperId(2) });
    await tagPaper(0, 'nlp');
    // A private collection's edits are nobody else's business.
    await run.server.as(bob).data(`mutation { createCollection(input: { name: "Mine" }) { userErrors { code } } }`);
    expect(await run.db.outboxEvent.count()).toBe(events);
  });

  test('a hidden paper is in no payload but paper.hidden, even when hidden after its event committed', async () => {
    const { alice, bob } = run.scenario.users;
    await createWebhook(bob);
    const hidden = paperId(1);
    // Events about paper 1 committed while no worker runs...
    await tagPaper(1);
    await run.server.as(bob).data(`mutation($p: ID!) { addComment(input: { paperId: $p, body: "first" }) { userErrors { code } } }`, { p: hidden });
    // ...then it is hidden, and the day it was featured on gains a paper.
    await run.server.as(alice).data(`mutation($p: ID!) { hidePaper(paperId: $p) { userErrors { code } } }`, { p: hidden });
    await run.server.as(bob).data(`mutation { submitPaper(input: { arxivId: "2407.00098", title: "Later", abstract: "A", authors: ["Alan Turing"], featuredOn: "2024-07-01" }) { userErrors { code } } }`);
    // A change of a hidden paper makes no event.
    await run.server.as(alice).data(`mutation($p: ID!) { updatePaperLinks(input: { paperId: $p, projectPage: "https://example.org/p" }) { userErrors { code } } }`, { p: hidden });
    startWorker();
    await until(async () => (await run.db.webhookMessage.count({ where: { state: { not: 'PENDING' } } })) === 4, 'every message settled');
    const types = receiver.received.map((r) => r.body.type).sort();
    expect(types).toEqual(['paper.hidden', 'papers.featured']);
    for (const r of receiver.received) {
      if (r.body.type === 'paper.hidden') expect(r.body.data).toEqual({ paper: { id: hidden } });
      else expect(r.raw).not.toContain(hidden);
    }
    const featured = receiver.received.find((r) => r.body.type === 'papers.featured')!.body.data;
    expect(featured.papers.map((p: { arxivId: string }) => p.arxivId)).toEqual(['2407.00001', '2407.00098']);
    expect(featured.paperCount).toBe(2);
    expect(await run.db.webhookMessage.count({ where: { state: 'SKIPPED' } })).toBe(2);
  });
});
