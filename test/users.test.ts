import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectRoot } from '../src/platform/paths.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { hashToken, INVALID_TOKEN_MESSAGE } from '../src/catalog/users/tokens.ts';
import { until } from './helpers/wait.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { userWithToken } from './helpers/server.ts';

const run = setupTestRunner({ http: true });

const VIEWER = `{ viewer { handle role apiTokens { name prefix revokedAt } } }`;

test('viewer is null when anonymous and the user when signed in', async () => {
  expect((await run.http.post(VIEWER)).body).toEqual({ data: { viewer: null } });
  const { token } = await userWithToken(run.t, 'ada', 'CURATOR');
  const { status, body } = await run.http.post(VIEWER, {}, token);
  expect(status).toBe(200);
  expect(body.data?.viewer).toEqual({ handle: 'ada', role: 'CURATOR', apiTokens: [{ name: 'test', prefix: token.slice(0, 9), revokedAt: null }] });
});

test('a malformed, unknown or revoked token is 401 UNAUTHENTICATED with one message for all', async () => {
  const { token, apiToken } = await userWithToken(run.t, 'ada');
  await run.db.apiToken.update({ where: { id: apiToken.id }, data: { revokedAt: new Date() } });
  const unknown = `pc_${'A'.repeat(43)}`;
  for (const header of [`Bearer ${token}`, `Bearer ${unknown}`, 'Bearer short', 'Basic abc', `Bearer ${token}x`, 'Bearer \u0000']) {
    const response = await fetch(`${run.http.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: header.replace('\u0000', '%00') },
      body: JSON.stringify({ query: '{ viewer { handle } }' }),
    });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.errors).toEqual([{ message: INVALID_TOKEN_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(body.data).toBeUndefined();
  }
});

test('tokens: created through the API, stored only hashed, used, listed, revoked mid-session', async () => {
  const { token: first } = await userWithToken(run.t, 'ada');
  const created = await run.http.post(`mutation { createApiToken(name: "laptop") { token apiToken { id name prefix lastUsedAt revokedAt } userErrors { code } } }`, {}, first);
  const { token, apiToken } = created.body.data!.createApiToken;
  expect(token).toMatch(/^pc_[A-Za-z0-9_-]{43}$/);
  expect(apiToken).toMatchObject({ name: 'laptop', prefix: token.slice(0, 9), lastUsedAt: null, revokedAt: null });

  // Only the hash is in the database.
  const rows = await run.db.apiToken.findMany();
  expect(rows.some((row) => JSON.stringify(row).includes(token))).toBe(false);
  expect(rows.map((row) => row.tokenHash)).toContain(hashToken(token));

  // The new token works and records its use.
  expect((await run.http.post(`{ viewer { handle } }`, {}, token)).body.data).toEqual({ viewer: { handle: 'ada' } });
  await until(async () => (await run.db.apiToken.findFirst({ where: { name: 'laptop' } }))!.lastUsedAt !== null, "the new token's lastUsedAt");

  // Revoked with the first token, while the second is "in use": its next request is refused.
  const revoked = await run.http.post(`mutation($id: ID!) { revokeApiToken(id: $id) { apiToken { revokedAt } userErrors { code } } }`, { id: apiToken.id }, first);
  expect(revoked.body.data!.revokeApiToken.apiToken.revokedAt).toEqual(expect.any(String));
  const after = await run.http.post(`{ viewer { handle } }`, {}, token);
  expect(after.status).toBe(401);
  expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  // ...while the first still works.
  expect((await run.http.post(`{ viewer { handle } }`, {}, first)).status).toBe(200);
});

test("someone else's tokens can neither be seen nor revoked, nor told apart from missing ones", async () => {
  const ada = await userWithToken(run.t, 'ada');
  const bob = await userWithToken(run.t, 'bob', 'ADMIN');
  const adaUser = toGlobalId('User', ada.user.id);
  const seen = await run.http.post(`query($id: ID!) { node(id: $id) { ... on User { handle apiTokens { name } } } }`, { id: adaUser }, bob.token);
  expect(seen.body.data).toEqual({ node: { handle: 'ada', apiTokens: null } });
  const tokenNode = await run.http.post(`query($id: ID!) { node(id: $id) { id } }`, { id: toGlobalId('ApiToken', ada.apiToken.id) }, bob.token);
  expect(tokenNode.body.data).toEqual({ node: null });

  const mutation = `mutation($id: ID!) { revokeApiToken(id: $id) { apiToken { id } userErrors { field code message } } }`;
  const theirs = await run.http.post(mutation, { id: toGlobalId('ApiToken', ada.apiToken.id) }, bob.token);
  const missing = await run.http.post(mutation, { id: toGlobalId('ApiToken', 999999) }, bob.token);
  expect(theirs.body.data).toEqual(missing.body.data);
  expect(theirs.body.data!.revokeApiToken).toEqual({ apiToken: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND', message: 'You have no token with this id' }] });
  expect((await run.db.apiToken.findUnique({ where: { id: ada.apiToken.id } }))!.revokedAt).toBeNull();
});

test('createApiToken validates its name at the limits', async () => {
  const { user } = await userWithToken(run.t, 'ada');
  const create = (name: string) => run.server.as(user).data(`mutation($n: String!) { createApiToken(name: $n) { token userErrors { field code message } } }`, { n: name });
  expect((await create('   ')).createApiToken).toEqual({ token: null, userErrors: [{ field: ['name'], code: 'INVALID', message: 'name must not be empty' }] });
  expect((await create('x'.repeat(101))).createApiToken.userErrors).toEqual([{ field: ['name'], code: 'TOO_LONG', message: 'name must be at most 100 characters; got 101' }]);
  expect((await create('a\u0000b')).createApiToken.userErrors[0].code).toBe('INVALID');
  expect((await create('x'.repeat(100))).createApiToken.token).toEqual(expect.any(String));
  expect(await run.db.apiToken.count()).toBe(2);
});

test('npm run user:create makes the first admin and prints a working token once', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [`${projectRoot}/node_modules/tsx/dist/cli.mjs`, 'src/cli/users.ts', '--handle', 'Root', '--role', 'admin', '--name', 'The Admin'],
    { cwd: projectRoot, env: { ...process.env, DATABASE_URL: run.t.url } },
  );
  const token = stdout.trim();
  expect(token).toMatch(/^pc_[A-Za-z0-9_-]{43}$/);
  expect(stderr).toContain('User "root" (admin)');
  const { body } = await run.http.post(`{ viewer { handle displayName role } }`, {}, token);
  expect(body.data).toEqual({ viewer: { handle: 'root', displayName: 'The Admin', role: 'ADMIN' } });

  await expect(promisify(execFile)(process.execPath, [`${projectRoot}/node_modules/tsx/dist/cli.mjs`, 'src/cli/users.ts', '--handle', 'x y'], { cwd: projectRoot, env: { ...process.env, DATABASE_URL: run.t.url } })).rejects.toMatchObject({ code: 2 });
});
