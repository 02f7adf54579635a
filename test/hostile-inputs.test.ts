// Every argument of the schema, given hostile values over real HTTP: NUL and other control
// characters, lone surrogates, years 0 and 10000, numbers past 2^31 and 2^53, negative numbers,
// lists and objects nested thousands deep. Whatever the answer, it is never a 5xx, never an
// INTERNAL_SERVER_ERROR, and every error has a code. Reads anonymously, mutations and the
// viewer's lists as an admin (who may call every mutation); subscribeDigest also anonymously.
//
// The schema is walked, not listed: a field added later is tried too (a type whose fields take
// arguments needs a way in, PATHS, or the walk fails saying so). Subscriptions are WebSocket's
// (test/subscriptions.test.ts). Per field, one document carries the field several times under
// aliases, each with its own variables and @include: a request per argument and kind of hostile
// value then differs only in its variables, and the document is parsed and compiled once.
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { encodeCursor } from '../src/platform/pagination/connection.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';
import { userWithToken } from './helpers/server.ts';

const run = setupTestRunner({
  scenario: smallCatalog,
  // Limits out of the way: this file tries inputs, not document shapes (test/security.test.ts).
  // importPapers fetches from these: a closed port answers at once (nothing leaves the machine).
  env: { HF_API_URL: 'http://127.0.0.1:9', ARXIV_API_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent', GRAPHQL_MAX_ALIASES: '1000', GRAPHQL_MAX_COST: '1000000', GRAPHQL_MAX_DEPTH: '20', GRAPHQL_MAX_TOKENS: '100000', GRAPHQL_MAX_DIRECTIVES: '1000', GRAPHQL_MAX_QUERY_LENGTH: '1000000', RATE_LIMIT_POINTS: '0' },
  http: true,
  reset: 'once',
});

let admin: string;
/** Valid values by argument or input field name (ids of the scenario's rows). */
let valid: Record<string, unknown>;

beforeAll(async () => {
  const scenario = run.scenario;
  const { user, token, apiToken } = await userWithToken(run.t, 'hostile-admin', 'ADMIN');
  admin = token;
  const [paper, other] = scenario.papers;
  const comment = await run.db.comment.create({ data: { paperId: paper!.id, authorId: user.id, body: 'first', bodyHtml: '<p>first</p>' } });
  const collection = await run.db.collection.create({ data: { ownerId: user.id, name: 'mine', public: true } });
  await run.db.collectionItem.create({ data: { collectionId: collection.id, paperId: paper!.id, position: 1 } });
  const follow = await run.db.follow.create({ data: { userId: user.id, topicId: scenario.topics.nlp.id } });
  const claim = await run.db.authorClaim.create({ data: { authorId: scenario.authors.ada.id, userId: scenario.users.bob.id, orcid: '0000-0002-1825-0097' } });
  const paperId = toGlobalId('Paper', paper!.id);
  const webhook = await run.db.webhookEndpoint.create({ data: { ownerId: user.id, url: 'https://93.184.215.14/hook', events: ['paper.updated'], secret: 'whsec_' + Buffer.alloc(24).toString('base64') } });
  const event = await run.db.outboxEvent.create({ data: { type: 'paper.updated', payload: {}, dispatchedAt: new Date() } });
  const message = await run.db.webhookMessage.create({ data: { webhookId: 'msg_hostile', endpointId: webhook.id, eventId: event.id, state: 'DELIVERED', nextAttemptAt: new Date() } });
  const delivery = await run.db.webhookDelivery.create({ data: { messageId: message.id, endpointId: webhook.id, attempt: 1, succeeded: true, responseCode: 204, durationMs: 3 } });
  valid = {
    // An address, not a name: no DNS lookup leaves the machine.
    url: 'https://93.184.215.14/hook',
    webhookId: toGlobalId('Webhook', webhook.id),
    deliveryId: toGlobalId('WebhookDelivery', delivery.id),
    since: '2024-07-01T00:00:00Z',
    until: '2024-07-02T00:00:00Z',
    id: paperId,
    ids: [paperId],
    paperId,
    afterPaperId: toGlobalId('Paper', other!.id),
    paperIds: [paperId],
    topicId: toGlobalId('Topic', scenario.topics.cv.id),
    parentId: toGlobalId('Topic', scenario.topics.ml.id),
    authorId: toGlobalId('Author', scenario.authors.ada.id),
    keepAuthorId: toGlobalId('Author', scenario.authors.ada.id),
    removeAuthorId: toGlobalId('Author', scenario.authors.alan.id),
    author: toGlobalId('Author', scenario.authors.ada.id),
    submittedBy: toGlobalId('User', scenario.users.alice.id),
    commentId: toGlobalId('Comment', comment.id),
    claimId: toGlobalId('AuthorClaim', claim.id),
    collectionId: toGlobalId('Collection', collection.id),
    'revokeApiToken.id': toGlobalId('ApiToken', apiToken.id),
    'unfollow.id': toGlobalId('Follow', follow.id),
    arxivId: '2407.00001',
    slug: 'nlp',
    query: 'attention',
    email: 'hostile@example.com',
    name: 'Hostile',
    title: 'A title',
    abstract: 'An abstract.',
    authors: ['Ada Lovelace'],
    body: 'A comment',
    reason: 'spam',
    orcid: '0000-0002-1825-0097',
    topic: 'nlp',
    topics: ['nlp'],
    allTopics: ['nlp'],
  };
});

/** What a client may be told: a code on every error, never INTERNAL_SERVER_ERROR, never a 5xx. */
interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: unknown } }[] };
}

async function post(body: Record<string, unknown>, token?: string): Promise<Answer> {
  const response = await fetch(`${run.http.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: bodyText(body),
  });
  const text = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, body: parsed };
}

/**
 * The failures of one answer, as lines a test failure shows ([] when it is fine). `values`: what
 * aliases a0, a1... were given, to name the value an error's path leads to.
 */
function faults(what: string, answer: Answer, values: unknown[] = []): string[] {
  const found: string[] = [];
  if (answer.status >= 500) found.push(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  for (const error of answer.body.errors ?? []) {
    const code = error.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') continue;
    const alias = ((error as { path?: unknown[] }).path ?? []).map((segment) => /^a(\d+)$/.exec(String(segment))).find(Boolean);
    const which = alias ? `: ${JSON.stringify(values[Number(alias[1])])?.slice(0, 80)}` : '';
    found.push(`${what}${which}: ${String(code)} ${error.message.slice(0, 200)}`);
  }
  return found;
}

// --- hostile values by type --------------------------------------------------------------

// Built as text: JSON.stringify of a value nested 5000 deep overflows this side's stack too.
// The placeholder string is replaced by the nested JSON when the body is written.
const deepList = (levels: number): string => `@@deep:list:${levels}@@`;
const deepObject = (levels: number): string => `@@deep:object:${levels}@@`;

function bodyText(body: Record<string, unknown>): string {
  return JSON.stringify(body).replace(/"@@deep:(list|object):(\d+)@@"/g, (_match, kind: string, levels: string) => {
    const n = Number(levels);
    return kind === 'list' ? `${'['.repeat(n)}"x"${']'.repeat(n)}` : `${'{"a":'.repeat(n)}"x"${'}'.repeat(n)}`;
  });
}

const STRINGS = ['nlp\u0000', '\u0000', 'bell\u0007', 'esc\u001b[2J', 'del\u007f', 'lone \ud800', '\udc00x'];
/** Each group is one request per argument: values a scalar refuses are kept apart from those it accepts. */
const HOSTILE: Record<string, unknown[][]> = {
  String: [STRINGS],
  ID: [STRINGS],
  Int: [[-1, -2147483648, 0, 2147483647], [2 ** 31, 2 ** 53, 1e300, -(2 ** 53)]],
  Float: [[-1, 1e300, -1e300, 2 ** 53, 5e-324]],
  NonNegativeInt: [[2 ** 31, 2 ** 53, 1e300, 2147483647], [-1]],
  Date: [['0000-01-01', '0000-12-31', '9999-12-31', '0001-01-01'], ['10000-01-01', '-0001-01-01', '+010000-01-01']],
  DateTime: [['0000-01-01T00:00:00Z', '0000-12-31T23:59:59Z', '0000-01-01T00:00:00-01:00', '9999-12-31T23:59:59-01:00', '9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z'], ['10000-01-01T00:00:00Z']],
  URL: [['http://exa\u0000mple.org/', 'http://example.org/\ud800']],
  Boolean: [['true']],
};
const enumValues = ['NOT_A_VALUE', 'nlp\u0000'];
/** String arguments whose meaning is a date (featuredWeek, featuredMonth): their own extremes. */
const BY_NAME: Record<string, unknown[][]> = {
  featuredWeek: [['0000-W01', '9999-W52', '9999-W53', '0001-W01', '10000-W01']],
  featuredMonth: [['0000-01', '9999-12', '0001-01', '10000-01']],
};

function hostileGroups(name: string, type: GraphQLInputType): unknown[][] {
  const named = getNamedType(type);
  const groups: unknown[][] = [...(BY_NAME[name] ?? []), ...(isEnumType(named) ? [enumValues] : (HOSTILE[named.name] ?? []))];
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // Each value alone and as a list; and a list nested far deeper than the type.
    return [...groups.map((group) => group.map((value) => [value])), [deepList(5_000), deepObject(5_000)]];
  }
  if (isInputObjectType(named)) return [[deepObject(5_000), deepList(5_000)]];
  return groups;
}

// --- valid values, for the arguments that are not under test -----------------------------

function validValue(key: string, name: string, type: GraphQLInputType): unknown {
  if (key in valid) return valid[key];
  if (name in valid) return valid[name];
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [validValue(key, name, nullable.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    const object: Record<string, unknown> = {};
    for (const field of Object.values(named.getFields())) {
      if (isNonNullType(field.type)) object[field.name] = validValue(`${named.name}.${field.name}`, field.name, field.type);
    }
    return object;
  }
  switch (named.name) {
    case 'Int':
      return 1;
    case 'NonNegativeInt':
      return 0;
    case 'Boolean':
      return false;
    case 'Date':
      return '2024-07-01';
    case 'DateTime':
      return '2024-07-01T00:00:00Z';
    default:
      return 'x';
  }
}

// --- the operations ---------------------------------------------------------------------

/**
 * A small selection that still runs the field's reads: its leaves, and `{ __typename }` of the
 * lists and payload parts that are fetched when asked for (nodes, userErrors...).
 */
function selection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type))) continue;
    const inner = getNamedType(field.type);
    if (isLeafType(inner)) parts.push(field.name);
    else if (['nodes', 'userErrors', 'paper', 'topic', 'papers'].includes(field.name)) parts.push(`${field.name} { __typename }`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** How to reach an object of each type with arguments of its own (a field of Query or of the viewer). */
const SUBSCRIPTION_ONLY = new Set(['CitationAdded']);

const PATHS: Record<string, { root: 'query'; open: string; close: string; signedIn?: boolean }> = {
  Paper: { root: 'query', open: 'paper(arxivId: "2407.00001") {', close: '}' },
  DailyPapers: { root: 'query', open: 'dailyPapers(date: "2024-07-01") {', close: '}' },
  PaperFacets: { root: 'query', open: 'papers(first: 1) { facets {', close: '} }' },
  Author: { root: 'query', open: 'authors(query: "ada", first: 1) { nodes {', close: '} }' },
  Topic: { root: 'query', open: 'topic(slug: "nlp") {', close: '}' },
  User: { root: 'query', open: 'viewer {', close: '}', signedIn: true },
  Comment: { root: 'query', open: 'paper(arxivId: "2407.00001") { comments(first: 1) { nodes {', close: '} } }' },
  Collection: { root: 'query', open: 'viewer { collections(first: 1) { nodes {', close: '} } }', signedIn: true },
  Webhook: { root: 'query', open: 'viewer { webhooks(first: 1) { nodes {', close: '} } }', signedIn: true },
};

interface Target {
  /** `Query.papers` */
  label: string;
  operation: 'query' | 'mutation';
  signedIn: boolean;
  wrap: (inner: string) => string;
  field: GraphQLField<unknown, unknown>;
}

function targets(schema: GraphQLSchema): Target[] {
  const found: Target[] = [];
  for (const [operation, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values(root!.getFields())) {
      if (field.args.length === 0) continue;
      found.push({ label: `${root!.name}.${field.name}`, operation, signedIn: operation === 'mutation', wrap: (inner) => inner, field });
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType()) continue;
    const fields = Object.values((type as GraphQLObjectType).getFields()).filter((field) => field.args.length > 0);
    if (fields.length === 0) continue;
    // Reached only through a subscription (WebSocket's): its arguments are checked in its own
    // test (test/citation-feeds.test.ts, citingPapers(first: 6)).
    if (SUBSCRIPTION_ONLY.has(type.name)) continue;
    const path = PATHS[type.name];
    if (!path) throw new Error(`hostile-inputs: no path to ${type.name}, whose fields take arguments; add one to PATHS`);
    for (const field of fields) {
      found.push({ label: `${type.name}.${field.name}`, operation: 'query', signedIn: path.signedIn ?? false, wrap: (inner) => `${path.open} ${inner} ${path.close}`, field });
    }
  }
  return found;
}

/** The argument positions of a field: its arguments, and its input objects' fields (`input.title`). */
interface Position {
  path: string[];
  name: string;
  type: GraphQLInputType;
}

/**
 * An input type's fields are tried inside the first field that takes it: PaperFilter's through
 * Query.papers, not again through the four other lists that share its checks (list.ts), which
 * still get hostile values for the filter as a whole.
 */
function positions(field: GraphQLField<unknown, unknown>, expanded: Set<string>): Position[] {
  const found: Position[] = [];
  const visit = (path: string[], item: GraphQLArgument | GraphQLInputField) => {
    found.push({ path, name: item.name, type: item.type });
    const named = getNamedType(item.type);
    if (isInputObjectType(named) && path.length < 3 && !expanded.has(named.name)) {
      expanded.add(named.name);
      for (const inner of Object.values(named.getFields())) visit([...path, inner.name], inner);
    }
  };
  for (const arg of field.args) visit([arg.name], arg);
  return found;
}

/** The field's arguments with `value` at `position` and valid values where required. */
function argumentsWith(target: Target, position: Position, value: unknown): Record<string, unknown> {
  const fieldKey = target.label.split('.')[1]!;
  const args: Record<string, unknown> = {};
  const fill = (into: Record<string, unknown>, items: readonly (GraphQLArgument | GraphQLInputField)[], path: string[], owner: string) => {
    for (const item of items) {
      const here = [...path, item.name];
      const onPath = position.path.slice(0, here.length).join('.') === here.join('.');
      if (onPath && here.length === position.path.length) {
        into[item.name] = value;
      } else if (onPath) {
        const named = getNamedType(item.type) as ReturnType<typeof getNamedType>;
        const inner: Record<string, unknown> = {};
        if (isInputObjectType(named)) fill(inner, Object.values(named.getFields()), here, named.name);
        into[item.name] = inner;
      } else if (isNonNullType(item.type)) {
        into[item.name] = validValue(`${owner}.${item.name}`, item.name, item.type);
      }
    }
  };
  fill(args, target.field.args, [], fieldKey);
  return args;
}

/** The most hostile values one request carries (the largest group). */
const ALIASES = Math.max(...[...Object.values(HOSTILE), ...Object.values(BY_NAME), [enumValues]].flat().map((group) => group.length));

/**
 * One document per field: ALIASES copies of it, each with its own variables for every argument
 * and its own @include, so that each request differs only in its variables (the document is
 * parsed, validated and compiled once). An argument whose variable is not sent is not passed.
 */
function documentOf(target: Target): string {
  const declarations: string[] = [];
  const aliases: string[] = [];
  for (let i = 0; i < ALIASES; i++) {
    declarations.push(`$on${i}: Boolean!`);
    const passed = target.field.args.map((arg) => {
      declarations.push(`$a${i}_${arg.name}: ${arg.type.toString()}`);
      return `${arg.name}: $a${i}_${arg.name}`;
    });
    aliases.push(`a${i}: ${target.field.name}(${passed.join(', ')}) @include(if: $on${i}) ${selection(target.field.type)}`);
  }
  return `${target.operation} Hostile(${declarations.join(', ')}) { ${target.wrap(aliases.join(' '))} }`;
}

/** The variables that put each of `values` in its own alias, the other aliases switched off. */
function variablesOf(target: Target, position: Position, values: unknown[]): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (let i = 0; i < ALIASES; i++) {
    variables[`on${i}`] = i < values.length;
    // Switched off, an alias still needs its required arguments: valid ones.
    const args = i < values.length ? argumentsWith(target, position, values[i]) : argumentsWith(target, { path: [], name: '', type: position.type }, undefined);
    for (const [name, value] of Object.entries(args)) variables[`a${i}_${name}`] = value;
  }
  return variables;
}

/** The aliases (`a3`) an answer shows the outcome of: present in its data, or named by an error's path. */
function accountedFor(answer: Answer): Set<number> {
  const seen = new Set<number>();
  const walk = (value: unknown, depth: number) => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      const alias = /^a(\d+)$/.exec(key);
      if (alias) seen.add(Number(alias[1]));
      else walk(inner, depth + 1);
    }
  };
  walk(answer.body.data, 0);
  for (const error of answer.body.errors ?? []) {
    for (const segment of (error as { path?: unknown[] }).path ?? []) {
      const alias = typeof segment === 'string' ? /^a(\d+)$/.exec(segment) : null;
      if (alias) seen.add(Number(alias[1]));
    }
  }
  return seen;
}

test('every argument, given hostile values, gets coded errors and never a 500', async () => {
  const schema = run.server.graphql.schema;
  const found: string[] = [];
  let requests = 0;
  const expanded = new Set<string>();
  const tryField = async (target: Target) => {
    const query = documentOf(target);
    for (const position of positions(target.field, expanded)) {
      for (const group of hostileGroups(position.name, position.type)) {
        // A refusal of the whole request (400, no data) speaks for every value of the group: none
        // ran. An error in one alias can null the whole answer (a non-null field) and hide what
        // the others did: those are sent again, without the values whose outcome was seen.
        let values = group;
        while (values.length > 0) {
          const answer = await post({ query, variables: variablesOf(target, position, values) }, target.signedIn ? admin : undefined);
          requests++;
          found.push(...faults(`${target.label}(${position.path.join('.')})`, answer, values));
          if (answer.body.data === undefined) break;
          const seen = accountedFor(answer);
          const rest = values.filter((_value, i) => !seen.has(i));
          // Nothing seen at all: the parent the aliases sit in was null (nothing to reach).
          if (rest.length === values.length) break;
          values = rest;
        }
      }
    }
  };
  const all = targets(schema);
  // Reads three at a time; then the mutations one by one, as a mutation that succeeded could
  // change what the others reach.
  const reads = all.filter((target) => target.operation === 'query');
  await Promise.all(Array.from({ length: 3 }, async () => {
    for (let target = reads.shift(); target; target = reads.shift()) await tryField(target);
  }));
  for (const target of all.filter((t) => t.operation === 'mutation')) await tryField(target);
  expect(requests).toBeGreaterThan(200);
  expect([...new Set(found)]).toEqual([]);
  // A few seconds on an idle machine; room for a loaded one, where it must still list what it found.
}, 120_000);

describe("the issue's examples, answer by answer", () => {
  test('subscribeDigest, anonymous, with a NUL in a topic: INVALID in userErrors, and nothing written', async () => {
    const requestsBefore = await run.db.digestSubscriptionRequest.count();
    const query = 'mutation ($input: SubscribeDigestInput!) { subscribeDigest(input: $input) { status userErrors { field code } } }';
    for (const topics of [['nlp\u0000'], ['\ud800'], ['bell\u0007']]) {
      const answer = await post({ query, variables: { input: { email: 'a@example.com', frequency: 'DAILY', topics } } });
      expect([answer.status, answer.body.data]).toEqual([200, { subscribeDigest: { status: null, userErrors: [{ field: ['input', 'topics'], code: 'INVALID' }] } }]);
    }
    const literal = await post({ query: 'mutation { subscribeDigest(input: { email: "a@example.com", frequency: DAILY, topics: ["nlp\\u0000"] }) { status userErrors { field code } } }' });
    expect(literal.body.data).toEqual({ subscribeDigest: { status: null, userErrors: [{ field: ['input', 'topics'], code: 'INVALID' }] } });
    expect(await run.db.digestSubscriptionRequest.count()).toBe(requestsBefore);
  });

  test('submitPaper with a NUL in a topic, or a day of year 0: refused, and no paper written', async () => {
    const papersBefore = await run.db.paper.count();
    const query = 'mutation ($input: SubmitPaperInput!) { submitPaper(input: $input) { paper { id } userErrors { field code } } }';
    const input = { arxivId: '2501.00042', title: 'A title', abstract: 'An abstract.', authors: ['Ada Lovelace'] };
    const topics = await post({ query, variables: { input: { ...input, topics: ['nlp\u0000'] } } }, admin);
    expect(topics.body.data).toEqual({ submitPaper: { paper: null, userErrors: [{ field: ['input', 'topics'], code: 'INVALID' }] } });
    for (const dated of [{ featuredOn: '0000-01-01' }, { publishedAt: '0000-06-01T00:00:00Z' }, { publishedAt: '9999-12-31T23:30:00-01:00' }]) {
      const answer = await post({ query, variables: { input: { ...input, ...dated } } }, admin);
      expect([answer.status, answer.body.errors?.[0]?.extensions]).toEqual([400, { code: 'BAD_USER_INPUT', argumentName: 'input' }]);
    }
    expect(await run.db.paper.count()).toBe(papersBefore);
  });

  test('dates of years 0 and 10000 name their argument', async () => {
    for (const [query, argumentName] of [
      ['{ dailyPapers(date: "0000-01-01") { date } }', 'date'],
      ['{ papers(filter: { featuredOn: "0000-01-01" }) { totalCount } }', 'filter'],
      ['{ papers(filter: { publishedAfter: "0000-01-01T00:00:00Z" }) { totalCount } }', 'filter'],
      ['{ papers(filter: { publishedBefore: "10000-01-01T00:00:00Z" }) { totalCount } }', 'filter'],
      ['{ papers(filter: { featuredWeek: "9999-W52" }) { totalCount } }', 'filter'],
      ['{ papers(filter: { featuredMonth: "0000-12" }) { totalCount } }', 'filter'],
    ] as const) {
      const answer = await post({ query });
      expect([query, answer.status < 500, answer.body.errors?.[0]?.extensions]).toEqual([query, true, { code: 'BAD_USER_INPUT', argumentName }]);
    }
    const variable = await post({ query: 'query ($d: Date) { dailyPapers(date: $d) { date } }', variables: { d: '0000-01-01' } });
    expect([variable.status, variable.body.errors?.[0]?.extensions]).toEqual([400, { code: 'BAD_USER_INPUT', argumentName: 'date' }]);
    // The last week and month that fit.
    const fits = await post({ query: '{ w: papers(filter: { featuredWeek: "9999-W51" }) { totalCount } m: papers(filter: { featuredMonth: "9999-12" }) { totalCount } }' });
    expect(fits.body.data).toEqual({ w: { totalCount: 0 }, m: { totalCount: 0 } });
  });

  test('the daily feed of year 0 is a coded 400', async () => {
    const response = await fetch(`${run.http.url}/feeds/daily.atom?date=0000-01-01`);
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'date' });
  });
});

describe('the request as a whole', () => {
  test('an undeclared variable nested 5000 deep is refused with 400 and a code', async () => {
    for (const body of [
      { query: '{ __typename }', variables: { x: deepList(5_000) } },
      { query: '{ __typename }', variables: { x: deepObject(5_000) } },
      { query: '{ __typename }', extensions: { x: deepList(5_000) } },
    ]) {
      const answer = await post(body);
      expect(faults('deep', answer)).toEqual([]);
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    }
    // Nesting a real client uses still passes.
    const answer = await post({ query: '{ __typename }', variables: { x: deepList(20) } });
    expect([answer.status, answer.body.data]).toEqual([200, { __typename: 'Query' }]);
  });

  test('an operationName that names no operation of the document is a 400 with a code', async () => {
    for (const body of [
      { query: 'query A { __typename }', operationName: 'B' },
      { query: 'query A { __typename } query B { __typename }', operationName: 'C' },
      { query: 'query A { __typename } query B { __typename }' },
    ]) {
      const answer = await post(body);
      expect(faults(JSON.stringify(body), answer)).toEqual([]);
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.body.errors![0]!.extensions!.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
  });

  test('a crafted cursor with a day or an id out of range is BAD_USER_INPUT', async () => {
    const found: string[] = [];
    for (const cursor of [
      encodeCursor('FEATURED_ON:DESC', ['0000-01-01', 1]),
      encodeCursor('FEATURED_ON:DESC', ['10000-01-01', 1]),
      encodeCursor('FEATURED_ON:DESC', ['2024-07-01', 2 ** 40]),
      encodeCursor('FEATURED_ON:DESC', ['2024-02-30', 1]),
      encodeCursor('PUBLISHED_AT:DESC', ['0000-01-01T00:00:00.000Z', 1]),
      encodeCursor('UPVOTES:DESC', [2 ** 31, 1]),
    ]) {
      const answer = await post({ query: 'query ($c: String) { papers(first: 2, after: $c) { nodes { arxivId } } }', variables: { c: cursor } });
      found.push(...faults(cursor, answer));
      expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    }
    expect(found).toEqual([]);
  });
});
