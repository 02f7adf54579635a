// importPapers: a curator imports from the live sources (here: a local server that serves
// the recorded responses in ../shared/data).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { dataDir, describeWithRealData } from './helpers/real-data.ts';
import { setupTestRunner } from './helpers/runner.ts';

describeWithRealData('the importPapers tests')('importPapers', () => {
  let sources: http.Server;
  let base = '';
  const requests: string[] = [];

  beforeAll(async () => {
    sources = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/api/query') {
        res.writeHead(200, { 'content-type': 'application/atom+xml' });
        return res.end(fs.readFileSync(path.join(dataDir, 'arxiv-atom/query-current-affiliations.xml')));
      }
      const file = path.join(dataDir, 'hf-daily-papers', `${url.searchParams.get('date')}.json`);
      if (url.pathname === '/api/daily_papers' && fs.existsSync(file) && url.searchParams.get('p') === '0') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(fs.readFileSync(file));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => sources.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(sources.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => sources?.close(resolve));
  });
  // Registered after the sources start: the server is configured with their address.
  const run = setupTestRunner({ env: () => ({ ARXIV_API_URL: base, HF_API_URL: base }) });

  const IMPORT = `mutation($input: ImportPapersInput!) { importPapers(input: $input) {
    paper { arxivId title authors { name } upvotes huggingFace { upvotes } }
    summary { papersCreated papersUpdated papersUnchanged authorsCreated topicsCreated }
    userErrors { field code message } } }`;

  test('a curator imports one arXiv paper by id, idempotently', async () => {
    const curator = await run.db.user.create({ data: { handle: 'cur', displayName: 'Cur', role: 'CURATOR' } });
    const first = (await run.server.as(curator).data(IMPORT, { input: { arxivId: 'arXiv:2012.11345v1' } })).importPapers;
    expect(first.userErrors).toEqual([]);
    expect(first.paper).toMatchObject({ arxivId: '2012.11345', upvotes: 0, huggingFace: null });
    expect(first.paper.title).toMatch(/^Analysis of Safe Ultrawideband Human-Robot Communication/);
    expect(first.paper.authors[0]).toEqual({ name: 'Branimir Ivšić' });
    expect(first.summary.papersCreated).toBeGreaterThanOrEqual(1);
    expect(requests.at(-1)).toContain('search_query=id%3A2012.11345');
    const again = (await run.server.as(curator).data(IMPORT, { input: { arxivId: '2012.11345' } })).importPapers;
    expect(again.summary).toMatchObject({ papersCreated: 0, papersUpdated: 0 });
  });

  test('a curator imports a day of Daily Papers; Hugging Face upvotes stay apart from ours', async () => {
    const admin = await run.db.user.create({ data: { handle: 'adm', displayName: 'Adm', role: 'ADMIN' } });
    const result = (await run.server.as(admin).data(IMPORT, { input: { huggingFaceDate: '2026-07-16' } })).importPapers;
    const expected = JSON.parse(fs.readFileSync(path.join(dataDir, 'hf-daily-papers/2026-07-16.json'), 'utf8')) as unknown[];
    expect(result.userErrors).toEqual([]);
    expect(result.summary.papersCreated).toBe(new Set(expected.map((e: any) => e.paper.id)).size);
    const { dailyPapers } = await run.server.data(`{ dailyPapers(date: "2026-07-16") { papers(first: 100) { totalCount nodes { upvotes huggingFace { upvotes } } } } }`);
    expect(dailyPapers.papers.totalCount).toBe(result.summary.papersCreated);
    expect(dailyPapers.papers.nodes.every((p: any) => p.upvotes === 0 && p.huggingFace.upvotes >= 0)).toBe(true);
  });

  test('exactly one source, a well-formed id; readers may not import', async () => {
    const curator = await run.db.user.create({ data: { handle: 'cur', displayName: 'Cur', role: 'CURATOR' } });
    const both = (await run.server.as(curator).data(IMPORT, { input: { arxivId: '2012.11345', huggingFaceDate: '2026-07-16' } })).importPapers;
    expect(both).toEqual({ paper: null, summary: null, userErrors: [{ field: ['input'], code: 'INVALID', message: 'Give exactly one of arxivId and huggingFaceDate' }] });
    const bad = (await run.server.as(curator).data(IMPORT, { input: { arxivId: 'not an id' } })).importPapers;
    expect(bad.userErrors[0]).toMatchObject({ field: ['input', 'arxivId'], code: 'INVALID' });
    const reader = await run.db.user.create({ data: { handle: 'rea', displayName: 'Rea' } });
    const refused = await run.server.as(reader).gql(IMPORT, { input: { arxivId: '2012.11345' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await run.db.paper.count()).toBe(0);
  });
});
