// Atom feeds over real HTTP, parsed as XML and checked against RFC 4287's required elements.
import { request } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { feedRoutes } from '../src/http/routes/feeds.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';

const run = setupTestRunner({ scenario: smallCatalog, server: false });
let server: FastifyInstance;
let base: string;

const PUBLIC_URL = 'https://papers.example.org';

beforeAll(async () => {
  // The feed routes alone (the whole app is tested in test/http.test.ts): any other path is 418.
  server = Fastify();
  await server.register(feedRoutes, { platform: run.platform, publicUrl: PUBLIC_URL });
  server.setNotFoundHandler((_request, reply) => reply.code(418).send('not a feed path'));
  base = await server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name),
});

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const text = (node: any): string => (typeof node === 'object' && node !== null ? node['#text'] ?? '' : String(node));

/** Fetches a feed and checks what RFC 4287 requires of every feed and entry; returns the parsed feed. */
async function feed(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  const body = await response.text();
  if (response.status !== 200) return { response, body, feed: null as any };
  expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
  expect(XMLValidator.validate(body)).toBe(true);
  const doc = parser.parse(body);
  const f = doc.feed;
  expect(f['@xmlns']).toBe('http://www.w3.org/2005/Atom');
  expect(text(f.id)).toMatch(/^https:\/\/papers\.example\.org\/feeds\//);
  expect(text(f.title).length).toBeGreaterThan(0);
  expect(text(f.updated)).toMatch(RFC3339);
  const self = f.link.filter((l: any) => l['@rel'] === 'self');
  expect(self).toHaveLength(1);
  expect(self[0]['@href']).toBe(text(f.id));
  expect(f.author?.[0]?.name).toBeTruthy();
  for (const entry of f.entry ?? []) {
    expect(text(entry.id)).toMatch(/^https:\/\/arxiv\.org\/abs\/\d{4}\.\d{5}$/);
    expect(text(entry.title).length).toBeGreaterThan(0);
    expect(text(entry.updated)).toMatch(RFC3339);
    expect(entry.link.some((l: any) => l['@rel'] === 'alternate' && l['@href'] === text(entry.id))).toBe(true);
    expect(entry.author.length).toBeGreaterThan(0);
    expect(entry.author.every((a: any) => typeof a.name === 'string' && a.name.length > 0)).toBe(true);
    expect(text(entry.summary).length).toBeGreaterThan(0);
  }
  return { response, body, feed: f };
}

const arxivIds = (f: any) => (f.entry ?? []).map((e: any) => text(e.id).replace('https://arxiv.org/abs/', ''));

test('the daily feed lists one day, most upvoted first, with authors in byline order and topics', async () => {
  const [first, second] = run.scenario.papers;
  await run.db.paper.update({ where: { id: second!.id }, data: { upvoteCount: 5 } });
  const { feed: f } = await feed('/feeds/daily.atom?date=2024-07-01');
  expect(text(f.id)).toBe(`${PUBLIC_URL}/feeds/daily.atom?date=2024-07-01`);
  expect(arxivIds(f)).toEqual(['2407.00002', '2407.00001']);
  const attention = f.entry[1];
  expect(text(attention.title)).toBe(first!.title);
  expect(attention.author.map((a: any) => a.name)).toEqual(['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
  expect(attention.category.map((c: any) => c['@term'])).toEqual(['nlp']);
  expect(attention.link.find((l: any) => l['@title'] === 'Code')['@href']).toBe('https://github.com/org/attention');
  expect(text(attention.published)).toBe('2024-06-28T17:00:00Z');

  // Without a date: the latest day that has papers.
  const latest = await feed('/feeds/daily.atom');
  expect(arxivIds(latest.feed).sort()).toEqual(['2407.00005', '2407.00006']);
  expect((await feed('/feeds/daily.atom?date=2024-13-45')).response.status).toBe(400);
});

test('titles and abstracts with <, & and > are escaped, and characters XML cannot carry are dropped', async () => {
  const hostile = `Less <than> & "more" 'quotes' ]]> <![CDATA[x]]> </title><evil/>`;
  await run.db.paper.update({ where: { id: run.scenario.papers[0]!.id }, data: { title: `${hostile}\u0001`, abstract: 'a < b && c > d' } });
  const { body, feed: f } = await feed('/feeds/daily.atom?date=2024-07-01');
  expect(body).toContain('Less &lt;than&gt; &amp; "more"');
  expect(body).not.toContain('<evil/>');
  const entry = f.entry.find((e: any) => text(e.id).endsWith('2407.00001'));
  expect(text(entry.title)).toBe(hostile);
  expect(text(entry.summary)).toBe('a < b && c > d');
});

test('trending, topic, author and search feeds', async () => {
  const { alice, bob } = run.scenario.users;
  const [p1, p2, , p4] = run.scenario.papers;
  for (const [user, paper] of [[alice, p4], [bob, p4], [alice, p2]] as const) {
    await run.db.vote.create({ data: { userId: user.id, paperId: paper!.id } });
  }
  await run.platform.trending.refreshNow();
  const trending = await feed('/feeds/trending.atom?window=DAY');
  expect(text(trending.feed.id)).toBe(`${PUBLIC_URL}/feeds/trending.atom?window=day`);
  expect(arxivIds(trending.feed)).toEqual(['2407.00004', '2407.00002']);
  expect((await feed('/feeds/trending.atom?window=year')).response.status).toBe(400);

  const nlp = await feed('/feeds/topics/nlp.atom');
  expect(text(nlp.feed.title)).toBe('Papers in Natural Language Processing');
  expect(arxivIds(nlp.feed).sort()).toEqual(['2407.00001', '2407.00003']);
  expect((await feed('/feeds/topics/no-such-topic.atom')).response.status).toBe(404);

  const ada = await feed(`/feeds/authors/${toGlobalId('Author', run.scenario.authors.ada.id)}.atom`);
  expect(text(ada.feed.title)).toBe('Papers by Ada Lovelace');
  expect(arxivIds(ada.feed).sort()).toEqual(['2407.00001', '2407.00003', '2407.00006']);
  expect((await feed(`/feeds/authors/${toGlobalId('Paper', p1!.id)}.atom`)).response.status).toBe(404);
  expect((await feed('/feeds/authors/%3Cscript%3E.atom')).response.status).toBe(404);

  const search = await feed('/feeds/search.atom?q=diffusion');
  expect(arxivIds(search.feed)).toEqual(['2407.00002']);
  expect(text(search.feed.id)).toBe(`${PUBLIC_URL}/feeds/search.atom?q=diffusion`);
  const missing = await feed('/feeds/search.atom');
  expect(missing.response.status).toBe(400);
  expect(missing.body).toContain('q must be the search words');

  // Hidden papers are in no feed.
  await run.db.paper.update({ where: { id: p1!.id }, data: { hiddenAt: new Date() } });
  expect(arxivIds((await feed('/feeds/topics/nlp.atom')).feed)).toEqual(['2407.00003']);
});

test('ETag and Last-Modified: 304 for If-None-Match and If-Modified-Since, 200 once the feed changed', async () => {
  const path = '/feeds/daily.atom?date=2024-07-02';
  const first = await feed(path);
  const etag = first.response.headers.get('etag')!;
  const lastModified = first.response.headers.get('last-modified')!;
  expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  expect(new Date(lastModified).toISOString()).toBe(new Date(text(first.feed.updated)).toISOString());
  expect(first.response.headers.get('cache-control')).toBe('public, max-age=300');

  const byTag = await fetch(`${base}${path}`, { headers: { 'if-none-match': etag } });
  expect(byTag.status).toBe(304);
  expect(await byTag.text()).toBe('');
  expect(byTag.headers.get('etag')).toBe(etag);
  expect((await fetch(`${base}${path}`, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);
  expect((await fetch(`${base}${path}`, { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
  // If-None-Match decides when both are sent (RFC 9110).
  expect((await fetch(`${base}${path}`, { headers: { 'if-none-match': '"stale"', 'if-modified-since': lastModified } })).status).toBe(200);

  // A new paper on that day: a new body, a new ETag, a later Last-Modified. Its update time is
  // set past the feed's (HTTP dates count whole seconds) instead of waiting for the clock.
  await run.db.paper.create({
    data: { arxivId: '2407.00077', title: 'Late Arrival', abstract: 'Abstract.', publishedAt: new Date('2024-06-30T00:00:00Z'), featuredOn: new Date('2024-07-02T00:00:00Z'), updatedAt: new Date(Date.parse(lastModified) + 2000), authors: { create: [{ authorId: run.scenario.authors.alan.id, position: 0 }] } },
  });
  const changed = await fetch(`${base}${path}`, { headers: { 'if-none-match': etag } });
  expect(changed.status).toBe(200);
  expect(changed.headers.get('etag')).not.toBe(etag);
  expect(Date.parse(changed.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(lastModified));
  expect((await fetch(`${base}${path}`, { headers: { 'if-modified-since': lastModified } })).status).toBe(200);
});

test('HEAD answers the headers only; other methods get 405; paths that are not feeds are left alone', async () => {
  const head = await fetch(`${base}/feeds/topics/nlp.atom`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers.get('etag')).toBeTruthy();
  expect(await head.text()).toBe('');
  const post = await fetch(`${base}/feeds/topics/nlp.atom`, { method: 'POST' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
  expect((await fetch(`${base}/feeds/unknown.atom`)).status).toBe(404);
  expect((await fetch(`${base}/graphql`)).status).toBe(418);
});

test('a bad parameter is a 400 with a coded JSON error naming it; days outside years 0001 to 9999 are bad', async () => {
  for (const [path, argumentName] of [
    ['/feeds/daily.atom?date=0000-01-01', 'date'],
    ['/feeds/daily.atom?date=10000-01-01', 'date'],
    ['/feeds/daily.atom?date=2024-02-30', 'date'],
    ['/feeds/daily.atom?date=bogus', 'date'],
    ['/feeds/trending.atom?window=year', 'window'],
    ['/feeds/search.atom?q=', 'q'],
    ['/feeds/search.atom?q=nul%00byte', 'q'],
    ['/feeds/search.atom?q=bell%07', 'q'],
  ]) {
    const response = await fetch(`${base}${path}`);
    expect([path, response.status, response.headers.get('content-type'), response.headers.get('cache-control')]).toEqual([path, 400, 'application/json; charset=utf-8', 'no-store']);
    const body = await response.json();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName });
  }
  expect((await feed('/feeds/daily.atom?date=0001-01-01')).feed.entry).toBeUndefined();
  expect((await feed('/feeds/daily.atom?date=9999-12-31')).feed.entry).toBeUndefined();
});

describe('without PUBLIC_URL', () => {
  let bare: FastifyInstance;
  let bareBase: string;
  beforeAll(async () => {
    bare = Fastify();
    await bare.register(feedRoutes, { platform: run.platform, publicUrl: undefined });
    bareBase = await bare.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await bare?.close();
  });

  test("links name the address the server was reached at, never the request's Host (a cached feed cannot be poisoned)", async () => {
    for (const path of ['/feeds/daily.atom?date=2024-07-01', '/feeds/topics/nlp.atom']) {
      // fetch will not send a forged Host: a raw request does.
      const url = new URL(`${bareBase}${path}`);
      const { status, headers, body } = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const sent = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: { host: 'evil.example' } }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
        });
        sent.on('error', reject).end();
      });
      expect(status).toBe(200);
      expect(headers['cache-control']).toBe('public, max-age=300');
      expect(body).not.toContain('evil.example');
      const f = parser.parse(body).feed;
      expect(text(f.id)).toBe(`${bareBase}${path}`);
      expect(f.link.find((l: any) => l['@rel'] === 'self')['@href']).toBe(`${bareBase}${path}`);
    }
  });
});
