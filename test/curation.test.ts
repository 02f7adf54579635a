// Curation: hiding papers (soft, reversible, invisible to readers), tagging, and the topic
// tree. Only curators and admins; every change leaves a CurationEvent (who, what, when).
import type { User } from '../src/generated/prisma/client.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import type { GqlResult } from './helpers/server.ts';

const run = setupTestRunner({ scenario: smallCatalog });
let alice: User; // curator
let bob: User; // reader
beforeEach(() => {
  ({ alice, bob } = run.scenario.users);
});

/** Every row curation could touch: "nothing written" compares these. */
async function state() {
  return {
    papers: await run.t.db.paper.findMany({ orderBy: { id: 'asc' } }),
    topics: await run.t.db.topic.findMany({ orderBy: { id: 'asc' } }),
    tags: await run.t.db.paperTopic.findMany({ orderBy: [{ paperId: 'asc' }, { topicId: 'asc' }] }),
    votes: await run.t.db.vote.findMany({ orderBy: [{ userId: 'asc' }, { paperId: 'asc' }] }),
    events: await run.t.db.curationEvent.findMany({ orderBy: { id: 'asc' } }),
  };
}

const events = () => run.t.db.curationEvent.findMany({ orderBy: { id: 'asc' } });
const paperId = (i: number) => toGlobalId('Paper', run.scenario.papers[i]!.id);
const topicId = (slug: 'ml' | 'cv' | 'nlp') => toGlobalId('Topic', run.scenario.topics[slug].id);


const USER_ERRORS = `userErrors { field code message existing { __typename id } }`;
const HIDE = `mutation($id: ID!, $reason: String) { hidePaper(paperId: $id, reason: $reason) { paper { id arxivId hiddenAt } ${USER_ERRORS} } }`;
const UNHIDE = `mutation($id: ID!) { unhidePaper(paperId: $id) { paper { id arxivId hiddenAt } ${USER_ERRORS} } }`;
const TAG = `mutation($p: ID!, $t: ID!) { tagPaper(paperId: $p, topicId: $t) { paper { id topics { slug } } ${USER_ERRORS} } }`;
const UNTAG = `mutation($p: ID!, $t: ID!) { untagPaper(paperId: $p, topicId: $t) { paper { id topics { slug } } ${USER_ERRORS} } }`;
const CREATE_TOPIC = `mutation($input: CreateTopicInput!) { createTopic(input: $input) { topic { id slug name parent { slug } children { slug } } ${USER_ERRORS} } }`;
const UPDATE_TOPIC = `mutation($input: UpdateTopicInput!) { updateTopic(input: $input) { topic { id slug name parent { slug } children { slug } } ${USER_ERRORS} } }`;

function expectGraphQLError(result: GqlResult, code: string, message?: string) {
  expect(result.data).toBeNull();
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]!.extensions?.code).toBe(code);
  if (message !== undefined) expect(result.errors![0]!.message).toBe(message);
}

/** One user error, no object, nothing written. */
async function expectRefused(as: User, query: string, variables: Record<string, unknown>, error: { field: string[] | null; code: string; message?: string }) {
  const before = await state();
  const data = await run.server.as(as).data(query, variables);
  const result = Object.values(data)[0] as Record<string, unknown> & { userErrors: unknown[] };
  const { userErrors, ...rest } = result;
  expect(Object.values(rest)).toEqual([null]);
  expect(userErrors).toEqual([{ existing: null, message: expect.any(String), ...error }]);
  expect(await state()).toEqual(before);
  return userErrors[0] as { message: string };
}

describe('access: curators and admins only', () => {
  const calls = (): [string, string, Record<string, unknown>][] => [
    ['hidePaper', HIDE, { id: paperId(0), reason: 'spam' }],
    ['unhidePaper', UNHIDE, { id: paperId(0) }],
    ['tagPaper', TAG, { p: paperId(5), t: topicId('cv') }],
    ['untagPaper', UNTAG, { p: paperId(0), t: topicId('nlp') }],
    ['createTopic', CREATE_TOPIC, { input: { name: 'Robotics', parentId: topicId('ml') } }],
    ['updateTopic', UPDATE_TOPIC, { input: { topicId: topicId('cv'), name: 'Vision', parentId: null } }],
  ];

  test('a reader is FORBIDDEN from every curation mutation and nothing is written', async () => {
    // A hidden paper too, so unhidePaper has something it could change.
    await run.t.db.paper.update({ where: { id: run.scenario.papers[1]!.id }, data: { hiddenAt: new Date(), hiddenById: alice.id } });
    const before = await state();
    const all: [string, string, Record<string, unknown>][] = [...calls(), ['unhidePaper', UNHIDE, { id: paperId(1) }]];
    for (const [name, query, variables] of all) {
      const result = await run.server.as(bob).gql(query, variables);
      expect([name, result.errors?.[0]?.extensions?.code]).toEqual([name, 'FORBIDDEN']);
      expectGraphQLError(result, 'FORBIDDEN', 'This needs the curator or admin role');
    }
    expect(await state()).toEqual(before);
  });

  test('an anonymous caller is UNAUTHENTICATED for every curation mutation and nothing is written', async () => {
    const before = await state();
    for (const [name, query, variables] of calls()) {
      const result = await run.server.gql(query, variables);
      expect([name, result.errors?.[0]?.extensions?.code]).toEqual([name, 'UNAUTHENTICATED']);
      expectGraphQLError(result, 'UNAUTHENTICATED', 'Sign in first: send an API token as Authorization: Bearer <token>');
    }
    expect(await state()).toEqual(before);
  });

  test('an admin may curate', async () => {
    const admin = await run.t.db.user.create({ data: { handle: 'root', displayName: 'Root', role: 'ADMIN' } });
    for (const [name, query, variables] of calls()) {
      const data = await run.server.as(admin).data(query, variables);
      expect([name, data[name].userErrors]).toEqual([name, []]);
    }
    expect((await events()).map((e) => [e.actorId, e.action])).toEqual([
      [admin.id, 'paper.hide'],
      [admin.id, 'paper.unhide'],
      [admin.id, 'paper.tag'],
      [admin.id, 'paper.untag'],
      [admin.id, 'topic.create'],
      [admin.id, 'topic.update'],
    ]);
  });

  test('a malformed or wrong-type id is BAD_USER_INPUT naming the argument, and nothing is written', async () => {
    const before = await state();
    const cases: [string, Record<string, unknown>, string, string][] = [
      [HIDE, { id: 'nope' }, 'paperId', 'paperId is not a valid ID: expected an id returned by this API; got "nope"'],
      [UNHIDE, { id: 'nope' }, 'paperId', 'paperId is not a valid ID: expected an id returned by this API; got "nope"'],
      [TAG, { p: 'nope', t: topicId('cv') }, 'paperId', 'paperId is not a valid ID: expected an id returned by this API; got "nope"'],
      [TAG, { p: paperId(5), t: 'nope' }, 'topicId', 'topicId is not a valid ID: expected an id returned by this API; got "nope"'],
      [TAG, { p: paperId(5), t: paperId(4) }, 'topicId', 'topicId must be the ID of a Topic; got the ID of a Paper'],
      [UNTAG, { p: topicId('nlp'), t: topicId('nlp') }, 'paperId', 'paperId must be the ID of a Paper; got the ID of a Topic'],
      [CREATE_TOPIC, { input: { name: 'Robotics', parentId: 'nope' } }, 'parentId', 'parentId is not a valid ID: expected an id returned by this API; got "nope"'],
      [CREATE_TOPIC, { input: { name: 'Robotics', parentId: paperId(0) } }, 'parentId', 'parentId must be the ID of a Topic; got the ID of a Paper'],
      [UPDATE_TOPIC, { input: { topicId: 'nope', name: 'X' } }, 'topicId', 'topicId is not a valid ID: expected an id returned by this API; got "nope"'],
      [UPDATE_TOPIC, { input: { topicId: topicId('cv'), parentId: '' } }, 'parentId', 'parentId is not a valid ID: expected an id returned by this API; got ""'],
    ];
    for (const [query, variables, argumentName, message] of cases) {
      const result = await run.server.as(alice).gql(query, variables);
      expectGraphQLError(result, 'BAD_USER_INPUT', message);
      expect(result.errors![0]!.extensions?.argumentName).toBe(argumentName);
    }
    expect(await state()).toEqual(before);
  });
});

describe('hidePaper and unhidePaper', () => {
  test('a curator hides a paper: hiddenAt, who and why are recorded, with a CurationEvent', async () => {
    const { hidePaper } = await run.server.as(alice).data(HIDE, { id: paperId(0), reason: '  Duplicate of another listing  ' });
    expect(hidePaper).toEqual({ paper: { id: paperId(0), arxivId: '2407.00001', hiddenAt: expect.any(String) }, userErrors: [] });
    const row = await run.t.db.paper.findUniqueOrThrow({ where: { id: run.scenario.papers[0]!.id } });
    expect(row).toMatchObject({ hiddenById: alice.id, hiddenReason: 'Duplicate of another listing' });
    expect(row.hiddenAt!.toISOString()).toBe(hidePaper.paper.hiddenAt);
    expect(Date.now() - row.hiddenAt!.getTime()).toBeLessThan(60_000);
    expect(await events()).toEqual([
      expect.objectContaining({ actorId: alice.id, action: 'paper.hide', paperId: row.id, topicId: null, createdAt: expect.any(Date) }),
    ]);
  });

  test('a hidden paper disappears for readers and anonymous callers from every list, paper(...) and node', async () => {
    const hidden = run.scenario.papers[0]!; // 2407.00001: ada, alan, grace; topic nlp
    await run.server.as(alice).data(HIDE, { id: paperId(0) });
    const id = toGlobalId('Paper', hidden.id);
    const query = `query($id: ID!, $ada: ID!) {
      papers { totalCount nodes { arxivId } }
      topic(slug: "nlp") { papers { totalCount nodes { arxivId } } }
      author(id: $ada) { papers { totalCount nodes { arxivId } } }
      byArxivId: paper(arxivId: "2407.00001v2") { id }
      byId: paper(id: $id) { id }
      node(id: $id) { id }
      nodes(ids: [$id]) { id } }`;
    for (const viewer of [bob, null]) {
      const data = await run.server.as(viewer).data(query, { id, ada: toGlobalId('Author', run.scenario.authors.ada.id) });
      expect(data).toEqual({
        papers: { totalCount: 5, nodes: ['2407.00006', '2407.00005', '2407.00004', '2407.00003', '2407.00002'].map((arxivId) => ({ arxivId })) },
        topic: { papers: { totalCount: 1, nodes: [{ arxivId: '2407.00003' }] } },
        author: { papers: { totalCount: 2, nodes: [{ arxivId: '2407.00006' }, { arxivId: '2407.00003' }] } },
        byArxivId: null,
        byId: null,
        node: null,
        nodes: [null],
      });
    }
  });

  test('curators still see a hidden paper, with hiddenAt set; readers never see hiddenAt', async () => {
    const { hidePaper } = await run.server.as(alice).data(HIDE, { id: paperId(0) });
    const id = paperId(0);
    const query = `query($id: ID!) {
      byArxivId: paper(arxivId: "2407.00001") { arxivId hiddenAt }
      byId: paper(id: $id) { arxivId hiddenAt }
      node(id: $id) { ... on Paper { arxivId hiddenAt } } }`;
    const seen = { arxivId: '2407.00001', hiddenAt: hidePaper.paper.hiddenAt };
    expect(await run.server.as(alice).data(query, { id })).toEqual({ byArxivId: seen, byId: seen, node: seen });
    const { paper } = await run.server.as(bob).data(`{ paper(arxivId: "2407.00002") { hiddenAt } }`);
    expect(paper).toEqual({ hiddenAt: null });
  });

  test('a reader cannot upvote a hidden paper: NOT_FOUND, and no vote is written', async () => {
    await run.server.as(alice).data(HIDE, { id: paperId(1) });
    const before = await state();
    const { upvotePaper } = await run.server.as(bob).data(`mutation($id: ID!) { upvotePaper(paperId: $id) { paper { id } ${USER_ERRORS} } }`, { id: paperId(1) });
    expect(upvotePaper).toEqual({ paper: null, userErrors: [{ field: ['paperId'], code: 'NOT_FOUND', message: 'No paper has this id', existing: null }] });
    expect(await state()).toEqual(before);
    expect(await run.t.db.vote.count()).toBe(0);
  });

  test('unhiding puts the paper back everywhere and is recorded', async () => {
    await run.server.as(alice).data(HIDE, { id: paperId(0), reason: 'checking' });
    const { unhidePaper } = await run.server.as(alice).data(UNHIDE, { id: paperId(0) });
    expect(unhidePaper).toEqual({ paper: { id: paperId(0), arxivId: '2407.00001', hiddenAt: null }, userErrors: [] });
    expect(await run.t.db.paper.findUniqueOrThrow({ where: { id: run.scenario.papers[0]!.id } })).toMatchObject({ hiddenAt: null, hiddenById: null, hiddenReason: null });
    const data = await run.server.as(bob).data(`{ papers { totalCount } topic(slug: "nlp") { papers { totalCount } } paper(arxivId: "2407.00001") { arxivId } }`);
    expect(data).toEqual({ papers: { totalCount: 6 }, topic: { papers: { totalCount: 2 } }, paper: { arxivId: '2407.00001' } });
    expect((await events()).map((e) => [e.actorId, e.action, e.paperId, e.topicId])).toEqual([
      [alice.id, 'paper.hide', run.scenario.papers[0]!.id, null],
      [alice.id, 'paper.unhide', run.scenario.papers[0]!.id, null],
    ]);
  });

  test('hiding a hidden paper and unhiding a listed one change nothing and record nothing', async () => {
    await run.server.as(alice).data(HIDE, { id: paperId(0), reason: 'first' });
    const hidden = await state();
    const again = await run.server.as(alice).data(HIDE, { id: paperId(0), reason: 'second' });
    expect(again.hidePaper).toMatchObject({ paper: { id: paperId(0), hiddenAt: expect.any(String) }, userErrors: [] });
    expect(await state()).toEqual(hidden);

    const listed = await run.server.as(alice).data(UNHIDE, { id: paperId(2) });
    expect(listed.unhidePaper).toEqual({ paper: { id: paperId(2), arxivId: '2407.00003', hiddenAt: null }, userErrors: [] });
    expect(await state()).toEqual(hidden);
  });

  test.each([
    ['empty', '', 'INVALID', 'reason must not be empty'],
    ['whitespace only', '   ', 'INVALID', 'reason must not be empty'],
    ['501 characters', 'r'.repeat(501), 'TOO_LONG', 'reason must be at most 500 characters; got 501'],
    ['a NUL byte', 'spam\u0000', 'INVALID', 'reason must be plain text without control characters or broken Unicode'],
    ['a lone surrogate', 'spam \ud800', 'INVALID', 'reason must be plain text without control characters or broken Unicode'],
  ])('a reason that is %s is refused and the paper stays listed', async (_name, reason, code, message) => {
    await expectRefused(alice, HIDE, { id: paperId(0), reason }, { field: ['reason'], code, message });
  });

  test('an unknown paper is NOT_FOUND for hide and unhide', async () => {
    const id = toGlobalId('Paper', 999_999);
    const error = { field: ['paperId'], code: 'NOT_FOUND', message: 'No paper has this id' };
    await expectRefused(alice, HIDE, { id }, error);
    await expectRefused(alice, UNHIDE, { id }, error);
  });
});

describe('tagPaper and untagPaper', () => {
  test('a curator tags a paper; the paper and the topic show it; the change is recorded', async () => {
    const paper = run.scenario.papers[5]!; // 2407.00006, no topics
    const { tagPaper } = await run.server.as(alice).data(TAG, { p: paperId(5), t: topicId('cv') });
    expect(tagPaper).toEqual({ paper: { id: paperId(5), topics: [{ slug: 'computer-vision' }] }, userErrors: [] });
    expect(await run.t.db.paperTopic.findMany({ where: { paperId: paper.id } })).toEqual([{ paperId: paper.id, topicId: run.scenario.topics.cv.id }]);
    const { topic } = await run.server.data(`{ topic(slug: "computer-vision") { paperCount papers(first: 1) { nodes { arxivId } } } }`);
    expect(topic).toEqual({ paperCount: 3, papers: { nodes: [{ arxivId: '2407.00006' }] } });
    expect(await events()).toEqual([
      expect.objectContaining({ actorId: alice.id, action: 'paper.tag', paperId: paper.id, topicId: run.scenario.topics.cv.id, createdAt: expect.any(Date) }),
    ]);
  });

  test('tagging twice is one tag and no error', async () => {
    await run.server.as(alice).data(TAG, { p: paperId(0), t: topicId('ml') });
    const { tagPaper } = await run.server.as(alice).data(TAG, { p: paperId(0), t: topicId('ml') });
    expect(tagPaper).toEqual({ paper: { id: paperId(0), topics: [{ slug: 'machine-learning' }, { slug: 'nlp' }] }, userErrors: [] });
    expect(await run.t.db.paperTopic.count({ where: { paperId: run.scenario.papers[0]!.id } })).toBe(2);
    // Already tagged in the scenario: still one row.
    await run.server.as(alice).data(TAG, { p: paperId(0), t: topicId('nlp') });
    expect(await run.t.db.paperTopic.count({ where: { paperId: run.scenario.papers[0]!.id, topicId: run.scenario.topics.nlp.id } })).toBe(1);
  });

  test('a curator untags a paper; untagging again is no error; each change is recorded', async () => {
    const paper = run.scenario.papers[2]!; // 2407.00003: nlp and ml
    const { untagPaper } = await run.server.as(alice).data(UNTAG, { p: paperId(2), t: topicId('nlp') });
    expect(untagPaper).toEqual({ paper: { id: paperId(2), topics: [{ slug: 'machine-learning' }] }, userErrors: [] });
    expect(await run.t.db.paperTopic.findMany({ where: { paperId: paper.id } })).toEqual([{ paperId: paper.id, topicId: run.scenario.topics.ml.id }]);
    const again = await run.server.as(alice).data(UNTAG, { p: paperId(2), t: topicId('nlp') });
    expect(again.untagPaper).toEqual({ paper: { id: paperId(2), topics: [{ slug: 'machine-learning' }] }, userErrors: [] });
    expect(await run.t.db.paperTopic.count({ where: { paperId: paper.id } })).toBe(1);
    const { topic } = await run.server.data(`{ topic(slug: "nlp") { paperCount papers { nodes { arxivId } } } }`);
    expect(topic).toEqual({ paperCount: 1, papers: { nodes: [{ arxivId: '2407.00001' }] } });
    expect((await events())[0]).toMatchObject({ actorId: alice.id, action: 'paper.untag', paperId: paper.id, topicId: run.scenario.topics.nlp.id });
  });

  test('a curator can tag a hidden paper; it stays out of the topic’s list', async () => {
    await run.server.as(alice).data(HIDE, { id: paperId(5) });
    const { tagPaper } = await run.server.as(alice).data(TAG, { p: paperId(5), t: topicId('nlp') });
    expect(tagPaper.paper.topics).toEqual([{ slug: 'nlp' }]);
    const { topic } = await run.server.as(bob).data(`{ topic(slug: "nlp") { papers { nodes { arxivId } } } }`);
    expect(topic.papers.nodes).toEqual([{ arxivId: '2407.00003' }, { arxivId: '2407.00001' }]);
  });

  test('an unknown paper or topic is NOT_FOUND and nothing is written', async () => {
    const noPaper = { field: ['paperId'], code: 'NOT_FOUND', message: 'No paper has this id' };
    const noTopic = { field: ['topicId'], code: 'NOT_FOUND', message: 'No topic has this id' };
    await expectRefused(alice, TAG, { p: toGlobalId('Paper', 999_999), t: topicId('cv') }, noPaper);
    await expectRefused(alice, TAG, { p: paperId(5), t: toGlobalId('Topic', 999_999) }, noTopic);
    await expectRefused(alice, UNTAG, { p: toGlobalId('Paper', 999_999), t: topicId('nlp') }, noPaper);
    await expectRefused(alice, UNTAG, { p: paperId(0), t: toGlobalId('Topic', 999_999) }, noTopic);
  });
});

describe('createTopic', () => {
  test('a curator creates a topic under a parent, its slug made from the name; the change is recorded', async () => {
    const { createTopic } = await run.server.as(alice).data(CREATE_TOPIC, { input: { name: '  Réseaux  Neuronaux!  ', parentId: topicId('ml') } });
    const row = await run.t.db.topic.findUniqueOrThrow({ where: { slug: 'reseaux-neuronaux' } });
    expect(createTopic).toEqual({
      topic: { id: toGlobalId('Topic', row.id), slug: 'reseaux-neuronaux', name: 'Réseaux  Neuronaux!', parent: { slug: 'machine-learning' }, children: [] },
      userErrors: [],
    });
    expect(row).toMatchObject({ name: 'Réseaux  Neuronaux!', parentId: run.scenario.topics.ml.id });
    const { topic } = await run.server.data(`{ topic(slug: "machine-learning") { children { slug } } }`);
    expect(topic.children).toEqual([{ slug: 'computer-vision' }, { slug: 'nlp' }, { slug: 'reseaux-neuronaux' }]);
    expect(await events()).toEqual([
      expect.objectContaining({ actorId: alice.id, action: 'topic.create', paperId: null, topicId: row.id, createdAt: expect.any(Date) }),
    ]);
  });

  test('takes an explicit slug; without a parent the topic is a root', async () => {
    const { createTopic } = await run.server.as(alice).data(CREATE_TOPIC, { input: { name: 'Reinforcement Learning', slug: 'rl' } });
    expect(createTopic.topic).toMatchObject({ slug: 'rl', name: 'Reinforcement Learning', parent: null });
    expect(await run.t.db.topic.count()).toBe(4);
  });

  test('a taken slug is DUPLICATE pointing at the existing topic, and nothing is written', async () => {
    for (const input of [{ name: 'NLP' }, { name: 'Natural language processing', slug: 'nlp' }, { name: '  nlp  ' }]) {
      const before = await state();
      const { createTopic } = await run.server.as(alice).data(CREATE_TOPIC, { input });
      expect(createTopic).toEqual({
        topic: null,
        userErrors: [{ field: ['input', 'slug'], code: 'DUPLICATE', message: 'A topic already has the slug "nlp"', existing: { __typename: 'Topic', id: topicId('nlp') } }],
      });
      expect(await state()).toEqual(before);
    }
  });

  test('an unknown parent is NOT_FOUND', async () => {
    await expectRefused(alice, CREATE_TOPIC, { input: { name: 'Robotics', parentId: toGlobalId('Topic', 999_999) } }, {
      field: ['input', 'parentId'],
      code: 'NOT_FOUND',
      message: 'No topic has this parentId',
    });
  });

  const plainText = 'name must be plain text without control characters or broken Unicode';
  test.each([
    ['empty', '', 'INVALID', 'name must not be empty'],
    ['whitespace only', ' \t ', 'INVALID', 'name must not be empty'],
    ['101 characters', 'n'.repeat(101), 'TOO_LONG', 'name must be at most 100 characters; got 101'],
    ['a NUL byte', 'Robo\u0000tics', 'INVALID', plainText],
    ['a lone surrogate', 'Robotics \ud800', 'INVALID', plainText],
    ['a line break', 'Robo\ntics', 'INVALID', plainText],
  ])('a name that is %s is refused', async (_name, name, code, message) => {
    await expectRefused(alice, CREATE_TOPIC, { input: { name } }, { field: ['input', 'name'], code, message });
  });

  test.each([
    ['upper case and spaces', 'Bad Slug'],
    ['punctuation', 'robotics!'],
    ['a NUL byte', 'robotics\u0000'],
    ['only dashes', '---'],
  ])('an explicit slug with %s is INVALID', async (_name, slug) => {
    const error = await expectRefused(alice, CREATE_TOPIC, { input: { name: 'Robotics', slug } }, { field: ['input', 'slug'], code: 'INVALID' });
    expect(error.message).toMatch(/^slug must be lower-case words of letters and digits joined by dashes, e.g. "computer-vision"; got "/);
  });

  test('a name without a letter or digit is INVALID, pointing at the name (no slug was given)', async () => {
    await expectRefused(alice, CREATE_TOPIC, { input: { name: '!!!' } }, { field: ['input', 'name'], code: 'INVALID' });
  });

  test('a 100-character name is accepted and still makes a well-formed slug', async () => {
    const name = 'abcd '.repeat(20).trim().padEnd(100, 'x');
    expect(name).toHaveLength(100);
    const { createTopic } = await run.server.as(alice).data(CREATE_TOPIC, { input: { name } });
    expect(createTopic.userErrors).toEqual([]);
    expect(createTopic.topic.name).toBe(name);
    expect(createTopic.topic.slug).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(createTopic.topic.slug.length).toBeLessThanOrEqual(80);
  });

  test('simultaneous creations of one slug make one topic; the others are told DUPLICATE', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => run.server.as(alice).data(CREATE_TOPIC, { input: { name: 'Robotics' } })));
    const rows = await run.t.db.topic.findMany({ where: { slug: 'robotics' } });
    expect(rows).toHaveLength(1);
    expect(results.filter((r) => r.createTopic.topic !== null)).toHaveLength(1);
    for (const r of results.filter((r) => r.createTopic.topic === null)) {
      expect(r.createTopic.userErrors).toEqual([{ field: ['input', 'slug'], code: 'DUPLICATE', message: 'A topic already has the slug "robotics"', existing: { __typename: 'Topic', id: toGlobalId('Topic', rows[0]!.id) } }]);
    }
    expect(await run.t.db.curationEvent.count({ where: { action: 'topic.create' } })).toBe(1);
  });
});

describe('updateTopic', () => {
  test('renames a topic; its slug stays; the change is recorded', async () => {
    const { updateTopic } = await run.server.as(alice).data(UPDATE_TOPIC, { input: { topicId: topicId('cv'), name: '  Vision  ' } });
    expect(updateTopic).toEqual({ topic: { id: topicId('cv'), slug: 'computer-vision', name: 'Vision', parent: { slug: 'machine-learning' }, children: [] }, userErrors: [] });
    expect(await run.t.db.topic.findUniqueOrThrow({ where: { id: run.scenario.topics.cv.id } })).toMatchObject({ slug: 'computer-vision', name: 'Vision', parentId: run.scenario.topics.ml.id });
    expect(await events()).toEqual([
      expect.objectContaining({ actorId: alice.id, action: 'topic.update', paperId: null, topicId: run.scenario.topics.cv.id, createdAt: expect.any(Date) }),
    ]);
  });

  test('moves a topic under another parent, and to the root with parentId: null', async () => {
    const moved = await run.server.as(alice).data(UPDATE_TOPIC, { input: { topicId: topicId('nlp'), parentId: topicId('cv') } });
    expect(moved.updateTopic.topic).toMatchObject({ slug: 'nlp', name: 'Natural Language Processing', parent: { slug: 'computer-vision' } });
    const root = await run.server.as(alice).data(UPDATE_TOPIC, { input: { topicId: topicId('cv'), parentId: null } });
    expect(root.updateTopic.topic).toMatchObject({ slug: 'computer-vision', parent: null, children: [{ slug: 'nlp' }] });
    const { topic } = await run.server.data(`{ topic(slug: "machine-learning") { children { slug } } }`);
    expect(topic.children).toEqual([]);
    const rows = await run.t.db.topic.findMany({ orderBy: { id: 'asc' }, select: { slug: true, parentId: true } });
    expect(rows).toEqual([
      { slug: 'machine-learning', parentId: null },
      { slug: 'computer-vision', parentId: null },
      { slug: 'nlp', parentId: run.scenario.topics.cv.id },
    ]);
    expect((await events()).map((e) => [e.action, e.topicId])).toEqual([
      ['topic.update', run.scenario.topics.nlp.id],
      ['topic.update', run.scenario.topics.cv.id],
    ]);
  });

  test('nesting a topic under itself or one of its descendants is CYCLE, and nothing changes', async () => {
    const { createTopic } = await run.server.as(alice).data(CREATE_TOPIC, { input: { name: 'Segmentation', parentId: topicId('cv') } });
    const cycle = { field: ['input', 'parentId'], code: 'CYCLE', message: 'A topic cannot be nested under itself or its own sub-topics' };
    await expectRefused(alice, UPDATE_TOPIC, { input: { topicId: topicId('ml'), parentId: topicId('ml') } }, cycle);
    await expectRefused(alice, UPDATE_TOPIC, { input: { topicId: topicId('ml'), parentId: topicId('cv') } }, cycle);
    await expectRefused(alice, UPDATE_TOPIC, { input: { topicId: topicId('ml'), parentId: createTopic.topic.id, name: 'Renamed' } }, cycle);
    await expectRefused(alice, UPDATE_TOPIC, { input: { topicId: topicId('cv'), parentId: createTopic.topic.id } }, cycle);
  });

  test('a deep but acyclic tree is not a CYCLE', async () => {
    let parentId: string = topicId('ml');
    for (let depth = 1; depth <= 12; depth++) {
      const { createTopic } = await run.server.as(alice).data(CREATE_TOPIC, { input: { name: `Level ${depth}`, parentId } });
      expect(createTopic.userErrors).toEqual([]);
      parentId = createTopic.topic.id;
    }
    const { updateTopic } = await run.server.as(alice).data(UPDATE_TOPIC, { input: { topicId: topicId('nlp'), parentId } });
    expect(updateTopic.userErrors).toEqual([]);
    expect(updateTopic.topic.parent).toEqual({ slug: 'level-12' });
  });

  test('an unknown topic or parent is NOT_FOUND', async () => {
    await expectRefused(alice, UPDATE_TOPIC, { input: { topicId: toGlobalId('Topic', 999_999), name: 'Ghost' } }, {
      field: ['input', 'topicId'],
      code: 'NOT_FOUND',
      message: 'No topic has this topicId',
    });
    await expectRefused(alice, UPDATE_TOPIC, { input: { topicId: topicId('cv'), parentId: toGlobalId('Topic', 999_999) } }, {
      field: ['input', 'parentId'],
      code: 'NOT_FOUND',
      message: 'No topic has this parentId',
    });
  });

  test.each([
    ['empty', '', 'INVALID', 'name must not be empty'],
    ['whitespace only', '   ', 'INVALID', 'name must not be empty'],
    ['101 characters', 'n'.repeat(101), 'TOO_LONG', 'name must be at most 100 characters; got 101'],
    ['a NUL byte', 'Vision\u0000', 'INVALID', 'name must be plain text without control characters or broken Unicode'],
    ['a lone surrogate', '\udc00Vision', 'INVALID', 'name must be plain text without control characters or broken Unicode'],
  ])('a new name that is %s is refused, and the parent is not moved either', async (_name, name, code, message) => {
    await expectRefused(alice, UPDATE_TOPIC, { input: { topicId: topicId('cv'), name, parentId: null } }, { field: ['input', 'name'], code, message });
  });
});
