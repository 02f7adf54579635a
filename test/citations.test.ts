// Citation export: Paper.citation in BibTeX, RIS and CSL-JSON, and GET /papers/<id>.bib. BibTeX
// output is parsed back with a BibTeX parser (@retorquere/bibtex-parser, Better BibTeX's), and
// the authors must come back in byline order. A collection's file (up to 1,000 papers) is
// formatted a slice at a time, so that the event loop (timers, /healthz) goes on meanwhile.
import { parse } from '@retorquere/bibtex-parser';
import type { GraphQLResolveInfo } from 'graphql';
import { Collection as CollectionResolvers } from '../src/catalog/collections/resolvers.ts';
import { formatCitations, PAPERS_PER_TURN } from '../src/catalog/citations/format.ts';
import { createContext, type Context } from '../src/catalog/context.ts';
import { fromGlobalIdOf, toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { createTestServer, startTestHttp } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

// The abuse below (one 1,000-paper collection × 25, three formats) costs 15,025 points: by default
// it is refused for its cost before anything runs (test/cost-model.test.ts). The limit is raised
// here to see what the server does when such work runs all the same.
const RAISED = { GRAPHQL_MAX_COST: '20000', RATE_LIMIT_POINTS: '0' };
const run = setupTestRunner({ scenario: smallCatalog, env: RAISED, http: { rateLimiter: null } });

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

describe('a 1,000-paper collection: formatted a slice at a time, once per format and request, stopped at the deadline', () => {
  const COLLECTION_CITATIONS = `query($id: ID!) { node(id: $id) { ... on Collection { a: citation(format: CSL_JSON) b: citation(format: BIBTEX) c: citation(format: RIS) } } }`;
  const ABUSE = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Collection { a: citation(format: CSL_JSON) b: citation(format: BIBTEX) c: citation(format: RIS) } } }`;

  /** A public collection of `n` papers (3 authors each, one with a particle), in order. */
  async function bigCollection(n = 1000) {
    const authors = await Promise.all(
      ['Ludwig van der Waals', 'Chen Wei', 'Amara Okafor', 'Sofia Rossi', 'Kenji Tanaka'].map((name) => run.db.author.create({ data: { name, normalizedName: `${name.toLowerCase()} big` } })),
    );
    const arxivIds = Array.from({ length: n }, (_, i) => `2408.${String(10000 + i)}`);
    await run.db.paper.createMany({
      data: arxivIds.map((arxivId, i) => ({ arxivId, title: `Scaling Sparse Models, Part ${i}`, abstract: 'A.', publishedAt: new Date(Date.UTC(2024, 7, 1 + (i % 28))), primaryCategory: 'cs.LG' })),
    });
    const papers = await run.db.paper.findMany({ where: { arxivId: { in: arxivIds } }, orderBy: { arxivId: 'asc' }, select: { id: true } });
    await run.db.paperAuthor.createMany({ data: papers.flatMap((paper, i) => [0, 1, 2].map((position) => ({ paperId: paper.id, position, authorId: authors[(i + position) % authors.length]!.id }))) });
    const collection = await run.db.collection.create({ data: { ownerId: run.scenario.users.bob.id, name: 'Everything on sparsity', public: true } });
    await run.db.collectionItem.createMany({ data: papers.map((paper, position) => ({ collectionId: collection.id, paperId: paper.id, position })) });
    return toGlobalId('Collection', collection.id);
  }

  test('every format is whole and in the collection order; the same collection asked 25 times in one query is read and formatted once per format', async () => {
    const id = await bigCollection();
    run.t.queries.length = 0;
    const { body, status } = await run.http.post(ABUSE, { ids: Array(25).fill(id) });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    // One read of the items per format, not one per field asked (75).
    expect(run.t.queries.filter((sql) => sql.includes('"CollectionItem" ci')).length).toBe(3);
    const nodes = body.data.nodes as { a: string; b: string; c: string }[];
    expect(nodes).toHaveLength(25);
    for (const node of nodes) expect(node).toEqual(nodes[0]);
    const { a, b, c } = nodes[0]!;
    const inOrder = Array.from({ length: 1000 }, (_, i) => `2408.${10000 + i}`);
    expect(JSON.parse(a).map((item: any) => item.number)).toEqual(inOrder.map((arxivId) => `arXiv:${arxivId}`));
    expect([...b.matchAll(/^\teprint = \{(.*)\},$/gm)].map((m) => m[1])).toEqual(inOrder);
    // Labels stay unique across slices, past `z` (200 papers share first author, year and title start).
    const labels = [...b.matchAll(/^@misc\{(.*),$/gm)].map((m) => m[1]);
    expect(labels).toHaveLength(1000);
    expect(new Set(labels).size).toBe(1000);
    expect(labels).toContain('Waals2024Scalingba');
    // A slice of the file parses as BibTeX (the whole, 1,000 entries, takes the parser seconds).
    expect(parse(b.split('\n\n').slice(20, 30).join('\n\n')).errors).toEqual([]);
    expect([...c.matchAll(/^UR  - https:\/\/arxiv\.org\/abs\/(.*)$/gm)].map((m) => m[1])).toEqual(inOrder);
  });

  test('the file is formatted once per request, operation and format: not again for another field, format or request', async () => {
    const id = await bigCollection(30);
    const collection = await run.db.collection.findUniqueOrThrow({ where: { id: fromGlobalIdOf('Collection', id, 'id') } });
    const query = { operation: { operation: 'query' } } as GraphQLResolveInfo;
    const mutation = { operation: { operation: 'mutation' } } as GraphQLResolveInfo;
    const cite = CollectionResolvers.citation as (parent: unknown, args: { format: string }, ctx: Context, info: GraphQLResolveInfo) => Promise<string>;
    const ctx = createContext(run.platform);
    const first = cite(collection, { format: 'RIS' }, ctx, query);
    expect(cite(collection, { format: 'RIS' }, ctx, query)).toBe(first);
    expect(cite(collection, { format: 'BIBTEX' }, ctx, query)).not.toBe(first);
    const another = cite(collection, { format: 'RIS' }, createContext(run.platform), query);
    expect(another).not.toBe(first);
    // A mutation may change the collection between two of its fields: never kept there.
    expect(cite(collection, { format: 'RIS' }, ctx, mutation)).not.toBe(cite(collection, { format: 'RIS' }, ctx, mutation));
    expect(await first).toBe(await another);
  });

  test('a deadline passing while a file is formatted stops it at the next slice, with OPERATION_TIMEOUT', async () => {
    const papers = Array.from({ length: 10 * PAPERS_PER_TURN }, (_, i) => ({
      paper: { arxivId: `2408.${10000 + i}`, title: `Paper ${i}`, abstract: 'A.', publishedAt: new Date('2024-08-01T00:00:00Z'), doi: null, primaryCategory: 'cs.LG', journalRef: null },
      authors: ['Ada Lovelace'],
    }));
    let checks = 0;
    // Passes after the second slice was written.
    const deadline = {
      get at() {
        return ++checks <= 2 ? Infinity : 0;
      },
      timeoutMs: 42,
    };
    await expect(formatCitations(papers, 'BIBTEX', { deadline })).rejects.toMatchObject({ message: 'The operation did not finish within 42 ms and was stopped', extensions: { code: 'OPERATION_TIMEOUT' } });
    expect(checks).toBe(3);
    expect(await formatCitations(papers, 'BIBTEX', { deadline: { at: Infinity, timeoutMs: 42 } })).toContain(`Paper ${papers.length - 1}`);
  });

  test('the abuse (one collection × 25, three formats) under a short GRAPHQL_OPERATION_TIMEOUT_MS is answered 503 OPERATION_TIMEOUT', async () => {
    const id = await bigCollection();
    const server = await createTestServer(run.t, { ...RAISED, GRAPHQL_OPERATION_TIMEOUT_MS: '150' });
    const h = await startTestHttp(run.t, server, { rateLimiter: null });
    try {
      // Warm: the statements prepared (its answer may be a 503 too on a loaded machine).
      await h.post(`query($id: ID!) { node(id: $id) { ... on Collection { items(first: 1) { totalCount } } } }`, { id });
      // Formatted 75 times in one turn of the event loop, this answered 200 after 13 s under a
      // 10 s timeout: the timer could not fire until it was done.
      const started = performance.now();
      const { status, body } = await h.post(ABUSE, { ids: Array(25).fill(id) });
      console.log(`one 1,000-paper collection x 25, 3 formats, under a 150 ms timeout: ${status} after ${Math.round(performance.now() - started)} ms`);
      expect(status).toBe(503);
      // Answered by the route's timer (one error), or by the operation itself when its reads,
      // stopped at the deadline, end it first (an error per field): OPERATION_TIMEOUT either way.
      const errors = body.errors ?? [];
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) expect(error).toMatchObject({ message: 'The operation did not finish within 150 ms and was stopped', extensions: { code: 'OPERATION_TIMEOUT' } });
    } finally {
      await h.close();
      await server.stop();
    }
  });

  test('/healthz asked while a long citation is being formatted is answered before it, again and again', async () => {
    const id = await bigCollection();
    run.t.queries.length = 0;
    let answered = false;
    // Answered: its headers are here (sent once the whole result was made), not its body read.
    const citing = fetch(`${run.http.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: COLLECTION_CITATIONS, variables: { id } }) }).then(
      (response) => ((answered = true), response),
    );
    // The bylines are the last statement before formatting starts.
    await until(() => answered || run.t.queries.some((sql) => sql.includes('SELECT 0 AS kind')), 'the bylines statement');
    let healthzFirst = 0;
    while (!answered) {
      const health = await fetch(`${run.http.url}/healthz`);
      expect(health.status).toBe(200);
      if (!answered) healthzFirst++;
    }
    const response = await citing;
    console.log(`/healthz answered ${healthzFirst} times while 3 formats of 1,000 papers were formatted`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(JSON.parse(body.data.node.a)).toHaveLength(1000);
    // Formatted in one piece, the event loop answered nothing until the citation was done.
    expect(healthzFirst).toBeGreaterThanOrEqual(3);
  });
});
