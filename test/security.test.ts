// Hostile input over real HTTP, against the production configuration. Every request here gets
// a clear 4xx or a GraphQL error with a code, never a 500, a stack trace or a database message;
// after each one the server still answers a normal query; and nothing is written.
import { randomBytes } from 'node:crypto';
import { createDb } from '../src/platform/db/client.ts';
import { memoryStore, RateLimiter, type RateLimitStore } from '../src/http/rate-limit/limiter.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { testPlatform } from './helpers/database.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { createTestServer, startTestHttp, userWithToken, type TestHttp, type TestServer } from './helpers/server.ts';

const PRODUCTION = { NODE_ENV: 'production', LOG_LEVEL: 'silent' };

const run = setupTestRunner({ scenario: smallCatalog, env: PRODUCTION, http: true, reset: 'once' });
let token: string;
let rowsBefore: Record<string, number>;

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await run.db.$queryRaw<{ name: string }[]>`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    counts[name] = (await run.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${name}`))[0]!.n;
  }
  return counts;
}

beforeAll(async () => {
  ({ token } = await userWithToken(run.t, 'mallory'));
  rowsBefore = await rowCounts();
});

interface Sent {
  status: number;
  text: string;
  body: any;
}

async function send(body: string | Uint8Array, init: { contentType?: string | null; token?: string; method?: string; search?: string } = {}): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (init.contentType !== null) headers['content-type'] = init.contentType ?? 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const method = init.method ?? 'POST';
  if (method === 'GET') headers['apollo-require-preflight'] = 'true';
  const response = await fetch(`${run.http.url}/graphql${init.search ?? ''}`, { method, headers, ...(method === 'GET' ? {} : { body: body as BodyInit }) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, text, body: parsed };
}

const json = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ query, variables, ...extra });

const nest = (levels: number) => `{ topics { nodes { ${'children { '.repeat(levels)}name${' }'.repeat(levels)} } } }`;

/** Each fragment spreads the one before twice: 2^25 copies of the first once expanded. */
const fragmentBomb = () => {
  const fragments = ['fragment F0 on Query { topics(first: 1) { totalCount } }'];
  for (let i = 1; i <= 25; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
  return `{ ...F25 } ${fragments.join(' ')}`;
};

interface HostileCase {
  name: string;
  request: () => Promise<Sent>;
  status: number;
  code: string;
  message?: RegExp;
}

const cases: HostileCase[] = [
  // Shape of the document
  { name: 'deep nesting', request: () => send(json(nest(30))), status: 400, code: 'QUERY_TOO_DEEP', message: /nests fields 33 levels deep; the limit is 10/ },
  {
    name: 'deep nesting through a chain of fragments',
    request: () => {
      const chain = Array.from({ length: 15 }, (_, i) => `fragment C${i} on Topic { children { ${i < 14 ? `...C${i + 1}` : 'name'} } }`).join(' ');
      return send(json(`{ topics { nodes { ...C0 } } } ${chain}`));
    },
    status: 400,
    code: 'QUERY_TOO_DEEP',
  },
  { name: 'alias bomb', request: () => send(json(`{ ${Array.from({ length: 100 }, (_, i) => `a${i}: topics { totalCount }`).join(' ')} }`)), status: 400, code: 'TOO_MANY_ALIASES', message: /uses 100 aliases; the limit is 15/ },
  { name: 'alias bomb of __typename (too many tokens)', request: () => send(json(`{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ')} }`)), status: 400, code: 'QUERY_TOO_LARGE', message: /more than 2000 tokens/ },
  { name: 'fragment bomb (2^25 expansions)', request: () => send(json(fragmentBomb())), status: 400, code: 'QUERY_TOO_COSTLY', message: /expands to more than 10000 field selections/ },
  {
    name: 'fragment cycle',
    request: () => send(json('{ ...A } fragment A on Query { topics { totalCount } ...B } fragment B on Query { ...A }')),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot spread fragment "A" within itself/,
  },
  { name: 'directive bomb', request: () => send(json(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __typename @include(if: true)`).join(' ')} }`)), status: 400, code: 'TOO_MANY_DIRECTIVES', message: /uses 60 directives; the limit is 50/ },
  { name: 'oversized document (characters)', request: () => send(json(`{ __typename } # ${'x'.repeat(30_000)}`)), status: 400, code: 'QUERY_TOO_LARGE', message: /30017 characters long; the limit is 20000/ },
  { name: 'oversized document (tokens)', request: () => send(json(`{ topics { nodes { ${'name '.repeat(3000)}} } }`)), status: 400, code: 'QUERY_TOO_LARGE', message: /more than 2000 tokens/ },
  { name: 'oversized body', request: () => send(json(`{ __typename } # ${'x'.repeat(2_000_000)}`)), status: 413, code: 'BAD_REQUEST' },
  { name: 'oversized variables', request: () => send(json('query ($s: String!) { topic(slug: $s) { name } }', { s: 'x'.repeat(2_000_000) })), status: 413, code: 'BAD_REQUEST' },
  {
    name: 'variables nested 200 000 deep',
    request: () => send(`{"query":"query ($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`),
    status: 400,
    code: 'BAD_REQUEST',
    message: /nests more than 64 levels/,
  },
  {
    name: 'an undeclared variable nested 5000 deep',
    request: () => send(`{"query":"{ __typename }","variables":{"x":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`),
    status: 400,
    code: 'BAD_REQUEST',
    message: /nests more than 64 levels/,
  },
  {
    name: 'GET variables nested 1000 deep',
    request: () => send('', { method: 'GET', search: `?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent(`{"x":${'['.repeat(1_000)}${']'.repeat(1_000)}}`)}` }),
    status: 400,
    code: 'BAD_REQUEST',
  },

  // Cost and page sizes
  {
    name: 'nested connections past the cost limit',
    request: () => send(json('{ papers(first: 100) { nodes { authors { papers(first: 100) { nodes { title } } } } } }')),
    status: 400,
    code: 'QUERY_TOO_COSTLY',
    message: /costs 10301 points; the limit is 1000/,
  },
  { name: 'a list argument of 5000 ids', request: () => send(json('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 5000 }, (_, i) => toGlobalId('Paper', i + 1)) })), status: 400, code: 'QUERY_TOO_COSTLY' },
  { name: 'huge first', request: () => send(json('{ papers(first: 1000000) { nodes { title } } }')), status: 200, code: 'BAD_USER_INPUT', message: /first must be between 1 and 100; got 1000000/ },
  { name: 'negative last', request: () => send(json('{ papers(last: -5) { nodes { title } } }')), status: 200, code: 'BAD_USER_INPUT', message: /last must be between 1 and 100/ },
  { name: 'first beyond 32 bits', request: () => send(json('{ papers(first: 4294967296) { totalCount } }')), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /Int cannot represent non 32-bit signed integer/ },
  { name: 'first beyond 32 bits in a variable', request: () => send(json('query ($n: Int) { papers(first: $n) { totalCount } }', { n: 2 ** 40 })), status: 400, code: 'BAD_USER_INPUT' },

  // HTTP body and content type
  { name: 'malformed JSON', request: () => send('{"query": "{ __typename }"'), status: 400, code: 'BAD_REQUEST', message: /not valid JSON/ },
  { name: 'JSON that is not an object', request: () => send('"{ __typename }"'), status: 400, code: 'BAD_REQUEST' },
  { name: 'a query that is not a string', request: () => send('{"query": {"kind": "Document"}}'), status: 400, code: 'BAD_REQUEST' },
  { name: 'an empty body', request: () => send(''), status: 400, code: 'BAD_REQUEST' },
  { name: 'text/plain (a CSRF-able simple request)', request: () => send(json('{ __typename }'), { contentType: 'text/plain' }), status: 400, code: 'BAD_REQUEST' },
  { name: 'a form post', request: () => send('query=%7B__typename%7D', { contentType: 'application/x-www-form-urlencoded' }), status: 400, code: 'BAD_REQUEST' },
  { name: 'multipart/form-data', request: () => send('--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n--x--', { contentType: 'multipart/form-data; boundary=x' }), status: 400, code: 'BAD_REQUEST' },
  { name: 'no content type', request: () => send(json('{ __typename }'), { contentType: null }), status: 400, code: 'BAD_REQUEST' },
  { name: 'application/xml', request: () => send('<query/>', { contentType: 'application/xml' }), status: 400, code: 'BAD_REQUEST' },
  { name: 'batched operations (a JSON array)', request: () => send(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }])), status: 400, code: 'BAD_REQUEST', message: /not supported: send one operation per request/ },
  { name: 'an unknown operationName', request: () => send(json('query A { __typename } query B { __typename }', undefined, { operationName: 'C' })), status: 400, code: 'OPERATION_RESOLUTION_FAILURE' },
  { name: 'an unknown operationName of a one-operation document', request: () => send(json('query A { __typename }', undefined, { operationName: 'B' })), status: 400, code: 'OPERATION_RESOLUTION_FAILURE', message: /operationName "B" names no operation of the document; it has: A/ },

  // Cursors and ids
  { name: 'a cursor that is not one', request: () => send(json('{ papers(first: 2, after: "!!not-a-cursor!!") { totalCount } }')), status: 200, code: 'BAD_USER_INPUT', message: /after is not a cursor of this list/ },
  { name: "another list's cursor", request: () => send(json(`{ papers(first: 2, after: "${Buffer.from(JSON.stringify(['topics:name', 'x', 1])).toString('base64url')}") { totalCount } }`)), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'an id that is not one', request: () => send(json('{ node(id: "not an id") { id } }')), status: 200, code: 'BAD_USER_INPUT', message: /id is not a valid ID/ },
  { name: 'an id past 32 bits', request: () => send(json(`{ node(id: "${Buffer.from('Paper:99999999999').toString('base64url')}") { id } }`)), status: 200, code: 'BAD_USER_INPUT' },
  { name: "an id of the wrong type", request: () => send(json(`{ paper(id: "${toGlobalId('Topic', 1)}") { title } }`)), status: 200, code: 'BAD_USER_INPUT', message: /must be the ID of a Paper/ },

  // NUL and broken Unicode
  { name: 'NUL in a variable', request: () => send(json('query ($s: String!) { topic(slug: $s) { name } }', { s: 'nlp\u0000' })), status: 400, code: 'BAD_USER_INPUT', message: /control characters \(but tab and line breaks\) or unpaired UTF-16 surrogates; found one in \$s/ },
  { name: 'an escape sequence (ESC) in a variable', request: () => send(json('query ($s: String!) { topic(slug: $s) { name } }', { s: 'nlp\u001b[2J' })), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'NUL in a string literal (escaped)', request: () => send(json('{ topic(slug: "nlp\\u0000") { name } }')), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'a raw NUL in a string of the document', request: () => send(json('{ topic(slug: "nlp\u0000") { name } }')), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'a raw NUL outside strings', request: () => send(json('{ topic\u0000(slug: "nlp") { name } }')), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'a lone surrogate in a variable', request: () => send(json('query ($s: String!) { topic(slug: $s) { name } }', { s: 'nlp\ud800' })), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'a lone surrogate nested in variables', request: () => send(json('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ['a', '\udc00b'] })), status: 400, code: 'BAD_USER_INPUT', message: /\$ids\[1\]/ },
  { name: 'a lone surrogate in the raw JSON body', request: () => send('{"query": "{ topic(slug: \\"nlp\\ud800\\") { name } }"}'), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'a lone surrogate as a GraphQL escape', request: () => send(json('{ topic(slug: "nlp\\ud800") { name } }')), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'invalid UTF-8 bytes', request: () => send(new Uint8Array([...Buffer.from('{"query": "{ topic(slug: \\"'), 0xff, 0xfe, ...Buffer.from('\\") { name } }"}')])), status: 400, code: 'BAD_REQUEST', message: /not valid UTF-8/ },

  // Writes
  { name: 'a mutation over GET', request: () => send('', { method: 'GET', search: `?query=${encodeURIComponent('mutation { createApiToken(name: "x") { token } }')}`, token }), status: 405, code: 'BAD_REQUEST' },
  { name: 'an alias bomb of mutations', request: () => send(json(`mutation { ${Array.from({ length: 20 }, (_, i) => `t${i}: createApiToken(name: "t${i}") { token }`).join(' ')} }`), { token }), status: 400, code: 'TOO_MANY_ALIASES' },
  { name: 'batched mutations', request: () => send(JSON.stringify([{ query: 'mutation { createApiToken(name: "a") { token } }' }]), { token }), status: 400, code: 'BAD_REQUEST' },
  { name: 'introspection in production', request: () => send(json('{ __schema { types { name } } }')), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /introspection/i },
];

const LEAKS = /stacktrace|prisma|postgres|SELECT |INSERT |ECONN|\bat .+:\d+:\d+|node_modules|Did you mean/i;

describe('hostile input', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const started = performance.now();
    const response = await hostile.request();
    const ms = performance.now() - started;
    expect([hostile.name, response.status]).toEqual([hostile.name, hostile.status]);
    expect(response.body?.errors?.[0]?.extensions?.code).toBe(hostile.code);
    if (hostile.message) expect(response.body.errors[0].message).toMatch(hostile.message);
    expect(response.text).not.toMatch(LEAKS);
    expect(response.text.length).toBeLessThan(2000);
    // Refused fast: the limits run before anything is fetched.
    expect(ms).toBeLessThan(2000);

    const normal = await send(json('{ papers(first: 2) { nodes { arxivId } } }'));
    expect(normal.status).toBe(200);
    expect(normal.body.data.papers.nodes).toHaveLength(2);
  });
});

test('costs are remembered per document, yet follow page sizes and refuse bad variables every time', async () => {
  const query = 'query ($n: Int, $q: String) { papers(first: $n, query: $q) { nodes { arxivId authors { name } } } }';
  const costOf = async (variables: Record<string, unknown>) => (await run.http.post(query, variables)).cost?.requested;
  // 1 + n x (1 + 1): the same document, costed anew when the page size changes.
  expect(await costOf({ n: 5 })).toBe(11);
  expect(await costOf({ n: 50 })).toBe(101);
  // A search pays its weight (src/graphql/limits/cost.ts FIELD_WEIGHTS) on top of the page.
  expect(await costOf({ n: 5, q: 'attention' })).toBe(111);
  expect(await costOf({ n: 50, q: 'diffusion' })).toBe(201);
  // A remembered cost does not let a wrongly typed or unstorable variable through.
  for (const variables of [{ n: 'five' }, { n: 5, q: 7 }, { n: 5, q: 'nul\u0000' }]) {
    const { status, body } = await run.http.post(query, variables);
    expect([status, body.errors?.[0]?.extensions?.code]).toEqual([400, 'BAD_USER_INPUT']);
  }
});

test('a mutation given NUL or broken Unicode answers with userErrors, and writes nothing', async () => {
  for (const name of ['laptop\u0000', 'laptop \ud800']) {
    const { status, body } = await send(json('mutation ($name: String!) { createApiToken(name: $name) { token userErrors { field code } } }', { name }), { token });
    expect(status).toBe(200);
    expect(body.data.createApiToken).toEqual({ token: null, userErrors: [{ field: ['name'], code: 'INVALID' }] });
  }
});

test('after all of the above, not a row was added or removed', async () => {
  expect(await rowCounts()).toEqual(rowsBefore);
});

describe('error hygiene', () => {
  const servers: TestServer[] = [];
  const serverWith = async (env: Record<string, string>) => {
    const created = await createTestServer(run.t, { LOG_LEVEL: 'silent', ...env });
    servers.push(created);
    return created;
  };
  afterAll(() => Promise.all(servers.map((s) => s.stop())));

  test('field suggestions ("Did you mean ...") only outside production', async () => {
    const typo = '{ papers(first: 1) { nodes { titel } } }';
    const production = await run.server.gql(typo);
    expect(production.errors?.[0]).toMatchObject({ message: 'Cannot query field "titel" on type "Paper".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const development = await (await serverWith({ NODE_ENV: 'development' })).gql(typo);
    expect(development.errors?.[0]?.message).toMatch(/Did you mean "title"\?/);
  });

  test('introspection: on in development, off in production unless GRAPHQL_INTROSPECTION=true', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect((await run.server.gql(query)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await (await serverWith({ NODE_ENV: 'development' })).gql(query)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await (await serverWith({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' })).gql(query)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  test('the introspection query of tools (GraphiQL, Apollo Sandbox) passes every limit where introspection is on', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const result = await (await serverWith({ NODE_ENV: 'development' })).gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }));
    expect(result.errors).toBeUndefined();
    expect(result.data.__schema.types.length).toBeGreaterThan(20);
  });

  test('an unreachable database in production is 503 SERVICE_UNAVAILABLE: no driver message, no SQL, no stack', async () => {
    const unreachable = createDb({ connectionString: 'postgresql://nobody@127.0.0.1:9/none', poolSize: 1 });
    const down = await startTestHttp(run.t, run.server, { platform: testPlatform(unreachable) });
    try {
      for (const query of ['{ papers(first: 1) { totalCount } }', `{ node(id: "${toGlobalId('Paper', 1)}") { id } }`]) {
        const response = await fetch(`${down.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        const text = await response.text();
        expect(response.status).toBe(503);
        expect(JSON.parse(text).errors[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
        expect(text).not.toMatch(LEAKS);
        expect(text).not.toMatch(/127\.0\.0\.1|:9\/none|nobody/);
      }
      const withToken = await fetch(`${down.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ viewer { handle } }' }) });
      const text = await withToken.text();
      expect(withToken.status).toBe(503);
      expect(JSON.parse(text).errors[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
      expect(text).not.toMatch(LEAKS);
    } finally {
      await down.close(1000);
      await unreachable.close();
    }
  });
});

describe('rate limits', () => {
  // The keys a budget was kept under, as the store saw them.
  const keys = new Set<string>();
  const memory = memoryStore({ points: 100, windowSeconds: 60 });
  const store: RateLimitStore = {
    consume: (key, points) => (keys.add(String(key)), memory.consume(key, points)),
    reward: (key, points) => memory.reward(key, points),
    get: (key) => memory.get(key),
    block: (key, seconds) => memory.block(key, seconds),
  };
  const limiter = new RateLimiter({ points: 100, windowSeconds: 60 }, store);
  let limited: TestServer;
  let limitedHttp: TestHttp;
  beforeAll(async () => {
    limited = await createTestServer(run.t, { ...PRODUCTION, RATE_LIMIT_POINTS: '100', GRAPHQL_MAX_COST: '100' });
    limitedHttp = await startTestHttp(run.t, limited, { rateLimiter: limiter });
  });
  afterAll(async () => {
    await limitedHttp?.close(1000);
    await limited?.stop();
  });

  const ask = (query: string, bearer?: string) =>
    fetch(`${limitedHttp.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ query }),
    });
  const PAGE = '{ papers(first: 20) { nodes { title } } }'; // 1 + 20 × 1 = 21 points

  test('each client spends its own budget of query cost, told in RateLimit headers; past it, 429 with Retry-After', async () => {
    for (const remaining of [79, 58, 37, 16]) {
      const response = await ask(PAGE);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"cost";q=100;w=60');
      expect(response.headers.get('ratelimit')).toMatch(new RegExp(`^"cost";r=${remaining};t=(60|59)$`));
      expect((await response.json()).extensions.cost).toEqual({ requested: 21, maximum: 100, measuredMs: expect.any(Number), charged: 21, remaining, resetSeconds: expect.any(Number) });
    }
    const refused = await ask(PAGE);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toMatch(/^"cost";r=16;t=\d+$/);
    const body = await refused.json();
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(body.errors[0].message).toMatch(/^Rate limit exceeded: this operation costs 21 points and 16 of 100 are left in the current window\. Retry after \d+ s$/);

    // A cheaper operation still fits; a broken one costs a point too.
    expect((await ask('{ topic(slug: "nlp") { name } }')).headers.get('ratelimit')).toMatch(/r=15;/);
    expect((await ask('{ topic(')).headers.get('ratelimit')).toMatch(/r=14;/);
    // Over the cost limit: refused before it runs, a point paid, and the budget told as for any operation.
    const costly = await ask('{ papers(first: 100) { nodes { title } } }'); // 1 + 100 × 1 = 101 points
    expect(costly.status).toBe(400);
    expect(costly.headers.get('ratelimit')).toMatch(/r=13;/);
    const costlyBody = await costly.json();
    expect(costlyBody.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(costlyBody.extensions.cost).toEqual({ requested: 101, maximum: 100, remaining: 13, resetSeconds: expect.any(Number) });

    // A token has a budget of its own, whatever its address spent.
    const withToken = await ask(PAGE, token);
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('ratelimit')).toMatch(/r=79;/);

    // Keyed by the token's user (all of a user's tokens share one budget), never the token.
    const user = await run.db.user.findFirstOrThrow({ where: { tokens: { some: {} } } });
    expect([...keys].sort()).toEqual([`ip:127.0.0.1`, `user:${user.id}`]);
    expect([...keys].join()).not.toContain(token);
  });

  test('a spent budget is refused before anything runs or is looked up', async () => {
    const state = await limiter.peek('ip:127.0.0.1');
    await limiter.consume('ip:127.0.0.1', state!.remaining);
    run.t.queries.length = 0;
    const refused = await ask('{ papers(first: 1) { totalCount } }');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit')).toMatch(/^"cost";r=0;t=\d+$/);
    expect((await refused.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(run.t.queries).toEqual([]);
  });

  test('guessing tokens spends the address’s failure budget: then unknown tokens are refused without a lookup', async () => {
    const guess = () => `pc_${randomBytes(32).toString('base64url')}`;
    for (let i = 0; i < 10; i++) expect((await ask('{ viewer { handle } }', guess())).status).toBe(401);
    run.t.queries.length = 0;
    const refused = await ask('{ viewer { handle } }', guess());
    expect(refused.status).toBe(429);
    expect(run.t.queries).toEqual([]);
    // A token already known to be good goes on being served.
    expect((await ask('{ viewer { handle } }', token)).status).toBe(200);
  });

  test('feeds and digest links pay from the same budget as GraphQL; health probes never do', async () => {
    const fresh = await startTestHttp(run.t, limited, { rateLimiter: new RateLimiter({ points: 100, windowSeconds: 60 }) });
    try {
      const feed = await fetch(`${fresh.url}/feeds/daily.atom`);
      expect(feed.status).toBe(200);
      // 1 + 50 entries, spent: a feed is publicly cacheable, so it carries no per-client RateLimit
      // header (a shared cache would hand it to others); the next answers show what is left.
      expect(feed.headers.get('cache-control')).toMatch(/^public/);
      expect(feed.headers.get('ratelimit')).toBeNull();
      const refused = await fetch(`${fresh.url}/feeds/trending.atom`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await refused.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
      // What is left still serves a GraphQL page and a digest link, from the same budget.
      const page = await fetch(`${fresh.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PAGE }) });
      expect(page.headers.get('ratelimit')).toMatch(/r=28;/);
      expect((await fetch(`${fresh.url}/digests/unsubscribe?token=nope`)).headers.get('ratelimit')).toMatch(/r=27;/);
      for (let i = 0; i < 3; i++) expect((await fetch(`${fresh.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${fresh.url}/healthz`)).headers.get('ratelimit')).toBeNull();
    } finally {
      await fresh.close(1000);
    }
  });
});
