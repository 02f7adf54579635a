// Imports and curation announce themselves as votes do: real graphql-ws subscriptions on the real
// app, and the importer and the mutations publishing to the same CatalogEvents.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { channels, type CatalogEvent, type InMemoryEventBus } from '../src/platform/events/bus.ts';
import { topicSlug } from '../src/catalog/topics/slug.ts';
import { importFiles } from '../src/catalog/import/importer.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { describeWithRealData, hfDir } from './helpers/real-data.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { userWithToken } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

// A local stand-in for Hugging Face, serving the recorded responses (for importPapers).
let sources: http.Server | undefined;
let sourcesUrl = '';
beforeAll(async () => {
  sources = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = path.join(hfDir, `${url.searchParams.get('date')}.json`);
    if (url.pathname === '/api/daily_papers' && url.searchParams.get('p') === '0' && fs.existsSync(file)) {
      return res.writeHead(200, { 'content-type': 'application/json' }).end(fs.readFileSync(file));
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => sources!.listen(0, '127.0.0.1', resolve));
  sourcesUrl = `http://127.0.0.1:${(sources.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => (sources ? sources.close(resolve) : resolve(undefined))));

const run = setupTestRunner({
  env: () => ({ HF_API_URL: sourcesUrl }),
  events: true,
  http: { rateLimiter: null, subscriptions: {} },
  scenario: smallCatalog,
});

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

/** A subscription over WebSocket; its results gather in the returned array as they arrive. */
async function subscribe(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any[]> {
  const c = createClient({
    url: `${run.http.url.replace('http:', 'ws:')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  clients.push(c);
  const received: any[] = [];
  const errors: unknown[] = [];
  const bus = run.events.bus as InMemoryEventBus;
  const before = bus.listenerCount();
  // An error result counts as something received (it would show in the comparisons).
  c.subscribe({ query, variables }, { next: (result) => received.push(result.errors ? { errors: result.errors } : result.data), error: (e) => errors.push(e), complete: () => {} });
  // Subscribed once the server's listener is attached: every event from then on is offered to it.
  await until(() => bus.listenerCount() > before || errors.length > 0, 'the subscription to start');
  expect(errors).toEqual([]);
  return received;
}

/** Events published on a channel of the bus (what every subscriber there is offered). */
const stopAfter: (() => void)[] = [];
afterEach(() => stopAfter.splice(0).forEach((stop) => stop()));
function record(channel: string): CatalogEvent[] {
  const seen: CatalogEvent[] = [];
  stopAfter.push(run.events.bus.subscribe(channel, (event) => seen.push(event)));
  return seen;
}

async function post(query: string, variables: Record<string, unknown>, token: string) {
  const response = await fetch(`${run.http.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

const FEATURED = `subscription($topic: String) { papersFeatured(topic: $topic) { arxivId featuredOn topics { slug } } }`;
const UPDATED = `subscription($id: ID!) { paperUpdated(id: $id) { arxivId title githubRepo topics { slug } } }`;

type Entry = { paper: { id: string; title: string; ai_keywords?: string[]; submittedOnDailyAt?: string } } & Record<string, unknown>;
const entriesOf = (day: string): Entry[] => JSON.parse(fs.readFileSync(path.join(hfDir, `${day}.json`), 'utf8'));

/** `entries` written as a response file called `name`. */
function responseFile(name: string, entries: unknown[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'live-events-')), name);
  fs.writeFileSync(file, JSON.stringify(entries));
  return file;
}

describeWithRealData('the import events tests')('imports', () => {
  test('importing a day announces each paper that got a featured day, after commit; importing it again is silent', async () => {
    const day = '2025-05-30';
    const entries = entriesOf(day);
    const all = await subscribe(FEATURED);
    const file = responseFile(`${day}.json`, entries);
    expect(await importFiles(run.db, [file], { events: run.events })).toMatchObject({ ok: true, papersCreated: entries.length });
    await until(() => all.length === entries.length, `${entries.length} papersFeatured events`);
    expect(all.map((e) => e.papersFeatured.arxivId).sort()).toEqual(entries.map((e) => e.paper.id).sort());
    expect(all.every((e) => e.papersFeatured.featuredOn === day)).toBe(true);
    // Sent after commit: every announced paper is there for anyone who reads it.
    expect(await run.db.paper.count({ where: { arxivId: { in: all.map((e) => e.papersFeatured.arxivId) } } })).toBe(entries.length);

    // The topic filter, on a topic the import created.
    const slug = topicSlug(entries[0]!.paper.ai_keywords![0]!);
    const byTopic = await subscribe(FEATURED, { topic: slug });
    const featured = record(channels.featured);
    const updated = record(channels.paper((await run.db.paper.findUniqueOrThrow({ where: { arxivId: entries[0]!.paper.id } })).id));
    expect(await importFiles(run.db, [file], { events: run.events })).toMatchObject({ ok: true, papersUnchanged: entries.length });
    // Silence, shown without sleeping: a marker published after the re-import is the first event.
    run.events.paperFeatured(await run.db.paper.findUniqueOrThrow({ where: { arxivId: entries[0]!.paper.id } }), [slug]);
    await until(() => byTopic.length === 1, 'the marker event');
    expect(byTopic[0].papersFeatured.arxivId).toBe(entries[0]!.paper.id);
    expect(featured.length).toBe(1);
    expect(updated).toEqual([]);
  });

  test('a newer snapshot sends paperUpdated to the changed paper; stored papers that gain a featured day are featured', async () => {
    // First without any featured day: a file not named for a day, entries without submittedOnDailyAt.
    const entries = entriesOf('2025-10-03').slice(0, 3).map((e) => ({ ...e, paper: { ...e.paper, submittedOnDailyAt: undefined } }));
    const featured = record(channels.featured);
    expect(await importFiles(run.db, [responseFile('snapshot.json', entries)], { events: run.events })).toMatchObject({ ok: true, papersCreated: 3, featuredOnUnknown: 3 });
    expect(featured).toEqual([]);

    const paper = await run.db.paper.findUniqueOrThrow({ where: { arxivId: entries[0]!.paper.id } });
    const watching = await subscribe(UPDATED, { id: toGlobalId('Paper', paper.id) });
    const announced = await subscribe(FEATURED);
    const revised = entries.map((e, i) => (i === 0 ? { ...e, paper: { ...e.paper, title: 'A revised title' } } : e));
    expect(await importFiles(run.db, [responseFile('2025-10-03.json', revised)], { events: run.events })).toMatchObject({ ok: true, papersUpdated: 3 });
    await until(() => watching.length === 1 && announced.length === 3, 'one paperUpdated and three papersFeatured events');
    expect(watching[0].paperUpdated).toMatchObject({ arxivId: paper.arxivId, title: 'A revised title' });
    expect(announced.map((e) => e.papersFeatured.arxivId).sort()).toEqual(entries.map((e) => e.paper.id).sort());
  });

  test('a rejected input announces nothing and leaves nothing', async () => {
    const featured = record(channels.featured);
    const summary = await importFiles(run.db, [responseFile('2025-09-29.json', [...entriesOf('2025-09-29'), { paper: { id: 'not-an-id' } }])], { events: run.events });
    expect(summary.ok).toBe(false);
    expect(featured).toEqual([]);
    expect(await run.db.paper.count()).toBe(run.scenario.papers.length);
  });

  test('importPapers (a curator, over HTTP) announces the day it imported', async () => {
    const { token } = await userWithToken(run.t, 'importer', 'CURATOR');
    const received = await subscribe(FEATURED);
    const data = await post(`mutation($d: Date!) { importPapers(input: { huggingFaceDate: $d }) { summary { papersCreated } userErrors { code } } }`, { d: '2025-12-01' }, token);
    expect(data.importPapers).toEqual({ summary: { papersCreated: 23 }, userErrors: [] });
    await until(() => received.length === 23, '23 papersFeatured events');
    expect(new Set(received.map((r) => r.papersFeatured.featuredOn))).toEqual(new Set(['2025-12-01']));
  });
});

describe('curation', () => {
  const HIDE = `mutation($id: ID!) { hidePaper(paperId: $id) { userErrors { code } } }`;
  const UNHIDE = `mutation($id: ID!) { unhidePaper(paperId: $id) { userErrors { code } } }`;
  const TAG = `mutation($p: ID!, $t: ID!) { tagPaper(paperId: $p, topicId: $t) { userErrors { code } } }`;
  const LINKS = `mutation($i: UpdatePaperLinksInput!) { updatePaperLinks(input: $i) { userErrors { code } } }`;

  test('hiding reaches curators only; unhiding reaches everyone again', async () => {
    const paper = run.scenario.papers[0]!;
    const id = toGlobalId('Paper', paper.id);
    const curator = await userWithToken(run.t, 'curator', 'CURATOR');
    const asCurator = await subscribe(UPDATED, { id }, curator.token);
    const anonymous = await subscribe(UPDATED, { id });
    await post(HIDE, { id }, curator.token);
    await until(() => asCurator.length === 1, 'the curator to see the hide');
    await post(UNHIDE, { id }, curator.token);
    await until(() => asCurator.length === 2 && anonymous.length === 1, 'both to see the unhide');
    // The anonymous subscriber's only event is the unhide: the hidden paper never reached it.
    expect(anonymous).toEqual([{ paperUpdated: expect.objectContaining({ arxivId: paper.arxivId }) }]);
    expect(asCurator).toEqual([{ paperUpdated: expect.objectContaining({ arxivId: paper.arxivId }) }, { paperUpdated: expect.objectContaining({ arxivId: paper.arxivId }) }]);
  });

  test('tagging announces the new topic; tagging again changes nothing and is silent', async () => {
    const paper = run.scenario.papers[5]!; // no topics
    const id = toGlobalId('Paper', paper.id);
    const curator = await userWithToken(run.t, 'curator', 'CURATOR');
    const received = await subscribe(UPDATED, { id });
    const variables = { p: id, t: toGlobalId('Topic', run.scenario.topics.cv.id) };
    await post(TAG, variables, curator.token);
    await until(() => received.length === 1, 'the tag event');
    expect(received[0].paperUpdated.topics).toEqual([{ slug: 'computer-vision' }]);
    await post(TAG, variables, curator.token);
    await post(LINKS, { i: { paperId: id, githubRepo: 'https://github.com/org/rag' } }, curator.token);
    await until(() => received.length >= 2, 'the links event');
    // The repeated tag published nothing: the next event is the link change.
    expect(received.map((r) => r.paperUpdated.githubRepo)).toEqual([null, 'https://github.com/org/rag']);
  });
});
