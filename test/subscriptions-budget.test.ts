// Subscriptions are fair under abuse (issue 23): they spend the client's HTTP rate budget (to
// subscribe, and per event delivered), are capped per client across connections, one event's
// fan-out takes turns, and a changed role closes the sockets of its user. Real graphql-ws
// traffic on the real app (port 0), real Postgres, a real in-memory rate limiter.
import { getOperationAST, parse, type GraphQLFieldResolver } from 'graphql';
import WebSocket from 'ws';
import { CatalogEvents, type InMemoryEventBus } from '../src/platform/events/bus.ts';
import { SUBSCRIPTION_DEFAULTS, type SubscriptionServerOptions } from '../src/graphql/websocket.ts';
import { loadConfig } from '../src/config.ts';
import { operationCost } from '../src/graphql/limits/cost.ts';
import { FanOutLimiter } from '../src/platform/events/fanout.ts';
import { RateLimiter } from '../src/http/rate-limit/limiter.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';
import { startTestHttp, userWithToken, type TestHttp } from './helpers/server.ts';

const run = setupTestRunner({ scenario: smallCatalog });

// Its cost is more than a point (the comments page counts 20): a charge of 1 would not pass for it.
const PAPER_UPDATED = `subscription($id: ID!) { paperUpdated(id: $id) { id upvotes authors { name } comments(first: 20) { nodes { bodyHtml } } } }`;
const VIEWER = `query { viewer { handle } }`;

interface Live {
  http: TestHttp;
  events: CatalogEvents;
  wsUrl: string;
  listeners(): number;
  stop(): Promise<void>;
}

const apps: Live[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

/** The app with a bus and subscription settings of its own, and the given rate limiter (none: null). */
async function startLive(options: Omit<SubscriptionServerOptions, 'platform' | 'logger' | 'graphql'>, rateLimiter: RateLimiter | null = null): Promise<Live> {
  const events = new CatalogEvents();
  const http = await startTestHttp(run.t, run.server, { events, rateLimiter, subscriptions: options });
  const live: Live = {
    http,
    events,
    wsUrl: `${http.url.replace('http:', 'ws:')}/graphql`,
    listeners: () => (events.bus as InMemoryEventBus).listenerCount(),
    async stop() {
      await http.app.subscriptions!.close(100);
      await http.close(100);
    },
  };
  apps.push(live);
  return live;
}

/** A raw graphql-transport-ws connection: every message it gets, and how it closed. */
async function connect(live: Live, token?: string) {
  const ws = new WebSocket(live.wsUrl, 'graphql-transport-ws');
  sockets.push(ws);
  const messages: any[] = [];
  let closedWith: number | undefined;
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve((closedWith = code))));
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  await until(() => messages.some((m) => m.type === 'connection_ack') || closedWith !== undefined, 'connection_ack or close');
  const of = (id: string) => messages.filter((m) => m.id === id);
  return {
    ws,
    messages,
    closed,
    closedWith: () => closedWith,
    subscribe(id: string, query: string, variables: Record<string, unknown> = {}) {
      ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    },
    complete(id: string) {
      ws.send(JSON.stringify({ id, type: 'complete' }));
    },
    of,
    /** The data of `id`'s `next` messages. */
    data: (id: string) => of(id).filter((m) => m.type === 'next' && m.payload.data).map((m) => m.payload.data),
    /** The first error of `id`'s `error` message, once there is one. */
    error: (id: string) => of(id).find((m) => m.type === 'error')?.payload[0],
  };
}

/** The cost `query` is charged, as the cost model computes it. */
function costOf(query: string, variables: Record<string, unknown>): number {
  const document = parse(query);
  return operationCost(run.server.graphql.schema, document, getOperationAST(document)!, variables);
}

/**
 * Wraps Subscription.paperUpdated's resolver, the start of each delivered selection: counts the
 * selections run, and with `hold` keeps each one in flight until the test releases it.
 */
function watchSelections({ hold = false } = {}) {
  const field = run.server.graphql.schema.getSubscriptionType()!.getFields().paperUpdated!;
  const original = field.resolve!;
  const state = { started: 0, inFlight: 0, peak: 0, held: [] as (() => void)[] };
  const wrapped: GraphQLFieldResolver<unknown, unknown> = (...args) => {
    state.started++;
    state.inFlight++;
    state.peak = Math.max(state.peak, state.inFlight);
    if (!hold) {
      state.inFlight--;
      return original(...args);
    }
    return new Promise((resolve, reject) =>
      state.held.push(() => {
        state.inFlight--;
        try {
          resolve(original(...args));
        } catch (error) {
          reject(error);
        }
      }),
    );
  };
  field.resolve = wrapped;
  return {
    state,
    releaseAll: () => state.held.splice(0).forEach((release) => release()),
    restore: () => void (field.resolve = original),
  };
}

test('subscribing spends the selection\'s cost from the client\'s HTTP budget, and so does each event delivered', async () => {
  const limiter = new RateLimiter({ points: 10_000, windowSeconds: 600 });
  const live = await startLive({}, limiter);
  const paper = run.scenario.papers[0]!;
  const variables = { id: toGlobalId('Paper', paper.id) };
  const points = costOf(PAPER_UPDATED, variables);
  expect(points).toBeGreaterThan(10);
  const { token } = await userWithToken(run.t, 'watcher');
  /** The token's budget as an HTTP read reports it (the read's own cost is in `requested`). */
  const read = async () => (await live.http.post(VIEWER, {}, token)).cost!;

  const first = await read();
  const socket = await connect(live, token);
  socket.subscribe('1', PAPER_UPDATED, variables);
  await until(() => live.listeners() === 1, 'the subscription');
  const second = await read();
  expect(first.remaining! - second.remaining! - second.requested).toBe(points);

  live.events.paperUpdated(paper);
  await until(() => socket.data('1').length === 1, 'the event');
  const third = await read();
  expect(second.remaining! - third.remaining! - third.requested).toBe(points);

  // Anonymous: the address's budget, which anonymous HTTP requests spend too.
  const anonymous = await connect(live);
  const addressBefore = (await live.http.post(VIEWER)).cost!.remaining!;
  anonymous.subscribe('a', PAPER_UPDATED, variables);
  await until(() => live.listeners() === 2, 'the anonymous subscription');
  const { cost } = await live.http.post(VIEWER);
  expect(addressBefore - cost!.remaining!).toBe(points + cost!.requested);
});

test('a spent budget refuses a subscribe with RATE_LIMITED, and ends a subscription instead of running its selection', async () => {
  const paper = run.scenario.papers[0]!;
  const variables = { id: toGlobalId('Paper', paper.id) };
  const points = costOf(PAPER_UPDATED, variables);
  // Enough to subscribe and receive one event.
  const live = await startLive({}, new RateLimiter({ points: 2 * points, windowSeconds: 600 }));
  const { token } = await userWithToken(run.t, 'spender');
  const selections = watchSelections();
  try {
    const socket = await connect(live, token);
    socket.subscribe('1', PAPER_UPDATED, variables);
    await until(() => live.listeners() === 1, 'the subscription');
    live.events.paperUpdated(paper);
    await until(() => socket.data('1').length === 1, 'the first event');

    live.events.paperUpdated(paper);
    await until(() => socket.error('1') !== undefined, 'the subscription to end');
    expect(socket.error('1')).toEqual({
      message: expect.stringMatching(new RegExp(`^Rate limit exceeded: each event of this subscription costs ${points} points and 0 are left in the current window; the subscription was ended, subscribe again later\\. Retry after \\d+ s$`)),
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) },
    });
    expect(socket.data('1')).toHaveLength(1);
    expect(selections.state.started).toBe(1);
    await until(() => live.listeners() === 0, 'the listener to be released');

    socket.subscribe('2', PAPER_UPDATED, variables);
    await until(() => socket.error('2') !== undefined, 'the refusal');
    expect(socket.error('2')).toEqual({
      message: expect.stringMatching(new RegExp(`^Rate limit exceeded: this subscription costs ${points} points and 0 are left in the current window\\. Retry after \\d+ s$`)),
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) },
    });
    // Refused, not closed: the connection serves on.
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    expect(live.listeners()).toBe(0);
    // HTTP sees the same spent budget.
    expect((await live.http.post(VIEWER, {}, token)).status).toBe(429);
  } finally {
    selections.restore();
  }
});

test('subscriptions are capped per client across its connections, and connections per client', async () => {
  const live = await startLive({ maxSubscriptionsPerConnection: 3, maxSubscriptionsPerClient: 4, maxConnectionsPerClient: 2 });
  const variables = { id: toGlobalId('Paper', run.scenario.papers[0]!.id) };
  // Two anonymous connections from one address: one client.
  const [a, b] = [await connect(live), await connect(live)];
  for (const id of ['1', '2', '3']) a.subscribe(id, PAPER_UPDATED, variables);
  b.subscribe('1', PAPER_UPDATED, variables);
  await until(() => live.listeners() === 4, 'four subscriptions');
  b.subscribe('2', PAPER_UPDATED, variables);
  await until(() => b.error('2') !== undefined, 'the refusal');
  expect(b.error('2')).toEqual({ message: 'At most 4 subscriptions per client, across its connections; complete one first', extensions: { code: 'BAD_REQUEST' } });

  // A third connection of the same client is closed; another client's is not.
  const third = await connect(live);
  expect(await third.closed).toBe(4429);
  const { token } = await userWithToken(run.t, 'other-client');
  const other = await connect(live, token);
  other.subscribe('1', PAPER_UPDATED, variables);
  await until(() => live.listeners() === 5, "the other client's subscription");

  // Completing one frees a place, on any of the client's connections.
  a.complete('1');
  await until(() => live.listeners() === 4, 'the completed one to go');
  b.subscribe('3', PAPER_UPDATED, variables);
  await until(() => live.listeners() === 5, 'the freed place to be taken');
  expect(b.error('3')).toBeUndefined();

  // Closing a connection gives back its subscriptions and its place.
  a.ws.close();
  await until(() => live.listeners() === 3, "the closed connection's subscriptions to go");
  const again = await connect(live);
  again.subscribe('1', PAPER_UPDATED, variables);
  again.subscribe('2', PAPER_UPDATED, variables);
  await until(() => live.listeners() === 5, 'the new connection to subscribe');
  expect(again.closedWith()).toBeUndefined();
});

test("one event's fan-out runs at most deliveryConcurrency selections at once", async () => {
  const K = 2;
  const N = 8;
  const live = await startLive({ deliveryConcurrency: K });
  const paper = run.scenario.papers[0]!;
  const variables = { id: toGlobalId('Paper', paper.id) };
  const selections = watchSelections({ hold: true });
  try {
    const [a, b] = [await connect(live), await connect(live)];
    for (let i = 0; i < N / 2; i++) {
      a.subscribe(`${i}`, PAPER_UPDATED, variables);
      b.subscribe(`${i}`, PAPER_UPDATED, variables);
    }
    await until(() => live.listeners() === N, `${N} subscriptions`);
    const received = () => [a, b].reduce((n, s) => n + s.messages.filter((m) => m.type === 'next').length, 0);

    live.events.paperUpdated(paper);
    // Each round: the next K selections start, and no more, until the test lets them finish.
    let expected = Math.min(K, N);
    for (;;) {
      await until(() => selections.state.held.length === expected, `${expected} selections in flight`);
      expect(live.http.app.subscriptions!.deliveries().running).toBeLessThanOrEqual(K);
      const started = selections.state.started;
      selections.releaseAll();
      await until(() => received() >= started, 'their results');
      if (started === N) break;
      expected = Math.min(K, N - started);
    }
    expect(selections.state.started).toBe(N);
    expect(selections.state.peak).toBe(K);
    expect([...a.messages, ...b.messages].filter((m) => m.type === 'next').map((m) => m.payload.data.paperUpdated.id)).toEqual(Array(N).fill(variables.id));
    expect(live.http.app.subscriptions!.deliveries()).toEqual({ running: 0, queued: 0, dropped: 0 });
  } finally {
    selections.releaseAll();
    selections.restore();
  }
});

test('past the delivery queue an event is dropped for that subscriber with a notice; the subscription goes on', async () => {
  const live = await startLive({ deliveryConcurrency: 1, maxQueuedDeliveries: 2 });
  const paper = run.scenario.papers[0]!;
  const variables = { id: toGlobalId('Paper', paper.id) };
  const selections = watchSelections({ hold: true });
  try {
    const socket = await connect(live);
    const ids = ['1', '2', '3', '4', '5'];
    for (const id of ids) socket.subscribe(id, PAPER_UPDATED, variables);
    await until(() => live.listeners() === 5, 'five subscriptions');
    const notices = () => socket.messages.filter((m) => m.type === 'next' && m.payload.errors);

    live.events.paperUpdated(paper);
    // One runs, two wait, two are dropped at once.
    await until(() => selections.state.held.length === 1 && notices().length === 2, 'one selection and two notices');
    expect(live.http.app.subscriptions!.deliveries()).toEqual({ running: 1, queued: 2, dropped: 2 });
    for (const notice of notices()) {
      expect(notice.payload).toEqual({
        data: null,
        errors: [{ message: 'An event was dropped: too many subscribers were being served at once. The subscription goes on; the next event carries the current state', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      });
    }
    const nexts = (id: string) => socket.of(id).filter((m) => m.type === 'next').length;
    /** Lets the held selections finish until every subscription got `n` results or notices. */
    const drain = async (n: number) => {
      while (!ids.every((id) => nexts(id) === n)) {
        await until(() => selections.state.held.length > 0 || ids.every((id) => nexts(id) === n), 'the next selection');
        selections.releaseAll();
      }
    };
    await drain(1);
    expect(ids.reduce((n, id) => n + socket.data(id).length, 0)).toBe(3);
    expect(selections.state.peak).toBe(1);

    // The subscriptions go on, dropped ones too: the next event reaches each (or its notice does).
    live.events.paperUpdated(paper);
    await drain(2);
    expect(notices()).toHaveLength(4);
    expect(live.listeners()).toBe(5);
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
  } finally {
    selections.releaseAll();
    selections.restore();
  }
});

test("the environment's defaults are the WebSocket server's own", () => {
  const { subscriptions } = loadConfig({});
  for (const [name, value] of Object.entries(subscriptions)) expect([name, SUBSCRIPTION_DEFAULTS[name as keyof typeof SUBSCRIPTION_DEFAULTS]]).toEqual([name, value]);
});

test('the turns: in order, at most `concurrency` at once; a delivery that waited past maxWaitMs is dropped when its turn comes', async () => {
  let now = 0;
  const turns = new FanOutLimiter({ concurrency: 1, maxQueued: 2, maxWaitMs: 100 }, () => now);
  const first = (await turns.acquire())!;
  const stale = turns.acquire();
  now = 150;
  const fresh = turns.acquire();
  expect(await turns.acquire()).toBeNull(); // the queue is full
  expect(turns.stats()).toEqual({ running: 1, queued: 2, dropped: 1 });
  first();
  first(); // a second release gives nothing back twice
  expect(await stale).toBeNull();
  const second = await fresh;
  expect(second).toEqual(expect.any(Function));
  expect(turns.stats()).toEqual({ running: 1, queued: 0, dropped: 2 });
  second!();
  expect(turns.stats()).toEqual({ running: 0, queued: 0, dropped: 2 });
});

test("a changed role closes its user's sockets (4403) before anything more is sent, as revocation does", async () => {
  const live = await startLive({});
  const hidden = await run.db.paper.update({ where: { id: run.scenario.papers[1]!.id }, data: { hiddenAt: new Date() } });
  const variables = { id: toGlobalId('Paper', hidden.id) };
  const demoted = await userWithToken(run.t, 'demoted', 'CURATOR');
  const stays = await userWithToken(run.t, 'stays', 'CURATOR');
  const [mine, theirs, idle] = [await connect(live, demoted.token), await connect(live, stays.token), await connect(live, demoted.token)];
  mine.subscribe('1', PAPER_UPDATED, variables);
  theirs.subscribe('1', PAPER_UPDATED, variables);
  await until(() => live.listeners() === 2, 'both curators subscribed to the hidden paper');

  // As `npm run user:create -- --handle demoted --role reader` does it: in the database, from another process.
  await run.db.user.update({ where: { id: demoted.user.id }, data: { role: 'READER' } });
  live.events.paperUpdated(hidden);
  expect(await mine.closed).toBe(4403);
  await until(() => theirs.data('1').length === 1, "the other curator's event");
  expect(theirs.data('1')[0].paperUpdated.id).toBe(variables.id);
  expect(mine.messages.filter((m) => m.type === 'next')).toEqual([]);

  // An open connection with no subscription is closed at its next subscribe.
  idle.subscribe('1', PAPER_UPDATED, variables);
  expect(await idle.closed).toBe(4403);
  expect(idle.messages.filter((m) => m.type === 'next')).toEqual([]);

  // Connecting again, the user is what the database now says: a reader, who may not see it.
  const reconnected = await connect(live, demoted.token);
  reconnected.subscribe('1', PAPER_UPDATED, variables);
  await until(() => reconnected.of('1').length > 0, 'the answer');
  expect(reconnected.of('1')[0].payload.errors[0]).toMatchObject({ message: 'No listed paper has this id' });
  expect(theirs.ws.readyState).toBe(WebSocket.OPEN);
});

const FANOUT_SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 100);
test(`one event to ${FANOUT_SUBSCRIBERS} subscribers: every one delivered, in turns, beside an HTTP read (FANOUT_SUBSCRIBERS=300 FANOUT_COMPARE=1 to measure)`, async () => {
  const paper = run.scenario.papers[0]!;
  const variables = { id: toGlobalId('Paper', paper.id) };
  const costly = `subscription($id: ID!) { paperUpdated(id: $id) { title authors { name papers(first: 20) { nodes { title authors { name } topics { slug } } } } } }`;
  const limits = { maxConnectionsPerClient: 1000, maxSubscriptionsPerClient: 100_000 };
  // Unbounded (what every event did before the turns) only when comparing.
  for (const concurrency of process.env.FANOUT_COMPARE ? [4, 100_000] : [4]) {
    const live = await startLive({ ...limits, deliveryConcurrency: concurrency });
    const connections: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < Math.ceil(FANOUT_SUBSCRIBERS / 20); i++) connections.push(await connect(live));
    for (let i = 0; i < FANOUT_SUBSCRIBERS; i++) connections[Math.floor(i / 20)]!.subscribe(`${i}`, costly, variables);
    await until(() => live.listeners() === FANOUT_SUBSCRIBERS, `${FANOUT_SUBSCRIBERS} subscriptions`, 30_000);
    const results = () => connections.flatMap((c) => c.messages.filter((m) => m.type === 'next'));

    const started = performance.now();
    live.events.paperUpdated(paper);
    const read = live.http.post(`query { papers(first: 20) { nodes { title authors { name } } } }`).then((r) => ({ status: r.status, ms: performance.now() - started }));
    await until(() => results().length === FANOUT_SUBSCRIBERS, 'every delivery', 60_000);
    const ms = performance.now() - started;
    const failed = results().filter((m) => m.payload.errors).length;
    const { status, ms: readMs } = await read;
    console.log(
      `fan-out, ${FANOUT_SUBSCRIBERS} subscribers of a ${costOf(costly, variables)}-point selection, concurrency ${concurrency}: ` +
        `all delivered in ${Math.round(ms)} ms, ${failed} with errors; an HTTP read beside it: ${status} in ${Math.round(readMs)} ms`,
    );
    if (concurrency === 4) {
      expect(failed).toBe(0);
      expect(status).toBe(200);
      expect(live.http.app.subscriptions!.deliveries()).toEqual({ running: 0, queued: 0, dropped: 0 });
    }
    for (const c of connections) c.ws.terminate();
    await until(() => live.listeners() === 0, 'the subscriptions to go', 30_000);
  }
}, 180_000);
