// Related papers, "for you" and HYBRID search: term vectors kept by the database on every write
// path, similarity that ranks like papers first, and hidden papers never coming out.
import { importHfDailyPapers } from '../src/catalog/import/importer.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import type { Db } from '../src/platform/db/client.ts';
import type { User } from '../src/generated/prisma/client.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { THEMED, themedCatalog as themedScenario, type ThemedKey } from './helpers/scenarios.ts';

type Key = ThemedKey;

async function themedCatalog(db: Db) {
  const catalog = await themedScenario(db);
  // The idf snapshot, as after a first import; later papers are weighted against it.
  await rebuildRelated(db);
  return catalog;
}

const RELATED = `query($id: ID!, $n: Int) { paper(id: $id) { related(first: $n) { score paper { id title } } } }`;

// Each describe has a runner of its own: some write the catalog before every test, others before
// the first only, their tests building on each other.
/** The describe's runner over the themed catalog, and helpers that read it. */
function setupThemed(reset: 'each' | 'once') {
  const run = setupTestRunner({ scenario: themedCatalog, reset });
  const gid = (key: Key) => toGlobalId('Paper', run.scenario.ids[key]);
  return {
    run,
    gid,
    keyOf: (id: string) => THEMED.find((spec) => gid(spec.key) === id)?.key ?? id,
    async relatedOf(key: Key, n = 10, as: User | null = null): Promise<{ score: number; paper: { id: string; title: string } }[]> {
      const { paper } = await run.server.as(as).data(RELATED, { id: gid(key), n });
      return paper.related;
    },
  };
}

describe('related papers', () => {
  const { run, gid, keyOf, relatedOf } = setupThemed('once');

  test('papers of the same theme come first, best first, never the paper itself', async () => {
    for (const [key, theme] of [['diff1', ['diff2', 'diff3']], ['llm2', ['llm1', 'llm3']], ['robot1', ['robot2']]] as const) {
      const related = await relatedOf(key);
      const keys = related.map((r) => keyOf(r.paper.id));
      expect(keys.slice(0, theme.length).sort()).toEqual([...theme].sort());
      expect(keys).not.toContain(key);
      const scores = related.map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const score of scores) expect(score).toBeGreaterThan(0);
      expect(scores[0]!).toBeLessThanOrEqual(1);
    }
    // Nothing in common with anything distinctive: only weak matches, if any.
    expect((await relatedOf('robot2', 1)).map((r) => keyOf(r.paper.id))).toEqual(['robot1']);
  });

  test('first bounds the list; 0 gives none; out of range is BAD_USER_INPUT', async () => {
    expect(await relatedOf('diff1', 1)).toHaveLength(1);
    expect(await relatedOf('diff1', 0)).toEqual([]);
    const result = await run.server.gql(RELATED, { id: gid('diff1'), n: 101 });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('first must be between 0 and 100; got 101');
  });

  test('related counts in the operation cost as a page of its size', async () => {
    // Each of the 20 papers pays related's weight (20) and a page of n (1 + 1 each).
    const query = (n: number) => `{ papers(first: 20) { nodes { related(first: ${n}) { paper { title } } } } }`;
    expect((await run.server.gql(query(1))).errors).toBeUndefined();
    const result = await run.server.gql(query(100));
    expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
  });

  test('a hidden paper never appears, for anyone, and comes back when unhidden', async () => {
    const { curator, reader } = run.scenario;
    const HIDE = `mutation($id: ID!) { hidePaper(paperId: $id) { userErrors { code } } }`;
    const UNHIDE = `mutation($id: ID!) { unhidePaper(paperId: $id) { userErrors { code } } }`;
    await run.server.as(curator).data(HIDE, { id: gid('diff2') });
    for (const viewer of [null, reader, curator]) {
      const keys = (await relatedOf('diff1', 100, viewer)).map((r) => keyOf(r.paper.id));
      expect(keys).not.toContain('diff2');
      expect(keys[0]).toBe('diff3');
    }
    // A hidden paper's page (curators only) still has its related papers: it is a source.
    expect((await relatedOf('diff2', 2, curator)).map((r) => keyOf(r.paper.id)).sort()).toEqual(['diff1', 'diff3']);
    await run.server.as(curator).data(UNHIDE, { id: gid('diff2') });
    expect((await relatedOf('diff1', 100)).map((r) => keyOf(r.paper.id))).toContain('diff2');
  });

  test('a page of papers asking for related costs the same statements for 2 and 5 papers', async () => {
    const PAGE = `query($n: Int!) { papers(first: $n, orderBy: { field: PUBLISHED_AT }) {
      nodes { title related(first: 3) { score paper { title authors { name } topics { slug } } } }
    } }`;
    const count = async (n: number) => {
      run.t.queries.length = 0;
      const { papers } = await run.server.data(PAGE, { n });
      expect(papers.nodes).toHaveLength(n);
      return run.t.queries.length;
    };
    // Both pages have related papers outside themselves (whose relations the page did not read).
    const few = await count(2);
    const many = await count(5);
    expect(many).toBe(few);
    // the page with its papers' relations; related of all its papers; the other related
    // papers' bylines and topics
    expect(few).toBe(3);
  });

  test('related papers read the columns their fields show: no abstract for titles, the abstract when asked', async () => {
    const ids = THEMED.filter((spec) => spec.key.startsWith('diff')).map((spec) => gid(spec.key));
    const TITLES = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Paper { related(first: 3) { paper { id title } } } } }`;
    run.t.queries.length = 0;
    await run.server.data(TITLES, { ids });
    const titlesOnly = run.t.queries.filter((q) => q.includes('PaperNeighbours'));
    expect(titlesOnly).toHaveLength(1);
    expect(titlesOnly[0]).not.toContain('p."abstract"');
    // A related paper read for its title only is not the whole paper: asked again in the same
    // request for its abstract (node), it is read whole, never answered from the titles' row.
    const diff2 = gid('diff2');
    const BOTH = `query($ids: [ID!]!, $id: ID!) {
      nodes(ids: $ids) { ... on Paper { related(first: 3) { paper { id title } } } }
      node(id: $id) { ... on Paper { abstract } }
      again: nodes(ids: $ids) { ... on Paper { related(first: 3) { paper { id abstract } } } }
    }`;
    const data = await run.server.data(BOTH, { ids, id: diff2 });
    expect(data.node.abstract).toBe(THEMED.find((spec) => spec.key === 'diff2')!.abstract);
    const withAbstract = data.again.flatMap((p: { related: { paper: { id: string; abstract: string } }[] }) => p.related.map((r) => r.paper));
    expect(withAbstract.length).toBeGreaterThan(0);
    for (const paper of withAbstract) expect(paper.abstract).toBe(THEMED.find((spec) => gid(spec.key) === paper.id)!.abstract);
  });
});

describe('weights are kept current', () => {
  const { run, gid, keyOf, relatedOf } = setupThemed('each');

  const termsOf = async (paperId: number) =>
    (await run.db.paperTerm.findMany({ where: { paperId }, orderBy: { weight: 'desc' } })).map((row) => row.term);

  test('a submitted paper gets a vector and shows among the related papers at once', async () => {
    const { reader } = run.scenario;
    const SUBMIT = `mutation($input: SubmitPaperInput!) { submitPaper(input: $input) { paper { id } userErrors { code message } } }`;
    const { submitPaper } = await run.server.as(reader).data(SUBMIT, {
      input: {
        arxivId: '2502.00001',
        title: 'Tactile Robot Grasping of Deformable Objects',
        abstract: 'A robot hand with tactile sensors learns grasping policies for deformable objects.',
        authors: ['Grace Hopper'],
      },
    });
    expect(submitPaper.userErrors).toEqual([]);
    const submitted = await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2502.00001' } });
    expect(toGlobalId('Paper', submitted.id)).toBe(submitPaper.paper.id);
    const terms = await termsOf(submitted.id);
    expect(terms).toEqual(expect.arrayContaining(['tactil', 'robot', 'grasp']));
    const keys = (await relatedOf('robot1', 2)).map((r) => r.paper.title);
    expect(keys).toContain('Tactile Robot Grasping of Deformable Objects');
  });

  test('an import creates vectors, and an import that changes a title or adds a topic recomputes them', async () => {
    const entry = (title: string, keywords: string[]) =>
      JSON.stringify([
        {
          paper: { id: '2503.00001', authors: [{ _id: 'x', name: 'Alan Turing' }], publishedAt: '2025-03-01T00:00:00.000Z', title, summary: 'We study tokens of large language models.', upvotes: 3, ai_keywords: keywords },
          publishedAt: '2025-03-02T00:00:00.000Z',
          title,
          numComments: 0,
        },
      ]);
    const first = await importHfDailyPapers(run.db, entry('Pretraining Language Models', []), { featuredOn: '2025-03-02' });
    expect(first.papersCreated).toBe(1);
    const paper = await run.db.paper.findUniqueOrThrow({ where: { arxivId: '2503.00001' } });
    expect(await termsOf(paper.id)).toEqual(expect.arrayContaining(['pretrain', 'languag']));

    const second = await importHfDailyPapers(run.db, entry('Robot Grasping Policies', ['Tactile Sensing']), { featuredOn: '2025-03-02' });
    expect(second.papersUpdated).toBe(1);
    const terms = await termsOf(paper.id);
    expect(terms).toEqual(expect.arrayContaining(['robot', 'grasp']));
    expect(terms).not.toContain('pretrain');
    const topic = await run.db.topic.findUniqueOrThrow({ where: { slug: 'tactile-sensing' } });
    expect(terms).toContain(`#${topic.id}`);
  });

  test('tagging and untagging a paper (curation) adds and removes its topic term', async () => {
    const { curator } = run.scenario;
    const topic = await run.db.topic.create({ data: { slug: 'robotics', name: 'Robotics' } });
    const TAG = `mutation($p: ID!, $t: ID!) { tagPaper(paperId: $p, topicId: $t) { userErrors { code } } }`;
    const UNTAG = `mutation($p: ID!, $t: ID!) { untagPaper(paperId: $p, topicId: $t) { userErrors { code } } }`;
    const vars = { p: gid('misc'), t: toGlobalId('Topic', topic.id) };
    await run.server.as(curator).data(TAG, vars);
    expect(await termsOf(run.scenario.ids.misc)).toContain(`#${topic.id}`);
    // Tagged like the robotics papers, it now relates to them.
    await run.server.as(curator).data(TAG, { ...vars, p: gid('robot1') });
    expect((await relatedOf('misc', 1)).map((r) => keyOf(r.paper.id))).toEqual(['robot1']);
    await run.server.as(curator).data(UNTAG, vars);
    expect(await termsOf(run.scenario.ids.misc)).not.toContain(`#${topic.id}`);
  });

  test('the rebuild recomputes the df snapshot and every vector', async () => {
    await run.db.$executeRaw`DELETE FROM "PaperTerm"`;
    const report = await rebuildRelated(run.db, { batchSize: 4 });
    expect(report.papers).toBe(THEMED.length);
    expect(report.vectorRows).toBeGreaterThan(THEMED.length * 5);
    const [papers] = await run.db.$queryRaw<{ df: number }[]>`SELECT df FROM "RelatedTerm" WHERE term = ''`;
    expect(papers!.df).toBe(THEMED.length);
    // "diffus" is in the three diffusion papers only.
    const [diffusion] = await run.db.$queryRaw<{ df: number }[]>`SELECT df FROM "RelatedTerm" WHERE term = 'diffus'`;
    expect(diffusion!.df).toBe(3);
    expect((await relatedOf('diff1', 2)).map((r) => keyOf(r.paper.id)).sort()).toEqual(['diff2', 'diff3']);
  });
});

describe('recommended papers', () => {
  const { run, gid, keyOf } = setupThemed('once');
  const RECOMMENDED = `query($n: Int) { viewer { recommendedPapers(first: $n) { score paper { id } } } }`;
  const UPVOTE = `mutation($id: ID!) { upvotePaper(paperId: $id) { userErrors { code } } }`;

  test('from the upvotes: like papers first, the upvoted ones left out; none without upvotes', async () => {
    const { reader } = run.scenario;
    expect((await run.server.as(reader).data(RECOMMENDED, {})).viewer.recommendedPapers).toEqual([]);
    await run.server.as(reader).data(UPVOTE, { id: gid('llm1') });
    await run.server.as(reader).data(UPVOTE, { id: gid('llm3') });
    const { viewer } = await run.server.as(reader).data(RECOMMENDED, { n: 3 });
    const keys = viewer.recommendedPapers.map((r: { paper: { id: string } }) => keyOf(r.paper.id));
    expect(keys[0]).toBe('llm2');
    expect(keys).not.toContain('llm1');
    expect(keys).not.toContain('llm3');
    expect(viewer.recommendedPapers[0].score).toBeLessThanOrEqual(1);
  });

  test('a hidden paper is never recommended', async () => {
    const { curator, reader } = run.scenario;
    await run.server.as(curator).data(`mutation($id: ID!) { hidePaper(paperId: $id) { userErrors { code } } }`, { id: gid('llm2') });
    const { viewer } = await run.server.as(reader).data(RECOMMENDED, { n: 100 });
    expect(viewer.recommendedPapers.map((r: { paper: { id: string } }) => keyOf(r.paper.id))).not.toContain('llm2');
  });

  test('following an author and collecting a paper change them; collected papers are left out', async () => {
    // A reader with no upvotes yet, and an author of the robotics papers only.
    const newcomer = await run.db.user.create({ data: { handle: 'nova', displayName: 'Nova Newcomer' } });
    const roboticist = await run.db.author.create({ data: { name: 'Rosalind Robot', normalizedName: 'rosalind robot' } });
    await run.db.paperAuthor.create({ data: { paperId: run.scenario.ids.robot1, authorId: roboticist.id, position: 1 } });
    const recommended = async () =>
      ((await run.server.as(newcomer).data(RECOMMENDED, { n: 3 })).viewer.recommendedPapers as { paper: { id: string } }[]).map((r) => keyOf(r.paper.id));
    expect(await recommended()).toEqual([]);

    const follow = await run.server.as(newcomer).data(`mutation($id: ID!) { followAuthor(authorId: $id) { userErrors { code } } }`, { id: toGlobalId('Author', roboticist.id) });
    expect(follow.followAuthor.userErrors).toEqual([]);
    // Their followed paper makes the profile (and is in their feed already, so not recommended).
    const following = await recommended();
    expect(following[0]).toBe('robot2');
    expect(following).not.toContain('robot1');

    const { createCollection } = await run.server.as(newcomer).data(
      `mutation { createCollection(input: { name: "Reading list" }) { collection { id } userErrors { code } } }`,
    );
    const ADD = `mutation($c: ID!, $p: ID!) { addToCollection(collectionId: $c, paperId: $p) { userErrors { code } } }`;
    for (const key of ['diff1', 'diff3'] as const) {
      expect((await run.server.as(newcomer).data(ADD, { c: createCollection.collection.id, p: gid(key) })).addToCollection.userErrors).toEqual([]);
    }
    const after = await recommended();
    // Two collected diffusion papers outweigh one followed robotics paper: the third diffusion
    // paper comes first; neither the collected ones nor the followed one come.
    expect(after[0]).toBe('diff2');
    expect(after).not.toContain('diff1');
    expect(after).not.toContain('diff3');
    expect(after).not.toContain('robot1');
  });

  test('only the user themself sees them', async () => {
    const { curator, reader } = run.scenario;
    const OTHER = `query($id: ID!) { node(id: $id) { ... on User { handle recommendedPapers { score } } } }`;
    const id = toGlobalId('User', reader.id);
    expect((await run.server.as(curator).data(OTHER, { id })).node).toEqual({ handle: 'rea', recommendedPapers: null });
    expect((await run.server.data(OTHER, { id })).node).toEqual({ handle: 'rea', recommendedPapers: null });
  });
});

describe('HYBRID search', () => {
  const { run, gid, keyOf } = setupThemed('once');
  const SEARCH = `query($q: String!, $mode: SearchMode, $first: Int, $after: String) {
    papers(query: $q, searchMode: $mode, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id } highlight { title abstract } }
    }
  }`;
  type Edge = { cursor: string; node: { id: string }; highlight: { title: string; abstract: string } | null };
  const search = async (q: string, mode?: 'KEYWORD' | 'HYBRID', as: User | null = null, first = 20, after?: string) =>
    (await run.server.as(as).data(SEARCH, { q, mode, first, after })).papers as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Edge[] };

  test('KEYWORD is the default; HYBRID also finds papers holding only some of the words', async () => {
    const keyword = await search('diffusion robot');
    expect(keyword).toEqual(await search('diffusion robot', 'KEYWORD'));
    expect(keyword.totalCount).toBe(0); // no paper has both words
    const hybrid = await search('diffusion robot', 'HYBRID');
    const keys = hybrid.edges.map((e) => keyOf(e.node.id));
    expect(keys.sort()).toEqual(['diff1', 'diff2', 'diff3', 'robot1', 'robot2']);
    expect(hybrid.totalCount).toBe(5);
  });

  test('HYBRID ranks by fused rank and keeps the snippets', async () => {
    const keyword = await search('language models tokens', 'KEYWORD');
    const hybrid = await search('language models tokens', 'HYBRID');
    // Every keyword match is in the hybrid list, which also has partial matches.
    const hybridKeys = hybrid.edges.map((e) => keyOf(e.node.id));
    for (const edge of keyword.edges) expect(hybridKeys).toContain(keyOf(edge.node.id));
    expect(hybridKeys.slice(0, 3).sort()).toEqual(['llm1', 'llm2', 'llm3']);
    const top = hybrid.edges[0]!;
    expect(top.highlight!.abstract).toContain('<mark>');
    expect(top.highlight!.title.length).toBeGreaterThan(0);
  });

  test('HYBRID pages with cursors of its own', async () => {
    const all = await search('diffusion robot', 'HYBRID', null, 5);
    const first = await search('diffusion robot', 'HYBRID', null, 2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await search('diffusion robot', 'HYBRID', null, 3, first.pageInfo.endCursor);
    expect([...first.edges, ...second.edges].map((e) => e.node.id)).toEqual(all.edges.map((e) => e.node.id));
    // A KEYWORD cursor is not a HYBRID cursor.
    const keyword = await search('diffusion', 'KEYWORD', null, 1);
    const result = await run.server.gql(SEARCH, { q: 'diffusion', mode: 'HYBRID', first: 1, after: keyword.pageInfo.endCursor });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('a hidden paper is never found, and takes no place in either ranking', async () => {
    const { curator } = run.scenario;
    await run.server.as(curator).data(`mutation($id: ID!) { hidePaper(paperId: $id) { userErrors { code } } }`, { id: gid('robot1') });
    for (const viewer of [null, curator]) {
      const hybrid = await search('robot tactile', 'HYBRID', viewer);
      expect(hybrid.edges.map((e) => keyOf(e.node.id))).toEqual(['robot2']);
      expect(hybrid.totalCount).toBe(1);
    }
  });
});
