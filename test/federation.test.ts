// The catalog as a Federation 2 subgraph (src/graphql/federation.ts), against composition and a
// gateway written by others: The Guild's composition composes the catalog's `_service { sdl }`,
// read from the real app over HTTP, with a second subgraph written here (a reading-list service
// that extends Paper by arXiv id with a note of its own); Hive Gateway serves the supergraph on
// loopback in front of both. `_entities` itself is checked as a read path: one batched
// statement per entity type for 100 representations, the hidden-paper and private-collection
// rules, and the price per representation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@theguild/federation-composition';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import type { Db } from '../src/platform/db/client.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { day, smallCatalog } from './helpers/scenarios.ts';

/** The small catalog, 2407.00002 hidden by a curator, 100 more papers, and bob's two collections. */
async function federatedCatalog(db: Db) {
  const catalog = await smallCatalog(db);
  const hidden = await db.paper.update({ where: { id: catalog.papers[1]!.id }, data: { hiddenAt: new Date(), hiddenById: catalog.users.alice.id } });
  await db.paper.createMany({
    data: Array.from({ length: 100 }, (_, i) => ({
      arxivId: `2408.${String(i + 1).padStart(5, '0')}`,
      title: `Bulk paper ${i + 1}`,
      abstract: 'Bulk.',
      publishedAt: day('2024-08-01'),
      featuredOn: day('2024-08-02'),
    })),
  });
  const publicList = await db.collection.create({ data: { ownerId: catalog.users.bob.id, name: 'Reading group', public: true } });
  const privateList = await db.collection.create({ data: { ownerId: catalog.users.bob.id, name: 'Secret', public: false } });
  return { ...catalog, hidden, collections: { publicList, privateList } };
}

/**
 * Hive Gateway's runtime, loaded by a name TypeScript does not follow: its types bring
 * graphql-yoga's declaration of `GraphQLErrorExtensions.http` (headers as a plain record), which
 * would clash with Apollo Server's (a HeaderMap) across the whole project. What the test uses:
 */
interface GatewayRuntime {
  (request: IncomingMessage, response: ServerResponse): void;
  dispose(): Promise<void> | void;
}
const HIVE_GATEWAY_RUNTIME: string = '@graphql-hive/gateway-runtime';
async function createGateway(supergraph: string): Promise<GatewayRuntime> {
  const { createGatewayRuntime } = (await import(HIVE_GATEWAY_RUNTIME)) as { createGatewayRuntime(options: { supergraph: string; logging: unknown }): GatewayRuntime };
  return createGatewayRuntime({ supergraph, logging: process.env.GATEWAY_LOG ?? false });
}

const run = setupTestRunner({ scenario: federatedCatalog, reset: 'once', http: true });

// ─── A second subgraph, written here ───────────────────────────────────────────────────────

const READING_LIST_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "A named reading list of arXiv papers."
    readingList(name: String!): ReadingList
  }

  type ReadingList {
    name: String!
    papers: [Paper]!
  }

  type Paper @key(fields: "arxivId") {
    arxivId: String!
    "This service's own field on the catalog's Paper."
    readingNote: String
  }
`;

/** 2407.00002 is hidden in the catalog; 2407.00003 and 2407.00001 are listed. */
const LIST = ['2407.00003', '2407.00002', '2407.00001'];
const NOTES: Record<string, string> = { '2407.00001': 'read first', '2407.00002': 'was good', '2407.00003': 'skim' };

const readingListSchema = buildSubgraphSchema([
  {
    typeDefs: parse(READING_LIST_SDL),
    resolvers: {
      Query: { readingList: (_: unknown, { name }: { name: string }) => ({ name, papers: LIST.map((arxivId) => ({ arxivId })) }) },
      Paper: {
        __resolveReference: ({ arxivId }: { arxivId: string }) => ({ arxivId }),
        readingNote: ({ arxivId }: { arxivId: string }) => NOTES[arxivId] ?? null,
      },
    } as never,
  },
]);

/** A GraphQL-over-HTTP POST endpoint for `schema` on loopback, port 0 (graphql-js executes). */
async function serve(schema: GraphQLSchema): Promise<{ url: string; server: Server }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      void graphql({ schema, source: query, variableValues: variables, operationName }).then((result) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] } };
}

/** The catalog's SDL as a gateway fetches it: `_service { sdl }` over HTTP from the real app. */
async function catalogSdl(): Promise<string> {
  const { status, body } = await run.http.post('{ _service { sdl } }');
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data._service.sdl as string;
}

function compose(catalog: string, readingListUrl: string) {
  return composeServices([
    { name: 'catalog', typeDefs: parse(catalog), url: `${run.http.url}/graphql` },
    { name: 'reading-lists', typeDefs: parse(READING_LIST_SDL), url: readingListUrl },
  ]);
}

describe('composition', () => {
  test('the catalog publishes its entities and keys in _service { sdl }', async () => {
    const sdl = await catalogSdl();
    expect(sdl).toContain('extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])');
    expect(sdl).toContain('type Paper implements Node @key(fields: "id") @key(fields: "arxivId")');
    expect(sdl).toContain('type Author implements Node @key(fields: "id")');
    expect(sdl).toContain('type Topic implements Node @key(fields: "slug")');
    expect(sdl).toContain('type Collection implements Node @key(fields: "id")');
  });

  test('the catalog composes with a subgraph that extends Paper by arXiv id', async () => {
    const result = compose(await catalogSdl(), 'http://127.0.0.1:1/graphql');
    expect(result.errors?.map((error) => error.message) ?? []).toEqual([]);
    // The public API has both subgraphs' fields on one Paper.
    expect(result.publicSdl).toMatch(/type Paper implements Node \{[^}]*readingNote: String[^}]*\}/s);
    expect(result.publicSdl).toMatch(/type Paper implements Node \{[^}]*byline: \[BylineEntry!\]!/s);
    expect(result.publicSdl).not.toContain('_entities');
  });

  test('composition fails when the two subgraphs disagree (the check has teeth)', async () => {
    // The same root field in both, with different types: not composable.
    const broken = (await catalogSdl()).replace(/\ntype Query \{/, '\ntype Query {\n  readingList(name: String!): Int');
    const result = compose(broken, 'http://127.0.0.1:1/graphql');
    expect(result.errors?.length ?? 0).toBeGreaterThan(0);
  });
});

describe('behind Hive Gateway', () => {
  let readingLists: { url: string; server: Server };
  let gateway: GatewayRuntime;
  let gatewayServer: Server;
  let gatewayUrl: string;

  beforeAll(async () => {
    readingLists = await serve(readingListSchema);
    const composed = compose(await catalogSdl(), readingLists.url);
    if (!composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join('; ')}`);
    gateway = await createGateway(composed.supergraphSdl);
    gatewayServer = createServer(gateway);
    await new Promise<void>((resolve) => gatewayServer.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    await new Promise((resolve) => gatewayServer?.close(resolve));
    await gateway?.dispose();
    await new Promise((resolve) => readingLists?.server.close(resolve));
  });

  test("a reading list from the other subgraph gets the catalog's papers, authors in byline order, and null for a hidden paper", async () => {
    const { status, body } = await post(
      gatewayUrl,
      `{ readingList(name: "week") { name papers { arxivId readingNote title authors { name } byline { position author { name } } } } }`,
    );
    expect(status).toBe(200);
    expect(body.data.readingList.name).toBe('week');
    const [first, hidden, last] = body.data.readingList.papers;
    expect(first).toEqual({
      arxivId: '2407.00003',
      readingNote: 'skim',
      title: 'Scaling Laws for Tiny Models',
      authors: [{ name: 'Grace Hopper' }, { name: 'Ada Lovelace' }],
      byline: [{ position: 0, author: { name: 'Grace Hopper' } }, { position: 1, author: { name: 'Ada Lovelace' } }],
    });
    // The catalog answered null for the hidden paper (see '_entities' below): the gateway reports
    // its non-null title as missing, which makes the list item null. No other error.
    expect(hidden).toBeNull();
    expect(body.errors?.map((error) => error.path)).toEqual([['readingList', 'papers', 1, 'title']]);
    expect(last).toEqual({
      arxivId: '2407.00001',
      readingNote: 'read first',
      title: 'Attention Is Still All You Need',
      authors: [{ name: 'Ada Lovelace' }, { name: 'Alan Turing' }, { name: 'Grace Hopper' }],
      byline: [0, 1, 2].map((position) => ({ position, author: { name: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'][position] } })),
    });
    expect(body.data.readingList.papers).toHaveLength(3);
  });

  test("a catalog page gets the other subgraph's field through the arXiv id key", async () => {
    const { status, body } = await post(gatewayUrl, `{ papers(filter: { featuredOn: "2024-07-01" }, first: 5) { nodes { arxivId title readingNote } } }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    // 2407.00002, featured the same day, is hidden: not listed.
    expect(body.data.papers.nodes).toEqual([{ arxivId: '2407.00001', title: 'Attention Is Still All You Need', readingNote: 'read first' }]);
  });
});

describe('_entities, as a read path', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Paper { arxivId title }
    ... on Author { name }
    ... on Topic { slug name }
    ... on Collection { name }
  } }`;

  /** Statements the app sent for one `_entities` request with `representations`. */
  async function statementsFor(representations: Record<string, unknown>[]) {
    run.t.queries.length = 0;
    const data = await run.server.data(ENTITIES, { r: representations });
    return { statements: run.t.queries.length, entities: data._entities as (Record<string, unknown> | null)[] };
  }

  test('100 representations of one type cost one batched statement (at most 2 per type)', async () => {
    const bulk = Array.from({ length: 100 }, (_, i) => `2408.${String(i + 1).padStart(5, '0')}`);
    const byArxivId = await statementsFor(bulk.map((arxivId) => ({ __typename: 'Paper', arxivId })));
    expect(byArxivId.entities.map((paper) => paper?.arxivId)).toEqual(bulk);
    expect(byArxivId.statements).toBe(1);

    const ids = await run.db.paper.findMany({ where: { arxivId: { in: bulk } }, select: { id: true, arxivId: true } });
    const byId = await statementsFor(ids.map(({ id }) => ({ __typename: 'Paper', id: toGlobalId('Paper', id) })));
    expect(byId.entities.map((paper) => paper?.arxivId)).toEqual(ids.map((paper) => paper.arxivId));
    expect(byId.statements).toBe(1);

    // Authors: 4 exist; the others are looked up once more among merged authors' ids.
    const authors = await statementsFor(Array.from({ length: 100 }, (_, i) => ({ __typename: 'Author', id: toGlobalId('Author', i + 1) })));
    expect(authors.entities.slice(0, 5)).toEqual([{ name: 'Ada Lovelace' }, { name: 'Alan Turing' }, { name: 'Grace Hopper' }, { name: 'Yann LeCun' }, null]);
    expect(authors.statements).toBeLessThanOrEqual(2);

    const topics = await statementsFor(Array.from({ length: 100 }, (_, i) => ({ __typename: 'Topic', slug: i === 0 ? 'nlp' : `topic-${i}` })));
    expect(topics.entities[0]).toEqual({ slug: 'nlp', name: 'Natural Language Processing' });
    expect(topics.entities.slice(1).every((topic) => topic === null)).toBe(true);
    expect(topics.statements).toBe(1);

    const { publicList } = run.scenario.collections;
    const collections = await statementsFor(Array.from({ length: 100 }, (_, i) => ({ __typename: 'Collection', id: toGlobalId('Collection', publicList.id + i) })));
    expect(collections.entities[0]).toEqual({ name: 'Reading group' });
    expect(collections.statements).toBeLessThanOrEqual(2);
    const counts = { byArxivId, byId, authors, topics, collections };
    console.log(`SQL statements for 100 representations: ${Object.entries(counts).map(([type, { statements }]) => `${type} ${statements}`).join(', ')}`);
  });

  test('four types at once: one statement each', async () => {
    const { statements, entities } = await statementsFor([
      { __typename: 'Paper', arxivId: '2407.00001' },
      { __typename: 'Author', id: toGlobalId('Author', run.scenario.authors.ada.id) },
      { __typename: 'Topic', slug: 'computer-vision' },
      { __typename: 'Collection', id: toGlobalId('Collection', run.scenario.collections.publicList.id) },
      { __typename: 'Paper', arxivId: '2407.00005' },
    ]);
    expect(entities).toEqual([
      { arxivId: '2407.00001', title: 'Attention Is Still All You Need' },
      { name: 'Ada Lovelace' },
      { slug: 'computer-vision', name: 'Computer Vision' },
      { name: 'Reading group' },
      { arxivId: '2407.00005', title: 'A Survey of Surveys' },
    ]);
    expect(statements).toBeLessThanOrEqual(4);
  });

  test('unknown, hidden and private entities are null; curators see the hidden paper, owners their collection', async () => {
    const { hidden, collections, users } = run.scenario;
    const representations = [
      { __typename: 'Paper', arxivId: '2499.99999' },
      { __typename: 'Paper', id: toGlobalId('Paper', 999_999) },
      { __typename: 'Paper', arxivId: hidden.arxivId },
      { __typename: 'Paper', id: toGlobalId('Paper', hidden.id) },
      // An id of another type is no paper.
      { __typename: 'Paper', id: toGlobalId('Author', 1) },
      { __typename: 'Collection', id: toGlobalId('Collection', collections.privateList.id) },
      { __typename: 'Topic', slug: 'no-such-topic' },
    ];
    const anonymous = await run.server.data(ENTITIES, { r: representations });
    expect(anonymous._entities).toEqual(representations.map(() => null));

    const curator = await run.server.as(users.alice).data(ENTITIES, { r: representations.slice(2, 4) });
    expect(curator._entities).toEqual([
      { arxivId: hidden.arxivId, title: hidden.title },
      { arxivId: hidden.arxivId, title: hidden.title },
    ]);
    const owner = await run.server.as(users.bob).data(ENTITIES, { r: representations.slice(2) });
    expect(owner._entities).toEqual([null, null, null, { name: 'Secret' }, null]);
  });

  test('a representation of a type that is no entity here is refused, not echoed back', async () => {
    const { errors, data } = await run.server.gql(`query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, {
      r: [{ __typename: 'Paper', arxivId: '2407.00001' }, { __typename: 'User', id: toGlobalId('User', 1), handle: 'root' }],
    });
    expect(data).toBeNull();
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'representations[1] must have a __typename of Paper, Author, Topic, Collection; got "User"',
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'representations' }),
      }),
    ]);
    const malformed = await run.server.gql(`query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, { r: [{ __typename: 'Paper', id: 'nope!' }] });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'representations' });
  });

  test('the cost model charges per representation, over HTTP as any client pays', async () => {
    const one = [{ __typename: 'Paper', arxivId: '2407.00001' }];
    const hundred = Array.from({ length: 100 }, (_, i) => ({ __typename: 'Paper', arxivId: `2408.${String(i + 1).padStart(5, '0')}` }));
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Paper { title authors { name } } } }`;
    const small = await run.http.post(query, { r: one });
    const large = await run.http.post(query, { r: hundred });
    expect(small.status).toBe(200);
    expect(large.status).toBe(200);
    // Each representation: the entity (1) and its authors (1).
    expect(small.cost?.requested).toBe(2);
    expect(large.cost?.requested).toBe(200);
    // Past GRAPHQL_MAX_COST (1000): refused before anything runs.
    const costly = await run.http.post(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Paper { title related(first: 10) { score } } } }`, { r: hundred });
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
  });
});
