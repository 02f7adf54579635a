// OAI-PMH harvesting against a local HTTP server serving responses written to the OAI-PMH 2.0
// specification (test/fixtures/oai): a resumption chain, a 503 with Retry-After, deleted
// records, a malformed page, an expired token, a page past the size limit (streamed, endless);
// and resuming after a failure.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { harvestOai, OaiHarvestError } from '../src/catalog/import/oai/harvest.ts';
import { readOaiPage } from '../src/catalog/import/oai/read.ts';
import { main, parseCli, UsageError } from '../src/cli/import.ts';
import { RejectedInput } from '../src/catalog/import/validate.ts';
import type { Db } from '../src/platform/db/client.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { until } from './helpers/wait.ts';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'oai', name), 'utf8');
const TOKEN_2 = 'cs|2026-11-01||2';
const TOKEN_3 = 'cs|2026-11-01||4';

interface Seen {
  params: Record<string, string>;
  at: number;
}
type Answer = { status?: number; headers?: Record<string, string>; body: string | ((response: http.ServerResponse) => void) };

/** The repository: answers by the request's arguments; `override` may answer first (once per call). */
let seen: Seen[] = [];
let override: ((params: Record<string, string>, n: number) => Answer | undefined) | undefined;
let repository: http.Server;
let baseUrl: string;

function answer(params: Record<string, string>): Answer {
  if (params.verb !== 'ListRecords') return { status: 400, body: 'bad verb' };
  if (params.resumptionToken === TOKEN_2) return { body: fixture('page-2.xml') };
  if (params.resumptionToken === TOKEN_3) return { body: fixture('page-3.xml') };
  if (params.resumptionToken) return { body: fixture('bad-resumption-token.xml') };
  if (params.metadataPrefix === 'arXiv' && params.set === 'cs' && params.from && params.from > '2026-11-04') return { body: fixture('no-records-match.xml') };
  if (params.metadataPrefix === 'arXiv' && params.set === 'cs') return { body: fixture('page-1.xml') };
  return { status: 400, body: 'bad arguments' };
}

/** Known before the harvest: one paper the repository will report deleted, one it revises. */
async function knownPapers(db: Db) {
  await db.paper.create({ data: { arxivId: '2407.00002', title: 'Diffusion Models Beat Everything', abstract: 'A.', publishedAt: new Date('2024-07-01T10:00:00Z') } });
  await db.paper.create({ data: { arxivId: '2410.05555', title: 'An Older Paper', abstract: 'Old.', publishedAt: new Date('2024-10-07T17:59:00Z') } });
}

const run = setupTestRunner({ scenario: knownPapers });

beforeAll(async () => {
  repository = http.createServer((request, response) => {
    const params = Object.fromEntries(new URL(request.url!, 'http://x').searchParams);
    seen.push({ params, at: performance.now() });
    const reply = override?.(params, seen.length) ?? answer(params);
    response.writeHead(reply.status ?? 200, { 'content-type': 'text/xml; charset=utf-8', ...reply.headers });
    if (typeof reply.body === 'function') reply.body(response);
    else response.end(reply.body);
  });
  await new Promise<void>((resolve) => repository.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(repository.address() as AddressInfo).port}/oai`;
});
beforeEach(() => {
  seen = [];
  override = undefined;
});
afterAll(async () => {
  await new Promise((resolve) => repository?.close(resolve));
});

const harvest = (options: Partial<Parameters<typeof harvestOai>[1]> = {}) =>
  harvestOai(run.db, { setSpec: 'cs', baseUrl, delayMs: 0, retryDelayMs: 10, ...options });

const day = (text: string) => new Date(`${text}T00:00:00.000Z`);

test('a resumption chain: every page, spaced as asked; papers, datestamps and deletions written; the position stored', async () => {
  const result = await harvest({ from: '2026-11-01', until: '2026-11-30', delayMs: 200 });
  expect(result).toMatchObject({ complete: true, resumed: false, pages: 3, deletedMarked: 1, deletedUnknown: 1, lastDatestamp: '2026-11-04', failure: undefined });
  expect(seen.map((s) => s.params)).toEqual([
    { verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2026-11-01', until: '2026-11-30' },
    { verb: 'ListRecords', resumptionToken: TOKEN_2 },
    { verb: 'ListRecords', resumptionToken: TOKEN_3 },
  ]);
  for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(195);
  expect(result.summary).toMatchObject({ papersCreated: 2, papersUpdated: 1, entries: 5 });

  const fresh = await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2611.00001' }, include: { authors: { include: { author: true }, orderBy: { position: 'asc' } } } });
  expect(fresh).toMatchObject({
    title: 'Harvesting Papers Politely',
    abstract: 'We harvest metadata incrementally.\n\nA second paragraph.',
    // The OAI datestamp is when arXiv changed the record: kept apart from the paper's own dates.
    publishedAt: day('2026-10-30'),
    arxivUpdatedAt: day('2026-11-01'),
    oaiDatestamp: day('2026-11-02'),
    oaiDeletedAt: null,
    primaryCategory: 'cs.DL',
    arxivComment: '12 pages, 3 figures',
    featuredOn: null,
  });
  expect(fresh.authors.map((a) => [a.author.name, a.affiliation])).toEqual([['Ada Lovelace', 'Analytical Engine Society'], ['Alan M. Turing', null]]);
  const revised = await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2410.05555' }, include: { authors: { include: { author: true } } } });
  // Same v1 day as the arXiv API's exact instant: the instant stays.
  expect(revised).toMatchObject({ title: 'An Older Paper, Revised', publishedAt: new Date('2024-10-07T17:59:00Z'), doi: '10.1000/example.2026', journalRef: 'J. Compilers 12 (2026) 1-20', oaiDatestamp: day('2026-11-01') });
  expect(revised.authors[0]!.author.name).toBe('Grace Hopper Jr');
  // Deleted: marked with its datestamp, not erased.
  const deleted = await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2407.00002' } });
  expect(deleted.oaiDeletedAt).toBeInstanceOf(Date);
  expect(deleted).toMatchObject({ title: 'Diffusion Models Beat Everything', oaiDatestamp: day('2026-11-03') });
  expect(await run.db.oaiHarvest.findUniqueOrThrow({ where: { setSpec: 'cs' } })).toMatchObject({
    lastDatestamp: day('2026-11-04'),
    pendingFrom: null,
    pendingToken: null,
    pages: 3,
  });
  // Through the API: the provenance fields, apart from the paper's dates.
  const api = await run.server.data(`{ paper(arxivId: "2407.00002") { oaiDatestamp oaiDeletedAt publishedAt } }`);
  expect(api.paper).toMatchObject({ oaiDatestamp: '2026-11-03', publishedAt: '2024-07-01T10:00:00.000Z' });
  expect(api.paper.oaiDeletedAt).not.toBeNull();

  // Harvesting the same days again changes nothing.
  const again = await harvest({ from: '2026-11-01', until: '2026-11-30' });
  expect(again.summary).toMatchObject({ papersCreated: 0, papersUpdated: 0, papersUnchanged: 3 });
});

test('a 503 with Retry-After is waited out, then the harvest goes on', async () => {
  override = (params, n) => (params.resumptionToken === TOKEN_2 && n === 2 ? { status: 503, headers: { 'retry-after': '1' }, body: 'busy' } : undefined);
  const result = await harvest({ from: '2026-11-01' });
  expect(result).toMatchObject({ complete: true, pages: 3 });
  expect(seen.map((s) => s.params.resumptionToken ?? 'first')).toEqual(['first', TOKEN_2, TOKEN_2, TOKEN_3]);
  const waited = seen[2]!.at - seen[1]!.at;
  console.log(`Retry-After: 1 -> the retry came ${Math.round(waited)} ms later`);
  expect(waited).toBeGreaterThanOrEqual(990);
});

test('a malformed page is rejected whole; the next run without --from resumes after the last complete page', async () => {
  override = (params) => (params.resumptionToken === TOKEN_3 ? { body: fixture('malformed.xml') } : undefined);
  const failed = await harvest({ from: '2026-11-01' });
  expect(failed).toMatchObject({ complete: false, pages: 2 });
  expect(failed.failure).toMatch(/invalid XML after 0 complete entries \(the response is malformed or truncated\)/);
  expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00009' } })).toBeNull();
  expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00001' } })).not.toBeNull();
  expect(await run.db.oaiHarvest.findUniqueOrThrow({ where: { setSpec: 'cs' } })).toMatchObject({
    lastDatestamp: null,
    pendingFrom: day('2026-11-01'),
    pendingToken: TOKEN_3,
    pendingLastDatestamp: day('2026-11-03'),
    pages: 2,
  });

  override = undefined;
  seen = [];
  const resumed = await harvest();
  expect(resumed).toMatchObject({ complete: true, resumed: true, pages: 1, from: '2026-11-01', lastDatestamp: '2026-11-04' });
  expect(seen.map((s) => s.params)).toEqual([{ verb: 'ListRecords', resumptionToken: TOKEN_3 }]);
  expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00009' } })).toMatchObject({ title: 'The Last Page', oaiDatestamp: day('2026-11-04') });

  // Complete now: a run without --from continues from the last datestamp.
  seen = [];
  const next = await harvest();
  expect(next).toMatchObject({ complete: true, resumed: false, from: '2026-11-04' });
  expect(seen[0]!.params).toMatchObject({ from: '2026-11-04', set: 'cs', metadataPrefix: 'arXiv' });
});

test('a page whose writing fails leaves nothing of it: papers, datestamps and position roll back together', async () => {
  // The database refuses the position update of page 1, after the page's papers were written.
  await run.db.$executeRawUnsafe(`
    CREATE FUNCTION refuse_first_page() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.pages = 1 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
  await run.db.$executeRawUnsafe(`CREATE TRIGGER refuse_first_page BEFORE UPDATE ON "OaiHarvest" FOR EACH ROW EXECUTE FUNCTION refuse_first_page()`);
  try {
    const failed = await harvest({ from: '2026-11-01' });
    expect(failed).toMatchObject({ complete: false, pages: 0 });
    expect(failed.failure).toMatch(/writing the page failed and was rolled back/);
    expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00001' } })).toBeNull();
    expect(await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2410.05555' } })).toMatchObject({ title: 'An Older Paper', oaiDatestamp: null });
    expect(await run.db.oaiHarvest.findUniqueOrThrow({ where: { setSpec: 'cs' } })).toMatchObject({ pendingFrom: day('2026-11-01'), pendingToken: null, pages: 0 });
  } finally {
    await run.db.$executeRawUnsafe(`DROP TRIGGER refuse_first_page ON "OaiHarvest"`);
    await run.db.$executeRawUnsafe(`DROP FUNCTION refuse_first_page()`);
  }
  seen = [];
  const resumed = await harvest();
  expect(resumed).toMatchObject({ complete: true, resumed: true, pages: 3 });
  expect(seen[0]!.params).toMatchObject({ from: '2026-11-01', set: 'cs' });
});

/**
 * An OAI-PMH page that never ends: valid records, written as fast as the client reads them (the
 * server waits for 'drain', so neither side holds more than socket buffers), until the client
 * hangs up or `stopAt` bytes were sent.
 */
function endlessPage(stopAt: number) {
  const state = { sent: 0, hungUp: false, finished: false };
  const body = (response: http.ServerResponse) => {
    response.on('close', () => (state.hungUp = !response.writableFinished));
    const head = `<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-30T06:00:03Z</responseDate><request verb="ListRecords">x</request><ListRecords>\n`;
    let n = 0;
    const record = () =>
      `<record><header><identifier>oai:arXiv.org:2612.${String(n++ % 100_000).padStart(5, '0')}</identifier><datestamp>2026-12-01</datestamp></header>` +
      `<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><created>2026-11-30</created><authors><author><keyname>Endless</keyname></author></authors>` +
      `<title>A Page That Does Not End</title><abstract>${'Padding of an oversized page. '.repeat(30)}</abstract></arXiv></metadata></record>\n`;
    const pump = () => {
      if (state.sent === 0) state.sent += Buffer.byteLength(head), response.write(head);
      while (!response.destroyed && state.sent < stopAt) {
        let chunk = '';
        while (chunk.length < 64 * 1024) chunk += record();
        state.sent += Buffer.byteLength(chunk);
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      if (!response.destroyed) response.end('</ListRecords></OAI-PMH>\n', () => (state.finished = true));
    };
    pump();
  };
  return { state, body };
}

test('a page past maxPageBytes is cut off as it streams: the run fails there, nothing of it written, and a later run resumes', async () => {
  const LIMIT = 1024 * 1024;
  const endless = endlessPage(200 * 1024 * 1024);
  override = (params) => (params.resumptionToken === TOKEN_2 ? { body: endless.body } : undefined);
  const papersBefore = await run.db.paper.count();
  const logged: string[] = [];
  const failed = await harvest({ from: '2026-11-01', maxPageBytes: LIMIT, progress: { begin() {}, advance() {}, end() {}, log: (line) => logged.push(line) } });

  expect(failed).toMatchObject({ complete: false, pages: 1, lastDatestamp: null });
  const cutOff = `${baseUrl}?verb=ListRecords&resumptionToken=${encodeURIComponent(TOKEN_2)}: the response is larger than ${LIMIT} bytes, the most one response may have: the download was stopped there and nothing of it was used`;
  expect(failed.failure).toBe(`${cutOff} (the limit of one OAI-PMH page is maxPageBytes, ARXIV_OAI_MAX_PAGE_BYTES in the CLI; raise it if this repository's pages are legitimately larger)`);
  expect(logged).toContain(`REJECTED ${failed.failure}`);
  expect(failed.summary).toMatchObject({ ok: false });
  // Not retried: one request for the oversized page, and the client hung up on it.
  expect(seen.filter((s) => s.params.resumptionToken === TOKEN_2)).toHaveLength(1);
  await until(() => endless.state.hungUp, 'the client to hang up on the endless page');
  expect(endless.state.finished).toBe(false);
  // Stopped near the limit (plus what the loopback socket buffers held), far from the 200 MB on offer.
  console.log(`maxPageBytes ${LIMIT}: the server had sent ${endless.state.sent} bytes when the client hung up`);
  expect(endless.state.sent).toBeLessThan(LIMIT + 16 * 1024 * 1024);

  // Page 1 committed; nothing of the oversized page (its records are 2612.*); the position is kept.
  expect(await run.db.paper.count({ where: { arxivId: { startsWith: '2612.' } } })).toBe(0);
  expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00001' } })).not.toBeNull();
  expect(await run.db.paper.count()).toBe(papersBefore + 1);
  expect(await run.db.oaiHarvest.findUniqueOrThrow({ where: { setSpec: 'cs' } })).toMatchObject({ pendingFrom: day('2026-11-01'), pendingToken: TOKEN_2, pages: 1, lastDatestamp: null });

  override = undefined;
  seen = [];
  const resumed = await harvest({ maxPageBytes: LIMIT });
  expect(resumed).toMatchObject({ complete: true, resumed: true, pages: 2, lastDatestamp: '2026-11-04' });
  expect(seen.map((s) => s.params.resumptionToken)).toEqual([TOKEN_2, TOKEN_3]);
});

test('maxPageBytes counts the bytes of the body: a page of exactly the limit is read, one byte less refuses it, by Content-Length too', async () => {
  const page1 = Buffer.byteLength(fixture('page-1.xml'));
  const firstPageOnly = (extra: Record<string, string> = {}) => (params: Record<string, string>) =>
    params.resumptionToken ? { body: fixture('no-records-match.xml') } : { headers: extra, body: fixture('page-1.xml') };

  // Chunked (no Content-Length): counted as it arrives.
  override = firstPageOnly();
  expect(await harvest({ from: '2026-11-01', maxPageBytes: page1 - 1 })).toMatchObject({ complete: false, pages: 0, failure: expect.stringContaining(`the response is larger than ${page1 - 1} bytes`) });
  expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00001' } })).toBeNull();
  // Announced by Content-Length: refused before reading.
  override = firstPageOnly({ 'content-length': String(page1) });
  expect(await harvest({ from: '2026-11-01', maxPageBytes: page1 - 1 })).toMatchObject({ complete: false, pages: 0, failure: expect.stringContaining(`the response announces ${page1} bytes (Content-Length), more than ${page1 - 1}`) });
  expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00001' } })).toBeNull();

  override = firstPageOnly({ 'content-length': String(page1) });
  expect(await harvest({ from: '2026-11-01', maxPageBytes: page1 })).toMatchObject({ complete: true, pages: 2, failure: undefined });
  expect(await run.db.paper.findUnique({ where: { arxivId: '2611.00001' } })).not.toBeNull();
});

test('an expired resumption token starts the harvest over from its first day', async () => {
  await run.db.oaiHarvest.create({ data: { setSpec: 'cs', pendingFrom: day('2026-11-01'), pendingToken: 'expired', pages: 7 } });
  const result = await harvest();
  expect(result).toMatchObject({ complete: true, resumed: true, pages: 3, lastDatestamp: '2026-11-04' });
  expect(seen.map((s) => s.params.resumptionToken ?? s.params.from)).toEqual(['expired', '2026-11-01', TOKEN_2, TOKEN_3]);
});

test('noRecordsMatch is an empty, complete harvest; a set never harvested needs --from', async () => {
  await expect(harvest()).rejects.toThrow(new OaiHarvestError('set cs was never harvested here: give the first day with --from YYYY-MM-DD'));
  const empty = await harvest({ from: '2026-11-20' });
  expect(empty).toMatchObject({ complete: true, pages: 1, lastDatestamp: null });
  await expect(harvest({ from: '2026-11-05', until: '2026-11-01' })).rejects.toThrow('--until (2026-11-01) is before --from (2026-11-05)');
});

test('the reader refuses what is not an OAI-PMH ListRecords page, naming the record and field', () => {
  expect(() => readOaiPage('<feed xmlns="http://www.w3.org/2005/Atom"/>', 'u')).toThrow(RejectedInput);
  const noDay = fixture('page-3.xml').replace('<datestamp>2026-11-04</datestamp>', '<datestamp>04/11/2026</datestamp>');
  expect(() => readOaiPage(noDay, 'u')).toThrow('u: entry 0 (2611.00009), field header.datestamp: expected a day YYYY-MM-DD (the repository\'s granularity), got string "04/11/2026"');
  const noTitle = fixture('page-3.xml').replace('<title>The Last Page</title>', '');
  expect(() => readOaiPage(noTitle, 'u')).toThrow('u: entry 0 (2611.00009), field metadata.title: missing');
});

test('npm run import -- --oai-set cs --from ... --until ...: arguments, ARXIV_OAI_URL, exit code and report', async () => {
  expect(parseCli(['--oai-set', 'cs', '--from', '2026-11-01', '--until', '2026-11-05'], { ARXIV_OAI_URL: baseUrl })).toMatchObject({
    oaiSet: 'cs',
    oaiFrom: '2026-11-01',
    oaiUntil: '2026-11-05',
    oaiUrl: baseUrl,
    oaiDelayMs: 3000,
  });
  expect(() => parseCli(['--oai-set', 'cs', '--from', '2026-13-01'])).toThrow(new UsageError('--from expects a day YYYY-MM-DD; got "2026-13-01"'));
  expect(() => parseCli(['--from', '2026-11-01'])).toThrow(new UsageError('--from goes with --oai-set'));

  let out = '';
  let err = '';
  const sink = (write: (s: string) => void) => new Writable({ write: (chunk, _e, done) => (write(String(chunk)), done()) });
  const io = { stdout: sink((s) => (out += s)), stderr: Object.assign(sink((s) => (err += s)), { isTTY: false }) as unknown as NodeJS.WriteStream };
  const code = await main(['--oai-set', 'cs', '--from', '2026-11-01', '--quiet'], { DATABASE_URL: run.t.url, ARXIV_OAI_URL: baseUrl, ARXIV_OAI_DELAY_MS: '0' }, io);
  expect({ code, err }).toEqual({ code: 0, err: '' });
  expect(out).toContain('OAI-PMH set cs, records changed 2026-11-01 onwards: 3 pages committed, 1 deleted record marked (1 of papers not in the catalog)');
  expect(out).toContain('complete; the next run without --from starts at 2026-11-04');
});
