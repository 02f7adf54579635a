// The citation graph: importing Semantic Scholar and OpenAlex snapshots (test/fixtures/citation-graph,
// see its README for the hand-checked counts), matching both ends to catalog papers, and
// Paper.references / citedBy / citationCount. The tests run in order on one database: each
// import builds on the previous one, as snapshots do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { formatSnapshotReport, importCitationSnapshot } from '../src/catalog/citation-graph/index.ts';
import { importFiles } from '../src/catalog/import/index.ts';
import { main } from '../src/cli/import.ts';
import { atomDir, describeWithRealData, hfDir } from './helpers/real-data.ts';
import { setupTestRunner } from './helpers/runner.ts';

const fixtures = path.resolve('test/fixtures/citation-graph');
const fixture = (name: string) => path.join(fixtures, name);
const S2_CITATIONS = [fixture('s2-citations-1.jsonl'), fixture('s2-citations-2.jsonl.gz')];

const A = '2607.28624';
const B = '2607.28568';
const C = '2607.28227';
const D = '2607.26760';
const E = '2607.28618';
const F = '2607.27380';
const LEGACY = '1601.00001';

const PAPER = `query($arxivId: String!, $order: CitedByOrder, $first: Int, $after: String, $refAfter: String) {
  paper(arxivId: $arxivId) {
    citationCount { inCatalog total { value source asOf } totals { value source } influential }
    citedBy(orderBy: $order, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { isInfluential intents sources node { __typename ... on Paper { arxivId } } }
    }
    references(first: $first, after: $refAfter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { isInfluential intents sources node { __typename ... on Paper { arxivId } ... on ExternalPaper { title year externalArxivId: arxivId doi semanticScholarId openAlexId } } }
    }
  }
}`;

describeWithRealData('the citation graph tests')('citation graph', () => {
  const run = setupTestRunner({ reset: 'once' });

  const paper = async (arxivId: string, variables: Record<string, unknown> = {}) => (await run.server.data(PAPER, { arxivId, ...variables })).paper;
  const citing = async (arxivId: string, variables: Record<string, unknown> = {}) =>
    (await paper(arxivId, variables)).citedBy.edges.map((e: { node: { arxivId: string } }) => e.node.arxivId);
  const counts = async () =>
    run.db.$queryRawUnsafe<{ source: string; citing: string; cited: string }[]>(`SELECT source::text, "citingId" AS citing, "citedId" AS cited FROM "Citation" ORDER BY 1, 2, 3`);

  /** The invariant: for every paper, inCatalog is count(DISTINCT citing) over the visible edges, through the API and in the stored count. */
  async function expectInvariant(): Promise<number> {
    const expected = await run.db.$queryRawUnsafe<{ arxivId: string; n: number }[]>(`
      SELECT p."arxivId", (SELECT count(DISTINCT c."citingPaperId") FROM "Citation" c JOIN "Paper" q ON q.id = c."citingPaperId" AND q."hiddenAt" IS NULL
                           WHERE c."citedPaperId" = p.id)::int AS n
      FROM "Paper" p WHERE p."hiddenAt" IS NULL ORDER BY p.id`);
    const stored = new Map(
      (await run.db.paperCitationCount.findMany({ include: { paper: { select: { arxivId: true } } } })).map((row) => [row.paper.arxivId, row.inCatalog]),
    );
    // The same per month of the citing papers' arXiv date ("most cited this month", PaperMonthCitation).
    const monthDrift = await run.db.$queryRawUnsafe<unknown[]>(`
      WITH live AS (
        SELECT date_trunc('month', q."publishedAt" AT TIME ZONE 'UTC')::date AS month, c."citedPaperId" AS paper, count(DISTINCT c."citingPaperId")::int AS n
        FROM "Citation" c JOIN "Paper" q ON q.id = c."citingPaperId" AND q."hiddenAt" IS NULL JOIN "Paper" p ON p.id = c."citedPaperId"
        GROUP BY 1, 2)
      SELECT * FROM live FULL JOIN (SELECT month, "paperId" AS paper, citations AS n FROM "PaperMonthCitation" WHERE citations <> 0) s USING (month, paper)
      WHERE live.n IS DISTINCT FROM s.n`);
    expect(monthDrift).toEqual([]);
    const ids = expected.map((row) => row.arxivId);
    for (let i = 0; i < ids.length; i += 15) {
      const chunk = ids.slice(i, i + 15);
      const query = `{ ${chunk.map((id, j) => `p${j}: paper(arxivId: "${id}") { arxivId citationCount { inCatalog } citedBy(first: 1) { totalCount } }`).join(' ')} }`;
      const data = await run.server.data(query);
      for (const [j, id] of chunk.entries()) {
        const want = expected[i + j]!.n;
        expect({ id, inCatalog: data[`p${j}`].citationCount.inCatalog, totalCount: data[`p${j}`].citedBy.totalCount, stored: stored.get(id) ?? 0 }).toEqual({
          id,
          inCatalog: want,
          totalCount: want,
          stored: want,
        });
      }
    }
    return expected.length;
  }

  /**
   * A snapshot big enough to take a while: every listed paper cites A, plus `outside` edges from
   * catalog papers to works outside the catalog (one end matched: kept).
   */
  async function bigSnapshot(outside: number) {
    const papers = await run.db.paper.findMany({ where: { hiddenAt: null }, select: { arxivId: true }, orderBy: { id: 'asc' } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citation-graph-'));
    fs.writeFileSync(path.join(dir, 'papers.jsonl'), `${papers.map((p, i) => JSON.stringify({ corpusid: 50_000 + i, externalids: { ArXiv: p.arxivId }, title: p.arxivId })).join('\n')}\n`);
    const edges: string[] = [];
    const a = papers.findIndex((p) => p.arxivId === A);
    papers.forEach((_, i) => i !== a && edges.push(JSON.stringify({ citingcorpusid: 50_000 + i, citedcorpusid: 50_000 + a, isinfluential: false, intents: [] })));
    for (let k = 0; k < outside; k++) edges.push(JSON.stringify({ citingcorpusid: 50_000 + (k % papers.length), citedcorpusid: 900_000 + k, isinfluential: false, intents: [] }));
    fs.writeFileSync(path.join(dir, 'citations.jsonl.gz'), zlib.gzipSync(`${edges.join('\n')}\n`));
    return { dir, papers };
  }

  test('setup: a catalog of real papers, F hidden', async () => {
    const summary = await importFiles(run.db, [path.join(hfDir, '2026-07-31.json'), path.join(atomDir, 'query-legacy-doi.xml')]);
    expect(summary.ok).toBe(true);
    await run.db.paper.update({ where: { arxivId: F }, data: { hiddenAt: new Date() } });
    expect((await run.db.paper.findUniqueOrThrow({ where: { arxivId: LEGACY } })).doi).toBe('10.1063/1.4944470');
  });

  test('S2 papers match by arXiv id without version, by DataCite DOI, by published DOI', async () => {
    const report = await importCitationSnapshot(run.t.url, 's2-papers', [fixture('s2-papers.jsonl')]);
    expect(report).toMatchObject({ status: 'imported', rows: 8, works: 8, worksMatched: 6 });
    const works = await run.db.citationWork.findMany({ where: { source: 'S2' }, include: { paper: { select: { arxivId: true } } }, orderBy: { externalId: 'asc' } });
    expect(works.map((w) => [w.externalId, w.paper?.arxivId ?? null])).toEqual([
      ['1001', A],
      ['1002', B],
      ['1003', LEGACY],
      ['1004', C],
      ['1005', F],
      ['1006', D],
      ['2001', null],
      ['2002', null],
    ]);
  });

  test('S2 citations across two files: duplicates collapse, edges with one end outside are kept, none with neither', async () => {
    const report = await importCitationSnapshot(run.t.url, 's2-citations', S2_CITATIONS);
    expect(report).toMatchObject({ status: 'imported', rows: 13, edgesRead: 12, matchedBoth: 7, matchedOne: 2, matchedNeither: 1, duplicates: 2 });
    expect(formatSnapshotReport(report)).toMatch(/12 edges read: 7 matched both ends, 2 one end, 1 neither \(not kept\), 2 duplicates collapsed/);
    expect(await counts()).toHaveLength(9);

    const a = await paper(A);
    // C, B, 1601.00001 and D; never the hidden F.
    expect(a.citationCount).toEqual({ inCatalog: 4, total: { value: 97, source: 'S2', asOf: expect.any(String) }, totals: [{ value: 97, source: 'S2' }], influential: 5 });
    expect(a.citedBy.totalCount).toBe(4);
    expect(a.citedBy.edges.map((e: { node: { arxivId: string } }) => e.node.arxivId).sort()).toEqual([B, C, D, LEGACY].sort());
    const fromC = a.citedBy.edges.find((e: { node: { arxivId: string } }) => e.node.arxivId === C);
    expect(fromC).toEqual({ isInfluential: true, intents: ['methodology'], sources: ['S2'], node: { __typename: 'Paper', arxivId: C } });

    // A cites B, the hidden F (not listed), 2001 (outside, with its papers row) and 9999 (outside, no row).
    expect(a.references.totalCount).toBe(3);
    expect(a.references.edges).toEqual([
      { isInfluential: false, intents: [], sources: ['S2'], node: { __typename: 'Paper', arxivId: B } },
      {
        isInfluential: true,
        intents: ['background', 'methodology'],
        sources: ['S2'],
        node: { __typename: 'ExternalPaper', title: 'Attention Is All You Need', year: 2017, externalArxivId: '1706.03762', doi: '10.5555/3295222.3295349', semanticScholarId: '2001', openAlexId: null },
      },
      { isInfluential: false, intents: [], sources: ['S2'], node: { __typename: 'ExternalPaper', title: null, year: null, externalArxivId: null, doi: null, semanticScholarId: '9999', openAlexId: null } },
    ]);
    // A paper the catalog holds but no source knows: zero, and no total.
    expect((await paper(E)).citationCount).toEqual({ inCatalog: 0, total: null, totals: [], influential: null });
    await expectInvariant();
  });

  test('citedBy orders NEWEST, UPVOTES, CITATIONS and pages by cursor', async () => {
    const rows = await run.db.paper.findMany({ where: { arxivId: { in: [B, C, D, LEGACY] } }, orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }] });
    expect(await citing(A)).toEqual(rows.map((r) => r.arxivId));
    const byId = [...rows].sort((x, y) => y.id - x.id).map((r) => r.arxivId);
    expect(await citing(A, { order: 'UPVOTES' })).toEqual(byId);
    // B is cited once (by A): first; the others by none, then by id.
    expect(await citing(A, { order: 'CITATIONS' })).toEqual([B, ...byId.filter((id) => id !== B)]);

    const seen: string[] = [];
    let after: string | null = null;
    type Page = { edges: { node: { arxivId: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    for (;;) {
      const page: Page = (await paper(A, { order: 'NEWEST', first: 1, after })).citedBy;
      seen.push(...page.edges.map((e) => e.node.arxivId));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(rows.map((r) => r.arxivId));
    // A selection of listing fields reads those columns only; one that shows more reads them all.
    const shown = await run.server.data(`query($a: String!) { paper(arxivId: $a) { citedBy(first: 10) { nodes { ... on Paper { arxivId title abstract } } } } }`, { a: A });
    const abstracts = new Map(rows.map((r) => [r.arxivId, r.abstract]));
    expect(shown.paper.citedBy.nodes.map((n: { arxivId: string; abstract: string }) => [n.arxivId, n.abstract])).toEqual(rows.map((r) => [r.arxivId, abstracts.get(r.arxivId)]));
    const refs = (await paper(A, { first: 2 })).references;
    const rest = (await paper(A, { first: 2, refAfter: refs.pageInfo.endCursor })).references;
    expect([...refs.edges, ...rest.edges].map((e: { node: { arxivId?: string; externalArxivId?: string; semanticScholarId?: string } }) => e.node.arxivId ?? e.node.externalArxivId ?? e.node.semanticScholarId)).toEqual([B, '1706.03762', '9999']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  test('papers(orderBy: CITATIONS) and filter minCitations', async () => {
    const { papers } = await run.server.data(`{ papers(orderBy: { field: CITATIONS }, filter: { minCitations: 1 }, first: 10) { totalCount nodes { arxivId } } }`);
    expect(papers).toEqual({ totalCount: 2, nodes: [{ arxivId: A }, { arxivId: B }] });
    const all = await run.server.data(`{ papers(orderBy: { field: CITATIONS }, first: 3) { nodes { arxivId } } }`);
    expect(all.papers.nodes.slice(0, 2)).toEqual([{ arxivId: A }, { arxivId: B }]);
  });

  test('re-importing the same snapshot changes nothing', async () => {
    const before = await counts();
    const report = await importCitationSnapshot(run.t.url, 's2-citations', [...S2_CITATIONS].reverse());
    expect(report.status).toBe('unchanged');
    expect((await importCitationSnapshot(run.t.url, 's2-papers', [fixture('s2-papers.jsonl')])).status).toBe('unchanged');
    expect(await counts()).toEqual(before);
    expect(await run.db.citationSnapshot.count()).toBe(2);
  });

  test('a truncated .gz is rejected and changes nothing', async () => {
    const before = await counts();
    const report = await importCitationSnapshot(run.t.url, 's2-citations', [fixture('s2-citations-truncated.jsonl.gz')]);
    expect(report.status).toBe('rejected');
    expect(report.reason).toMatch(/s2-citations-truncated\.jsonl\.gz: .*(unexpected end of file|truncated)/);
    expect(await counts()).toEqual(before);
    expect(await run.db.citationSnapshot.count()).toBe(2);
    expect((await paper(A)).citationCount.inCatalog).toBe(4);
  });

  test('hiding and unhiding a citing paper changes every count at once', async () => {
    await run.db.paper.update({ where: { arxivId: C }, data: { hiddenAt: new Date() } });
    expect((await paper(A)).citationCount.inCatalog).toBe(3);
    expect(await citing(A)).not.toContain(C);
    await expectInvariant();
    await run.db.paper.update({ where: { arxivId: C }, data: { hiddenAt: null } });
    expect((await paper(A)).citationCount.inCatalog).toBe(4);
    await expectInvariant();
  });

  test('a newer snapshot removes the edge it no longer ships (through the CLI, with its report)', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: Object.assign({ write: (s: string) => err.push(s) }, { isTTY: false }) };
    const code = await main(['--s2-citations', fixture('s2-citations-newer.jsonl.gz'), '--quiet'], { ...process.env, DATABASE_URL: run.t.url }, io as never);
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/s2-citations \(1 file\): imported snapshot .*: 12 rows.*11 edges read: 6 matched both ends, 2 one end, 1 neither \(not kept\), 2 duplicates collapsed/);
    expect(await citing(A)).not.toContain(D);
    expect((await paper(A)).citationCount.inCatalog).toBe(3);
    await expectInvariant();
  });

  test('OpenAlex works: matched through 10.48550/arXiv DOIs; an edge both sources ship is one edge; totals say their source', async () => {
    const report = await importCitationSnapshot(run.t.url, 'openalex-works', [fixture('openalex-works.jsonl.gz')]);
    // W1→W2 (A→B), W1→W3 (A→outside), W2→W1 (B→A), W4→W1 (E→A, listed twice in W4).
    expect(report).toMatchObject({ status: 'imported', rows: 4, works: 4, worksMatched: 3, edgesRead: 5, matchedBoth: 3, matchedOne: 1, matchedNeither: 0, duplicates: 1 });
    const a = await paper(A);
    // C, B (S2 and OpenAlex: once), 1601.00001, E.
    expect(a.citationCount.inCatalog).toBe(4);
    expect(a.citationCount.totals).toEqual([{ value: 97, source: 'S2' }, { value: 39, source: 'OPENALEX' }]);
    expect(a.citationCount.total.source).toBe('S2');
    const fromB = a.citedBy.edges.filter((e: { node: { arxivId: string } }) => e.node.arxivId === B);
    expect(fromB).toEqual([{ isInfluential: false, intents: ['background'], sources: ['OPENALEX', 'S2'], node: { __typename: 'Paper', arxivId: B } }]);
    expect(a.references.edges.map((e: { node: { arxivId?: string; externalArxivId?: string | null; title?: string | null } }) => e.node.arxivId ?? e.node.externalArxivId ?? e.node.title)).toEqual([
      B,
      // Works outside the catalog by source, then the source's id.
      'Outside work',
      '1706.03762',
      null,
    ]);
    // E is known to OpenAlex only.
    expect((await paper(E)).citationCount).toMatchObject({ inCatalog: 0, total: { value: 0, source: 'OPENALEX', asOf: '2026-11-03T00:00:00.000Z' }, influential: null });
    expect(await expectInvariant()).toBeGreaterThan(10);
  });

  test('the invariant holds for readers while an import runs: they see the graph before it or after it, never between', async () => {
    const { dir, papers } = await bigSnapshot(60_000);
    expect((await importCitationSnapshot(run.t.url, 's2-papers', [path.join(dir, 'papers.jsonl')])).status).toBe('imported');

    const before = (await paper(A)).citationCount.inCatalog;
    const after = papers.length - 1;
    expect(after).toBeGreaterThan(before);
    const importing = importCitationSnapshot(run.t.url, 's2-citations', [path.join(dir, 'citations.jsonl.gz')], { batch: 5_000 });
    let finished = false;
    void importing.finally(() => (finished = true));
    const seen = new Set<number>();
    let reads = 0;
    while (!finished || reads === 0) {
      // One statement, one snapshot of the database: the stored count against the live one.
      const [check] = await run.db.$queryRawUnsafe<[{ drift: number }]>(`
        SELECT count(*)::int AS drift FROM "Paper" p
        WHERE coalesce((SELECT "inCatalog" FROM "PaperCitationCount" WHERE "paperId" = p.id), 0)
           <> (SELECT count(DISTINCT c."citingPaperId") FROM "Citation" c JOIN "Paper" q ON q.id = c."citingPaperId" AND q."hiddenAt" IS NULL WHERE c."citedPaperId" = p.id)`);
      expect(check.drift).toBe(0);
      const read = (await paper(A, { first: 1 })).citationCount.inCatalog;
      seen.add(read);
      reads++;
    }
    expect((await importing).status).toBe('imported');
    expect([...seen].every((n) => n === before || n === after)).toBe(true);
    expect((await paper(A)).citationCount.inCatalog).toBe(after);
    await expectInvariant();

    // A is now cited by most of the catalog: citedBy walks the catalog in the order's index
    // instead of reading A's citations (reads.ts). Same pages, every order, page by page.
    const keys = { NEWEST: 'p."publishedAt"', UPVOTES: 'p."upvoteCount"', CITATIONS: 'cc."inCatalog"' } as const;
    for (const order of ['NEWEST', 'UPVOTES', 'CITATIONS'] as const) {
      const expected = await run.db.$queryRawUnsafe<{ arxivId: string }[]>(`
        SELECT p."arxivId" FROM "Paper" p JOIN "PaperCitationCount" cc ON cc."paperId" = p.id
        WHERE p."hiddenAt" IS NULL AND EXISTS (SELECT 1 FROM "Citation" c JOIN "Paper" a ON a.id = c."citedPaperId" AND a."arxivId" = '${A}' WHERE c."citingPaperId" = p.id)
        ORDER BY ${keys[order]} DESC, p.id DESC`);
      const seen: string[] = [];
      let cursor: string | null = null;
      type Page = { edges: { node: { arxivId: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      for (;;) {
        const page: Page = (await paper(A, { order, first: 7, after: cursor })).citedBy;
        seen.push(...page.edges.map((e) => e.node.arxivId));
        if (!page.pageInfo.hasNextPage) break;
        cursor = page.pageInfo.endCursor;
      }
      expect({ order, seen }).toEqual({ order, seen: expected.map((row) => row.arxivId) });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a curator hiding and unhiding citing papers while an import runs leaves every count exact', async () => {
    const { dir } = await bigSnapshot(60_001);
    const importing = importCitationSnapshot(run.t.url, 's2-citations', [path.join(dir, 'citations.jsonl.gz')], { batch: 5_000 });
    let finished = false;
    void importing.finally(() => (finished = true));
    const citers = [B, C, D, E];
    let rounds = 0;
    // Hides and unhides until the import is over (at least one round): some before its recount,
    // some waiting for it, some after.
    while (!finished || rounds === 0) {
      const arxivId = citers[rounds % citers.length]!;
      await run.db.paper.update({ where: { arxivId }, data: { hiddenAt: rounds % 8 < 4 ? new Date() : null } });
      rounds++;
    }
    expect((await importing).status).toBe('imported');
    await expectInvariant();
    await run.db.paper.updateMany({ where: { arxivId: { in: citers } }, data: { hiddenAt: null } });
    await expectInvariant();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('deleting a citing paper: its edges lose that end (or go, with no catalog end left) and every count stays exact', async () => {
    const before = (await paper(A)).citationCount.inCatalog;
    const c = await run.db.paper.findUniqueOrThrow({ where: { arxivId: C } });
    const toA = await run.db.citation.findFirstOrThrow({ where: { citingPaperId: c.id, citedPaperId: { not: null } } });
    await run.db.paper.delete({ where: { id: c.id } });
    expect((await paper(A)).citationCount.inCatalog).toBe(before - 1);
    expect(await citing(A)).not.toContain(C);
    expect(await run.db.citation.count({ where: { OR: [{ citingPaperId: c.id }, { citedPaperId: c.id }] } })).toBe(0);
    expect(await run.db.citation.count({ where: { citingPaperId: null, citedPaperId: null } })).toBe(0);
    // C→A stays, with C's source id: A is still a catalog end.
    const kept = await run.db.citation.findUniqueOrThrow({ where: { source_citingId_citedId: { source: toA.source, citingId: toA.citingId, citedId: toA.citedId } } });
    expect(kept).toMatchObject({ citingPaperId: null, citedPaperId: toA.citedPaperId });
    await expectInvariant();
  });

  test('a page of papers asks for each citation field in one statement, whatever its size', async () => {
    const query = `query($n: Int!) { papers(first: $n) { nodes { citationCount { inCatalog total { value } totals { source } influential }
      citedBy(first: 3) { totalCount edges { isInfluential node { ... on Paper { arxivId } } } }
      references(first: 3) { totalCount edges { node { ... on Paper { title } ... on ExternalPaper { externalTitle: title } } } } } } }`;
    const statements = async (n: number) => {
      run.t.queries.length = 0;
      const { papers } = await run.server.data(query, { n });
      expect(papers.nodes).toHaveLength(n);
      return run.t.queries.length;
    };
    const small = await statements(2);
    // 8: each paper pays citedBy's and references' weights (src/graphql/limits/cost.ts); 12 would cost past the limit.
    expect(await statements(8)).toBe(small);
  });
});
