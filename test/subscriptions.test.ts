// Live updates: real graphql-ws clients on the real app (port 0) with the subscription server
// attached, wired as production wires it: one schema for both transports, and the HTTP contexts
// publish to the same CatalogEvents that the WebSocket side listens to.
import { spawn } from 'node:child_process';
import { GraphQLError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ACCESS } from '../src/graphql/access.ts';
import { CatalogEvents, type InMemoryEventBus } from '../src/platform/events/bus.ts';
import type { SubscriptionServerOptions } from '../src/graphql/websocket.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';
import { startTestHttp, userWithToken } from './helpers/server.ts';

const run = setupTestRunner({
  scenario: smallCatalog,
  events: true,
  // Every client here is anonymous from 127.0.0.1: one client to the per-client caps, which
  // test/subscriptions-budget.test.ts tests; lifted here for the idle-clients measurement.
  http: { rateLimiter: null, subscriptions: { maxSubscriptionsPerConnection: 3, maxConnectionsPerClient: 100_000, maxSubscriptionsPerClient: 100_000 } },
});

const wsUrlOf = (http: { url: string }) => `${http.url.replace('http:', 'ws:')}/graphql`;
/** Listeners on the runner's bus: one per live subscription of its app. */
const listeners = () => (run.events.bus as InMemoryEventBus).listenerCount();

/** Another app on the same server, with a bus and subscription limits of its own. */
async function startLive(options: Omit<SubscriptionServerOptions, 'platform' | 'logger' | 'graphql'>) {
  const http = await startTestHttp(run.t, run.server, { events: new CatalogEvents(), rateLimiter: null, subscriptions: options });
  const subscriptions = http.app.subscriptions!;
  return {
    subscriptions,
    wsUrl: wsUrlOf(http),
    async stop() {
      await subscriptions.close(100);
      await http.close(100);
    },
  };
}

const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

function client(token?: string, url = wsUrlOf(run.http)): Client {
  const c = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(c);
  return c;
}

/** The next result of a subscription, or a failure after a timeout. */
async function nextOf<T>(iterator: AsyncIterator<T>, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no event arrived')), timeoutMs)));
  try {
    const result = await Promise.race([iterator.next(), timeout]);
    if (result.done) throw new Error('the subscription ended');
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

const PAPER_UPDATED = `subscription($id: ID!) { paperUpdated(id: $id) { id upvotes viewerHasUpvoted authors { name } } }`;
const UPVOTE = `mutation($id: ID!) { upvotePaper(paperId: $id) { paper { upvotes } userErrors { code } } }`;
const REMOVE = `mutation($id: ID!) { removeUpvote(paperId: $id) { paper { upvotes } userErrors { code } } }`;

test('every Subscription field has an access decision, and every decision a field', () => {
  const fields = Object.keys(run.server.graphql.schema.getSubscriptionType()!.getFields());
  expect(Object.keys(ACCESS.Subscription).sort()).toEqual(fields.sort());
});

test('an anonymous client receives the new vote count when someone upvotes over HTTP, and lets go when done', async () => {
  const paper = run.scenario.papers[3]!;
  const id = toGlobalId('Paper', paper.id);
  const { token } = await userWithToken(run.t, 'voter');
  const updates = client().iterate({ query: PAPER_UPDATED, variables: { id } });
  const first = nextOf(updates);
  await until(() => listeners() === 1, 'the subscription');

  expect((await run.http.post(UPVOTE, { id }, token)).body.data.upvotePaper.paper.upvotes).toBe(1);
  expect(await first).toEqual({ data: { paperUpdated: { id, upvotes: 1, viewerHasUpvoted: false, authors: [{ name: 'Yann LeCun' }, { name: 'Alan Turing' }] } } });
  await run.http.post(REMOVE, { id }, token);
  expect((await nextOf(updates)).data?.paperUpdated).toMatchObject({ upvotes: 0 });

  await updates.return?.();
  await until(() => listeners() === 0, 'the listener to be removed');
});

test('a signed-in subscriber sees its own viewerHasUpvoted; loaders are per viewer and fresh per event', async () => {
  const id = toGlobalId('Paper', run.scenario.papers[0]!.id);
  const voter = await userWithToken(run.t, 'voter');
  const mine = client(voter.token).iterate({ query: PAPER_UPDATED, variables: { id } });
  const theirs = client().iterate({ query: PAPER_UPDATED, variables: { id } });
  const [m1, t1] = [nextOf(mine), nextOf(theirs)];
  await until(() => listeners() === 2, 'both subscriptions');
  await run.http.post(UPVOTE, { id }, voter.token);
  expect((await m1).data?.paperUpdated).toMatchObject({ upvotes: 1, viewerHasUpvoted: true });
  expect((await t1).data?.paperUpdated).toMatchObject({ upvotes: 1, viewerHasUpvoted: false });
  await run.http.post(REMOVE, { id }, voter.token);
  expect((await nextOf(mine)).data?.paperUpdated).toMatchObject({ upvotes: 0, viewerHasUpvoted: false });
});

test('papersFeatured: submitted papers arrive, filtered by topic when asked', async () => {
  const { token } = await userWithToken(run.t, 'submitter');
  const all = client().iterate({ query: `subscription { papersFeatured { arxivId title topics { slug } submittedBy { handle } } }` });
  const nlp = client().iterate({ query: `subscription { papersFeatured(topic: "nlp") { arxivId } }` });
  const [allFirst, nlpFirst] = [nextOf(all), nextOf(nlp)];
  await until(() => listeners() === 2, 'both subscriptions');
  const submit = `mutation($input: SubmitPaperInput!) { submitPaper(input: $input) { paper { arxivId } userErrors { message } } }`;
  const paper = (arxivId: string, topics: string[]) => ({ input: { arxivId, title: `Paper ${arxivId}`, abstract: 'Abstract.', authors: ['Ada Lovelace'], topics } });
  expect((await run.http.post(submit, paper('2408.00001', ['computer-vision']), token)).body.data.submitPaper.userErrors).toEqual([]);
  expect((await run.http.post(submit, paper('2408.00002', ['nlp']), token)).body.data.submitPaper.userErrors).toEqual([]);

  expect(await allFirst).toEqual({ data: { papersFeatured: { arxivId: '2408.00001', title: 'Paper 2408.00001', topics: [{ slug: 'computer-vision' }], submittedBy: { handle: 'submitter' } } } });
  expect((await nextOf(all)).data?.papersFeatured).toMatchObject({ arxivId: '2408.00002' });
  expect(await nlpFirst).toEqual({ data: { papersFeatured: { arxivId: '2408.00002' } } });
});

/** A raw graphql-transport-ws connection, for what the client library hides. */
async function rawSocket(initPayload: Record<string, unknown>, url = wsUrlOf(run.http), options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, 'graphql-transport-ws', options);
  const messages: any[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'connection_init', payload: initPayload }));
  const acknowledged = () => until(() => messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  return { ws, messages, closed, acknowledged };
}

test('revoking a token over HTTP closes the WebSocket connections opened with it (4403); others stay', async () => {
  const { token, apiToken } = await userWithToken(run.t, 'soon-revoked');
  const other = await userWithToken(run.t, 'stays');
  const [first, second, bystander] = [await rawSocket({ authorization: `Bearer ${token}` }), await rawSocket({ authorization: `Bearer ${token}` }), await rawSocket({ authorization: `Bearer ${other.token}` })];
  await Promise.all([first.acknowledged(), second.acknowledged(), bystander.acknowledged()]);

  const revoke = await run.http.post(`mutation($id: ID!) { revokeApiToken(id: $id) { apiToken { revokedAt } userErrors { code } } }`, { id: toGlobalId('ApiToken', apiToken.id) }, token);
  expect(revoke.body.data.revokeApiToken.userErrors).toEqual([]);
  expect(await first.closed).toBe(4403);
  expect(await second.closed).toBe(4403);

  // The other user's connection still serves.
  bystander.ws.send(JSON.stringify({ id: 'v', type: 'subscribe', payload: { query: 'subscription { papersFeatured { id } }' } }));
  await until(() => listeners() === 1, 'the bystander subscription');
  expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
  bystander.ws.close();
});

test('a bad, unknown or revoked token is refused: the connection closes with 4403', async () => {
  const { token, apiToken } = await userWithToken(run.t, 'revoked');
  await run.db.apiToken.update({ where: { id: apiToken.id }, data: { revokedAt: new Date() } });
  for (const authorization of ['Bearer not-a-token', `Bearer pc_${'A'.repeat(43)}`, `Bearer ${token}`, 42]) {
    const { messages, closed } = await rawSocket({ authorization });
    expect(await closed).toBe(4403);
    expect(messages).toEqual([]);
  }
  // The client library sees the same refusal.
  const refused = client('pc_nope').iterate({ query: PAPER_UPDATED, variables: { id: toGlobalId('Paper', 1) } });
  await expect(refused.next()).rejects.toMatchObject({ code: 4403 });
});

test('errors: unknown paper or topic, operations other than subscriptions, invalid or too deep documents, subscriptions over HTTP', async () => {
  const c = client();
  const errorsOf = async (query: string, variables?: Record<string, unknown>) => {
    try {
      const result = await nextOf(c.iterate({ query, ...(variables ? { variables } : {}) }));
      return result.errors;
    } catch (errors) {
      return errors as any[];
    }
  };
  expect(await errorsOf(PAPER_UPDATED, { id: toGlobalId('Paper', 4242) })).toEqual([
    expect.objectContaining({ message: 'No listed paper has this id', extensions: { code: 'BAD_USER_INPUT', argumentName: 'id' } }),
  ]);
  expect(await errorsOf(`subscription { papersFeatured(topic: "astrology") { id } }`)).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', argumentName: 'topic' } })]);
  // NUL would reach the topic lookup (PostgreSQL refuses it in text): refused before it.
  for (const topic of ['nlp\u0000', 'nlp\ud800', 'bell\u0007']) {
    expect(await errorsOf(`subscription ($t: String) { papersFeatured(topic: $t) { id } }`, { t: topic })).toEqual([
      // Refused up front, as over HTTP (src/graphql/limits/strings.ts).
      expect.objectContaining({ message: expect.stringMatching(/^Text must not contain control characters/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'topic' }) }),
    ]);
  }
  expect(await errorsOf(`query { papers { totalCount } }`)).toEqual([
    expect.objectContaining({ message: 'Only subscriptions are served over WebSocket; send queries and mutations over HTTP (POST /graphql)', extensions: { code: 'BAD_REQUEST' } }),
  ]);
  expect(await errorsOf(`subscription { paperUpdated(id: "x") { nope } }`)).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
  expect(await errorsOf(`subscription {`)).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } })]);
  // Over HTTP (Apollo runs no `subscribe`): a clear refusal, not an internal error.
  expect((await run.server.gql(`subscription { papersFeatured { id } }`)).errors).toEqual([
    expect.objectContaining({ message: 'Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP', extensions: { code: 'BAD_REQUEST' } }),
  ]);
  const deep = `subscription { paperUpdated(id: "x") { authors { papers { nodes { authors { papers { nodes { authors { papers { nodes { authors { name } } } } } } } } } } } }`;
  expect(await errorsOf(deep)).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TOO_DEEP' } })]);
  expect(listeners()).toBe(0);
});

test('at most 3 subscriptions per connection (as configured); closing the connection releases every listener', async () => {
  const c = client();
  const id = toGlobalId('Paper', run.scenario.papers[0]!.id);
  const open = [0, 1, 2].map(() => c.iterate({ query: PAPER_UPDATED, variables: { id } }));
  const pending = open.map((it) => it.next());
  await until(() => listeners() === 3, 'three subscriptions');
  const fourth = c.iterate({ query: PAPER_UPDATED, variables: { id } });
  await expect(fourth.next()).rejects.toEqual([expect.objectContaining({ message: 'At most 3 subscriptions per connection; complete one first' })]);
  await c.dispose();
  await Promise.allSettled(pending);
  await until(() => listeners() === 0, 'the listeners to be released');
});

test('a client that stops reading loses its subscription; one that stops answering pings is cut off', async () => {
  const paper = await run.db.paper.update({ where: { id: run.scenario.papers[0]!.id }, data: { abstract: 'x'.repeat(100_000) } });
  const slow = await rawSocket({});
  await slow.acknowledged();
  slow.ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription($id: ID!) { paperUpdated(id: $id) { abstract } }`, variables: { id: toGlobalId('Paper', paper.id) } } }));
  await until(() => listeners() === 1, 'the subscription');
  // The client stops reading: the kernel buffers fill, sends stall, events queue up to the limit.
  (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  let published = 0;
  while (listeners() > 0 && published < 5000) {
    run.events.paperUpdated(paper);
    published++;
    await new Promise((r) => setImmediate(r));
  }
  expect(listeners()).toBe(0);
  console.log(`slow client: subscription ended after ${published} events of ~100 kB (queue limit 100)`);
  slow.ws.terminate();

  // Keepalive: a client that never answers pings is terminated after about two intervals.
  const quick = await startLive({ keepAliveMs: 100 });
  try {
    const silent = await rawSocket({}, quick.wsUrl, { autoPong: false });
    const started = Date.now();
    expect(await silent.closed).toBe(1006);
    expect(Date.now() - started).toBeLessThan(2000);
    await until(() => quick.subscriptions.connections() === 0, 'the server to drop it');
  } finally {
    await quick.stop();
  }
});

test('connections past maxConnections are refused with 503; checkOperation refuses what it returns or throws', async () => {
  const small = await startLive({
    maxConnections: 1,
    checkOperation: ({ operation }) => {
      if (operation.name?.value === 'Costly') return new GraphQLError('The operation costs too much', { extensions: { code: 'QUERY_TOO_COSTLY' } });
      if (operation.name?.value === 'Bomb') throw new GraphQLError('Too many selections', { extensions: { code: 'QUERY_TOO_COSTLY' } });
    },
  });
  try {
    const first = await rawSocket({}, small.wsUrl);
    await first.acknowledged();
    const second = new WebSocket(small.wsUrl, 'graphql-transport-ws');
    await expect(new Promise((resolve, reject) => second.once('open', resolve).once('error', reject))).rejects.toThrow('Unexpected server response: 503');
    for (const name of ['Costly', 'Bomb']) {
      first.ws.send(JSON.stringify({ id: name, type: 'subscribe', payload: { query: `subscription ${name} { papersFeatured { id } }` } }));
    }
    await until(() => first.messages.filter((m) => m.type === 'error').length === 2, 'two refusals');
    expect(first.messages.filter((m) => m.type === 'error').map((m) => m.payload[0].extensions.code)).toEqual(['QUERY_TOO_COSTLY', 'QUERY_TOO_COSTLY']);
    first.ws.close();
  } finally {
    await small.stop();
  }
});

test(`idle subscription clients: memory per client (${process.env.IDLE_CLIENTS ?? 200} clients; IDLE_CLIENTS=2000 to measure)`, async () => {
  const n = Number(process.env.IDLE_CLIENTS ?? 200);
  const id = toGlobalId('Paper', run.scenario.papers[0]!.id);
  // The clients live in another process, so that only the server's memory is measured here.
  const script = `
    import WebSocket from 'ws';
    import { createClient } from 'graphql-ws';
    const [url, n, id] = process.argv.slice(1);
    // A hundred connections at a time: the next hundred once these have connected.
    let connected = 0;
    for (let i = 0; i < Number(n); i++) {
      const c = createClient({ url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, on: { connected: () => connected++ } });
      c.subscribe({ query: 'subscription($id: ID!) { paperUpdated(id: $id) { upvotes } }', variables: { id } }, { next() {}, error(e) { console.error(e); }, complete() {} });
      while (i % 100 === 99 && connected <= i) await new Promise((r) => setImmediate(r));
    }
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, wsUrlOf(run.http), String(n), id], { cwd: process.cwd(), stdio: ['pipe', 'inherit', 'inherit'] });
  try {
    await until(() => listeners() === n, `${n} subscriptions`, 120_000);
    (globalThis as { gc?: () => void }).gc?.();
    const after = process.memoryUsage();
    expect(run.http.app.subscriptions!.connections()).toBe(n);
    const perClient = (bytes: number) => ((bytes / n) / 1024).toFixed(1);
    console.log(
      `${n} idle subscription clients: server RSS ${Math.round(before.rss / 2 ** 20)} -> ${Math.round(after.rss / 2 ** 20)} MiB ` +
        `(+${perClient(after.rss - before.rss)} KiB per client), heap +${perClient(after.heapUsed - before.heapUsed)} KiB per client`,
    );
  } finally {
    child.stdin!.end();
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await until(() => listeners() === 0, 'the clients to go', 30_000);
}, 180_000);
