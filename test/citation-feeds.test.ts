// The citation graph's feeds: the `citationAdded` subscription (real graphql-ws clients on the real
// app, the announcements read from the database as a server reads those of `npm run import`) and
// `mostCitedPapers` (the month counts kept by imports and by the hiding trigger). Fixtures:
// test/fixtures/citation-graph (its README has the hand-checked edges). The tests run in order on
// one database, each import building on the previous one.
import path from 'node:path';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { importCitationSnapshot } from '../src/catalog/citation-graph/index.ts';
import { importFiles } from '../src/catalog/import/index.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { atomDir, describeWithRealData, hfDir } from './helpers/real-data.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { userWithToken } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const fixture = (name: string) => path.resolve('test/fixtures/citation-graph', name);
const S2_CITATIONS = [fixture('s2-citations-1.jsonl'), fixture('s2-citations-2.jsonl.gz')];

const A = '2607.28624';
const B = '2607.28568';
const C = '2607.28227';
const D = '2607.26760';
const E = '2607.28618';
const F = '2607.27380';
const LEGACY = '1601.00001';

const CITATION_ADDED = `subscription($paperId: ID, $authorId: ID) {
  citationAdded(paperId: $paperId, authorId: $authorId) { paper { arxivId } count citingPapers { arxivId } source addedAt }
}`;
const MOST_CITED = `query($month: String, $first: Int, $after: String) {
  mostCitedPapers(month: $month, first: $first, after: $after) {
    totalCount edges { citations node { arxivId } } pageInfo { hasNextPage endCursor }
  }
}`;

type Event = { paper: { arxivId: string }; count: number; citingPapers: { arxivId: string }[]; source: string; addedAt: string };

describeWithRealData('the citation feeds tests')('citation feeds', () => {
  const run = setupTestRunner({ reset: 'once', events: true, http: { rateLimiter: null, subscriptions: {} } });
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  function client(token?: string): Client {
    const c = createClient({
      url: `${run.http.url.replace('http:', 'ws:')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(c);
    return c;
  }

  /** A subscription whose events pile up in `events` (and errors in `errors`) as they arrive. */
  function subscribe(c: Client, variables: Record<string, unknown>) {
    const events: Event[] = [];
    const errors: unknown[] = [];
    const stop = c.subscribe<{ citationAdded: Event }>(
      { query: CITATION_ADDED, variables },
      {
        next: (result: ExecutionResult<{ citationAdded: Event }>) => {
          if (result.errors) errors.push(...result.errors);
          else events.push(result.data!.citationAdded);
        },
        error: (error) => errors.push(error),
        complete: () => {},
      },
    );
    return { events, errors, stop };
  }

  const paperIds = async () => new Map((await run.db.paper.findMany({ select: { id: true, arxivId: true } })).map((p) => [p.arxivId, p.id]));
  const published = async (arxivIds: string[]) =>
    (await run.db.paper.findMany({ where: { arxivId: { in: arxivIds } }, orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }] })).map((p) => p.arxivId);
  /** Listeners on the runner's bus: a subscription listens once its subscribe resolver ran. */
  const listeners = () => (run.events.bus as unknown as { listenerCount(): number }).listenerCount();
  const mostCited = async (variables: Record<string, unknown>) => (await run.server.data(MOST_CITED, variables)).mostCitedPapers;

  /** Every month count, stored, equals count(DISTINCT listed citing papers of that month) over the edges. */
  async function expectMonthInvariant(): Promise<void> {
    const drift = await run.db.$queryRawUnsafe<unknown[]>(`
      WITH live AS (
        SELECT date_trunc('month', q."publishedAt" AT TIME ZONE 'UTC')::date AS month, c."citedPaperId" AS paper, count(DISTINCT c."citingPaperId")::int AS n
        FROM "Citation" c JOIN "Paper" q ON q.id = c."citingPaperId" AND q."hiddenAt" IS NULL JOIN "Paper" p ON p.id = c."citedPaperId"
        GROUP BY 1, 2)
      SELECT * FROM live FULL JOIN (SELECT month, "paperId" AS paper, citations AS n FROM "PaperMonthCitation" WHERE citations <> 0) s USING (month, paper)
      WHERE live.n IS DISTINCT FROM s.n`);
    expect(drift).toEqual([]);
  }

  let subscriptions: Record<'paperA' | 'authorOfA' | 'following' | 'paperE', ReturnType<typeof subscribe>>;

  test('setup: real papers, F hidden, S2 papers imported', async () => {
    expect((await importFiles(run.db, [path.join(hfDir, '2026-07-31.json'), path.join(atomDir, 'query-legacy-doi.xml')])).ok).toBe(true);
    await run.db.paper.update({ where: { arxivId: F }, data: { hiddenAt: new Date() } });
    expect((await importCitationSnapshot(run.t.url, 's2-papers', [fixture('s2-papers.jsonl')])).status).toBe('imported');
  });

  test('citationAdded refuses a hidden or unknown paper, both arguments, and anonymous follows', async () => {
    const ids = await paperIds();
    const refused = async (variables: Record<string, unknown>) => {
      const s = subscribe(client(), variables);
      await until(() => s.errors.length > 0, 'the refusal');
      return s.errors[0] as { message: string; extensions: { code: string; argumentName?: string } }[] | { message: string; extensions: { code: string } };
    };
    const first = (errors: unknown) => (Array.isArray(errors) ? errors[0] : errors) as { message: string; extensions: { code: string; argumentName?: string } };
    expect(first(await refused({ paperId: toGlobalId('Paper', ids.get(F)!) }))).toMatchObject({ message: 'No listed paper has this id', extensions: { code: 'BAD_USER_INPUT' } });
    expect(first(await refused({ paperId: toGlobalId('Paper', 9_999_999) })).extensions.code).toBe('BAD_USER_INPUT');
    expect(first(await refused({ authorId: toGlobalId('Author', 9_999_999) }))).toMatchObject({ message: 'No author has this id', extensions: { code: 'BAD_USER_INPUT' } });
    expect(first(await refused({ paperId: toGlobalId('Paper', ids.get(A)!), authorId: toGlobalId('Author', 1) })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'authorId' });
    expect(first(await refused({})).extensions.code).toBe('UNAUTHENTICATED');
  });

  test('an import announces each newly cited paper once, with its count and newest citing papers; hidden papers on neither side', async () => {
    const ids = await paperIds();
    const { arxivId: _a, authors } = (await run.server.data(`query($a: String!) { paper(arxivId: $a) { arxivId authors { id name } } }`, { a: A })).paper;
    // A user following A's last author (not an author of B), through the API.
    const reader = await userWithToken(run.t, 'reader');
    const follow = await run.http.post(`mutation($id: ID!) { followAuthor(authorId: $id) { userErrors { code } } }`, { id: authors.at(-1).id }, reader.token);
    expect(follow.body.errors).toBeUndefined();

    const before = listeners();
    subscriptions = {
      paperA: subscribe(client(), { paperId: toGlobalId('Paper', ids.get(A)!) }),
      authorOfA: subscribe(client(), { authorId: authors[0].id }),
      following: subscribe(client(reader.token), {}),
      paperE: subscribe(client(), { paperId: toGlobalId('Paper', ids.get(E)!) }),
    };
    // A hostile argument of the event's own fields: each event answers a coded error, never a 500.
    const tooMany: unknown[] = [];
    client().subscribe(
      { query: `subscription($paperId: ID) { citationAdded(paperId: $paperId) { count citingPapers(first: 6) { arxivId } } }`, variables: { paperId: toGlobalId('Paper', ids.get(A)!) } },
      { next: (result: ExecutionResult) => tooMany.push(...(result.errors ?? [])), error: (error) => tooMany.push(error), complete: () => {} },
    );
    await until(() => listeners() === before + 5, 'the five subscriptions listening');

    const report = await importCitationSnapshot(run.t.url, 's2-citations', S2_CITATIONS);
    // New pairs of listed papers: C, B, 1601.00001, D → A and A → B (F → A and A → F: F is hidden).
    expect(report).toMatchObject({ status: 'imported', pairsAdded: 5, papersAnnounced: 2 });

    const newestCiting = await published([B, C, D, LEGACY]);
    const expected = { paper: { arxivId: A }, count: 4, citingPapers: newestCiting, source: 'S2', addedAt: expect.any(String) };
    const { paperA, authorOfA, following, paperE } = subscriptions;
    await until(() => paperA.events.length > 0 && authorOfA.events.length > 0 && following.events.length > 0, 'the announcements of A', 15_000);
    expect(paperA.events).toEqual([{ ...expected, citingPapers: newestCiting.map((arxivId) => ({ arxivId })) }]);
    expect(following.events).toEqual(paperA.events);
    // A's first author's papers: A (and B, when they wrote it too: not in this fixture).
    expect(authorOfA.events.map((e) => e.paper.arxivId)).toEqual([A]);
    expect([paperA, authorOfA, following].flatMap((s) => s.errors)).toEqual([]);
    expect(paperE.events).toEqual([]);
    await until(() => tooMany.length > 0, 'the refused citingPapers(first: 6)', 15_000);
    expect(tooMany[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    // Stored once per cited paper, never for the hidden F.
    const rows = await run.db.citationAddition.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.citedPaperId, r.count])).toEqual([
      [ids.get(B), 1],
      [ids.get(A), 4],
    ].sort((x, y) => x[0]! - y[0]!));
    expect(rows.flatMap((r) => r.citingPaperIds)).not.toContain(ids.get(F));
  });

  test('an import adding no new pair announces nothing: the next event is the next new citation', async () => {
    const { paperA, paperE } = subscriptions;
    expect((await importCitationSnapshot(run.t.url, 's2-citations', [...S2_CITATIONS].reverse())).status).toBe('unchanged');
    // Removes D → A: nothing new.
    expect(await importCitationSnapshot(run.t.url, 's2-citations', [fixture('s2-citations-newer.jsonl.gz')])).toMatchObject({ status: 'imported', pairsAdded: 0, papersAnnounced: 0 });
    // OpenAlex: B → A and A → B are known already (through S2); E → A is new.
    expect(await importCitationSnapshot(run.t.url, 'openalex-works', [fixture('openalex-works.jsonl.gz')])).toMatchObject({ status: 'imported', pairsAdded: 1, papersAnnounced: 1 });
    await until(() => paperA.events.length > 1, 'the OpenAlex announcement of A', 15_000);
    expect(paperA.events[1]).toEqual({ paper: { arxivId: A }, count: 1, citingPapers: [{ arxivId: E }], source: 'OPENALEX', addedAt: expect.any(String) });
    expect(paperA.events).toHaveLength(2);
    expect(paperE.events).toEqual([]);
  });

  test('announcements of a paper hidden since its import are not delivered; citing papers hidden since are not shown', async () => {
    const { paperA } = subscriptions;
    const ids = await paperIds();
    const before = listeners();
    const paperB = subscribe(client(), { paperId: toGlobalId('Paper', ids.get(B)!) });
    await until(() => listeners() === before + 1, 'the subscription to B listening');
    const announce = (cited: string, citing: string[]) =>
      run.db.citationAddition.create({ data: { snapshotId: 'test', source: 'S2', citedPaperId: ids.get(cited)!, count: citing.length, citingPaperIds: citing.map((id) => ids.get(id)!) } });
    // Rows as an import writes them (its output is checked above), A hidden in between: B's
    // announcement, written after A's, arriving tells that A's was read.
    await run.db.paper.update({ where: { arxivId: A }, data: { hiddenAt: new Date() } });
    await announce(A, [D]);
    await announce(B, [D]);
    await until(() => paperB.events.length === 1, "B's announcement", 15_000);
    await run.db.paper.update({ where: { arxivId: A }, data: { hiddenAt: null } });
    await run.db.paper.update({ where: { arxivId: C }, data: { hiddenAt: new Date() } });
    await announce(A, [C, B]);
    await until(() => paperA.events.length > 2, "A's next announcement", 15_000);
    expect(paperA.events.slice(2)).toEqual([{ paper: { arxivId: A }, count: 2, citingPapers: [{ arxivId: B }], source: 'S2', addedAt: expect.any(String) }]);
    await run.db.paper.update({ where: { arxivId: C }, data: { hiddenAt: null } });
    paperB.stop();
    await until(() => listeners() === before, 'the subscription to B gone');
  });

  test('a subscription that ends lets go of its listener', async () => {
    const before = listeners();
    subscriptions.paperE.stop();
    await until(() => listeners() === before - 1, 'the listener detached');
  });

  test('mostCitedPapers: a month of citing papers, most cited first, exact as imports and curators change it', async () => {
    await expectMonthInvariant();
    // July 2026: A is cited by C, B and E (D's edge went with the newer S2 snapshot; F is hidden),
    // B by A; 1601.00001 (January 2016) counts in its own month.
    const july = await mostCited({ month: '2026-07' });
    expect(july).toEqual({
      totalCount: 2,
      edges: [{ citations: 3, node: { arxivId: A } }, { citations: 1, node: { arxivId: B } }],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
    const legacyMonth = (await run.db.paper.findUniqueOrThrow({ where: { arxivId: LEGACY } })).publishedAt.toISOString().slice(0, 7);
    expect((await mostCited({ month: legacyMonth })).edges).toEqual([{ citations: 1, node: { arxivId: A } }]);

    // Page by page.
    const first = await mostCited({ month: '2026-07', first: 1 });
    expect(first.edges.map((e: { node: { arxivId: string } }) => e.node.arxivId)).toEqual([A]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await mostCited({ month: '2026-07', first: 1, after: first.pageInfo.endCursor });
    expect(second).toMatchObject({ edges: [{ citations: 1, node: { arxivId: B } }], pageInfo: { hasNextPage: false } });

    // A citing paper hidden: counted no more, at once; unhidden: again.
    await run.db.paper.update({ where: { arxivId: C }, data: { hiddenAt: new Date() } });
    expect((await mostCited({ month: '2026-07' })).edges[0]).toEqual({ citations: 2, node: { arxivId: A } });
    await expectMonthInvariant();
    await run.db.paper.update({ where: { arxivId: C }, data: { hiddenAt: null } });
    expect((await mostCited({ month: '2026-07' })).edges[0]).toEqual({ citations: 3, node: { arxivId: A } });

    // A hidden: not listed, and on the citing side (A → B) not counted either.
    await run.db.paper.update({ where: { arxivId: A }, data: { hiddenAt: new Date() } });
    expect(await mostCited({ month: '2026-07' })).toMatchObject({ totalCount: 0, edges: [] });
    await expectMonthInvariant();
    await run.db.paper.update({ where: { arxivId: A }, data: { hiddenAt: null } });

    // A citing paper re-dated to this month: it moves there; without `month`, the list is this month's.
    await run.db.paper.update({ where: { arxivId: E }, data: { publishedAt: run.platform.now() } });
    expect((await mostCited({})).edges).toEqual([{ citations: 1, node: { arxivId: A } }]);
    expect((await mostCited({ month: '2026-07' })).edges[0]).toEqual({ citations: 2, node: { arxivId: A } });
    await expectMonthInvariant();

    // A deleted citing paper: taken out of its month.
    await run.db.paper.delete({ where: { arxivId: E } });
    expect((await mostCited({})).totalCount).toBe(0);
    await expectMonthInvariant();
  });

  test('/feeds/most-cited.atom: the list of a month as an Atom feed; a bad month is a 400', async () => {
    const titles = new Map((await run.db.paper.findMany({ where: { arxivId: { in: [A, B] } } })).map((p) => [p.arxivId, p.title]));
    const response = await fetch(`${run.http.url}/feeds/most-cited.atom?month=2026-07`);
    expect(response.status).toBe(200);
    const xml = await response.text();
    const entries = [...xml.matchAll(/<entry>[\s\S]*?<id>([^<]+)<\/id>/g)].map((m) => m[1]);
    expect(entries).toEqual([`https://arxiv.org/abs/${A}`, `https://arxiv.org/abs/${B}`]);
    expect(xml).toContain('Most cited papers of 2026-07');
    expect(titles.size).toBe(2);
    const bad = await fetch(`${run.http.url}/feeds/most-cited.atom?month=2026-13`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'month' });
  });

  test('mostCitedPapers refuses a bad month with BAD_USER_INPUT', async () => {
    for (const month of ['2026-13', '2026-7', '0000-01', 'July']) {
      const { errors } = await run.server.gql(MOST_CITED, { month });
      expect(errors?.[0]).toMatchObject({ message: expect.stringContaining('month must be a month like 2026-07'), extensions: { code: 'BAD_USER_INPUT', argumentName: 'month' } });
    }
  });
});
