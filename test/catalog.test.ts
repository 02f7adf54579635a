// The catalog API: filters, orders, keyset paging, daily lists, trending, search, facets.
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { day, smallCatalog } from './helpers/scenarios.ts';

const run = setupTestRunner({ scenario: smallCatalog });

const ids = (connection: { nodes: { arxivId: string }[] }) => connection.nodes.map((p) => p.arxivId);

const VARIABLE_TYPES: Record<string, string> = { f: 'PaperFilter', o: 'PaperOrder', q: 'String', a: 'String' };

async function list(args: string, variables: Record<string, unknown> = {}, fields = 'arxivId') {
  const declared = Object.keys(variables).map((name) => `$${name}: ${VARIABLE_TYPES[name]}`).join(', ');
  const { papers } = await run.server.data(`query${declared ? `(${declared})` : ''} { papers(${args}) { totalCount nodes { ${fields} } } }`, variables);
  return papers;
}

async function vote(userId: number, arxivId: string, createdAt = new Date()) {
  const paper = await run.t.db.paper.findUniqueOrThrow({ where: { arxivId } });
  await run.t.db.vote.create({ data: { userId, paperId: paper.id, createdAt } });
  await run.t.db.paper.update({ where: { id: paper.id }, data: { upvoteCount: { increment: 1 } } });
}

describe('filters', () => {
  test('by topic: any of, all of', async () => {
    expect(ids(await list('filter: $f', { f: { topics: ['nlp', 'computer-vision'] } }))).toEqual(['2407.00004', '2407.00003', '2407.00002', '2407.00001']);
    expect(ids(await list('filter: $f', { f: { allTopics: ['nlp', 'machine-learning'] } }))).toEqual(['2407.00003']);
    expect(ids(await list('filter: $f', { f: { topics: ['no-such-topic'] } }))).toEqual([]);
  });

  test('by author, submitter, code, upvotes', async () => {
    expect(ids(await list('filter: $f', { f: { author: toGlobalId('Author', run.scenario.authors.yann.id) } }))).toEqual(['2407.00006', '2407.00004', '2407.00002']);
    expect(ids(await list('filter: $f', { f: { submittedBy: toGlobalId('User', run.scenario.users.alice.id) } }))).toEqual(['2407.00004', '2407.00001']);
    expect(ids(await list('filter: $f', { f: { hasCode: true } }))).toEqual(['2407.00004', '2407.00001']);
    expect((await list('filter: $f', { f: { hasCode: false } })).totalCount).toBe(4);
    await vote(run.scenario.users.bob.id, '2407.00002');
    await vote(run.scenario.users.alice.id, '2407.00002');
    await vote(run.scenario.users.alice.id, '2407.00005');
    expect(ids(await list('filter: $f', { f: { minUpvotes: 1 } }))).toEqual(['2407.00005', '2407.00002']);
    expect(ids(await list('filter: $f', { f: { minUpvotes: 2 } }))).toEqual(['2407.00002']);
  });

  test('by featured day, ISO week and month; by published range', async () => {
    expect(ids(await list('filter: $f', { f: { featuredOn: '2024-07-02' } }))).toEqual(['2407.00004', '2407.00003']);
    // 2024-W27 is Monday 2024-07-01 to Sunday 07-07.
    expect((await list('filter: $f', { f: { featuredWeek: '2024-W27' } })).totalCount).toBe(6);
    expect((await list('filter: $f', { f: { featuredWeek: '2024-W26' } })).totalCount).toBe(0);
    expect((await list('filter: $f', { f: { featuredMonth: '2024-07' } })).totalCount).toBe(6);
    expect((await list('filter: $f', { f: { featuredMonth: '2024-06' } })).totalCount).toBe(0);
    // The first and last weeks and months that fit in years 0001 to 9999 (years 0 to 99 are not 1900s).
    expect((await list('filter: $f', { f: { featuredWeek: '0001-W01' } })).totalCount).toBe(0);
    expect((await list('filter: $f', { f: { featuredMonth: '0024-07' } })).totalCount).toBe(0);
    expect((await list('filter: $f', { f: { featuredMonth: '9999-12' } })).totalCount).toBe(0);
    expect((await list('filter: $f', { f: { featuredOn: '9999-12-31', publishedAfter: '0001-01-01T00:00:00Z' } })).totalCount).toBe(0);
    const published = await list('filter: $f, orderBy: $o', { f: { publishedBefore: '2024-06-25T00:00:00Z' }, o: { field: 'PUBLISHED_AT' } });
    expect(ids(published)).toEqual(['2406.09999']); // never featured, yet listed by publication date
    expect((await list('filter: $f, orderBy: $o', { f: { publishedAfter: '2024-06-25T00:00:00Z' }, o: { field: 'PUBLISHED_AT' } })).totalCount).toBe(6);
  });

  test('bad filter values are BAD_USER_INPUT with what was expected', async () => {
    for (const [filter, message] of [
      [{ featuredWeek: '2024-27' }, 'filter.featuredWeek must be an ISO week like 2026-W30; got "2024-27"'],
      [{ featuredWeek: '2024-W60' }, 'filter.featuredWeek must be an ISO week like 2026-W30; got "2024-W60"'],
      [{ featuredMonth: '2024-13' }, 'filter.featuredMonth must be a month like 2026-07; got "2024-13"'],
      [{ featuredWeek: '9999-W52' }, 'filter.featuredWeek must have all its days within the years 0001 to 9999; got "9999-W52"'],
      [{ featuredWeek: '0000-W10' }, 'filter.featuredWeek must have all its days within the years 0001 to 9999; got "0000-W10"'],
      [{ featuredMonth: '0000-12' }, 'filter.featuredMonth must have all its days within the years 0001 to 9999; got "0000-12"'],
      [{ author: toGlobalId('Topic', 1) }, 'filter.author must be the ID of a Author; got the ID of a Topic'],
    ] as const) {
      const result = await run.server.gql(`query($f: PaperFilter) { papers(filter: $f) { totalCount } }`, { f: filter });
      expect(result.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  test('days and times outside the years 0001 to 9999 are refused by the scalars, naming the argument', async () => {
    for (const [filter, message] of [
      [{ featuredOn: '0000-01-01' }, 'Date must be a day like 2026-07-31 between years 0001 and 9999 (UTC); got "0000-01-01"'],
      [{ publishedAfter: '0000-12-31T23:59:59Z' }, 'DateTime must be a time like 2026-07-31T12:00:00Z between years 0001 and 9999 (UTC); got "0000-12-31T23:59:59Z"'],
      // In UTC this is 10000-01-01T00:59:59Z.
      [{ publishedBefore: '9999-12-31T23:59:59-01:00' }, 'DateTime must be a time like 2026-07-31T12:00:00Z between years 0001 and 9999 (UTC); got "9999-12-31T23:59:59-01:00"'],
    ] as const) {
      const result = await run.server.gql(`query($f: PaperFilter) { papers(filter: $f) { totalCount } }`, { f: filter });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.message).toContain(message);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'filter' });
    }
    for (const query of ['{ dailyPapers(date: "0000-01-01") { date } }', '{ papers(filter: { featuredOn: "0000-01-01" }) { totalCount } }']) {
      const result = await run.server.gql(query);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: query.includes('daily') ? 'date' : 'filter' });
    }
  });
});

describe('orders', () => {
  test('each order is total and stable, both directions', async () => {
    await run.t.db.paper.update({ where: { arxivId: '2407.00004' }, data: { githubStars: 900 } });
    await vote(run.scenario.users.bob.id, '2407.00003');
    const cases: [Record<string, string>, string[]][] = [
      [{ field: 'FEATURED_ON' }, ['2407.00006', '2407.00005', '2407.00004', '2407.00003', '2407.00002', '2407.00001']],
      [{ field: 'FEATURED_ON', direction: 'ASC' }, ['2407.00001', '2407.00002', '2407.00003', '2407.00004', '2407.00005', '2407.00006']],
      // Same publication instant for all 2407 papers: ties by id, newest first.
      [{ field: 'PUBLISHED_AT' }, ['2407.00006', '2407.00005', '2407.00004', '2407.00003', '2407.00002', '2407.00001', '2406.09999']],
      [{ field: 'UPVOTES' }, ['2407.00003', '2406.09999', '2407.00006', '2407.00005', '2407.00004', '2407.00002', '2407.00001']],
      [{ field: 'GITHUB_STARS' }, ['2407.00004', '2407.00001']],
      [{ field: 'GITHUB_STARS', direction: 'ASC' }, ['2407.00001', '2407.00004']],
    ];
    for (const [order, expected] of cases) {
      expect(ids(await list('orderBy: $o', { o: order }))).toEqual(expected);
      // Page by 2 forwards and by 3 backwards: the same sequence.
      const forward: string[] = [];
      let after: string | null = null;
      do {
        const { papers }: any = await run.server.data(`query($o: PaperOrder, $a: String) { papers(orderBy: $o, first: 2, after: $a) { nodes { arxivId } pageInfo { hasNextPage endCursor } } }`, { o: order, a: after });
        forward.push(...ids(papers));
        after = papers.pageInfo.hasNextPage ? papers.pageInfo.endCursor : null;
      } while (after);
      expect(forward).toEqual(expected);
      const backward: string[] = [];
      let before: string | null = null;
      do {
        const { papers }: any = await run.server.data(`query($o: PaperOrder, $b: String) { papers(orderBy: $o, last: 3, before: $b) { nodes { arxivId } pageInfo { hasPreviousPage startCursor } } }`, { o: order, b: before });
        backward.unshift(...ids(papers));
        before = papers.pageInfo.hasPreviousPage ? papers.pageInfo.startCursor : null;
      } while (before);
      expect(backward).toEqual(expected);
    }
  });

  test('a cursor of one order is refused by another', async () => {
    const { papers } = await run.server.data(`{ papers(orderBy: { field: UPVOTES }, first: 1) { pageInfo { endCursor } } }`);
    const result = await run.server.gql(`query($a: String) { papers(orderBy: { field: PUBLISHED_AT }, after: $a) { totalCount } }`, { a: papers.pageInfo.endCursor });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('paging across many rows while rows are inserted between pages: no gaps, no duplicates', async () => {
    await run.t.db.paper.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({
        arxivId: `2408.${String(i).padStart(5, '0')}`,
        title: `Bulk ${i}`,
        abstract: 'bulk',
        publishedAt: day('2024-08-01'),
        featuredOn: day(`2024-08-${String(1 + (i % 20)).padStart(2, '0')}`),
        upvoteCount: i % 7,
      })),
    });
    const readAll = async (order: object, pageSize: number, between?: () => Promise<unknown>) => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const { papers }: any = await run.server.data(`query($o: PaperOrder, $a: String, $n: Int) { papers(orderBy: $o, first: $n, after: $a) { nodes { arxivId } pageInfo { hasNextPage endCursor } } }`, { o: order, a: after, n: pageSize });
        seen.push(...ids(papers));
        after = papers.pageInfo.hasNextPage ? papers.pageInfo.endCursor : null;
        await between?.();
      } while (after);
      return seen;
    };
    for (const order of [{ field: 'FEATURED_ON' }, { field: 'UPVOTES' }, { field: 'PUBLISHED_AT', direction: 'ASC' }]) {
      const expected = await readAll(order, 100);
      expect(expected.length).toBeGreaterThan(120);
      // Between pages, a paper that sorts first under each of these orders is added: with
      // OFFSET paging every page would then repeat the previous page's last row.
      let late = 0;
      const seen = await readAll(order, 17, () =>
        run.t.db.paper.create({ data: { arxivId: `2409.${String(late++).padStart(5, '0')}`, title: 'Late', abstract: 'late', publishedAt: day('2020-01-01'), featuredOn: day('2030-01-01'), upvoteCount: 99 } }),
      );
      expect(late).toBeGreaterThan(5);
      expect(seen).toEqual(expected);
      await run.t.db.paper.deleteMany({ where: { arxivId: { startsWith: '2409.' } } });
    }
  });
});

describe('daily list', () => {
  test('the papers featured that day, most upvoted first, with the neighbouring days', async () => {
    await vote(run.scenario.users.bob.id, '2407.00003');
    const query = `query($d: Date!) { dailyPapers(date: $d) { date previousDate nextDate papers { totalCount nodes { arxivId featuredOn } } } }`;
    expect((await run.server.data(query, { d: '2024-07-02' })).dailyPapers).toEqual({
      date: '2024-07-02',
      previousDate: '2024-07-01',
      nextDate: '2024-07-03',
      papers: { totalCount: 2, nodes: [{ arxivId: '2407.00003', featuredOn: '2024-07-02' }, { arxivId: '2407.00004', featuredOn: '2024-07-02' }] },
    });
    expect((await run.server.data(query, { d: '2024-07-01' })).dailyPapers).toMatchObject({ previousDate: null, nextDate: '2024-07-02' });
    const empty = (await run.server.data(query, { d: '2024-06-15' })).dailyPapers;
    expect(empty).toEqual({ date: '2024-06-15', previousDate: null, nextDate: '2024-07-01', papers: { totalCount: 0, nodes: [] } });
    const bad = await run.server.gql(`{ dailyPapers(date: "2024-13-45") { date } }`);
    expect(bad.errors?.[0]?.extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
  });
});

describe('trending', () => {
  test('recent votes weigh more than old ones (half-life = window / 4)', async () => {
    const now = Date.now();
    const hoursAgo = (h: number) => new Date(now - h * 3600_000);
    const voters = await Promise.all(Array.from({ length: 6 }, (_, i) => run.t.db.user.create({ data: { handle: `v${i}`, displayName: `v${i}` } })));
    // 00001: 4 votes 5 days ago; 00002: 2 votes an hour ago; 00003: 1 vote 40 days ago (outside MONTH).
    for (const v of voters.slice(0, 4)) await vote(v.id, '2407.00001', hoursAgo(120));
    for (const v of voters.slice(0, 2)) await vote(v.id, '2407.00002', hoursAgo(1));
    await vote(voters[5]!.id, '2407.00003', hoursAgo(24 * 40));
    await run.t.platform.trending.refreshNow();

    const trending = async (window: string) => (await run.server.data(`query($w: TrendWindow) { trendingPapers(window: $w) { nodes { arxivId } } }`, { w: window })).trendingPapers;
    // WEEK (half-life 42 h): 4 x 0.5^(120/42) = 0.55 < 2 x 0.5^(1/42) = 1.97.
    expect(ids(await trending('WEEK'))).toEqual(['2407.00002', '2407.00001']);
    // MONTH (half-life 180 h): 4 x 0.5^(120/180) = 2.52 > 1.99.
    expect(ids(await trending('MONTH'))).toEqual(['2407.00001', '2407.00002']);
    // DAY: only the recent votes count.
    expect(ids(await trending('DAY'))).toEqual(['2407.00002']);
    const rows = await run.t.db.paperTrend.findMany({ where: { window: 'WEEK' }, orderBy: { score: 'desc' } });
    expect(rows[0]!.score).toBeCloseTo(2 * 0.5 ** (1 / 42), 2);
    expect(rows[1]!.score).toBeCloseTo(4 * 0.5 ** (120 / 42), 2);
  });

  test('imported Hugging Face upvotes count as cast at noon of the featured day', async () => {
    const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
    await run.t.db.paper.update({ where: { arxivId: '2407.00005' }, data: { featuredOn: today, hfUpvotes: 10 } });
    await run.t.platform.trending.refreshNow();
    expect(ids((await run.server.data(`{ trendingPapers(window: WEEK) { nodes { arxivId } } }`)).trendingPapers)).toEqual(['2407.00005']);
  });
});

describe('search', () => {
  test('ranks title matches above abstract matches, with highlighted, HTML-escaped snippets', async () => {
    await run.t.db.paper.update({ where: { arxivId: '2407.00002' }, data: { abstract: 'We study <b>attention</b> & diffusion; attention helps.' } });
    const { papers } = await run.server.data(`{ papers(query: "attention") { totalCount edges { node { arxivId } highlight { title abstract } } } }`);
    expect(papers.totalCount).toBe(2);
    expect(papers.edges.map((e: any) => e.node.arxivId)).toEqual(['2407.00001', '2407.00002']);
    expect(papers.edges[0].highlight.title).toBe('<mark>Attention</mark> Is Still All You Need');
    // ts_headline drops markup tags itself; everything else is escaped, so no HTML gets through.
    expect(papers.edges[1].highlight.abstract).toBe('study  <mark>attention</mark>  &#38; diffusion; <mark>attention</mark> helps');
  });

  test('finds authors by name, and stems words', async () => {
    expect(ids(await list('query: $q', { q: 'lovelace' }))).toEqual(['2407.00006', '2407.00003', '2407.00001']);
    expect(ids(await list('query: $q', { q: 'transformer' }))).toEqual(['2407.00004']); // "Transformers"
  });

  test('web-search syntax: phrases, exclusions, OR; junk never fails', async () => {
    expect(ids(await list('query: $q', { q: '"vision transformers"' }))).toEqual(['2407.00004']);
    expect(ids(await list('query: $q', { q: 'lovelace -attention' }))).toEqual(['2407.00006', '2407.00003']);
    expect((await list('query: $q', { q: 'diffusion OR survey' })).totalCount).toBe(2);
    for (const junk of ['"unbalanced', '((( ))) & | !', 'OR OR -', "'; DROP TABLE \"Paper\"; --", 'the and of']) {
      const result = await run.server.gql(`query($q: String) { papers(query: $q) { totalCount } }`, { q: junk });
      expect(result.errors?.[0]?.extensions?.code ?? 'OK').toMatch(/OK|BAD_USER_INPUT/);
    }
    expect(await run.t.db.paper.count()).toBe(7);
  });

  test('as-you-type prefix search', async () => {
    expect(ids(await list('query: $q, prefix: true', { q: 'vision transfo' }))).toEqual(['2407.00004']);
    expect(ids(await list('query: $q, prefix: true', { q: 'surv' }))).toEqual(['2407.00005']);
  });

  test('empty or unusable queries are BAD_USER_INPUT', async () => {
    for (const [q, message] of [
      ['   ', 'query must contain at least one word (letters or digits)'],
      ['!!!', 'query must contain at least one word (letters or digits)'],
      ['a'.repeat(300), 'query must be at most 256 characters; got 300'],
    ]) {
      const result = await run.server.gql(`query($q: String) { papers(query: $q) { totalCount } }`, { q });
      expect(result.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
    }
    // Control characters (NUL, BEL...) and lone surrogates are refused for every variable of a
    // query, before any resolver runs (src/graphql/limits/strings.ts).
    for (const q of ['bad\u0000byte', 'bell\u0007char', 'lone \ud800 surrogate']) {
      const result = await run.server.gql(`query($q: String) { papers(query: $q) { totalCount } }`, { q });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'query' });
    }
  });

  test('filters and other orders combine with a query', async () => {
    expect(ids(await list('query: $q, filter: $f, orderBy: $o', { q: 'lovelace', f: { hasCode: false }, o: { field: 'FEATURED_ON', direction: 'ASC' } }))).toEqual(['2407.00003', '2407.00006']);
  });
});

describe('facets', () => {
  test('topic, month and code counts match a direct SQL count for the same filter', async () => {
    const { papers } = await run.server.data(`{ papers(filter: { hasCode: false }) {
      totalCount facets { topics { topic { slug } count } months { month count } hasCode { withCode withoutCode } } } }`);
    const direct = await run.t.db.$queryRaw<{ slug: string; n: number }[]>`
      SELECT tp.slug, count(*)::int AS n FROM "Paper" p JOIN "PaperTopic" pt ON pt."paperId" = p.id JOIN "Topic" tp ON tp.id = pt."topicId"
      WHERE p."featuredOn" IS NOT NULL AND p."githubRepo" IS NULL GROUP BY tp.slug ORDER BY n DESC, min(tp.id)`;
    expect(papers.facets.topics).toEqual(direct.map((r) => ({ topic: { slug: r.slug }, count: r.n })));
    expect(papers.facets.months).toEqual([{ month: '2024-06', count: 4 }]);
    expect(papers.facets.hasCode).toEqual({ withCode: 0, withoutCode: 4 });
    expect(papers.totalCount).toBe(4);
  });

  test('a page of 50 with authors, topics and facets costs the same statements as a page of 5', async () => {
    await run.t.db.paper.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({ arxivId: `2408.${String(i).padStart(5, '0')}`, title: `Bulk ${i}`, abstract: 'bulk', publishedAt: day('2024-08-01'), featuredOn: day('2024-08-02') })),
    });
    const query = `query($n: Int!) { papers(first: $n) { totalCount
      nodes { title authors { name } topics { name } submittedBy { handle } }
      facets { topics { topic { name } count } months { month count } hasCode { withCode withoutCode } } } }`;
    run.t.queries.length = 0;
    await run.server.data(query, { n: 5 });
    const five = run.t.queries.length;
    run.t.queries.length = 0;
    await run.server.data(query, { n: 50 });
    expect(run.t.queries.length).toBe(five);
    console.log(`SQL statements for a page with authors, topics and facets: ${five} (page of 5 and of 50)`);
  });
});

describe('authors', () => {
  test('prefix search ignores case and accents; an author page lists their papers', async () => {
    await run.t.db.author.create({ data: { name: 'Ádám Lovász', normalizedName: 'adam lovasz' } });
    // Any word of the name, by prefix; alphabetical by normalised name ("ada lovelace" < "adam lovasz").
    const { authors } = await run.server.data(`{ authors(query: "LOV") { totalCount nodes { name } } }`);
    expect(authors).toEqual({ totalCount: 2, nodes: [{ name: 'Ada Lovelace' }, { name: 'Ádám Lovász' }] });
    expect((await run.server.data(`{ authors(query: "ádám lo") { nodes { name } } }`)).authors.nodes).toEqual([{ name: 'Ádám Lovász' }]);
    expect((await run.server.data(`{ authors(query: "ada") { nodes { name } } }`)).authors.nodes).toEqual([{ name: 'Ada Lovelace' }, { name: 'Ádám Lovász' }]);
    const page1 = (await run.server.data(`{ authors(query: "a", first: 2) { nodes { name } pageInfo { endCursor hasNextPage } } }`)).authors;
    const page2 = (await run.server.data(`query($a: String) { authors(query: "a", first: 2, after: $a) { nodes { name } pageInfo { hasNextPage } } }`, { a: page1.pageInfo.endCursor })).authors;
    expect([...page1.nodes, ...page2.nodes].map((a: any) => a.name)).toEqual(['Ada Lovelace', 'Ádám Lovász', 'Alan Turing']);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const id = toGlobalId('Author', run.scenario.authors.yann.id);
    const page = await run.server.data(`query($id: ID!) { author(id: $id) { papers(orderBy: { field: FEATURED_ON, direction: ASC }, filter: { hasCode: true }) { nodes { arxivId } } } }`, { id });
    expect(ids(page.author.papers)).toEqual(['2407.00004']);
    const bad = await run.server.gql(`{ authors(query: "  ") { totalCount } }`);
    expect(bad.errors?.[0]).toMatchObject({ message: 'query must contain at least one letter or digit', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
