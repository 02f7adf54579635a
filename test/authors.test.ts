// Authors: claims with ORCID (checked, decided by curators), merging (old global ids keep
// working) and splitting, each audited as a CurationEvent in the same transaction.
import type { User } from '../src/generated/prisma/client.ts';
import { MOVED_AUTHOR_REFERENCES } from '../src/catalog/authors/merge.ts';
import { checkOrcid, orcidCheckCharacter } from '../src/catalog/authors/orcid.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import type { Db } from '../src/platform/db/client.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';

/** The small catalog, and a second reader: two readers may claim one author. */
async function catalogWithCarol(db: Db) {
  const catalog = await smallCatalog(db);
  const carol = await db.user.create({ data: { handle: 'carol', displayName: 'Carol Reader' } });
  return { ...catalog, users: { ...catalog.users, carol } };
}

const run = setupTestRunner({ scenario: catalogWithCarol });
let alice: User; // curator
let bob: User; // reader
let carol: User; // reader
beforeEach(() => {
  ({ alice, bob, carol } = run.scenario.users);
});

const VALID = '0000-0002-1825-0097'; // ORCID's own example iD (Josiah Carberry)
const VALID_X = '0000-0002-1694-233X';
const USER_ERRORS = `userErrors { field code message existing { __typename id } }`;
const CLAIM_FIELDS = `id status orcid reason author { id name orcid claimedBy { handle } } user { handle } decidedBy { handle } decidedAt`;
const CLAIM = `mutation($input: ClaimAuthorInput!) { claimAuthor(input: $input) { claim { ${CLAIM_FIELDS} } ${USER_ERRORS} } }`;
const APPROVE = `mutation($id: ID!) { approveAuthorClaim(claimId: $id) { claim { ${CLAIM_FIELDS} } ${USER_ERRORS} } }`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectAuthorClaim(claimId: $id, reason: $reason) { claim { ${CLAIM_FIELDS} } ${USER_ERRORS} } }`;
const PENDING = `query($first: Int, $after: String) { pendingAuthorClaims(first: $first, after: $after) { totalCount nodes { id user { handle } author { name } orcid } pageInfo { hasNextPage endCursor } } }`;
const MERGE = `mutation($keep: ID!, $remove: ID!) { mergeAuthors(input: { keepAuthorId: $keep, removeAuthorId: $remove }) { author { id name paperCount orcid } ${USER_ERRORS} } }`;
const SPLIT = `mutation($input: SplitAuthorInput!) { splitAuthor(input: $input) { author { id name paperCount } newAuthor { id name paperCount papers { nodes { arxivId } } } ${USER_ERRORS} } }`;
const AUTHOR = `query($id: ID!) { author(id: $id) { id name paperCount orcid claimedBy { handle } papers(orderBy: { field: PUBLISHED_AT, direction: ASC }) { nodes { arxivId upvotes } } } }`;

const author = (name: 'ada' | 'alan' | 'grace' | 'yann') => run.scenario.authors[name];
const authorGid = (id: number) => toGlobalId('Author', id);

/** Every row these mutations could touch: "nothing written" compares these. */
async function state() {
  return {
    authors: await run.db.author.findMany({ orderBy: { id: 'asc' } }),
    bylines: await run.db.paperAuthor.findMany({ orderBy: [{ paperId: 'asc' }, { position: 'asc' }] }),
    claims: await run.db.authorClaim.findMany({ orderBy: { id: 'asc' } }),
    aliases: await run.db.authorAlias.findMany({ orderBy: { id: 'asc' } }),
    votes: await run.db.vote.findMany({ orderBy: [{ userId: 'asc' }, { paperId: 'asc' }] }),
    events: await run.db.curationEvent.findMany({ orderBy: { id: 'asc' } }),
    papers: await run.db.paper.findMany({ orderBy: { id: 'asc' }, select: { id: true, updatedAt: true } }),
  };
}

/** Makes the next CurationEvent insert fail, as a crash after every other step would. */
async function breakAuditTrail() {
  await run.db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit trail unavailable (test)'; END $$`);
  await run.db.$executeRawUnsafe(`CREATE TRIGGER test_fail_audit BEFORE INSERT ON "CurationEvent" FOR EACH ROW EXECUTE FUNCTION test_fail_audit()`);
}
async function repairAuditTrail() {
  await run.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_fail_audit ON "CurationEvent"`);
}

describe('ORCID iDs', () => {
  test.each([
    [VALID, VALID],
    [VALID_X, VALID_X],
    ['0000-0002-1694-233x', VALID_X],
    ['0000000218250097', VALID],
    [`https://orcid.org/${VALID}`, VALID],
    [`  orcid.org/${VALID}/ `, VALID],
  ])('%s is valid, as %s', (input, canonical) => {
    expect(checkOrcid(input)).toEqual({ ok: true, orcid: canonical });
  });

  test.each([
    ['0000-0002-1825-0098', /check digit does not match.*would be 7/],
    ['0000-0002-1825-009X', /check digit/],
    ['0000-0002-1694-2330', /would be X/],
    ['0000-0002-1825', /expected an ORCID iD/],
    ['0000-0002-1825-00977', /expected an ORCID iD/],
    ['X000-0002-1825-0097', /expected an ORCID iD/],
    ['https://example.org/0000-0002-1825-0097', /expected an ORCID iD/],
    ['', /expected an ORCID iD/],
  ])('%s is refused', (input, problem) => {
    const result = checkOrcid(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(problem);
  });

  test('the check character is ISO 7064 MOD 11-2', () => {
    expect(orcidCheckCharacter('000000021825009')).toBe('7');
    expect(orcidCheckCharacter('000000021694233')).toBe('X');
    expect(orcidCheckCharacter('000000015109370')).toBe('0'); // 0000-0001-5109-3700
  });
});

describe('claims', () => {
  async function claim(user: User, who: 'ada' | 'alan', orcid = VALID) {
    return run.server.as(user).gql(CLAIM, { input: { authorId: authorGid(author(who).id), orcid } });
  }

  test('a claim waits, a curator approves, and the author and its papers show it', async () => {
    const sent = await claim(bob, 'ada', `https://orcid.org/${VALID}`);
    expect(sent.errors).toBeUndefined();
    const pending = sent.data.claimAuthor.claim;
    expect(sent.data.claimAuthor).toMatchObject({ userErrors: [], claim: { status: 'PENDING', orcid: VALID, reason: null, decidedBy: null, user: { handle: 'bob' }, author: { name: 'Ada Lovelace', orcid: null, claimedBy: null } } });

    const list = await run.server.as(alice).data(PENDING);
    expect(list.pendingAuthorClaims).toMatchObject({ totalCount: 1, nodes: [{ id: pending.id, user: { handle: 'bob' }, author: { name: 'Ada Lovelace' }, orcid: VALID }] });

    const approved = await run.server.as(alice).data(APPROVE, { id: pending.id });
    expect(approved.approveAuthorClaim).toMatchObject({ userErrors: [], claim: { status: 'APPROVED', decidedBy: { handle: 'alice' }, author: { orcid: VALID, claimedBy: { handle: 'bob' } } } });
    expect((await run.server.as(alice).data(PENDING)).pendingAuthorClaims.totalCount).toBe(0);

    // The author's papers show it, to anyone.
    const paper = await run.server.data(`{ paper(arxivId: "2407.00001") { authors { name orcid claimedBy { handle } } byline { author { orcid } } } }`);
    expect(paper.paper.authors).toEqual([
      { name: 'Ada Lovelace', orcid: VALID, claimedBy: { handle: 'bob' } },
      { name: 'Alan Turing', orcid: null, claimedBy: null },
      { name: 'Grace Hopper', orcid: null, claimedBy: null },
    ]);
    expect(paper.paper.byline[0].author.orcid).toBe(VALID);

    const events = await run.db.curationEvent.findMany();
    expect(events).toMatchObject([{ actorId: alice.id, action: 'author.claim.approve', authorId: author('ada').id, details: { userId: bob.id, orcid: VALID } }]);
  });

  test('a bad ORCID iD is a userError and nothing is written', async () => {
    const before = await state();
    for (const orcid of ['0000-0002-1825-0098', '1234']) {
      const result = await claim(bob, 'ada', orcid);
      expect(result.data.claimAuthor.claim).toBeNull();
      expect(result.data.claimAuthor.userErrors).toEqual([
        { field: ['input', 'orcid'], code: 'INVALID', message: expect.stringContaining(`got "${orcid}"`), existing: null },
      ]);
    }
    expect(await state()).toEqual(before);
  });

  test('one claim per user and author; a claimed author refuses further claims', async () => {
    const first = (await claim(bob, 'ada')).data.claimAuthor.claim;
    const again = await claim(bob, 'ada', VALID_X);
    expect(again.data.claimAuthor).toMatchObject({ claim: null, userErrors: [{ code: 'DUPLICATE', field: ['input', 'authorId'] }] });
    expect(await run.db.authorClaim.count()).toBe(1);

    await run.server.as(alice).data(APPROVE, { id: first.id });
    const other = await claim(carol, 'ada', VALID_X);
    expect(other.data.claimAuthor).toMatchObject({ claim: null, userErrors: [{ code: 'ALREADY_CLAIMED', message: 'Ada Lovelace is already claimed (by another user, approved by a curator)' }] });
    expect(await run.db.authorClaim.count()).toBe(1);
  });

  test('two pending claims on one author: the second approval is refused and changes nothing', async () => {
    const b = (await claim(bob, 'ada')).data.claimAuthor.claim;
    const c = (await claim(carol, 'ada', VALID_X)).data.claimAuthor.claim;
    await run.server.as(alice).data(APPROVE, { id: b.id });
    const before = await state();
    const second = await run.server.as(alice).gql(APPROVE, { id: c.id });
    expect(second.data.approveAuthorClaim).toMatchObject({ claim: null, userErrors: [{ code: 'ALREADY_CLAIMED', field: ['claimId'] }] });
    expect(await state()).toEqual(before); // carol's claim is still PENDING, no event
    expect((await run.db.authorClaim.findUniqueOrThrow({ where: { id: Number(Buffer.from(c.id, 'base64url').toString().split(':')[1]) } })).status).toBe('PENDING');
  });

  test('two curators approving two claims on one author at once: exactly one wins', async () => {
    const dave = await run.db.user.create({ data: { handle: 'dave', displayName: 'Dave Curator', role: 'CURATOR' } });
    const b = (await claim(bob, 'ada')).data.claimAuthor.claim;
    const c = (await claim(carol, 'ada', VALID_X)).data.claimAuthor.claim;
    const results = await Promise.all([run.server.as(alice).data(APPROVE, { id: b.id }), run.server.as(dave).data(APPROVE, { id: c.id })]);
    const codes = results.map((r) => r.approveAuthorClaim.userErrors.map((e: { code: string }) => e.code).join() || 'APPROVED').sort();
    expect(codes).toEqual(['ALREADY_CLAIMED', 'APPROVED']);
    expect(await run.db.authorClaim.count({ where: { status: 'APPROVED' } })).toBe(1);
    expect(await run.db.curationEvent.count()).toBe(1);
  });

  test('a rejected claim carries the reason, and may be sent again', async () => {
    const sent = (await claim(carol, 'alan', VALID_X)).data.claimAuthor.claim;
    const rejected = await run.server.as(alice).data(REJECT, { id: sent.id, reason: 'This ORCID record names someone else' });
    expect(rejected.rejectAuthorClaim.claim).toMatchObject({ status: 'REJECTED', reason: 'This ORCID record names someone else', decidedBy: { handle: 'alice' }, author: { orcid: null } });
    // Answering it twice is refused.
    const twice = await run.server.as(alice).data(APPROVE, { id: sent.id });
    expect(twice.approveAuthorClaim).toMatchObject({ claim: null, userErrors: [{ code: 'INVALID', message: 'Only a pending claim can be answered; this one is REJECTED' }] });

    // The claimant sees the answer on her own claims; nobody else does.
    const MINE = `query($id: ID!) { node(id: $id) { ... on User { authorClaims { status reason author { name } } } } }`;
    expect((await run.server.as(carol).data(MINE, { id: toGlobalId('User', carol.id) })).node.authorClaims).toEqual([
      { status: 'REJECTED', reason: 'This ORCID record names someone else', author: { name: 'Alan Turing' } },
    ]);
    expect((await run.server.as(bob).data(MINE, { id: toGlobalId('User', carol.id) })).node.authorClaims).toBeNull();

    const resent = await claim(carol, 'alan', VALID);
    expect(resent.data.claimAuthor).toMatchObject({ userErrors: [], claim: { id: sent.id, status: 'PENDING', orcid: VALID, reason: null, decidedBy: null } });
    expect((await run.db.curationEvent.findMany()).map((e) => e.action)).toEqual(['author.claim.reject']);
  });

  test('a rejection needs a reason', async () => {
    const sent = (await claim(bob, 'ada')).data.claimAuthor.claim;
    const result = await run.server.as(alice).data(REJECT, { id: sent.id, reason: '  ' });
    expect(result.rejectAuthorClaim).toMatchObject({ claim: null, userErrors: [{ field: ['reason'], code: 'INVALID', message: 'reason must not be empty' }] });
  });

  test('only curators list and answer claims; a claim is seen by its claimant and curators only', async () => {
    const sent = (await claim(bob, 'ada')).data.claimAuthor.claim;
    for (const viewer of [bob, carol]) {
      expect((await run.server.as(viewer).gql(PENDING)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await run.server.as(viewer).gql(APPROVE, { id: sent.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await run.server.as(viewer).gql(REJECT, { id: sent.id, reason: 'no' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await run.server.gql(PENDING)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await run.server.gql(CLAIM, { input: { authorId: authorGid(author('ada').id), orcid: VALID } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await run.db.curationEvent.count()).toBe(0);

    const NODE = `query($id: ID!) { node(id: $id) { __typename ... on AuthorClaim { status orcid } } }`;
    expect((await run.server.as(bob).data(NODE, { id: sent.id })).node).toEqual({ __typename: 'AuthorClaim', status: 'PENDING', orcid: VALID });
    expect((await run.server.as(alice).data(NODE, { id: sent.id })).node).toMatchObject({ __typename: 'AuthorClaim' });
    expect((await run.server.as(carol).data(NODE, { id: sent.id })).node).toBeNull();
    expect((await run.server.data(NODE, { id: sent.id })).node).toBeNull();
  });

  test('nobody approves their own claim: FORBIDDEN and nothing written; another curator may', async () => {
    const own = (await claim(alice, 'ada')).data.claimAuthor.claim;
    expect(own).toMatchObject({ status: 'PENDING', user: { handle: 'alice' } });
    const before = await state();
    const refused = await run.server.as(alice).gql(APPROVE, { id: own.id });
    expect(refused.errors).toMatchObject([{ message: 'You cannot approve your own author claim: another curator or an admin must decide it', extensions: { code: 'FORBIDDEN' } }]);
    expect(refused.data).toBeNull();
    expect(await state()).toEqual(before);

    // An admin is held to the same rule.
    const dana = await run.db.user.create({ data: { handle: 'dana', displayName: 'Dana Admin', role: 'ADMIN' } });
    const danas = (await claim(dana, 'alan')).data.claimAuthor.claim;
    expect((await run.server.as(dana).gql(APPROVE, { id: danas.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Another curator (or admin) decides it as any other claim.
    const approved = await run.server.as(dana).data(APPROVE, { id: own.id });
    expect(approved.approveAuthorClaim).toMatchObject({ userErrors: [], claim: { status: 'APPROVED', decidedBy: { handle: 'dana' }, author: { orcid: VALID, claimedBy: { handle: 'alice' } } } });
    expect(await run.db.curationEvent.findMany()).toMatchObject([{ actorId: dana.id, action: 'author.claim.approve', details: { userId: alice.id } }]);
  });

  test('pendingAuthorClaims pages by keyset, oldest first', async () => {
    await claim(bob, 'ada');
    await claim(carol, 'ada', VALID_X);
    await claim(carol, 'alan');
    const first = (await run.server.as(alice).data(PENDING, { first: 2 })).pendingAuthorClaims;
    expect(first.nodes.map((n: any) => `${n.user.handle}:${n.author.name}`)).toEqual(['bob:Ada Lovelace', 'carol:Ada Lovelace']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await run.server.as(alice).data(PENDING, { first: 2, after: first.pageInfo.endCursor })).pendingAuthorClaims;
    expect(second.nodes.map((n: any) => `${n.user.handle}:${n.author.name}`)).toEqual(['carol:Alan Turing']);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });
});

describe('merging', () => {
  /** "A. Lovelace": the same person as Ada Lovelace, kept apart by name matching. */
  async function variant(name = 'A. Lovelace', arxivId = '2408.00001') {
    const row = await run.db.author.create({ data: { name, normalizedName: name.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim() } });
    const paper = await run.db.paper.create({
      data: {
        arxivId,
        title: `Notes by ${name}`,
        abstract: 'On the analytical engine.',
        publishedAt: new Date('2024-08-01T12:00:00Z'),
        featuredOn: new Date('2024-08-02T00:00:00Z'),
        upvoteCount: 2,
        authors: { create: [{ authorId: row.id, position: 0 }] },
        votes: { create: [{ userId: bob.id }, { userId: carol.id }] },
      },
    });
    return { author: row, paper };
  }

  test('bylines and votes move, the old global id resolves to the survivor, and it is audited', async () => {
    const { author: removed, paper } = await variant();
    const oldId = authorGid(removed.id);
    const ada = author('ada');
    const before = (await run.server.data(AUTHOR, { id: authorGid(ada.id) })).author;
    expect(before.paperCount).toBe(3);

    const result = await run.server.as(alice).data(MERGE, { keep: authorGid(ada.id), remove: oldId });
    expect(result.mergeAuthors).toEqual({ userErrors: [], author: { id: authorGid(ada.id), name: 'Ada Lovelace', paperCount: 4, orcid: null } });

    // The old global id: node, author, filter.author all lead to the survivor.
    const viaOld = (await run.server.data(AUTHOR, { id: oldId })).author;
    expect(viaOld.id).toBe(authorGid(ada.id));
    expect(viaOld.papers.nodes).toContainEqual({ arxivId: '2408.00001', upvotes: 2 });
    const node = await run.server.data(`query($id: ID!) { node(id: $id) { __typename id ... on Author { name } } }`, { id: oldId });
    expect(node.node).toEqual({ __typename: 'Author', id: authorGid(ada.id), name: 'Ada Lovelace' });
    const filtered = await run.server.data(`query($a: ID!) { papers(filter: { author: $a }) { totalCount } }`, { a: oldId });
    expect(filtered.papers.totalCount).toBe(4);

    // Votes belong to the papers, which came along: counts and rows unchanged.
    expect(await run.db.vote.count({ where: { paperId: paper.id } })).toBe(2);
    expect(await run.db.author.findUnique({ where: { id: removed.id } })).toBeNull();
    expect(await run.db.authorAlias.findMany()).toMatchObject([{ id: removed.id, authorId: ada.id, normalizedName: 'a lovelace' }]);
    // The byline's search document follows the survivor's name.
    const search = await run.server.data(`{ papers(query: "Lovelace", filter: { featuredOn: "2024-08-02" }) { nodes { arxivId authors { name } } } }`);
    expect(search.papers.nodes).toEqual([{ arxivId: '2408.00001', authors: [{ name: 'Ada Lovelace' }] }]);

    const events = await run.db.curationEvent.findMany();
    expect(events).toMatchObject([{ actorId: alice.id, action: 'author.merge', authorId: ada.id, details: { removedAuthorId: removed.id, removedName: 'A. Lovelace', papers: [paper.id], votesOnMovedPapers: 2 } }]);
  });

  test('follows of the removed author move to the survivor, one per user', async () => {
    const { author: removed } = await variant();
    const ada = author('ada');
    await run.db.follow.createMany({ data: [{ userId: bob.id, authorId: removed.id }, { userId: carol.id, authorId: removed.id }, { userId: carol.id, authorId: ada.id }] });
    const result = await run.server.as(alice).data(MERGE, { keep: authorGid(ada.id), remove: authorGid(removed.id) });
    expect(result.mergeAuthors.userErrors).toEqual([]);
    const follows = await run.db.follow.findMany({ orderBy: { userId: 'asc' }, select: { userId: true, authorId: true } });
    expect(follows).toEqual([{ userId: bob.id, authorId: ada.id }, { userId: carol.id, authorId: ada.id }]);
  });

  test('after a merge, the removed spelling joins the survivor instead of coming back', async () => {
    const { author: removed } = await variant();
    await run.server.as(alice).data(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(removed.id) });
    const submitted = await run.server.as(bob).data(`mutation { submitPaper(input: { arxivId: "2409.00001", title: "More notes", abstract: "A.", authors: ["A. Lovelace", "New Person"] }) { paper { authors { id name } } userErrors { code } } }`);
    expect(submitted.submitPaper.paper.authors[0]).toEqual({ id: authorGid(author('ada').id), name: 'Ada Lovelace' });
    expect(await run.db.author.count({ where: { normalizedName: 'a lovelace' } })).toBe(0);
  });

  test('a merge of the survivor re-points older aliases: every old id keeps resolving', async () => {
    const first = await variant('A. Lovelace', '2408.00001');
    const second = await variant('Augusta Ada King', '2408.00002');
    const ada = author('ada');
    await run.server.as(alice).data(MERGE, { keep: authorGid(ada.id), remove: authorGid(first.author.id) });
    // Now Ada Lovelace herself is merged into "Augusta Ada King".
    const result = await run.server.as(alice).data(MERGE, { keep: authorGid(second.author.id), remove: authorGid(ada.id) });
    expect(result.mergeAuthors).toMatchObject({ userErrors: [], author: { name: 'Augusta Ada King', paperCount: 5 } });
    for (const old of [first.author.id, ada.id]) {
      expect((await run.server.data(AUTHOR, { id: authorGid(old) })).author).toMatchObject({ id: authorGid(second.author.id), paperCount: 5 });
    }
    expect((await run.db.authorAlias.findMany({ orderBy: { id: 'asc' } })).map((a) => [a.id, a.authorId])).toEqual(
      [[ada.id, second.author.id], [first.author.id, second.author.id]].sort((a, b) => a[0]! - b[0]!),
    );
    // Merging an author with one of its own old ids is no merge.
    const self = await run.server.as(alice).data(MERGE, { keep: authorGid(second.author.id), remove: authorGid(first.author.id) });
    expect(self.mergeAuthors).toMatchObject({ author: null, userErrors: [{ code: 'INVALID', message: expect.stringContaining('one author already') }] });
  });

  test('the approved claim moves to the survivor; two different ORCID iDs refuse the merge', async () => {
    const { author: removed } = await variant();
    await run.db.author.update({ where: { id: removed.id }, data: { orcid: VALID, claimedById: bob.id } });
    await run.db.authorClaim.create({ data: { authorId: removed.id, userId: bob.id, orcid: VALID, status: 'APPROVED' } });
    await run.db.authorClaim.create({ data: { authorId: removed.id, userId: carol.id, orcid: VALID_X } });
    await run.db.authorClaim.create({ data: { authorId: author('ada').id, userId: carol.id, orcid: VALID_X } });
    const merged = await run.server.as(alice).data(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(removed.id) });
    expect(merged.mergeAuthors.author.orcid).toBe(VALID);
    // bob's claim moved; carol's on the removed author was dropped (she claimed the survivor too).
    expect((await run.db.authorClaim.findMany({ orderBy: { userId: 'asc' } })).map((c) => [c.userId, c.authorId, c.status])).toEqual([
      [bob.id, author('ada').id, 'APPROVED'],
      [carol.id, author('ada').id, 'PENDING'],
    ]);
    expect((await run.db.curationEvent.findFirstOrThrow()).details).toMatchObject({ claimsMoved: 1, claimsDropped: 1, claimMoved: true });

    const other = await variant('Ada Lovelace Byron', '2408.00003');
    await run.db.author.update({ where: { id: other.author.id }, data: { orcid: VALID_X, claimedById: carol.id } });
    const before = await state();
    const refused = await run.server.as(alice).data(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(other.author.id) });
    expect(refused.mergeAuthors).toMatchObject({ author: null, userErrors: [{ code: 'INVALID', message: `Both authors are claimed, with ORCID iDs ${VALID} and ${VALID_X}: two people, not merged` }] });
    expect(await state()).toEqual(before);
  });

  test('two authors on one byline are two people: refused, nothing written', async () => {
    const before = await state();
    const result = await run.server.as(alice).data(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(author('alan').id) });
    expect(result.mergeAuthors).toEqual({
      author: null,
      userErrors: [{ field: ['input', 'removeAuthorId'], code: 'INVALID', message: 'Ada Lovelace and Alan Turing are both on the byline of arXiv 2407.00001: two people, not merged', existing: null }],
    });
    expect(await state()).toEqual(before);
  });

  test('unknown and wrong ids', async () => {
    const unknown = await run.server.as(alice).data(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(9999) });
    expect(unknown.mergeAuthors).toMatchObject({ author: null, userErrors: [{ field: ['input', 'removeAuthorId'], code: 'NOT_FOUND' }] });
    const same = await run.server.as(alice).data(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(author('ada').id) });
    expect(same.mergeAuthors).toMatchObject({ author: null, userErrors: [{ code: 'INVALID' }] });
    const wrongType = await run.server.as(alice).gql(MERGE, { keep: authorGid(author('ada').id), remove: toGlobalId('Paper', 1) });
    expect(wrongType.errors?.[0]).toMatchObject({ message: 'input.removeAuthorId must be the ID of a Author; got the ID of a Paper', extensions: { code: 'BAD_USER_INPUT' } });
  });

  test('all or nothing: a failure at the last step (the audit) undoes every move', async () => {
    const { author: removed } = await variant();
    const before = await state();
    await breakAuditTrail();
    try {
      const result = await run.server.as(alice).gql(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(removed.id) });
      expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(result)).not.toContain('audit trail unavailable');
    } finally {
      await repairAuditTrail();
    }
    expect(await state()).toEqual(before);
    expect((await run.server.data(AUTHOR, { id: authorGid(removed.id) })).author.id).toBe(authorGid(removed.id));
  });

  test('readers cannot merge', async () => {
    const { author: removed } = await variant();
    const before = await state();
    const result = await run.server.as(bob).gql(MERGE, { keep: authorGid(author('ada').id), remove: authorGid(removed.id) });
    expect(result.errors?.[0]).toMatchObject({ message: 'This needs the curator or admin role', extensions: { code: 'FORBIDDEN' } });
    expect(await state()).toEqual(before);
  });

  test('every foreign key to Author is a step of the merge (a new one must be moved, not cascaded away)', async () => {
    const rows = await run.db.$queryRaw<{ ref: string }[]>`
      SELECT c.conrelid::regclass::text || '.' || a.attname AS ref
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
      WHERE c.contype = 'f' AND c.confrelid = '"Author"'::regclass`;
    expect(rows.map((r) => r.ref.replaceAll('"', '')).sort()).toEqual([...MOVED_AUTHOR_REFERENCES].sort());
  });
});

describe('splitting', () => {
  const yannPapers = () => run.scenario.papers.filter((p) => ['2407.00002', '2407.00004', '2407.00006'].includes(p.arxivId));

  test('the given papers move to a new author, numbered DBLP-style; audited', async () => {
    const yann = author('yann');
    const [diffusion] = yannPapers();
    const result = await run.server.as(alice).data(SPLIT, { input: { authorId: authorGid(yann.id), paperIds: [toGlobalId('Paper', diffusion!.id)] } });
    expect(result.splitAuthor).toMatchObject({
      userErrors: [],
      author: { id: authorGid(yann.id), name: 'Yann LeCun', paperCount: 2 },
      newAuthor: { name: 'Yann LeCun 0002', paperCount: 1, papers: { nodes: [{ arxivId: '2407.00002' }] } },
    });
    const paper = await run.server.data(`{ paper(arxivId: "2407.00002") { authors { id name } } }`);
    expect(paper.paper.authors).toEqual([{ id: result.splitAuthor.newAuthor.id, name: 'Yann LeCun 0002' }]);
    const created = await run.db.author.findFirstOrThrow({ where: { name: 'Yann LeCun 0002' } });
    expect(await run.db.curationEvent.findMany()).toMatchObject([{ action: 'author.split', actorId: alice.id, authorId: yann.id, details: { newAuthorId: created.id, papers: [diffusion!.id] } }]);

    // A second split takes the next free number; a given name is used as given.
    const [, vit] = yannPapers();
    const again = await run.server.as(alice).data(SPLIT, { input: { authorId: authorGid(yann.id), paperIds: [toGlobalId('Paper', vit!.id)], name: 'Yann LeCun (NYU)' } });
    expect(again.splitAuthor.newAuthor).toMatchObject({ name: 'Yann LeCun (NYU)', paperCount: 1 });
  });

  test('refusals: a paper not on the byline, every paper, a name taken; nothing written', async () => {
    const yann = author('yann');
    const before = await state();
    const stranger = run.scenario.papers.find((p) => p.arxivId === '2407.00001')!;
    const cases = [
      [{ paperIds: [toGlobalId('Paper', yannPapers()[0]!.id), toGlobalId('Paper', stranger.id)] }, { field: ['input', 'paperIds', '1'], code: 'INVALID', message: `Paper ${toGlobalId('Paper', stranger.id)} does not list Yann LeCun on its byline` }],
      [{ paperIds: yannPapers().map((p) => toGlobalId('Paper', p.id)) }, { field: ['input', 'paperIds'], code: 'INVALID', message: "These are all of Yann LeCun's papers: leave at least one with the author" }],
      [{ paperIds: [toGlobalId('Paper', yannPapers()[0]!.id)], name: 'alan  TURING' }, { field: ['input', 'name'], code: 'DUPLICATE', existing: { __typename: 'Author', id: authorGid(author('alan').id) } }],
      [{ paperIds: [] }, { field: ['input', 'paperIds'], code: 'INVALID' }],
    ] as const;
    for (const [input, error] of cases) {
      const result = await run.server.as(alice).data(SPLIT, { input: { authorId: authorGid(yann.id), ...input } });
      expect(result.splitAuthor).toMatchObject({ author: null, newAuthor: null, userErrors: [error] });
    }
    expect(await state()).toEqual(before);
  });

  test('all or nothing: a failure at the audit leaves the author whole', async () => {
    const before = await state();
    await breakAuditTrail();
    try {
      const result = await run.server.as(alice).gql(SPLIT, { input: { authorId: authorGid(author('yann').id), paperIds: [toGlobalId('Paper', yannPapers()[0]!.id)] } });
      expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    } finally {
      await repairAuditTrail();
    }
    expect(await state()).toEqual(before);
  });

  test('readers cannot split', async () => {
    const result = await run.server.as(bob).gql(SPLIT, { input: { authorId: authorGid(author('yann').id), paperIds: [toGlobalId('Paper', yannPapers()[0]!.id)] } });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await run.db.author.count()).toBe(4);
  });
});
