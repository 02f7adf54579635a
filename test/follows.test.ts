// Follows: following authors and topics, viewer.feed (newest first, keyset pages, never hidden
// papers), the private Atom feed behind a rotatable feed token, and follow-driven digests.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { userWithToken } from './helpers/server.ts';

const run = setupTestRunner({ scenario: smallCatalog, http: { rateLimiter: null } });

const FOLLOW_AUTHOR = `mutation($id: ID!) { followAuthor(authorId: $id) { follow { id target { __typename ... on Author { name } } } userErrors { code field message } } }`;
const FOLLOW_TOPIC = `mutation($id: ID!) { followTopic(topicId: $id) { follow { id target { __typename ... on Topic { slug } } } userErrors { code field message } } }`;
const FEED = `query($first: Int, $after: String) { viewer { feed(first: $first, after: $after) { nodes { arxivId authors { name } } pageInfo { hasNextPage endCursor } totalCount } } }`;

/** Distinct publication times, so "newest first" has one right answer. */
async function spreadDates() {
  for (const [i, paper] of run.scenario.papers.entries()) {
    await run.db.paper.update({ where: { id: paper.id }, data: { publishedAt: new Date(Date.UTC(2024, 5, 1 + i)) } });
  }
}

test('following an author and a topic; viewer.follows lists them, newest first; following twice is one follow', async () => {
  const bob = run.server.as(run.scenario.users.bob);
  const a = await bob.data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.yann.id) });
  expect(a.followAuthor).toEqual({ follow: { id: expect.any(String), target: { __typename: 'Author', name: 'Yann LeCun' } }, userErrors: [] });
  const again = await bob.data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.yann.id) });
  expect(again.followAuthor.follow.id).toBe(a.followAuthor.follow.id);
  const b = await bob.data(FOLLOW_TOPIC, { id: toGlobalId('Topic', run.scenario.topics.nlp.id) });
  expect(b.followTopic.follow.target).toEqual({ __typename: 'Topic', slug: 'nlp' });

  const { viewer } = await bob.data(`{ viewer { follows { totalCount nodes { id target { __typename } } } } }`);
  expect(viewer.follows).toEqual({ totalCount: 2, nodes: [{ id: b.followTopic.follow.id, target: { __typename: 'Topic' } }, { id: a.followAuthor.follow.id, target: { __typename: 'Author' } }] });
  // The follow is a node, for its owner only.
  expect((await bob.data(`query($id: ID!) { node(id: $id) { id } }`, { id: a.followAuthor.follow.id })).node).toEqual({ id: a.followAuthor.follow.id });
  expect((await run.server.as(run.scenario.users.alice).data(`query($id: ID!) { node(id: $id) { id } }`, { id: a.followAuthor.follow.id })).node).toBeNull();
  expect((await run.server.data(`query($id: ID!) { node(id: $id) { id } }`, { id: a.followAuthor.follow.id })).node).toBeNull();
});

test('unknown authors and topics are NOT_FOUND; a wrong kind of id is BAD_USER_INPUT', async () => {
  const bob = run.server.as(run.scenario.users.bob);
  expect((await bob.data(FOLLOW_AUTHOR, { id: toGlobalId('Author', 999999) })).followAuthor).toEqual({
    follow: null,
    userErrors: [{ code: 'NOT_FOUND', field: ['authorId'], message: 'No author has this id' }],
  });
  const wrong = await bob.gql(FOLLOW_TOPIC, { id: toGlobalId('Author', run.scenario.authors.ada.id) });
  expect(wrong.errors?.[0]).toMatchObject({ message: 'topicId must be the ID of a Topic; got the ID of a Author', extensions: { code: 'BAD_USER_INPUT' } });
  expect(await run.db.follow.count()).toBe(0);
});

test('unfollow removes only your own follow, and is idempotent', async () => {
  const bobFollow = (await run.server.as(run.scenario.users.bob).data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.ada.id) })).followAuthor.follow.id;
  const UNFOLLOW = `mutation($id: ID!) { unfollow(id: $id) { unfollowedId userErrors { code } } }`;
  // Alice cannot remove Bob's follow, and learns nothing about it.
  expect((await run.server.as(run.scenario.users.alice).data(UNFOLLOW, { id: bobFollow })).unfollow).toEqual({ unfollowedId: null, userErrors: [] });
  expect(await run.db.follow.count()).toBe(1);
  expect((await run.server.as(run.scenario.users.bob).data(UNFOLLOW, { id: bobFollow })).unfollow).toEqual({ unfollowedId: bobFollow, userErrors: [] });
  expect((await run.server.as(run.scenario.users.bob).data(UNFOLLOW, { id: bobFollow })).unfollow).toEqual({ unfollowedId: null, userErrors: [] });
  expect(await run.db.follow.count()).toBe(0);
});

test('viewer.feed: papers by followed authors or in followed topics, newest first, once each, keyset pages', async () => {
  await spreadDates();
  const bob = run.server.as(run.scenario.users.bob);
  expect((await bob.data(FEED)).viewer.feed).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  await bob.data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.yann.id) }); // 00002, 00004, 00006
  await bob.data(FOLLOW_TOPIC, { id: toGlobalId('Topic', run.scenario.topics.nlp.id) }); // 00001, 00003
  // 00006 is by Yann and Ada: listed once. Dates grow with the index in the scenario.
  const expected = ['2407.00006', '2407.00004', '2407.00003', '2407.00002', '2407.00001'];
  const all = (await bob.data(FEED, { first: 10 })).viewer.feed;
  expect(all.nodes.map((p: any) => p.arxivId)).toEqual(expected);
  expect(all.totalCount).toBe(5);
  expect(all.nodes[0].authors.map((a: any) => a.name)).toEqual(['Ada Lovelace', 'Yann LeCun']);

  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await bob.data(FEED, { first: 2, after })).viewer.feed;
    seen.push(...page.nodes.map((p: any) => p.arxivId));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(seen).toEqual(expected);
});

test('hidden papers never reach viewer.feed, not even a curator’s', async () => {
  await spreadDates();
  await run.db.paper.update({ where: { id: run.scenario.papers[3]!.id }, data: { hiddenAt: new Date(), hiddenById: run.scenario.users.alice.id } }); // 00004, by Yann
  for (const user of [run.scenario.users.bob, run.scenario.users.alice]) {
    const caller = run.server.as(user);
    await caller.data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.yann.id) });
    const feed = (await caller.data(FEED)).viewer.feed;
    expect(feed.nodes.map((p: any) => p.arxivId)).toEqual(['2407.00006', '2407.00002']);
    expect(feed.totalCount).toBe(2);
  }
});

test('follows and feed are the user’s own: anyone else reading them gets null', async () => {
  await run.server.as(run.scenario.users.bob).data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.yann.id) });
  const q = `query($id: ID!) { node(id: $id) { ... on User { follows { totalCount } feed { totalCount } } } }`;
  const bobId = toGlobalId('User', run.scenario.users.bob.id);
  expect((await run.server.as(run.scenario.users.alice).data(q, { id: bobId })).node).toEqual({ follows: null, feed: null });
  expect((await run.server.data(q, { id: bobId })).node).toEqual({ follows: null, feed: null });
  expect((await run.server.as(run.scenario.users.bob).data(q, { id: bobId })).node).toEqual({ follows: { totalCount: 1 }, feed: { totalCount: 3 } });
});

describe('the private Atom feed', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'author', 'link'].includes(name) });
  const ROTATE = `mutation { rotateFeedToken { token feedPath userErrors { code } } }`;

  test('the feed token shows the owner’s feed, without hidden papers; rotating kills the old URL at once', async () => {
    await spreadDates();
    const { user, token: apiToken } = await userWithToken(run.t, 'carol');
    await run.server.as(user).data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.yann.id) });
    await run.db.paper.update({ where: { id: run.scenario.papers[1]!.id }, data: { hiddenAt: new Date() } }); // 00002, by Yann

    const first = (await run.http.post(ROTATE, {}, apiToken)).body.data!.rotateFeedToken;
    expect(first.token).toMatch(/^pf_[A-Za-z0-9_-]{43}$/);
    expect(first.feedPath).toBe(`/feeds/following.atom?token=${first.token}`);

    const response = await fetch(`${run.http.url}${first.feedPath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    const body = await response.text();
    expect(XMLValidator.validate(body)).toBe(true);
    const feed = parser.parse(body).feed;
    expect(feed.entry.map((e: any) => e.id)).toEqual(['https://arxiv.org/abs/2407.00006', 'https://arxiv.org/abs/2407.00004']);
    // The feed id does not carry the secret (readers keep ids); the self link is where it was read.
    expect(feed.id).not.toContain(first.token);

    const second = (await run.http.post(ROTATE, {}, apiToken)).body.data!.rotateFeedToken;
    expect(second.token).not.toBe(first.token);
    expect((await fetch(`${run.http.url}${first.feedPath}`)).status).toBe(404);
    expect((await fetch(`${run.http.url}${second.feedPath}`)).status).toBe(200);
  });

  test('a feed token is no API token, an API token opens no feed, and a bad token is a plain 404', async () => {
    const { user, token: apiToken } = await userWithToken(run.t, 'dave');
    const { token } = (await run.server.as(user).data(ROTATE)).rotateFeedToken;
    const asApi = await run.http.post(`{ viewer { handle } }`, {}, token);
    expect(asApi.status).toBe(401);
    expect((await fetch(`${run.http.url}/feeds/following.atom?token=${apiToken}`)).status).toBe(404);
    for (const bad of ['', 'pf_short', `pf_${'A'.repeat(43)}`]) {
      const response = await fetch(`${run.http.url}/feeds/following.atom?token=${bad}`);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('No such feed: the token is wrong or was replaced (rotateFeedToken gives the current one)\n');
    }
    expect((await fetch(`${run.http.url}/feeds/following.atom`)).status).toBe(404);
    // Someone else's token shows their feed, never the caller's: the token alone decides.
    expect((await fetch(`${run.http.url}/feeds/following.atom?token=${token}`, { headers: { authorization: `Bearer ${apiToken}` } })).status).toBe(200);
  });

  test('anonymous callers cannot get a feed token', async () => {
    const result = await run.server.gql(ROTATE);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await run.db.feedToken.count()).toBe(0);
  });
});

describe('digests of follows', () => {
  const SUBSCRIBE = `mutation($input: SubscribeDigestInput!) { subscribeDigest(input: $input) { status subscription { follows } userErrors { code field message } } }`;

  test('anonymous: follows is refused with a userError; signed in: stored with the request', async () => {
    const anon = await run.server.data(SUBSCRIBE, { input: { email: 'x@example.org', frequency: 'DAILY', follows: true } });
    expect(anon.subscribeDigest).toEqual({ status: null, subscription: null, userErrors: [{ code: 'INVALID', field: ['input', 'follows'], message: 'follows needs a signed-in user: send an API token' }] });
    expect(await run.db.digestSubscriptionRequest.count()).toBe(0);
    const signed = await run.server.as(run.scenario.users.bob).data(SUBSCRIBE, { input: { email: 'bob@example.org', frequency: 'DAILY', follows: true } });
    expect(signed.subscribeDigest.status).toBe('CONFIRMATION_SENT');
    expect(await run.db.digestSubscriptionRequest.findFirst()).toMatchObject({ email: 'bob@example.org', userId: run.scenario.users.bob.id, follows: true });
  });

  test('a follows digest sends the trending papers of what its owner follows, and nothing hidden', async () => {
    const { sendDueDigests } = await import('../src/catalog/digests/send.ts');
    const now = new Date();
    // Votes now, so every paper trends; Bob follows Yann (00002, 00004, 00006); 00004 is hidden.
    for (const paper of run.scenario.papers) await run.db.vote.create({ data: { userId: run.scenario.users.alice.id, paperId: paper.id, createdAt: now } });
    await run.db.paper.update({ where: { id: run.scenario.papers[3]!.id }, data: { hiddenAt: now } });
    await run.platform.trending.refreshNow();
    await run.db.follow.create({ data: { userId: run.scenario.users.bob.id, authorId: run.scenario.authors.yann.id } });
    await run.db.digestSubscription.create({ data: { email: 'bob@example.org', ownerId: run.scenario.users.bob.id, frequency: 'DAILY', topics: [], follows: true, confirmedAt: now } });
    await run.db.digestSubscription.create({ data: { email: 'all@example.org', frequency: 'DAILY', topics: [], confirmedAt: now } });
    const sent: { to: string; text: string }[] = [];
    const mailer = { send: async (email: { to: string; text: string }) => void sent.push(email), close: async () => {} };
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12));
    await sendDueDigests({ platform: run.platform, mailer: mailer as never, secrets: ['k'.repeat(32)], publicUrl: 'https://papers.example.org', from: 'digest@example.org', at, sendHourUtc: 0 });
    const bobMail = sent.find((m) => m.to === 'bob@example.org')!;
    const everyone = sent.find((m) => m.to === 'all@example.org')!;
    const ids = (text: string) => [...text.matchAll(/arxiv\.org\/abs\/(\S+)/g)].map((m) => m[1]).sort();
    expect(ids(bobMail.text)).toEqual(['2407.00002', '2407.00006']);
    expect(ids(everyone.text)).toHaveLength(6);
  });
});

test('a page of the feed with authors and topics costs the same SQL for 2 and 5 papers', async () => {
  const bob = run.server.as(run.scenario.users.bob);
  await bob.data(FOLLOW_AUTHOR, { id: toGlobalId('Author', run.scenario.authors.yann.id) });
  await bob.data(FOLLOW_TOPIC, { id: toGlobalId('Topic', run.scenario.topics.nlp.id) });
  const count = async (n: number) => {
    run.t.queries.length = 0;
    const { viewer } = await bob.data(`query($n: Int!) { viewer { feed(first: $n) { nodes { title authors { name } topics { slug } } } } }`, { n });
    expect(viewer.feed.nodes).toHaveLength(n);
    return run.t.queries.length;
  };
  const small = await count(2);
  expect(await count(5)).toBe(small);
  // The candidate probe, the page with its relations.
  expect(small).toBeLessThanOrEqual(2);
});

test('both plans of the feed (semi-join for few candidates, index walk for many) list the same papers, pages and counts', async () => {
  const { paperReads } = await import('../src/catalog/papers/reads.ts');
  const { listPapers } = await import('../src/catalog/papers/list.ts');
  const { followedPapers, followedPapersWalk, FEED_ORDER } = await import('../src/catalog/follows/reads.ts');
  await spreadDates();
  await run.db.paper.update({ where: { id: run.scenario.papers[3]!.id }, data: { hiddenAt: new Date() } });
  await run.db.follow.create({ data: { userId: run.scenario.users.bob.id, authorId: run.scenario.authors.yann.id } });
  await run.db.follow.create({ data: { userId: run.scenario.users.bob.id, topicId: run.scenario.topics.nlp.id } });
  const pages = async (scope: typeof followedPapers) => {
    const seen: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listPapers(paperReads(run.platform), { first: 2, after, orderBy: FEED_ORDER }, { scope: [scope(run.scenario.users.bob.id)] });
      seen.push(page.nodes.map((p) => p.arxivId), [String(await page.totalCount())]);
      if (!page.pageInfo.hasNextPage) return seen;
      after = page.pageInfo.endCursor;
    }
  };
  const semiJoin = await pages(followedPapers);
  expect(semiJoin.filter((_, i) => i % 2 === 0).flat()).toEqual(['2407.00006', '2407.00003', '2407.00002', '2407.00001']);
  expect(await pages(followedPapersWalk)).toEqual(semiJoin);
});
