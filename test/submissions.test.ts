// submitPaper and updatePaperLinks: who may call them, what they write, and how they refuse
// input at and beyond the limits (a user error naming the field, and nothing written).
import type { User } from '../src/generated/prisma/client.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import type { GqlResult } from './helpers/server.ts';

const run = setupTestRunner({ scenario: smallCatalog });
let alice: User; // curator, submitted papers[0] and papers[3]
let bob: User; // reader, submitted papers[1] and papers[4]
beforeEach(() => {
  ({ alice, bob } = run.scenario.users);
});

/** Every row a submission or a link change could touch: "nothing written" compares these. */
async function state() {
  return {
    papers: await run.t.db.paper.findMany({ orderBy: { id: 'asc' } }),
    authors: await run.t.db.author.findMany({ orderBy: { id: 'asc' } }),
    bylines: await run.t.db.paperAuthor.findMany({ orderBy: [{ paperId: 'asc' }, { position: 'asc' }] }),
    tags: await run.t.db.paperTopic.findMany({ orderBy: [{ paperId: 'asc' }, { topicId: 'asc' }] }),
    events: await run.t.db.curationEvent.findMany({ orderBy: { id: 'asc' } }),
  };
}

const reader = (handle: string) => run.t.db.user.create({ data: { handle, displayName: handle } });
const today = () => new Date().toISOString().slice(0, 10);
const paperId = (i: number) => toGlobalId('Paper', run.scenario.papers[i]!.id);

const SUBMIT = `mutation($input: SubmitPaperInput!) { submitPaper(input: $input) {
  paper { id arxivId title abstract publishedAt featuredOn githubRepo projectPage upvotes
          authors { id name } byline { position author { name } } topics { slug } submittedBy { handle } }
  userErrors { field code message existing { __typename id } } } }`;

const UPDATE_LINKS = `mutation($input: UpdatePaperLinksInput!) { updatePaperLinks(input: $input) {
  paper { id arxivId githubRepo projectPage }
  userErrors { field code message existing { id } } } }`;

const submission = (input: Record<string, unknown> = {}) => ({
  arxivId: '2501.01234',
  title: 'Sparse Mixtures of Tiny Experts',
  abstract: 'We route tokens to tiny experts.',
  authors: ['Brand New Author', 'Ada Lovelace'],
  ...input,
});

/** Asserts a refused submission: exactly this one user error, no paper, and no row written. */
async function expectRefused(as: User, input: Record<string, unknown>, error: { field: string[] | null; code: string; message?: string }) {
  const before = await state();
  const { submitPaper } = await run.server.as(as).data(SUBMIT, { input });
  expect(submitPaper.paper).toBeNull();
  expect(submitPaper.userErrors).toEqual([{ existing: null, message: expect.any(String), ...error }]);
  expect(await state()).toEqual(before);
  return submitPaper.userErrors[0] as { message: string };
}


function expectGraphQLError(result: GqlResult, code: string, message?: string) {
  expect(result.data).toBeNull();
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]!.extensions?.code).toBe(code);
  if (message !== undefined) expect(result.errors![0]!.message).toBe(message);
}

describe('submitPaper', () => {
  test('a signed-in reader lists a paper: featured today (UTC), submitted by them, authors in byline order', async () => {
    const before = Date.now();
    const { submitPaper } = await run.server.as(bob).data(SUBMIT, {
      input: submission({ title: '  Sparse Mixtures of Tiny Experts  ', authors: ['Grace Hopper', 'Brand New Author', 'Ada Lovelace'] }),
    });
    expect(submitPaper.userErrors).toEqual([]);
    const row = await run.t.db.paper.findUniqueOrThrow({ where: { arxivId: '2501.01234' } });
    expect(submitPaper.paper).toEqual({
      id: toGlobalId('Paper', row.id),
      arxivId: '2501.01234',
      title: 'Sparse Mixtures of Tiny Experts',
      abstract: 'We route tokens to tiny experts.',
      publishedAt: row.publishedAt.toISOString(),
      featuredOn: today(),
      githubRepo: null,
      projectPage: null,
      upvotes: 0,
      authors: [
        { id: toGlobalId('Author', run.scenario.authors.grace.id), name: 'Grace Hopper' },
        { id: expect.any(String), name: 'Brand New Author' },
        { id: toGlobalId('Author', run.scenario.authors.ada.id), name: 'Ada Lovelace' },
      ],
      byline: [
        { position: 0, author: { name: 'Grace Hopper' } },
        { position: 1, author: { name: 'Brand New Author' } },
        { position: 2, author: { name: 'Ada Lovelace' } },
      ],
      topics: [],
      submittedBy: { handle: 'bob' },
    });
    expect(row).toMatchObject({ submittedById: bob.id, featuredOn: new Date(`${today()}T00:00:00.000Z`), hiddenAt: null, upvoteCount: 0 });
    // publishedAt defaults to now.
    expect(row.publishedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.publishedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    // It is in the daily list, newest day first.
    const { papers } = await run.server.data(`{ papers(first: 1) { totalCount nodes { arxivId } } }`);
    expect(papers).toEqual({ totalCount: 7, nodes: [{ arxivId: '2501.01234' }] });
  });

  test('authors are matched to existing authors by normalised name; other names become new authors', async () => {
    const first = await run.server.as(bob).data(SUBMIT, {
      input: submission({ arxivId: '2501.00001', authors: ['  ALAN   TURING ', 'grace hopper', 'José García-López'] }),
    });
    expect(first.submitPaper.paper.authors).toEqual([
      { id: toGlobalId('Author', run.scenario.authors.alan.id), name: 'Alan Turing' },
      { id: toGlobalId('Author', run.scenario.authors.grace.id), name: 'Grace Hopper' },
      { id: expect.any(String), name: 'José García-López' },
    ]);
    const jose = await run.t.db.author.findUniqueOrThrow({ where: { normalizedName: 'jose garcia lopez' } });
    expect(jose.name).toBe('José García-López');
    expect(await run.t.db.author.count()).toBe(5);

    const second = await run.server.as(bob).data(SUBMIT, { input: submission({ arxivId: '2501.00002', authors: ['Jose Garcia Lopez', 'Yann LeCun'] }) });
    expect(second.submitPaper.paper.authors).toEqual([
      { id: toGlobalId('Author', jose.id), name: 'José García-López' },
      { id: toGlobalId('Author', run.scenario.authors.yann.id), name: 'Yann LeCun' },
    ]);
    expect(await run.t.db.author.count()).toBe(5);
    const { author } = await run.server.data(`query($id: ID!) { author(id: $id) { paperCount papers { nodes { arxivId } } } }`, { id: toGlobalId('Author', jose.id) });
    expect(author).toEqual({ paperCount: 2, papers: { nodes: [{ arxivId: '2501.00002' }, { arxivId: '2501.00001' }] } });
  });

  test('takes featuredOn, publishedAt, links and topic slugs from the input; a version suffix is dropped', async () => {
    const { submitPaper } = await run.server.as(bob).data(SUBMIT, {
      input: submission({
        arxivId: 'arXiv:2501.01234v3',
        featuredOn: '2024-07-05',
        publishedAt: '2024-06-30T12:00:00.000Z',
        githubRepo: 'github.com/Owner/Repo.git',
        projectPage: 'https://Example.org/tiny-experts',
        topics: ['NLP', ' computer-vision ', 'nlp'],
      }),
    });
    expect(submitPaper.userErrors).toEqual([]);
    expect(submitPaper.paper).toMatchObject({
      arxivId: '2501.01234',
      featuredOn: '2024-07-05',
      publishedAt: '2024-06-30T12:00:00.000Z',
      githubRepo: 'https://github.com/Owner/Repo',
      projectPage: 'https://example.org/tiny-experts',
      topics: [{ slug: 'computer-vision' }, { slug: 'nlp' }],
    });
    expect(await run.t.db.paperTopic.count({ where: { paper: { arxivId: '2501.01234' } } })).toBe(2);
    const { topic } = await run.server.data(`{ topic(slug: "nlp") { paperCount papers(first: 1) { nodes { arxivId } } } }`);
    expect(topic).toEqual({ paperCount: 3, papers: { nodes: [{ arxivId: '2501.01234' }] } });
  });

  test('a duplicate arXiv id, with or without a version, is DUPLICATE pointing at the existing paper, and writes nothing', async () => {
    for (const arxivId of ['2407.00001', '2407.00001v2', ' arXiv:2407.00001v10 ']) {
      const before = await state();
      const { submitPaper } = await run.server.as(bob).data(SUBMIT, { input: submission({ arxivId, authors: ['Someone Entirely New'] }) });
      expect(submitPaper).toEqual({
        paper: null,
        userErrors: [
          {
            field: ['input', 'arxivId'],
            code: 'DUPLICATE',
            message: 'The catalog already has arXiv paper 2407.00001',
            existing: { __typename: 'Paper', id: paperId(0) },
          },
        ],
      });
      expect(await state()).toEqual(before);
    }
    expect(await run.t.db.author.count({ where: { normalizedName: 'someone entirely new' } })).toBe(0);
  });

  test('a duplicate of a hidden paper does not show the hidden paper to a reader', async () => {
    await run.t.db.paper.update({ where: { id: run.scenario.papers[0]!.id }, data: { hiddenAt: new Date(), hiddenById: alice.id } });
    const query = `mutation($input: SubmitPaperInput!) { submitPaper(input: $input) {
      paper { id } userErrors { field code existing { id ... on Paper { title } } } } }`;
    const before = await state();
    const asReader = await run.server.as(bob).data(query, { input: submission({ arxivId: '2407.00001' }) });
    expect(asReader.submitPaper).toEqual({ paper: null, userErrors: [{ field: ['input', 'arxivId'], code: 'DUPLICATE', existing: null }] });
    const asCurator = await run.server.as(alice).data(query, { input: submission({ arxivId: '2407.00001' }) });
    expect(asCurator.submitPaper.userErrors[0].existing).toEqual({ id: paperId(0), title: 'Attention Is Still All You Need' });
    expect(await state()).toEqual(before);
  });

  test('simultaneous submissions of one paper make one paper; the others are told DUPLICATE', async () => {
    const versions = ['2501.01234', '2501.01234v1', '2501.01234v2', '2501.01234v3'];
    const results = await Promise.all(versions.map((arxivId) => run.server.as(bob).data(SUBMIT, { input: submission({ arxivId, authors: ['Racing Author'] }) })));
    const rows = await run.t.db.paper.findMany({ where: { arxivId: '2501.01234' } });
    expect(rows).toHaveLength(1);
    const created = results.filter((r) => r.submitPaper.paper !== null);
    expect(created).toHaveLength(1);
    expect(created[0]!.submitPaper.paper.id).toBe(toGlobalId('Paper', rows[0]!.id));
    for (const r of results.filter((r) => r.submitPaper.paper === null)) {
      expect(r.submitPaper.userErrors).toEqual([
        { field: ['input', 'arxivId'], code: 'DUPLICATE', message: 'The catalog already has arXiv paper 2501.01234', existing: { __typename: 'Paper', id: toGlobalId('Paper', rows[0]!.id) } },
      ]);
    }
    expect(await run.t.db.author.count({ where: { normalizedName: 'racing author' } })).toBe(1);
    expect(await run.t.db.paperAuthor.count({ where: { paperId: rows[0]!.id } })).toBe(1);
  });

  test('simultaneous submissions of different papers by one new author all succeed and share the author', async () => {
    const ids = ['2501.00011', '2501.00012', '2501.00013', '2501.00014', '2501.00015'];
    const results = await Promise.all(ids.map((arxivId) => run.server.as(bob).data(SUBMIT, { input: submission({ arxivId, authors: ['Prolific Newcomer', 'Yet Another Newcomer'] }) })));
    expect(results.map((r) => r.submitPaper.userErrors)).toEqual(ids.map(() => []));
    expect(await run.t.db.paper.count({ where: { arxivId: { in: ids } } })).toBe(5);
    const newcomers = await run.t.db.author.findMany({ where: { normalizedName: { in: ['prolific newcomer', 'yet another newcomer'] } } });
    expect(newcomers).toHaveLength(2);
    expect(await run.t.db.paperAuthor.count({ where: { authorId: { in: newcomers.map((a) => a.id) } } })).toBe(10);
  });

  test('at the limits: a 500-character title, a 10000-character multi-line abstract, 200 authors of 200 characters', async () => {
    const title = 'T'.repeat(500);
    const abstract = `${'a'.repeat(4999)}\n\n${'b'.repeat(4999)}`;
    const authors = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(3, '0')} ${'n'.repeat(196)}`);
    expect(abstract).toHaveLength(10_000);
    expect(authors[0]).toHaveLength(200);
    const { submitPaper } = await run.server.as(bob).data(SUBMIT, { input: submission({ title: `  ${title}  `, abstract, authors }) });
    expect(submitPaper.userErrors).toEqual([]);
    expect(submitPaper.paper.title).toBe(title);
    expect(submitPaper.paper.abstract).toBe(abstract);
    expect(submitPaper.paper.authors.map((a: { name: string }) => a.name)).toEqual(authors);
    expect(await run.t.db.paperAuthor.count({ where: { paper: { arxivId: '2501.01234' } } })).toBe(200);
  });

  test('anonymous callers are UNAUTHENTICATED and nothing is written', async () => {
    const before = await state();
    const result = await run.server.gql(SUBMIT, { input: submission() });
    expectGraphQLError(result, 'UNAUTHENTICATED', 'Sign in first: send an API token as Authorization: Bearer <token>');
    expect(await state()).toEqual(before);
  });

  describe('refuses with a user error naming the field, and writes nothing', () => {
    test.each([
      ['empty', '', ''],
      ['whitespace only', '   ', '   '],
      ['a word', 'hello', 'hello'],
      ['too many digits', '2406.1234567', '2406.1234567'],
      ['too few digits', '2406.123', '2406.123'],
      ['a version alone', 'v2', 'v2'],
      ['a URL', 'https://arxiv.org/abs/2406.12345', 'https://arxiv.org/abs/2406.12345'],
      ['a NUL byte', '2406.12345\u0000', '2406.12345\uFFFD'],
      ['very long', '2'.repeat(5000), `${'2'.repeat(40)}…`],
    ])('arxivId: %s', async (_name, arxivId, shown) => {
      await expectRefused(bob, submission({ arxivId }), {
        field: ['input', 'arxivId'],
        code: 'INVALID',
        message: `arxivId must look like 2406.12345 (optionally with a version, v2); got "${shown}"`,
      });
    });

    test('arxivId: a lone surrogate', async () => {
      await expectRefused(bob, submission({ arxivId: '2406.12345\ud800' }), { field: ['input', 'arxivId'], code: 'INVALID' });
    });

    const plainText = (field: string) => `${field} must be plain text without control characters or broken Unicode`;
    test.each([
      ['title', 'empty', '', 'INVALID', 'title must not be empty'],
      ['title', 'whitespace only', ' \t\n ', 'INVALID', 'title must not be empty'],
      ['title', '501 characters', 'x'.repeat(501), 'TOO_LONG', 'title must be at most 500 characters; got 501'],
      ['title', '600 characters inside spaces', `  ${'x'.repeat(600)}  `, 'TOO_LONG', 'title must be at most 500 characters; got 600'],
      ['title', 'a NUL byte', 'Nul\u0000byte', 'INVALID', plainText('title')],
      ['title', 'a lone high surrogate', 'Lone \ud800 surrogate', 'INVALID', plainText('title')],
      ['title', 'a lone low surrogate', 'Lone low \udc00 surrogate', 'INVALID', plainText('title')],
      ['title', 'a line break', 'Two\nlines', 'INVALID', plainText('title')],
      ['title', 'a control character', 'Bell\u0007', 'INVALID', plainText('title')],
      ['abstract', 'empty', '', 'INVALID', 'abstract must not be empty'],
      ['abstract', 'blank lines only', '\n\n   \n', 'INVALID', 'abstract must not be empty'],
      ['abstract', '10001 characters', 'y'.repeat(10_001), 'TOO_LONG', 'abstract must be at most 10000 characters; got 10001'],
      ['abstract', 'a NUL byte', 'Nul\u0000byte', 'INVALID', plainText('abstract')],
      ['abstract', 'a lone surrogate', 'Broken \ud83d Unicode', 'INVALID', plainText('abstract')],
    ])('%s: %s', async (field, _name, value, code, message) => {
      await expectRefused(bob, submission({ [field]: value }), { field: ['input', field], code, message });
    });

    test('authors: none', async () => {
      await expectRefused(bob, submission({ authors: [] }), { field: ['input', 'authors'], code: 'INVALID', message: 'authors must list 1 to 200 names; got 0' });
    });

    test('authors: 201 names is TOO_LONG', async () => {
      const authors = Array.from({ length: 201 }, (_, i) => `Author Number ${i}`);
      await expectRefused(bob, submission({ authors }), { field: ['input', 'authors'], code: 'TOO_LONG', message: 'authors must list 1 to 200 names; got 201' });
    });

    test.each([
      ['empty', '', 'INVALID'],
      ['whitespace only', '   ', 'INVALID'],
      ['201 characters', 'n'.repeat(201), 'TOO_LONG'],
      ['a NUL byte', 'Ada\u0000Lovelace', 'INVALID'],
      ['a lone surrogate', 'Ada \ud800', 'INVALID'],
      ['a line break', 'Ada\nLovelace', 'INVALID'],
    ])('an author name: %s, at its position in the byline', async (_name, name, code) => {
      await expectRefused(bob, submission({ authors: ['Ada Lovelace', 'Alan Turing', name] }), { field: ['input', 'authors', '2'], code });
    });

    test('an author name error message says it is about an author name, what is expected and what was received', async () => {
      const tooLong = await expectRefused(bob, submission({ authors: ['Ada Lovelace', 'n'.repeat(201)] }), { field: ['input', 'authors', '1'], code: 'TOO_LONG' });
      expect(tooLong.message).toMatch(/author/i);
      expect(tooLong.message).toMatch(/200\b.*\b201|201\b.*\b200/);
      const empty = await expectRefused(bob, submission({ authors: ['Ada Lovelace', '  '] }), { field: ['input', 'authors', '1'], code: 'INVALID' });
      expect(empty.message).toMatch(/author/i);
    });

    test('an author name without a letter or digit (it would match every other such name) is INVALID', async () => {
      await expectRefused(bob, submission({ authors: ['Ada Lovelace', '???'] }), { field: ['input', 'authors', '1'], code: 'INVALID' });
      await expectRefused(bob, submission({ authors: ['— . —'] }), { field: ['input', 'authors', '0'], code: 'INVALID' });
    });

    test.each([
      ['githubRepo', 'https://gitlab.com/owner/repo', 'githubRepo must be a GitHub repository URL like https://github.com/owner/repo; got "https://gitlab.com/owner/repo"'],
      ['githubRepo', 'javascript:alert(1)', 'githubRepo must be a GitHub repository URL like https://github.com/owner/repo; got "javascript:alert(1)"'],
      ['projectPage', 'javascript:alert(1)', 'projectPage must be an http(s) URL of at most 2048 characters; got "javascript:alert(1)"'],
      ['projectPage', 'ftp://example.org/paper.pdf', 'projectPage must be an http(s) URL of at most 2048 characters; got "ftp://example.org/paper.pdf"'],
    ])('%s: %s', async (field, value, message) => {
      await expectRefused(bob, submission({ [field]: value }), { field: ['input', field], code: 'INVALID', message });
    });

    test('an unknown topic slug is NOT_FOUND', async () => {
      await expectRefused(bob, submission({ topics: ['nlp', 'no-such-topic'] }), { field: ['input', 'topics'], code: 'NOT_FOUND', message: 'No topic has the slug "no-such-topic"' });
    });
  });
});

describe('updatePaperLinks', () => {
  test('the submitter sets the links; GitHub URLs are normalised; the change is recorded', async () => {
    const { updatePaperLinks } = await run.server.as(bob).data(UPDATE_LINKS, {
      input: { paperId: paperId(1), githubRepo: 'https://www.github.com/Owner/Diffusion/tree/main', projectPage: 'https://Example.org/diffusion' },
    });
    expect(updatePaperLinks).toEqual({
      paper: { id: paperId(1), arxivId: '2407.00002', githubRepo: 'https://github.com/Owner/Diffusion', projectPage: 'https://example.org/diffusion' },
      userErrors: [],
    });
    const row = await run.t.db.paper.findUniqueOrThrow({ where: { id: run.scenario.papers[1]!.id } });
    expect(row).toMatchObject({ githubRepo: 'https://github.com/Owner/Diffusion', projectPage: 'https://example.org/diffusion' });
    expect(await run.t.db.curationEvent.findMany()).toEqual([
      expect.objectContaining({ actorId: bob.id, action: 'paper.links', paperId: row.id, topicId: null, createdAt: expect.any(Date) }),
    ]);
  });

  test.each([
    ['github.com/Owner/Repo.git', 'https://github.com/Owner/Repo'],
    ['https://www.github.com/o/r/tree/main', 'https://github.com/o/r'],
    ['http://github.com/o/r/', 'https://github.com/o/r'],
    ['https://github.com/o/r.git/', 'https://github.com/o/r'],
    ['https://github.com/o/r?tab=readme-ov-file#usage', 'https://github.com/o/r'],
    ['https://github.com/huggingface/transformers/blob/main/README.md', 'https://github.com/huggingface/transformers'],
    ['  www.github.com/my-org/my.repo_name  ', 'https://github.com/my-org/my.repo_name'],
  ])('GitHub URL %s is stored as %s', async (given, stored) => {
    const { updatePaperLinks } = await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(2), githubRepo: given } });
    expect(updatePaperLinks).toMatchObject({ paper: { githubRepo: stored }, userErrors: [] });
    expect((await run.t.db.paper.findUniqueOrThrow({ where: { id: run.scenario.papers[2]!.id } })).githubRepo).toBe(stored);
  });

  test('an absent field is unchanged; null clears it', async () => {
    const id = run.scenario.papers[0]!.id;
    const links = async () => (await run.t.db.paper.findUniqueOrThrow({ where: { id }, select: { githubRepo: true, projectPage: true } }));
    await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(0), projectPage: 'https://attention.example.org/' } });
    expect(await links()).toEqual({ githubRepo: 'https://github.com/org/attention', projectPage: 'https://attention.example.org/' });
    await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(0), githubRepo: null } });
    expect(await links()).toEqual({ githubRepo: null, projectPage: 'https://attention.example.org/' });
    const { updatePaperLinks } = await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(0), projectPage: null } });
    expect(updatePaperLinks.paper).toMatchObject({ githubRepo: null, projectPage: null });
    expect(await links()).toEqual({ githubRepo: null, projectPage: null });
  });

  test('curators and admins may change any paper’s links', async () => {
    const admin = await run.t.db.user.create({ data: { handle: 'root', displayName: 'Root', role: 'ADMIN' } });
    await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(1), githubRepo: 'github.com/curated/one' } });
    await run.server.as(admin).data(UPDATE_LINKS, { input: { paperId: paperId(2), githubRepo: 'github.com/admin/two' } });
    const rows = await run.t.db.paper.findMany({ where: { id: { in: [run.scenario.papers[1]!.id, run.scenario.papers[2]!.id] } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.githubRepo)).toEqual(['https://github.com/curated/one', 'https://github.com/admin/two']);
    expect((await run.t.db.curationEvent.findMany({ orderBy: { id: 'asc' } })).map((e) => [e.actorId, e.action, e.paperId])).toEqual([
      [alice.id, 'paper.links', run.scenario.papers[1]!.id],
      [admin.id, 'paper.links', run.scenario.papers[2]!.id],
    ]);
  });

  test('any other reader is FORBIDDEN and nothing changes', async () => {
    const carol = await reader('carol');
    const before = await state();
    for (const [who, i] of [[carol, 1], [bob, 0], [bob, 2]] as const) {
      const result = await run.server.as(who).gql(UPDATE_LINKS, { input: { paperId: paperId(i), githubRepo: 'github.com/evil/repo', projectPage: null } });
      expectGraphQLError(result, 'FORBIDDEN', 'Only the paper’s submitter, curators and admins can change its links');
    }
    expect(await state()).toEqual(before);
  });

  test('anonymous callers are UNAUTHENTICATED and nothing changes', async () => {
    const before = await state();
    const result = await run.server.gql(UPDATE_LINKS, { input: { paperId: paperId(1), githubRepo: null } });
    expectGraphQLError(result, 'UNAUTHENTICATED');
    expect(await state()).toEqual(before);
  });

  describe('refuses a bad URL with a user error naming the field, and changes nothing', () => {
    const githubMessage = (shown: string) => `githubRepo must be a GitHub repository URL like https://github.com/owner/repo; got "${shown}"`;
    const webMessage = (shown: string) => `projectPage must be an http(s) URL of at most 2048 characters; got "${shown}"`;
    test.each([
      ['githubRepo', 'empty', '', githubMessage('')],
      ['githubRepo', 'whitespace only', '   ', githubMessage('   ')],
      ['githubRepo', 'an owner without a repository', 'https://github.com/owner-only', githubMessage('https://github.com/owner-only')],
      ['githubRepo', 'another forge', 'https://gitlab.com/o/r', githubMessage('https://gitlab.com/o/r')],
      ['githubRepo', 'a look-alike host', 'https://github.com.evil.example/o/r', githubMessage('https://github.com.evil.example/o/r')],
      ['githubRepo', 'github.com inside the path', 'https://evil.example/github.com/o/r', githubMessage('https://evil.example/github.com/o/r')],
      ['githubRepo', 'a javascript: URL (long, truncated)', 'javascript:alert(document.cookie)//github.com/o/r', githubMessage('javascript:alert(document.cookie)//githu…')],
      ['githubRepo', 'an ftp URL', 'ftp://github.com/o/r', githubMessage('ftp://github.com/o/r')],
      ['githubRepo', 'an ssh remote', 'git@github.com:o/r.git', githubMessage('git@github.com:o/r.git')],
      ['githubRepo', 'a NUL byte', 'https://github.com/o/r\u0000', githubMessage('https://github.com/o/r\uFFFD')],
      ['projectPage', 'empty', '', webMessage('')],
      ['projectPage', 'not a URL', 'not a url', webMessage('not a url')],
      ['projectPage', 'a javascript: URL', 'javascript:alert(1)', webMessage('javascript:alert(1)')],
      ['projectPage', 'an upper-case JAVASCRIPT: URL', 'JAVASCRIPT:alert(1)', webMessage('JAVASCRIPT:alert(1)')],
      ['projectPage', 'an ftp URL', 'ftp://example.org/paper.pdf', webMessage('ftp://example.org/paper.pdf')],
      ['projectPage', 'a data: URL', 'data:text/html,<script>alert(1)</script>', webMessage('data:text/html,<script>alert(1)</script>')],
      ['projectPage', 'a host without a dot', 'http://localhost:3000', webMessage('http://localhost:3000')],
      ['projectPage', 'over 2048 characters', `https://example.org/${'p'.repeat(2048)}`, webMessage(`https://example.org/${'p'.repeat(20)}…`)],
    ])('%s: %s', async (field, _name, value, message) => {
      const before = await state();
      const { updatePaperLinks } = await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(0), [field]: value } });
      expect(updatePaperLinks).toEqual({ paper: null, userErrors: [{ field: ['input', field], code: 'INVALID', message, existing: null }] });
      expect(await state()).toEqual(before);
    });

    test.each([
      ['a NUL byte', 'https://example.org/a\u0000b'],
      ['a leading NUL byte', '\u0000https://example.org/'],
      ['a lone surrogate', 'https://example.org/\ud800'],
    ])('projectPage with %s is INVALID', async (_name, value) => {
      const before = await state();
      const { updatePaperLinks } = await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(0), projectPage: value } });
      expect(updatePaperLinks.paper).toBeNull();
      expect(updatePaperLinks.userErrors).toMatchObject([{ field: ['input', 'projectPage'], code: 'INVALID' }]);
      expect(await state()).toEqual(before);
    });

    test('one bad field refuses the whole change', async () => {
      const before = await state();
      const { updatePaperLinks } = await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(0), githubRepo: 'github.com/good/repo', projectPage: 'ftp://bad.example.org' } });
      expect(updatePaperLinks.userErrors).toMatchObject([{ field: ['input', 'projectPage'], code: 'INVALID' }]);
      expect(await state()).toEqual(before);
    });
  });

  test('an unknown paper, or a hidden one for a reader (even its submitter), is NOT_FOUND; curators can still edit it', async () => {
    const before = await state();
    const unknown = await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: toGlobalId('Paper', 999_999), githubRepo: null } });
    expect(unknown.updatePaperLinks).toEqual({ paper: null, userErrors: [{ field: ['input', 'paperId'], code: 'NOT_FOUND', message: 'No paper has this id', existing: null }] });
    expect(await state()).toEqual(before);

    await run.t.db.paper.update({ where: { id: run.scenario.papers[1]!.id }, data: { hiddenAt: new Date(), hiddenById: alice.id } });
    const hidden = await state();
    const bySubmitter = await run.server.as(bob).data(UPDATE_LINKS, { input: { paperId: paperId(1), githubRepo: 'github.com/bob/diffusion' } });
    expect(bySubmitter.updatePaperLinks).toEqual({ paper: null, userErrors: [{ field: ['input', 'paperId'], code: 'NOT_FOUND', message: 'No paper has this id', existing: null }] });
    expect(await state()).toEqual(hidden);

    const byCurator = await run.server.as(alice).data(UPDATE_LINKS, { input: { paperId: paperId(1), githubRepo: 'github.com/curator/diffusion' } });
    expect(byCurator.updatePaperLinks).toMatchObject({ paper: { githubRepo: 'https://github.com/curator/diffusion' }, userErrors: [] });
  });

  test('a malformed or wrong-type paperId is BAD_USER_INPUT naming the argument', async () => {
    const before = await state();
    for (const [id, message] of [
      ['nope', 'paperId is not a valid ID: expected an id returned by this API; got "nope"'],
      ['', 'paperId is not a valid ID: expected an id returned by this API; got ""'],
      [toGlobalId('Topic', run.scenario.topics.nlp.id), 'paperId must be the ID of a Paper; got the ID of a Topic'],
    ]) {
      const result = await run.server.as(alice).gql(UPDATE_LINKS, { input: { paperId: id, githubRepo: null } });
      expectGraphQLError(result, 'BAD_USER_INPUT', message);
      expect(result.errors![0]!.extensions?.argumentName).toBe('paperId');
    }
    expect(await state()).toEqual(before);
  });
});
