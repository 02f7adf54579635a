import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';
import { startTestHttp, userWithToken, type TestHttp } from './helpers/server.ts';

const run = setupTestRunner({ scenario: smallCatalog });

const UPVOTE = `mutation($id: ID!) { upvotePaper(paperId: $id) { paper { id upvotes viewerHasUpvoted } userErrors { field code message } } }`;
const REMOVE = `mutation($id: ID!) { removeUpvote(paperId: $id) { paper { id upvotes viewerHasUpvoted } userErrors { field code message } } }`;

async function exactCounts() {
  const drift = await run.t.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM "Paper" p
    WHERE p."upvoteCount" <> (SELECT count(*) FROM "Vote" v WHERE v."paperId" = p.id)`;
  return Number(drift[0]!.n) === 0;
}

test('upvoting is idempotent and answers the new count and viewerHasUpvoted', async () => {
  const id = toGlobalId('Paper', run.scenario.papers[0]!.id);
  const { alice, bob } = run.scenario.users;
  expect((await run.server.as(alice).data(UPVOTE, { id })).upvotePaper).toEqual({ paper: { id, upvotes: 1, viewerHasUpvoted: true }, userErrors: [] });
  expect((await run.server.as(alice).data(UPVOTE, { id })).upvotePaper).toEqual({ paper: { id, upvotes: 1, viewerHasUpvoted: true }, userErrors: [] });
  expect((await run.server.as(bob).data(UPVOTE, { id })).upvotePaper.paper).toEqual({ id, upvotes: 2, viewerHasUpvoted: true });
  expect(await run.t.db.vote.count()).toBe(2);

  expect((await run.server.as(alice).data(REMOVE, { id })).removeUpvote.paper).toEqual({ id, upvotes: 1, viewerHasUpvoted: false });
  expect((await run.server.as(alice).data(REMOVE, { id })).removeUpvote.paper).toEqual({ id, upvotes: 1, viewerHasUpvoted: false });
  expect(await exactCounts()).toBe(true);

  // Others see the count; the flag is per viewer.
  const read = `query($id: ID!) { node(id: $id) { ... on Paper { upvotes viewerHasUpvoted } } }`;
  expect((await run.server.as(bob).data(read, { id })).node).toEqual({ upvotes: 1, viewerHasUpvoted: true });
  expect((await run.server.as(alice).data(read, { id })).node).toEqual({ upvotes: 1, viewerHasUpvoted: false });
  expect((await run.server.data(read, { id })).node).toEqual({ upvotes: 1, viewerHasUpvoted: false });
});

test('an unknown paper is a NOT_FOUND user error and writes nothing; a malformed id is BAD_USER_INPUT', async () => {
  const result = await run.server.as(run.scenario.users.bob).data(UPVOTE, { id: toGlobalId('Paper', 424242) });
  expect(result.upvotePaper).toEqual({ paper: null, userErrors: [{ field: ['paperId'], code: 'NOT_FOUND', message: 'No paper has this id' }] });
  expect(await run.t.db.vote.count()).toBe(0);
  const bad = await run.server.as(run.scenario.users.bob).gql(UPVOTE, { id: 'garbage' });
  expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'paperId' });
});

test('viewerHasUpvoted and upvotedPapers resolve through loaders: statements do not grow with the page', async () => {
  const { alice } = run.scenario.users;
  for (const paper of run.scenario.papers.slice(0, 5)) await run.server.as(alice).data(UPVOTE, { id: toGlobalId('Paper', paper.id) });
  const statements = async (query: string, n: number) => {
    run.t.queries.length = 0;
    const data = await run.server.as(alice).data(query, { n });
    return { data, count: run.t.queries.length };
  };

  const list = `query($n: Int!) { papers(first: $n) { nodes { viewerHasUpvoted upvotes } } }`;
  const [smallList, largeList] = [await statements(list, 2), await statements(list, 6)];
  expect(largeList.count).toBe(smallList.count);
  // Papers 1-5 were upvoted; 2407.00006, the newest, was not.
  expect(largeList.data.papers.nodes.map((p: any) => p.viewerHasUpvoted)).toEqual([false, true, true, true, true, true]);

  const mine = `query($n: Int!) { viewer { upvotedPapers(first: $n) { totalCount nodes { arxivId viewerHasUpvoted authors { name } } } } }`;
  const [smallMine, largeMine] = [await statements(mine, 2), await statements(mine, 6)];
  expect(largeMine.count).toBe(smallMine.count);
  expect(smallMine.data.viewer.upvotedPapers.nodes).toHaveLength(2);
  expect(largeMine.data.viewer.upvotedPapers.totalCount).toBe(5);
  // Most recent vote first, and each flagged as upvoted.
  expect(largeMine.data.viewer.upvotedPapers.nodes.map((p: any) => p.arxivId)).toEqual(['2407.00005', '2407.00004', '2407.00003', '2407.00002', '2407.00001']);
  expect(largeMine.data.viewer.upvotedPapers.nodes.every((p: any) => p.viewerHasUpvoted)).toBe(true);
});

describe('over HTTP with tokens', () => {
  let http: TestHttp;
  beforeAll(async () => {
    http = await startTestHttp(run.t, run.server);
  });
  afterAll(() => http?.close());

  test('upvotePaper costs 2 SQL statements after the token lookup', async () => {
    const { token, apiToken } = await userWithToken(run.t, 'voter');
    const id = toGlobalId('Paper', run.scenario.papers[2]!.id);
    await http.post(UPVOTE, { id }, token); // first use also refreshes lastUsedAt, after answering
    await until(async () => (await run.t.db.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt !== null, "the token's lastUsedAt refresh");
    run.t.queries.length = 0;
    const { body } = await http.post(REMOVE, { id }, token);
    expect(body.data?.removeUpvote.paper.upvotes).toBe(0);
    // token lookup (one joined statement) + the vote-and-count statement
    expect(run.t.queries).toHaveLength(2);
    console.log(`SQL statements per upvotePaper, token lookup included: ${run.t.queries.length}`);
  });

  test('200+ concurrent upvotes and removals from many users lose nothing', async () => {
    const users = await Promise.all(Array.from({ length: 40 }, (_, i) => userWithToken(run.t, `crowd${i}`)));
    const papers = run.scenario.papers.slice(0, 3).map((p) => toGlobalId('Paper', p.id));
    // Each user, all users at once: upvotes every paper twice (6 concurrent calls), then removes
    // the upvote of one paper: 40 x 7 = 280 requests.
    const started = Date.now();
    const results = await Promise.all(
      users.map(async ({ token }, i) => {
        const upvotes = await Promise.all([...papers, ...papers].map((id) => http.post(UPVOTE, { id }, token)));
        return [...upvotes, await http.post(REMOVE, { id: papers[i % 3]! }, token)];
      }),
    );
    const elapsed = Date.now() - started;
    const flat = results.flat();
    expect(flat).toHaveLength(280);
    for (const r of flat) {
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      expect(Object.values(r.body.data as object)[0].userErrors).toEqual([]);
    }
    const counts = await run.t.db.paper.findMany({ where: { arxivId: { in: ['2407.00001', '2407.00002', '2407.00003'] } }, orderBy: { arxivId: 'asc' }, select: { arxivId: true, upvoteCount: true } });
    // Every user upvoted all 3 and removed one: 40 users, removals spread evenly over the 3 papers.
    const removed = [0, 1, 2].map((k) => users.filter((_, i) => i % 3 === k).length);
    expect(counts.map((c) => c.upvoteCount).sort()).toEqual([40 - removed[0]!, 40 - removed[1]!, 40 - removed[2]!].sort());
    expect(await exactCounts()).toBe(true);
    console.log(`concurrency: ${flat.length} requests from ${users.length} users in ${elapsed} ms; final counts ${counts.map((c) => `${c.arxivId}=${c.upvoteCount}`).join(', ')}`);
  });
});
