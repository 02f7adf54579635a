// Citation export: Paper.citation in BibTeX, RIS and CSL-JSON, and GET /papers/<id>.bib. BibTeX
// output is parsed back with a BibTeX parser (@retorquere/bibtex-parser, Better BibTeX's), and
// the authors must come back in byline order.
import { parse } from '@retorquere/bibtex-parser';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';

const run = setupTestRunner({ scenario: smallCatalog, http: { rateLimiter: null } });

const CITE = `query($arxivId: String!, $format: CitationFormat!) { paper(arxivId: $arxivId) { citation(format: $format) } }`;

/** A paper whose byline tests name handling: accents, a particle, a one-word name, order. */
async function trickyPaper() {
  const names = ['José van der Müller', 'Łukasz Kaiser', 'DeepMind', 'Ada Lovelace'];
  const authors = [];
  for (const name of names) {
    authors.push(await run.db.author.upsert({ where: { normalizedName: name.toLowerCase() }, create: { name, normalizedName: name.toLowerCase() }, update: {} }));
  }
  return run.db.paper.create({
    data: {
      arxivId: '2501.01234',
      title: 'Attention & Diffusion: 50% of {Everything}',
      abstract: 'A.',
      publishedAt: new Date('2025-01-03T17:00:00Z'),
      primaryCategory: 'cs.LG',
      doi: '10.48550/arXiv.2501.01234',
      authors: { create: authors.map((a, position) => ({ authorId: a.id, position })) },
    },
  });
}

test('BibTeX: an arXiv @misc with eprint, archivePrefix, primaryClass and DOI; authors parse back in byline order', async () => {
  await trickyPaper();
  const { paper } = await run.server.data(CITE, { arxivId: '2501.01234v2', format: 'BIBTEX' });
  const library = parse(paper.citation);
  expect(library.errors).toEqual([]);
  expect(library.entries).toHaveLength(1);
  const [entry] = library.entries;
  expect(entry!.type).toBe('misc');
  expect(entry!.fields).toMatchObject({
    title: 'Attention & Diffusion: 50% of {Everything}',
    eprint: '2501.01234',
    archiveprefix: 'arXiv',
    primaryclass: 'cs.LG',
    doi: '10.48550/arXiv.2501.01234',
    year: '2025',
    url: 'https://arxiv.org/abs/2501.01234',
  });
  // The parser gives names back decomposed (e + combining accent): compared in NFC.
  const authors = (entry!.fields.author as unknown as Record<string, string>[]).map((a) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'string' ? v.normalize('NFC') : v])));
  expect(authors).toEqual([
    { firstName: 'José', prefix: 'van der', lastName: 'Müller' },
    { firstName: 'Łukasz', lastName: 'Kaiser' },
    { name: 'DeepMind' },
    { firstName: 'Ada', lastName: 'Lovelace' },
  ]);
});

test('no DOI known: no doi field; the scenario bylines come back in order', async () => {
  const { paper } = await run.server.data(CITE, { arxivId: '2407.00001', format: 'BIBTEX' });
  const [entry] = parse(paper.citation).entries;
  expect(entry!.fields.doi).toBeUndefined();
  expect((entry!.fields.author as any[]).map((a: any) => `${a.firstName} ${a.lastName}`)).toEqual(['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
});

test('RIS and CSL-JSON carry the same paper, authors in order', async () => {
  await trickyPaper();
  const ris = (await run.server.data(CITE, { arxivId: '2501.01234', format: 'RIS' })).paper.citation as string;
  expect(ris.split('\n').filter((l) => l.startsWith('AU  - '))).toEqual(['AU  - van der Müller, José', 'AU  - Kaiser, Łukasz', 'AU  - DeepMind', 'AU  - Lovelace, Ada']);
  expect(ris).toContain('DO  - 10.48550/arXiv.2501.01234');
  expect(ris).toContain('UR  - https://arxiv.org/abs/2501.01234');
  expect(ris.trim().endsWith('ER  -')).toBe(true);

  const csl = JSON.parse((await run.server.data(CITE, { arxivId: '2501.01234', format: 'CSL_JSON' })).paper.citation);
  expect(csl).toHaveLength(1);
  expect(csl[0]).toMatchObject({ type: 'article', title: 'Attention & Diffusion: 50% of {Everything}', DOI: '10.48550/arXiv.2501.01234', number: 'arXiv:2501.01234', publisher: 'arXiv', issued: { 'date-parts': [[2025, 1, 3]] } });
  expect(csl[0].author.map((a: any) => a.family ?? a.literal)).toEqual(['Müller', 'Kaiser', 'DeepMind', 'Lovelace']);
});

test('GET /papers/<arXiv id>.bib: the same entry as Paper.citation; hidden and unknown papers are 404', async () => {
  await trickyPaper();
  const response = await fetch(`${run.http.url}/papers/2501.01234v1.bib`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/x-bibtex; charset=utf-8');
  const body = await response.text();
  expect(body).toBe((await run.server.data(CITE, { arxivId: '2501.01234', format: 'BIBTEX' })).paper.citation);
  expect(parse(body).entries[0]!.fields.eprint).toBe('2501.01234');

  await run.db.paper.update({ where: { arxivId: '2501.01234' }, data: { hiddenAt: new Date() } });
  expect((await fetch(`${run.http.url}/papers/2501.01234.bib`)).status).toBe(404);
  expect((await fetch(`${run.http.url}/papers/2501.99999.bib`)).status).toBe(404);
  const bad = await fetch(`${run.http.url}/papers/not-an-id.bib`);
  expect(bad.status).toBe(404);
  expect(await bad.text()).toBe('No such paper: expected /papers/<arXiv id>.bib, e.g. /papers/2406.12345.bib\n');
  expect((await fetch(`${run.http.url}/papers/2407.00001.bib`, { method: 'POST' })).status).toBe(405);
});

test('a hidden paper has no citation for readers (the paper itself is null)', async () => {
  await run.db.paper.update({ where: { id: run.scenario.papers[0]!.id }, data: { hiddenAt: new Date() } });
  expect((await run.server.data(CITE, { arxivId: '2407.00001', format: 'BIBTEX' })).paper).toBeNull();
});
