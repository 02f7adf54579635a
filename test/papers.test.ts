import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';

const run = setupTestRunner({ scenario: smallCatalog });

const PAPER_FIELDS = `id arxivId title abstract publishedAt featuredOn upvotes githubRepo githubStars projectPage
  arxivUrl pdfUrl authors { name } topics { slug } submittedBy { handle }`;

describe('paper', () => {
  test('by arXiv id, with or without a version, has every field', async () => {
    const { paper } = await run.server.data(`query($a: String!) { paper(arxivId: $a) { ${PAPER_FIELDS} } }`, { a: '2407.00001v3' });
    expect(paper).toEqual({
      id: toGlobalId('Paper', run.scenario.papers[0]!.id),
      arxivId: '2407.00001',
      title: 'Attention Is Still All You Need',
      abstract: 'Abstract of Attention Is Still All You Need.',
      publishedAt: '2024-06-28T17:00:00.000Z',
      featuredOn: '2024-07-01',
      upvotes: 0,
      githubRepo: 'https://github.com/org/attention',
      githubStars: 42,
      projectPage: null,
      arxivUrl: 'https://arxiv.org/abs/2407.00001',
      pdfUrl: 'https://arxiv.org/pdf/2407.00001',
      authors: [{ name: 'Ada Lovelace' }, { name: 'Alan Turing' }, { name: 'Grace Hopper' }],
      topics: [{ slug: 'nlp' }],
      submittedBy: { handle: 'alice' },
    });
  });

  test('keeps what sources said apart: byline flags, Hugging Face counts, arXiv metadata; null when unknown', async () => {
    const paper = run.scenario.papers[0]!;
    await run.t.db.paperAuthor.update({ where: { paperId_position: { paperId: paper.id, position: 2 } }, data: { hidden: true, affiliation: 'Navy' } });
    await run.t.db.paper.update({ where: { id: paper.id }, data: { hfUpvotes: 17, hfComments: 0, hfSubmitterHandle: 'akhaliq', aiKeywords: ['attention', 'transformers'], doi: '10.1/x' } });
    const query = `query($a: String!) { paper(arxivId: $a) {
      byline { position author { name } affiliation hidden } huggingFace { upvotes comments submitter } upvotes aiKeywords aiSummary doi } }`;
    expect((await run.server.data(query, { a: '2407.00001' })).paper).toEqual({
      byline: [
        { position: 0, author: { name: 'Ada Lovelace' }, affiliation: null, hidden: false },
        { position: 1, author: { name: 'Alan Turing' }, affiliation: null, hidden: false },
        { position: 2, author: { name: 'Grace Hopper' }, affiliation: 'Navy', hidden: true },
      ],
      huggingFace: { upvotes: 17, comments: 0, submitter: 'akhaliq' },
      upvotes: 0,
      aiKeywords: ['attention', 'transformers'],
      aiSummary: null,
      doi: '10.1/x',
    });
    const other = (await run.server.data(query, { a: '2407.00002' })).paper;
    expect(other).toMatchObject({ huggingFace: null, aiKeywords: null, doi: null });
  });

  test('by global id gives the same paper; an unknown arXiv id is null', async () => {
    const id = toGlobalId('Paper', run.scenario.papers[3]!.id);
    const { paper } = await run.server.data(`query($id: ID) { paper(id: $id) { arxivId authors { name } } }`, { id });
    expect(paper).toEqual({ arxivId: '2407.00004', authors: [{ name: 'Yann LeCun' }, { name: 'Alan Turing' }] });
    expect((await run.server.data(`{ paper(arxivId: "2501.99999") { id } }`)).paper).toBeNull();
  });

  test('asks for exactly one of id and arxivId, and a well-formed arXiv id', async () => {
    for (const args of ['', '(id: "x", arxivId: "2407.00001")']) {
      const result = await run.server.gql(`{ paper${args} { id } }`);
      expect(result.errors?.[0]).toMatchObject({ message: 'Pass exactly one of id or arxivId', extensions: { code: 'BAD_USER_INPUT' } });
    }
    const bad = await run.server.gql(`{ paper(arxivId: "DROP TABLE") { id } }`);
    expect(bad.errors?.[0]?.message).toBe('arxivId must look like 2406.12345 (optionally with a version, v2); got "DROP TABLE"');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('a Topic id where a Paper id is expected is refused with a clear message', async () => {
    const result = await run.server.gql(`query($id: ID) { paper(id: $id) { id } }`, { id: toGlobalId('Topic', run.scenario.topics.ml.id) });
    expect(result.errors?.[0]).toMatchObject({ message: 'id must be the ID of a Paper; got the ID of a Topic', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('papers', () => {
  test('lists featured papers newest day first, ties by newest, with totalCount', async () => {
    const { papers } = await run.server.data(`{ papers { totalCount nodes { arxivId featuredOn } pageInfo { hasNextPage hasPreviousPage } } }`);
    expect(papers.totalCount).toBe(6);
    expect(papers.nodes.map((p: { arxivId: string }) => p.arxivId)).toEqual([
      '2407.00006', '2407.00005', '2407.00004', '2407.00003', '2407.00002', '2407.00001',
    ]);
    expect(papers.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });

  test('pages forwards then backwards without gaps or duplicates', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { papers }: any = await run.server.data(`query($after: String) { papers(first: 4, after: $after) { edges { cursor node { arxivId } } pageInfo { hasNextPage endCursor } } }`, { after });
      seen.push(...papers.edges.map((e: any) => e.node.arxivId));
      if (!papers.pageInfo.hasNextPage) break;
      after = papers.pageInfo.endCursor;
    }
    expect(seen).toEqual(['2407.00006', '2407.00005', '2407.00004', '2407.00003', '2407.00002', '2407.00001']);

    const last = await run.server.data(`{ papers(last: 2) { nodes { arxivId } pageInfo { hasPreviousPage startCursor } } }`);
    expect(last.papers.nodes.map((p: any) => p.arxivId)).toEqual(['2407.00002', '2407.00001']);
    expect(last.papers.pageInfo.hasPreviousPage).toBe(true);
    const before = await run.server.data(`query($b: String) { papers(last: 3, before: $b) { nodes { arxivId } pageInfo { hasPreviousPage hasNextPage } } }`, { b: last.papers.pageInfo.startCursor });
    expect(before.papers.nodes.map((p: any) => p.arxivId)).toEqual(['2407.00005', '2407.00004', '2407.00003']);
    expect(before.papers.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: true });
  });

  test('a page stays put when papers are added before it', async () => {
    const first = await run.server.data(`{ papers(first: 2) { pageInfo { endCursor } } }`);
    await run.t.db.paper.create({ data: { arxivId: '2407.00099', title: 'New', abstract: 'x', publishedAt: new Date(), featuredOn: new Date('2024-07-03T00:00:00Z') } });
    const next = await run.server.data(`query($a: String) { papers(first: 2, after: $a) { nodes { arxivId } } }`, { a: first.papers.pageInfo.endCursor });
    expect(next.papers.nodes.map((p: any) => p.arxivId)).toEqual(['2407.00004', '2407.00003']);
  });

  test('page size is 1 to 100, with a clear error outside', async () => {
    for (const [args, message] of [
      ['first: 101', 'first must be between 1 and 100; got 101'],
      ['first: 0', 'first must be between 1 and 100; got 0'],
      ['last: -1', 'last must be between 1 and 100; got -1'],
      ['first: 1, last: 1', 'Pass either first or last, not both'],
    ]) {
      const result = await run.server.gql(`{ papers(${args}) { totalCount } }`);
      expect(result.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
      expect(result.data).toBeNull();
    }
  });

  test('a forged or foreign cursor is BAD_USER_INPUT, never a database error', async () => {
    const topicCursor = (await run.server.data(`{ topics(first: 1) { pageInfo { endCursor } } }`)).topics.pageInfo.endCursor;
    const forged = Buffer.from(JSON.stringify(['featured', 'not-a-date', 'x'])).toString('base64url');
    for (const cursor of ['nonsense', '!!', topicCursor, forged, 'a'.repeat(2000)]) {
      const result = await run.server.gql(`query($c: String) { papers(after: $c) { totalCount } }`, { c: cursor });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/cursor/);
    }
  });
});

describe('authors and topics', () => {
  test('an author has their papers and a paper count', async () => {
    const id = toGlobalId('Author', run.scenario.authors.ada.id);
    const { author } = await run.server.data(`query($id: ID!) { author(id: $id) { id name paperCount papers { totalCount nodes { arxivId } } } }`, { id });
    expect(author).toEqual({
      id,
      name: 'Ada Lovelace',
      paperCount: 3,
      papers: { totalCount: 3, nodes: [{ arxivId: '2407.00006' }, { arxivId: '2407.00003' }, { arxivId: '2407.00001' }] },
    });
  });

  test('a topic has its parent, children, papers and count; slugs are case-insensitive', async () => {
    const { topic } = await run.server.data(`{ topic(slug: "Machine-Learning") { slug name parent { slug } children { slug } paperCount papers { nodes { arxivId } } } }`);
    expect(topic).toEqual({
      slug: 'machine-learning',
      name: 'Machine Learning',
      parent: null,
      children: [{ slug: 'computer-vision' }, { slug: 'nlp' }],
      paperCount: 2,
      papers: { nodes: [{ arxivId: '2407.00005' }, { arxivId: '2407.00003' }] },
    });
    const { topic: cv } = await run.server.data(`{ topic(slug: "computer-vision") { parent { slug } children { slug } } }`);
    expect(cv).toEqual({ parent: { slug: 'machine-learning' }, children: [] });
    expect((await run.server.data(`{ topic(slug: "nope") { id } }`)).topic).toBeNull();
  });

  test('topics are listed alphabetically and paginate', async () => {
    const page1 = await run.server.data(`{ topics(first: 2) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } }`);
    expect(page1.topics.totalCount).toBe(3);
    expect(page1.topics.nodes).toEqual([{ name: 'Computer Vision' }, { name: 'Machine Learning' }]);
    const page2 = await run.server.data(`query($a: String) { topics(first: 2, after: $a) { nodes { name } pageInfo { hasNextPage } } }`, { a: page1.topics.pageInfo.endCursor });
    expect(page2.topics).toEqual({ nodes: [{ name: 'Natural Language Processing' }], pageInfo: { hasNextPage: false } });
  });
});

describe('node', () => {
  test('resolves every type by global id, null for a well-formed unknown id', async () => {
    const ids = [
      toGlobalId('Paper', run.scenario.papers[1]!.id),
      toGlobalId('Author', run.scenario.authors.grace.id),
      toGlobalId('Topic', run.scenario.topics.nlp.id),
      toGlobalId('User', run.scenario.users.bob.id),
      toGlobalId('Paper', 999_999),
    ];
    const { nodes } = await run.server.data(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Paper { arxivId } ... on Author { name } ... on Topic { slug } ... on User { handle } } }`,
      { ids },
    );
    expect(nodes).toEqual([
      { __typename: 'Paper', id: ids[0], arxivId: '2407.00002' },
      { __typename: 'Author', id: ids[1], name: 'Grace Hopper' },
      { __typename: 'Topic', id: ids[2], slug: 'nlp' },
      { __typename: 'User', id: ids[3], handle: 'bob' },
      null,
    ]);
  });

  test('a malformed id is BAD_USER_INPUT naming the argument', async () => {
    for (const id of ['', 'abc', Buffer.from('Paper:-1').toString('base64url'), Buffer.from('Secret:1').toString('base64url'), Buffer.from('Paper:99999999999').toString('base64url')]) {
      const result = await run.server.gql(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'id' });
      expect(result.errors?.[0]?.message).toMatch(/^id is not a valid ID: expected an id returned by this API/);
    }
  });
});
