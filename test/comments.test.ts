// Comments: threads with one level of replies, Markdown rendered to sanitised HTML, the
// author-only edit window, soft delete, curators' hiding, the exact commentCount, the rate cost
// of posting, and the commentAdded subscription.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { renderComment } from '../src/catalog/comments/render.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { startTestHttp, userWithToken } from './helpers/server.ts';

// The HTTP app serves the commentAdded subscription, so it needs the live-event hub.
const run = setupTestRunner({ scenario: smallCatalog, events: true, http: { rateLimiter: null, subscriptions: {} } });

const ADD = `mutation($input: AddCommentInput!) {
  addComment(input: $input) { comment { id body bodyHtml state edited parent { id } author { handle } paper { commentCount } } userErrors { field code message } } }`;
const EDIT = `mutation($input: EditCommentInput!) { editComment(input: $input) { comment { id body bodyHtml edited editedAt } userErrors { field code message } } }`;
const DELETE = `mutation($id: ID!) { deleteComment(commentId: $id) { comment { id state body bodyHtml author { handle } } userErrors { field code message } } }`;
const HIDE = `mutation($id: ID!, $reason: String!) { hideComment(commentId: $id, reason: $reason) { comment { id state body hiddenReason } userErrors { field code message } } }`;
const THREAD = `query($id: ID!, $order: CommentOrder, $first: Int, $after: String) {
  node(id: $id) { ... on Paper { commentCount comments(orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { body state author { handle } replies { totalCount nodes { body state parent { body } } } } } } } }`;

const paperId = (i = 0) => toGlobalId('Paper', run.scenario.papers[i]!.id);

async function post(user: { id: number; handle: string; displayName: string; role: string; createdAt: Date }, input: Record<string, unknown>) {
  const result = await run.server.as(user as any).data(ADD, { input });
  expect(result.addComment.userErrors).toEqual([]);
  return result.addComment.comment as { id: string; body: string; bodyHtml: string };
}

/** Every paper's commentCount equals its comments neither deleted nor hidden. */
async function countsExact(): Promise<boolean> {
  const drift = await run.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM "Paper" p
    WHERE p."commentCount" <> (SELECT count(*) FROM "Comment" c WHERE c."paperId" = p.id AND c."deletedAt" IS NULL AND c."hiddenAt" IS NULL)`;
  return Number(drift[0]!.n) === 0;
}

test('a thread: top-level comments newest or oldest first, one level of replies, cursor pages, exact count', async () => {
  const { alice, bob } = run.scenario.users;
  const first = await post(bob, { paperId: paperId(), body: 'First!' });
  const second = await post(alice, { paperId: paperId(), body: 'Second' });
  await post(alice, { paperId: paperId(), body: 'Agreed', parentId: first.id });
  // Replying to a reply answers the same thread: one level only.
  const reply = await run.server.as(bob).data(ADD, { input: { paperId: paperId(), body: 'Thanks', parentId: (await run.db.comment.findFirstOrThrow({ where: { body: 'Agreed' } })).id && toGlobalId('Comment', (await run.db.comment.findFirstOrThrow({ where: { body: 'Agreed' } })).id) } });
  expect(reply.addComment.comment.parent).toEqual({ id: first.id });
  expect(reply.addComment.comment.paper).toEqual({ commentCount: 4 });

  const newest = (await run.server.data(THREAD, { id: paperId() })).node;
  expect(newest.commentCount).toBe(4);
  expect(newest.comments.totalCount).toBe(2);
  expect(newest.comments.nodes).toEqual([
    { body: 'Second', state: 'VISIBLE', author: { handle: 'alice' }, replies: { totalCount: 0, nodes: [] } },
    {
      body: 'First!',
      state: 'VISIBLE',
      author: { handle: 'bob' },
      replies: { totalCount: 2, nodes: [{ body: 'Agreed', state: 'VISIBLE', parent: { body: 'First!' } }, { body: 'Thanks', state: 'VISIBLE', parent: { body: 'First!' } }] },
    },
  ]);
  const oldest = (await run.server.data(THREAD, { id: paperId(), order: 'OLDEST', first: 1 })).node.comments;
  expect(oldest.nodes.map((c: { body: string }) => c.body)).toEqual(['First!']);
  expect(oldest.pageInfo.hasNextPage).toBe(true);
  const next = (await run.server.data(THREAD, { id: paperId(), order: 'OLDEST', first: 1, after: oldest.pageInfo.endCursor })).node.comments;
  expect(next.nodes.map((c: { body: string }) => c.body)).toEqual(['Second']);
  expect(next.pageInfo.hasNextPage).toBe(false);
  // A cursor of one order is refused by the other.
  const mixed = await run.server.gql(THREAD, { id: paperId(), order: 'NEWEST', first: 1, after: oldest.pageInfo.endCursor });
  expect(mixed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(second.body).toBe('Second');
  expect(await countsExact()).toBe(true);
});

test('bad input: unknown paper or parent, parent of another paper, empty or too long body; nothing is written', async () => {
  const { bob } = run.scenario.users;
  const other = await post(bob, { paperId: paperId(1), body: 'elsewhere' });
  const cases: [Record<string, unknown>, unknown][] = [
    [{ paperId: toGlobalId('Paper', 424242), body: 'x' }, { field: ['input', 'paperId'], code: 'NOT_FOUND', message: 'No paper has this id' }],
    [{ paperId: paperId(), body: 'x', parentId: other.id }, { field: ['input', 'parentId'], code: 'NOT_FOUND', message: 'No comment of this paper has this id' }],
    [{ paperId: paperId(), body: '   ' }, { field: ['input', 'body'], code: 'INVALID', message: 'body must not be empty' }],
    [{ paperId: paperId(), body: 'a'.repeat(10_001) }, { field: ['input', 'body'], code: 'TOO_LONG', message: 'body must be at most 10000 characters; got 10001' }],
  ];
  for (const [input, error] of cases) {
    expect((await run.server.as(bob).data(ADD, { input })).addComment).toEqual({ comment: null, userErrors: [error] });
  }
  expect(await run.db.comment.count()).toBe(1);
  expect((await post(bob, { paperId: paperId(), body: 'b'.repeat(10_000) })).body).toHaveLength(10_000);
  const bad = await run.server.as(bob).gql(ADD, { input: { paperId: paperId(), body: 'x', parentId: paperId() } });
  expect(bad.errors?.[0]).toMatchObject({ message: 'parentId must be the ID of a Comment; got the ID of a Paper', extensions: { code: 'BAD_USER_INPUT' } });
  expect(await countsExact()).toBe(true);
});

describe('Markdown is rendered to sanitised HTML', () => {
  // Payloads from the OWASP XSS filter evasion cheat sheet and the usual Markdown tricks.
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<svg/onload=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](  javascript:alert(1))',
    '[click](java&#x09;script:alert(1))',
    '[click](&#106;avascript:alert(1))',
    '[click](vbscript:msgbox(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '![x](data:image/png;base64,iVBORw0KGgo=)',
    '![x](https://tracker.example/pixel.gif)',
    '<a href="javascript:alert(1)">x</a>',
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    '<iframe src="https://evil.example"></iframe>',
    '<style>body{display:none}</style>',
    '`<script>alert(1)</script>`',
    '<details open ontoggle=alert(1)>',
    '[x]: javascript:alert(1)\n\n[link][x]',
    '<https://example.org/"onmouseover="alert(1)>',
    '[relative](/admin?delete=1)',
  ];
  test.each(payloads)('%s', (payload) => {
    const html = renderComment(payload);
    // Hostile text may remain as escaped text ("&lt;script&gt;"); no hostile markup does.
    expect(html).not.toMatch(/<(script|img|svg|iframe|style|details)/i);
    const tags = [...html.matchAll(/<([a-z0-9]+)([^>]*)>/gi)];
    for (const [, name, attributes] of tags) {
      expect(['p', 'a', 'code', 'pre', 'em', 'strong']).toContain(name);
      for (const [, attribute, value] of attributes!.matchAll(/\s([^\s=]+)(?:="([^"]*)")?/g)) {
        expect(['href', 'rel']).toContain(attribute);
        if (attribute === 'href') expect(value).toMatch(/^(https?:\/\/|mailto:)/);
      }
    }
    // Every `<` left in the text is escaped: only the tags above are markup.
    expect(html.replace(/<\/?[a-z0-9]+(\s[^>]*)?>/gi, '')).not.toContain('<');
  });

  test('ordinary Markdown comes out as expected, links marked as user content', () => {
    expect(renderComment('**Nice** _work_, see [the code](https://github.com/org/repo) and `x < y`')).toBe(
      '<p><strong>Nice</strong> <em>work</em>, see <a href="https://github.com/org/repo" rel="nofollow ugc noopener noreferrer">the code</a> and <code>x &lt; y</code></p>',
    );
    expect(renderComment('> quoted\n\n- a\n- b')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>');
  });

  test('the source is stored as written and the rendering beside it', async () => {
    const body = 'Look: <img src=x onerror=alert(1)> [me](javascript:alert(1))';
    const comment = await post(run.scenario.users.bob, { paperId: paperId(), body });
    expect(comment.body).toBe(body);
    expect(comment.bodyHtml).toBe('<p>Look: &lt;img src=x onerror=alert(1)&gt; [me](javascript:alert(1))</p>');
    const row = await run.db.comment.findFirstOrThrow();
    expect([row.body, row.bodyHtml]).toEqual([body, comment.bodyHtml]);
  });
});

test('editing: the author only, within 24 hours, marked edited and re-rendered', async () => {
  const { alice, bob } = run.scenario.users;
  const comment = await post(bob, { paperId: paperId(), body: 'tpyo' });
  const byOther = await run.server.as(alice).gql(EDIT, { input: { commentId: comment.id, body: 'hijacked' } });
  expect(byOther.errors?.[0]).toMatchObject({ message: 'Only the comment’s author can edit it', extensions: { code: 'FORBIDDEN' } });
  const unchanged = (await run.server.as(bob).data(EDIT, { input: { commentId: comment.id, body: 'tpyo' } })).editComment.comment;
  expect(unchanged).toMatchObject({ edited: false, editedAt: null });
  const edited = (await run.server.as(bob).data(EDIT, { input: { commentId: comment.id, body: '*typo*' } })).editComment;
  expect(edited).toMatchObject({ comment: { body: '*typo*', bodyHtml: '<p><em>typo</em></p>', edited: true }, userErrors: [] });
  expect(edited.comment.editedAt).not.toBeNull();
  expect(await run.db.comment.findFirstOrThrow()).toMatchObject({ body: '*typo*' });

  await run.db.comment.updateMany({ data: { createdAt: new Date(Date.now() - 24 * 3600_000 - 1000) } });
  const late = (await run.server.as(bob).data(EDIT, { input: { commentId: comment.id, body: 'later' } })).editComment;
  expect(late).toMatchObject({ comment: null, userErrors: [{ field: ['input', 'commentId'], code: 'EXPIRED' }] });
  expect(await run.db.comment.findFirstOrThrow()).toMatchObject({ body: '*typo*' });
  const canEdit = await run.server.as(bob).data(`query($id: ID!) { node(id: $id) { ... on Comment { viewerCanEdit } } }`, { id: comment.id });
  expect(canEdit.node).toEqual({ viewerCanEdit: false });
});

test('deleting is soft: the thread keeps a DELETED placeholder and its replies; author only; idempotent', async () => {
  const { alice, bob } = run.scenario.users;
  const top = await post(bob, { paperId: paperId(), body: 'regret' });
  await post(alice, { paperId: paperId(), body: 'reply', parentId: top.id });
  const byOther = await run.server.as(alice).gql(DELETE, { id: top.id });
  expect(byOther.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const deleted = (await run.server.as(bob).data(DELETE, { id: top.id })).deleteComment;
  expect(deleted).toEqual({ comment: { id: top.id, state: 'DELETED', body: null, bodyHtml: null, author: null }, userErrors: [] });
  expect((await run.server.as(bob).data(DELETE, { id: top.id })).deleteComment.comment.state).toBe('DELETED');
  const thread = (await run.server.data(THREAD, { id: paperId() })).node;
  expect(thread.commentCount).toBe(1);
  expect(thread.comments.nodes).toEqual([{ body: null, state: 'DELETED', author: null, replies: { totalCount: 1, nodes: [{ body: 'reply', state: 'VISIBLE', parent: { body: null } }] } }]);
  expect(await run.db.comment.count()).toBe(2);
  // A deleted comment takes no replies and no edits.
  expect((await run.server.as(alice).data(ADD, { input: { paperId: paperId(), body: 'x', parentId: top.id } })).addComment.userErrors[0].code).toBe('INVALID');
  expect((await run.server.as(bob).data(EDIT, { input: { commentId: top.id, body: 'x' } })).editComment.userErrors[0].code).toBe('INVALID');
  expect(await countsExact()).toBe(true);
});

test('hiding: curators only, with a reason, audited; readers see a HIDDEN placeholder, curators the body', async () => {
  const { alice, bob } = run.scenario.users;
  const spam = await post(bob, { paperId: paperId(), body: 'buy now' });
  const byReader = await run.server.as(bob).gql(HIDE, { id: spam.id, reason: 'spam' });
  expect(byReader.errors?.[0]).toMatchObject({ message: 'This needs the curator or admin role', extensions: { code: 'FORBIDDEN' } });
  const anonymous = await run.server.gql(HIDE, { id: spam.id, reason: 'spam' });
  expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect((await run.server.as(alice).data(HIDE, { id: spam.id, reason: ' ' })).hideComment.userErrors[0]).toMatchObject({ field: ['reason'], code: 'INVALID' });

  const hidden = (await run.server.as(alice).data(HIDE, { id: spam.id, reason: 'spam' })).hideComment;
  expect(hidden).toEqual({ comment: { id: spam.id, state: 'HIDDEN', body: 'buy now', hiddenReason: 'spam' }, userErrors: [] });
  expect((await run.server.as(alice).data(HIDE, { id: spam.id, reason: 'again' })).hideComment.comment.hiddenReason).toBe('spam');
  expect(await run.db.curationEvent.findMany({ select: { action: true, actorId: true, paperId: true, details: true } })).toEqual([
    { action: 'comment.hide', actorId: alice.id, paperId: run.scenario.papers[0]!.id, details: { commentId: (await run.db.comment.findFirstOrThrow()).id, reason: 'spam' } },
  ]);
  const asReader = (await run.server.as(bob).data(`query($id: ID!) { node(id: $id) { ... on Comment { state body bodyHtml author { handle } hiddenReason viewerCanEdit } } }`, { id: spam.id })).node;
  expect(asReader).toEqual({ state: 'HIDDEN', body: null, bodyHtml: null, author: null, hiddenReason: null, viewerCanEdit: false });
  expect((await run.server.as(bob).data(EDIT, { input: { commentId: spam.id, body: 'innocent' } })).editComment.userErrors[0].code).toBe('INVALID');
  expect((await run.server.data(THREAD, { id: paperId() })).node.commentCount).toBe(0);
  // Deleting a hidden comment does not take it from the count twice.
  await run.server.as(bob).data(DELETE, { id: spam.id });
  expect(await countsExact()).toBe(true);
  expect((await run.db.paper.findUniqueOrThrow({ where: { id: run.scenario.papers[0]!.id } })).commentCount).toBe(0);
});

test('comments of a hidden paper are not reachable, and it takes none', async () => {
  const { alice, bob } = run.scenario.users;
  const comment = await post(bob, { paperId: paperId(), body: 'hello' });
  await run.server.as(alice).data(`mutation($id: ID!) { hidePaper(paperId: $id) { paper { id } } }`, { id: paperId() });
  const read = `query($id: ID!) { node(id: $id) { ... on Comment { body } } }`;
  expect((await run.server.data(read, { id: comment.id })).node).toBeNull();
  expect((await run.server.as(bob).data(read, { id: comment.id })).node).toBeNull();
  expect((await run.server.as(bob).data(THREAD, { id: paperId() })).node).toBeNull();
  expect((await run.server.as(bob).data(ADD, { input: { paperId: paperId(), body: 'x' } })).addComment.userErrors[0]).toMatchObject({ code: 'NOT_FOUND' });
  expect((await run.server.as(bob).data(EDIT, { input: { commentId: comment.id, body: 'x' } })).editComment.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', message: 'No comment has this id' });
  expect((await run.server.as(bob).data(DELETE, { id: comment.id })).deleteComment.userErrors[0]).toMatchObject({ code: 'NOT_FOUND' });
  // Curators, who see the hidden paper, see its comments.
  expect((await run.server.as(alice).data(read, { id: comment.id })).node).toEqual({ body: 'hello' });
  expect(await run.db.comment.count()).toBe(1);
});

test('concurrent posting, deleting and hiding keep commentCount exact', async () => {
  const { alice, bob } = run.scenario.users;
  const seeded = [];
  for (let i = 0; i < 10; i++) seeded.push(await post(bob, { paperId: paperId(), body: `c${i}` }));
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) work.push(run.server.as(i % 2 ? alice : bob).data(ADD, { input: { paperId: paperId(), body: `n${i}` } }));
  for (const comment of seeded) {
    work.push(run.server.as(bob).data(DELETE, { id: comment.id }));
    work.push(run.server.as(alice).data(HIDE, { id: comment.id, reason: 'race' }));
  }
  await Promise.all(work);
  expect(await countsExact()).toBe(true);
  expect((await run.db.paper.findUniqueOrThrow({ where: { id: run.scenario.papers[0]!.id } })).commentCount).toBe(20);
});

test('a page of papers with their comments and replies costs a constant number of statements', async () => {
  const { bob } = run.scenario.users;
  const query = `query($first: Int) { papers(first: $first) { nodes { commentCount comments(first: 3) { totalCount nodes { body author { handle } replies(first: 3) { totalCount nodes { body author { handle } } } } } } } }`;
  for (let i = 0; i < 6; i++) {
    const top = await post(bob, { paperId: paperId(i), body: `top ${i}` });
    await post(bob, { paperId: paperId(i), body: `reply ${i}`, parentId: top.id });
  }
  const statements = async (first: number) => {
    run.t.queries.length = 0;
    const data = await run.server.data(query, { first });
    expect(data.papers.nodes).toHaveLength(first);
    return run.t.queries.length;
  };
  const two = await statements(2);
  const six = await statements(6);
  expect(six).toBe(two);
});

test('posting a comment costs more of the rate budget than reading comments', async () => {
  const { token } = await userWithToken(run.t, 'poster');
  // Rate limited, unlike the runner's app.
  const http = await startTestHttp(run.t, run.server);
  try {
    const read = await http.post(`query($id: ID!) { node(id: $id) { ... on Paper { comments(first: 10) { nodes { body author { handle } } } } } }`, { id: paperId() }, token);
    const write = await http.post(`mutation($id: ID!) { addComment(input: { paperId: $id, body: "hi" }) { comment { id } } }`, { id: paperId() }, token);
    const vote = await http.post(`mutation($id: ID!) { upvotePaper(paperId: $id) { paper { id } } }`, { id: paperId() }, token);
    expect(write.body.errors).toBeUndefined();
    console.log(`rate cost: read 10 comments ${read.cost?.requested}, addComment ${write.cost?.requested}, upvotePaper ${vote.cost?.requested}`);
    expect(write.cost!.requested).toBeGreaterThan(read.cost!.requested);
    expect(write.cost!.requested).toBeGreaterThan(vote.cost!.requested);
    expect(write.cost!.remaining).toBeLessThan(read.cost!.remaining! - read.cost!.requested);
  } finally {
    await http.close();
  }
});

describe('commentAdded subscription', () => {
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const client = () => {
    const c = createClient({ url: `${run.http.url.replace('http:', 'ws:')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    clients.push(c);
    return c;
  };
  const SUBSCRIBE = `subscription($id: ID!) { commentAdded(paperId: $id) { body bodyHtml author { handle } parent { body } } }`;

  test('announces comments and replies posted over HTTP on that paper only', async () => {
    const { token } = await userWithToken(run.t, 'poster');
    const events = client().iterate({ query: SUBSCRIBE, variables: { id: paperId() } });
    const next = events.next();
    // Posted until the subscription is listening (it starts asynchronously).
    const send = (body: string, id = paperId(), parentId?: string) =>
      fetch(`${run.http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`, variables: { input: { paperId: id, body, parentId } } }),
      }).then((r) => r.json() as Promise<any>);
    let first: IteratorResult<unknown> | undefined;
    const deadline = Date.now() + 5000;
    while (!first && Date.now() < deadline) {
      await send('elsewhere', paperId(1));
      const posted = await send('**hello**');
      first = await Promise.race([next, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
      if (!first) await run.db.comment.deleteMany({ where: { id: Number(Buffer.from(posted.data.addComment.comment.id, 'base64url').toString().split(':')[1]) } });
    }
    expect(first?.value).toEqual({ data: { commentAdded: { body: '**hello**', bodyHtml: '<p><strong>hello</strong></p>', author: { handle: 'poster' }, parent: null } } });
    const top = await run.db.comment.findFirstOrThrow({ where: { body: '**hello**' } });
    await send('a reply', paperId(), toGlobalId('Comment', top.id));
    expect((await events.next()).value).toEqual({ data: { commentAdded: { body: 'a reply', bodyHtml: '<p>a reply</p>', author: { handle: 'poster' }, parent: { body: '**hello**' } } } });
    await events.return?.();
  });

  test('a hidden paper cannot be watched', async () => {
    await run.db.paper.update({ where: { id: run.scenario.papers[0]!.id }, data: { hiddenAt: new Date() } });
    const events = client().iterate({ query: SUBSCRIBE, variables: { id: paperId() } });
    const result = await events.next();
    expect(result.value).toEqual({ errors: [expect.objectContaining({ message: 'No listed paper has this id', extensions: { code: 'BAD_USER_INPUT', argumentName: 'paperId' } })] });
  });
});
