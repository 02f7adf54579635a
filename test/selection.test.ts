// A list reads the long columns of its papers (the abstract, the outside sources' JSON) only
// when a field beneath it shows them (src/catalog/papers/selection.ts), and such partial rows never
// stand in for whole papers later in the request.
import { toGlobalId } from '../src/platform/global-id.ts';
import { listPapers } from '../src/catalog/papers/list.ts';
import { paperReads } from '../src/catalog/papers/reads.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';

const run = setupTestRunner({ scenario: smallCatalog });

/** The list statement of one operation, and its data. */
async function listed(query: string): Promise<{ sql: string; data: Record<string, any> }> {
  run.t.queries.length = 0;
  const data = await run.server.data(query);
  const statements = run.t.queries.filter((sql) => sql.includes('"sortKey"'));
  expect(statements).toHaveLength(1);
  return { sql: statements[0]!, data };
}

const readsAbstracts = (sql: string) => sql.includes('p."abstract"');

test('a list that shows titles, authors and topics reads no abstract, and answers in full', async () => {
  const { sql, data } = await listed(`{ papers(first: 50) { nodes { id arxivId title upvotes arxivUrl authors { name } topics { slug } } } }`);
  expect(readsAbstracts(sql)).toBe(false);
  const first = data.papers.nodes.find((p: { arxivId: string }) => p.arxivId === '2407.00001');
  expect(first).toEqual({
    id: toGlobalId('Paper', run.scenario.papers[0]!.id),
    arxivId: '2407.00001',
    title: 'Attention Is Still All You Need',
    upvotes: 0,
    arxivUrl: 'https://arxiv.org/abs/2407.00001',
    authors: [{ name: 'Ada Lovelace' }, { name: 'Alan Turing' }, { name: 'Grace Hopper' }],
    topics: [{ slug: 'nlp' }],
  });
});

test.each([
  ['the abstract', `nodes { title abstract }`, ''],
  ['a field of a fragment on Paper', `nodes { ...F }`, 'fragment F on Paper { aiSummary }'],
  ['an inline fragment on Node', `nodes { ... on Node { ... on Paper { huggingFace { upvotes } } } }`, ''],
  ['a field the listing columns do not answer', `nodes { related(first: 1) { score } }`, ''],
])('a list that shows %s reads every column', async (_name, selection, fragments) => {
  // 40: related pays its weight per paper (src/graphql/limits/cost.ts), and 50 would cost past the limit.
  const { sql, data } = await listed(`{ papers(first: 40) { ${selection} } } ${fragments}`);
  expect(readsAbstracts(sql)).toBe(true);
  if (selection.includes('abstract')) {
    expect(data.papers.nodes).toContainEqual({ title: 'Attention Is Still All You Need', abstract: 'Abstract of Attention Is Still All You Need.' });
  }
});

test('the daily list and trending read the listing columns too', async () => {
  const daily = await listed(`{ dailyPapers(date: "2024-07-01") { papers { nodes { title } } } }`);
  expect(readsAbstracts(daily.sql)).toBe(false);
  expect(daily.data.dailyPapers.papers.nodes.length).toBeGreaterThan(0);
  const trending = await listed(`{ trendingPapers(first: 5) { nodes { title } } }`);
  expect(readsAbstracts(trending.sql)).toBe(false);
});

test('search snippets need the abstract: a search reads it whatever is shown', async () => {
  const { sql, data } = await listed(`{ papers(query: "attention", first: 5) { nodes { title } } }`);
  expect(readsAbstracts(sql)).toBe(true);
  expect(data.papers.nodes).toContainEqual({ title: 'Attention Is Still All You Need' });
});

test('a listing row is not cached as the whole paper: the same paper by id has its abstract', async () => {
  const reads = paperReads(run.platform);
  const page = await listPapers(reads, { first: 50 }, { columns: 'listing' });
  const listedPaper = page.nodes.find((p) => p.arxivId === '2407.00001')!;
  expect(listedPaper.abstract).toBeUndefined();
  const whole = await reads.loaders.paperById.load(listedPaper.id);
  expect(whole?.abstract).toBe('Abstract of Attention Is Still All You Need.');
});
