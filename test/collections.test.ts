// Collections: ordered papers with notes, private ones for their owner only, public ones with
// an Atom feed, hidden papers never shown, and a collection's citation file in order.
import { parse } from '@retorquere/bibtex-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { until } from './helpers/wait.ts';

const run = setupTestRunner({ scenario: smallCatalog, http: { rateLimiter: null } });

const CREATE = `mutation($input: CreateCollectionInput!) { createCollection(input: $input) { collection { id name description public feedPath owner { handle } } userErrors { code field message } } }`;
const ADD = `mutation($c: ID!, $p: ID!, $note: String) { addToCollection(collectionId: $c, paperId: $p, note: $note) { collection { id } userErrors { code field message } } }`;
const REMOVE = `mutation($c: ID!, $p: ID!) { removeFromCollection(collectionId: $c, paperId: $p) { collection { id } userErrors { code field message } } }`;
const MOVE = `mutation($c: ID!, $p: ID!, $after: ID) { moveInCollection(collectionId: $c, paperId: $p, afterPaperId: $after) { collection { id } userErrors { code field message } } }`;
const ITEMS = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Collection { name items(first: $first, after: $after) { nodes { note paper { arxivId } } pageInfo { hasNextPage endCursor } totalCount } } } }`;

const pid = (i: number) => toGlobalId('Paper', run.scenario.papers[i]!.id);

async function collectionOf(user: typeof run.scenario.users.bob, input: Record<string, unknown>, papers: number[] = []) {
  const caller = run.server.as(user);
  const created = (await caller.data(CREATE, { input })).createCollection;
  expect(created.userErrors).toEqual([]);
  for (const i of papers) expect((await caller.data(ADD, { c: created.collection.id, p: pid(i) })).addToCollection.userErrors).toEqual([]);
  return created.collection.id as string;
}

const order = async (user: typeof run.scenario.users.bob | null, id: string) =>
  ((await run.server.as(user).data(ITEMS, { id, first: 100 })).node?.items.nodes ?? null)?.map((n: any) => n.paper.arxivId);

test('create, add with notes (again: the note changes, the place stays), move, remove', async () => {
  const bob = run.server.as(run.scenario.users.bob);
  const created = (await bob.data(CREATE, { input: { name: '  Reading list ', description: 'For the train' } })).createCollection;
  expect(created).toEqual({
    collection: { id: expect.any(String), name: 'Reading list', description: 'For the train', public: false, feedPath: null, owner: { handle: 'bob' } },
    userErrors: [],
  });
  const c = created.collection.id;
  await bob.data(ADD, { c, p: pid(0), note: 'read first' });
  await bob.data(ADD, { c, p: pid(1) });
  await bob.data(ADD, { c, p: pid(2) });
  await bob.data(ADD, { c, p: pid(0), note: 'read twice' });
  const items = (await bob.data(ITEMS, { id: c })).node.items;
  expect(items.nodes).toEqual([
    { note: 'read twice', paper: { arxivId: '2407.00001' } },
    { note: null, paper: { arxivId: '2407.00002' } },
    { note: null, paper: { arxivId: '2407.00003' } },
  ]);
  expect(items.totalCount).toBe(3);

  expect((await bob.data(MOVE, { c, p: pid(0), after: pid(2) })).moveInCollection.userErrors).toEqual([]);
  expect(await order(run.scenario.users.bob, c)).toEqual(['2407.00002', '2407.00003', '2407.00001']);
  await bob.data(MOVE, { c, p: pid(2), after: null });
  expect(await order(run.scenario.users.bob, c)).toEqual(['2407.00003', '2407.00002', '2407.00001']);
  await bob.data(MOVE, { c, p: pid(2), after: pid(1) });
  expect(await order(run.scenario.users.bob, c)).toEqual(['2407.00002', '2407.00003', '2407.00001']);

  await bob.data(REMOVE, { c, p: pid(2) });
  await bob.data(REMOVE, { c, p: pid(2) }); // idempotent
  expect(await order(run.scenario.users.bob, c)).toEqual(['2407.00002', '2407.00001']);
  await bob.data(ADD, { c, p: pid(4) });
  expect(await order(run.scenario.users.bob, c)).toEqual(['2407.00002', '2407.00001', '2407.00005']);
});

test('items page by keyset in the owner’s order', async () => {
  const c = await collectionOf(run.scenario.users.bob, { name: 'All' }, [5, 3, 1, 0, 2]);
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await run.server.as(run.scenario.users.bob).data(ITEMS, { id: c, first: 2, after })).node.items;
    seen.push(...page.nodes.map((n: any) => n.paper.arxivId));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(seen).toEqual(['2407.00006', '2407.00004', '2407.00002', '2407.00001', '2407.00003']);
});

test('bad input: userErrors with codes, and nothing written', async () => {
  const bob = run.server.as(run.scenario.users.bob);
  expect((await bob.data(CREATE, { input: { name: '   ' } })).createCollection.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'name'], message: 'name must not be empty' }]);
  expect((await bob.data(CREATE, { input: { name: 'x'.repeat(101) } })).createCollection.userErrors).toEqual([{ code: 'TOO_LONG', field: ['input', 'name'], message: 'name must be at most 100 characters; got 101' }]);
  const c = await collectionOf(run.scenario.users.bob, { name: 'Mine' }, [0, 1]);
  expect((await bob.data(ADD, { c, p: toGlobalId('Paper', 999999) })).addToCollection.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['paperId'], message: 'No paper has this id' }]);
  expect((await bob.data(ADD, { c, p: pid(2), note: 'y'.repeat(1001) })).addToCollection.userErrors[0]).toMatchObject({ code: 'TOO_LONG', field: ['note'] });
  expect((await bob.data(MOVE, { c, p: pid(4), after: null })).moveInCollection.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['paperId'], message: 'This paper is not in the collection' }]);
  expect((await bob.data(MOVE, { c, p: pid(0), after: pid(4) })).moveInCollection.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['afterPaperId'], message: 'afterPaperId is not in the collection' }]);
  expect((await bob.data(MOVE, { c, p: pid(0), after: pid(0) })).moveInCollection.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['afterPaperId'] });
  const wrongKind = await bob.gql(ADD, { c: pid(0), p: pid(1) });
  expect(wrongKind.errors?.[0]).toMatchObject({ message: 'collectionId must be the ID of a Collection; got the ID of a Paper', extensions: { code: 'BAD_USER_INPUT' } });
  expect(await run.db.collection.count()).toBe(1);
  expect(await run.db.collectionItem.count()).toBe(2);
  expect(await order(run.scenario.users.bob, c)).toEqual(['2407.00001', '2407.00002']);
});

test('a private collection exists for its owner only: others, admins included, get null and NOT_FOUND', async () => {
  const admin = await run.db.user.create({ data: { handle: 'root', displayName: 'Root', role: 'ADMIN' } });
  const secret = await collectionOf(run.scenario.users.bob, { name: 'Secret' }, [0]);
  const open = await collectionOf(run.scenario.users.bob, { name: 'Open', public: true }, [1]);
  for (const other of [run.scenario.users.alice, admin, null]) {
    expect((await run.server.as(other).data(ITEMS, { id: secret })).node).toBeNull();
    expect(await order(other, open)).toEqual(['2407.00002']);
  }
  // Writing to someone else's collection: "not found", public or not, and nothing changes.
  for (const c of [secret, open]) {
    expect((await run.server.as(run.scenario.users.alice).data(ADD, { c, p: pid(3) })).addToCollection.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['collectionId'], message: 'You have no collection with this id' }]);
    expect((await run.server.as(admin).data(REMOVE, { c, p: pid(0) })).removeFromCollection.userErrors[0]?.code).toBe('NOT_FOUND');
    expect((await run.server.as(admin).data(MOVE, { c, p: pid(0) })).moveInCollection.userErrors[0]?.code).toBe('NOT_FOUND');
  }
  expect(await run.db.collectionItem.count()).toBe(2);

  const LIST = `query($id: ID!) { node(id: $id) { ... on User { collections { totalCount nodes { name } } } } }`;
  const bobId = toGlobalId('User', run.scenario.users.bob.id);
  expect((await run.server.as(run.scenario.users.bob).data(LIST, { id: bobId })).node.collections).toEqual({ totalCount: 2, nodes: [{ name: 'Open' }, { name: 'Secret' }] });
  expect((await run.server.as(run.scenario.users.alice).data(LIST, { id: bobId })).node.collections).toEqual({ totalCount: 1, nodes: [{ name: 'Open' }] });
  expect((await run.server.data(LIST, { id: bobId })).node.collections).toEqual({ totalCount: 1, nodes: [{ name: 'Open' }] });
  expect((await run.server.as(run.scenario.users.bob).data(`{ viewer { collections { totalCount } } }`)).viewer.collections.totalCount).toBe(2);
  expect((await run.server.as(admin).gql(`query($id: ID!) { node(id: $id) { ... on Collection { citation(format: BIBTEX) } } }`, { id: secret })).data?.node).toBeNull();
});

test('hidden papers never show in a collection, its owner’s view and counts included; they cannot be added', async () => {
  const c = await collectionOf(run.scenario.users.alice, { name: 'Mixed', public: true }, [0, 1, 2]);
  await run.db.paper.update({ where: { id: run.scenario.papers[1]!.id }, data: { hiddenAt: new Date() } });
  for (const viewer of [run.scenario.users.alice, run.scenario.users.bob, null]) {
    const items = (await run.server.as(viewer).data(ITEMS, { id: c })).node.items;
    expect(items.nodes.map((n: any) => n.paper.arxivId)).toEqual(['2407.00001', '2407.00003']);
    expect(items.totalCount).toBe(2);
  }
  // Alice is a curator: she may open the hidden paper, yet cannot put it in a collection.
  await run.db.paper.update({ where: { id: run.scenario.papers[3]!.id }, data: { hiddenAt: new Date() } });
  expect((await run.server.as(run.scenario.users.alice).data(ADD, { c, p: pid(3) })).addToCollection.userErrors[0]?.code).toBe('NOT_FOUND');
  const bib = (await run.server.data(`query($id: ID!) { node(id: $id) { ... on Collection { citation(format: BIBTEX) } } }`, { id: c })).node.citation;
  expect(parse(bib).entries.map((e) => e.fields.eprint)).toEqual(['2407.00001', '2407.00003']);
  const feed = await (await fetch(`${run.http.url}/feeds/collections/${c}.atom`)).text();
  expect(feed).not.toContain('2407.00002');
});

test('a collection’s citation: one entry per paper in the owner’s order, authors in byline order', async () => {
  const c = await collectionOf(run.scenario.users.bob, { name: 'Cite me' }, [3, 0]);
  const { node } = await run.server.as(run.scenario.users.bob).data(`query($id: ID!) { node(id: $id) { ... on Collection { bib: citation(format: BIBTEX) csl: citation(format: CSL_JSON) } } }`, { id: c });
  const library = parse(node.bib);
  expect(library.errors).toEqual([]);
  expect(library.entries.map((e) => e.fields.eprint)).toEqual(['2407.00004', '2407.00001']);
  expect(library.entries.map((e) => (e.fields.author as any[]).map((a: any) => a.lastName))).toEqual([['LeCun', 'Turing'], ['Lovelace', 'Turing', 'Hopper']]);
  // Keys are unique within the file.
  expect(new Set(library.entries.map((e) => e.key)).size).toBe(2);
  expect(JSON.parse(node.csl).map((i: any) => i.number)).toEqual(['arXiv:2407.00004', 'arXiv:2407.00001']);
});

describe('Atom feeds of collections', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'author', 'link'].includes(name) });

  test('a public collection: newest additions first, notes in the summary', async () => {
    const c = await collectionOf(run.scenario.users.bob, { name: 'Open', public: true, description: 'Things' });
    const bob = run.server.as(run.scenario.users.bob);
    for (const [i, note] of [[0, 'first'], [4, null], [2, 'third']] as const) {
      await bob.data(ADD, { c, p: pid(i), note });
      const added = Date.now();
      await until(() => Date.now() > added, 'the clock past this addition (distinct addedAt)');
    }
    const feedPath = (await bob.data(`query($id: ID!) { node(id: $id) { ... on Collection { feedPath } } }`, { id: c })).node.feedPath;
    expect(feedPath).toBe(`/feeds/collections/${c}.atom`);
    const response = await fetch(`${run.http.url}${feedPath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const body = await response.text();
    expect(XMLValidator.validate(body)).toBe(true);
    const feed = parser.parse(body).feed;
    expect(feed.title['#text'] ?? feed.title).toBe('Open');
    expect(feed.entry.map((e: any) => e.id)).toEqual(['https://arxiv.org/abs/2407.00003', 'https://arxiv.org/abs/2407.00005', 'https://arxiv.org/abs/2407.00001']);
    expect(feed.entry[0].summary['#text']).toMatch(/^third\n\nAbstract of/);
  });

  test('a private collection, an unknown id and a malformed one are the same 404', async () => {
    const secret = await collectionOf(run.scenario.users.bob, { name: 'Secret' }, [0]);
    for (const path of [`/feeds/collections/${secret}.atom`, `/feeds/collections/${toGlobalId('Collection', 99999)}.atom`, '/feeds/collections/nope.atom', `/feeds/collections/${pid(0)}.atom`]) {
      const response = await fetch(`${run.http.url}${path}`);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('No such feed\n');
    }
    // The catalog's own feeds are still served next to these routes.
    expect((await fetch(`${run.http.url}/feeds/trending.atom`)).status).toBe(200);
  });
});

test('a page of items with their papers’ authors and topics costs the same SQL for 2 and 6 papers', async () => {
  const c = await collectionOf(run.scenario.users.bob, { name: 'All' }, [0, 1, 2, 3, 4, 5]);
  const PAGE = `query($id: ID!, $n: Int!) { node(id: $id) { ... on Collection { items(first: $n) { nodes { note paper { title authors { name } topics { slug } } } } } } }`;
  const count = async (n: number) => {
    run.t.queries.length = 0;
    const { node } = await run.server.as(run.scenario.users.bob).data(PAGE, { id: c, n });
    expect(node.items.nodes).toHaveLength(n);
    return run.t.queries.length;
  };
  const small = await count(2);
  expect(await count(6)).toBe(small);
});
