// The calculated cost of an operation, counted the way GitHub and Shopify count theirs: what
// the server must fetch, known before anything runs (graphql-query-complexity walks the
// operation with its variables; @skip/@include honoured; for an interface or union the costliest
// possible type counts).
//
//   scalar and enum fields            0
//   object fields                     1 + their selections
//   connections (`first`/`last`)      1 + page size × their selections; the page size is
//                                     `first` or `last`, else 20 (the server's default), capped
//                                     at 100 (larger is refused when the field runs)
//   a connection's own objects        0 (pageInfo: the connection's 1 covers it)
//   other lists of objects            1 + their selections, × the length of a list argument
//                                     when there is one (`nodes(ids:)`, `_entities(representations:)`),
//                                     or × `first` as for a connection for SIZED_LISTS (`related(first:)`)
//   mutation fields                   10 + their selections: a write costs more than a read
//                                     (MUTATION_FIELD_COSTS: more for some, e.g. posting a comment)
//   fields whose work grows with      + their FIELD_WEIGHTS: search and its modes, totalCount,
//   the catalog or their arguments      facets, related, recommendations, feeds, citations
//
// This is the admission price, known before the run; after it, the operation also pays what its
// measured time came to beyond it (src/graphql/limits/plugin.ts). The weights are set from
// bench/calibrate.ts on the 100k catalog, at the daily page's rate (about 10 points per
// millisecond), for a typical argument: a common word matching most of the catalog costs more,
// and pays it after the run. A test (test/cost-model.test.ts) walks the schema: every field that
// takes arguments beyond paging, returns a list or a connection, or counts one must be weighted
// here or listed in PRICED_BY_SHAPE.
//
// e.g. `papers(first: 20) { nodes { title authors { name } } pageInfo { endCursor } }` costs
// 1 + 20 × (1 + 1) = 41, and nesting `authors { papers(first: 100) { ... } }` inside it
// multiplies: the cost grows as the work does.
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  getVariableValues,
  isCompositeType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { badInput, ErrorCode, queryLimitError } from '../../platform/errors.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../platform/pagination/connection.ts';

export const MUTATION_FIELD_COST = 10;
/**
 * Mutations that cost more than MUTATION_FIELD_COST: writing what others read (a comment is
 * shown to every reader of its paper and announced live) is what a flood would abuse.
 */
export const MUTATION_FIELD_COSTS: Readonly<Record<string, number>> = {
  addComment: 50, editComment: 20, importPapers: 100,
  // Resolves the URL's host name (DNS) before saving it.
  createWebhook: 20, updateWebhook: 20,
  // Queues up to 10,000 messages, each a delivery to someone's receiver.
  replayWebhookDeliveries: 100,
};

type Weight = (args: Record<string, unknown>) => number;

/**
 * A paper list's search: KEYWORD ranks and snippets its matches; HYBRID adds the embedding path.
 * Each `OR` alternative (web-search syntax) is one more set of matches to rank and count: a
 * query of 24 common words joined by OR took 3.6 s on the 100k catalog, one common word 2.3 s.
 * Since KEYWORD ranks bounded candidates and counts up to 1,000 (src/catalog/papers/ranked-search.ts),
 * a common word is 15-30 times cheaper (bench/results/2026-12-07-search.md); the weights stay
 * until bench/calibrate.ts measures the new statements: each alternative still adds its posting
 * lists to the index scans, and with RUM its matches to the ordered scan.
 */
const alternativesOf = (query: string) => 1 + (query.match(/\sOR\s/g)?.length ?? 0);

const searchWeight: Weight = (args) => {
  if (typeof args.query === 'string' && args.query.trim() !== '') {
    return (args.searchMode === 'HYBRID' ? 300 : 100) * alternativesOf(args.query);
  }
  return typeof args.prefix === 'string' && args.prefix !== '' ? 20 : 0;
};

/**
 * Points a field adds to its own, once per time it is resolved, from measurement
 * (bench/calibrate.ts; see the header). Keyed `Type.field`. Resolved once per item of a list
 * around it: `related` on a page of 20 papers pays its weight 20 times.
 */
export const FIELD_WEIGHTS: Readonly<Record<string, Weight>> = {
  'Query.papers': searchWeight,
  'Author.papers': searchWeight,
  'Topic.papers': searchWeight,
  // Authors by name: a trigram match over every author.
  'Query.authors': (args) => (typeof args.query === 'string' && args.query !== '' ? 20 : 0),
  // count(*) over the list's whole filter (a KEYWORD search: its matches up to SEARCH_COUNT_CAP,
  // src/catalog/papers/search.ts). totalCountIsExact comes from the same count: one price for both.
  'PaperConnection.totalCount': () => 50,
  'PaperConnection.totalCountIsExact': () => 50,
  'AuthorConnection.totalCount': () => 20,
  'TopicConnection.totalCount': () => 2,
  'AuthorClaimConnection.totalCount': () => 2,
  'CommentConnection.totalCount': () => 2,
  'FollowConnection.totalCount': () => 2,
  'CollectionItemConnection.totalCount': () => 2,
  'CollectionConnection.totalCount': () => 2,
  // Topic and month counts over the list's whole filter.
  'PaperConnection.facets': () => 150,
  // Term overlap of one paper with the catalog, per source paper.
  'Paper.related': () => 20,
  // The terms of the reader's upvoted papers, against the catalog.
  'User.recommendedPapers': () => 100,
  // Papers of everything the reader follows, merged.
  'User.feed': () => 50,
  // The citation graph (bench/results/2026-12-07-citation-graph.md, one connection: 2.2 ms for
  // references, 2.8-6.6 ms for citedBy of a paper cited 100k times, against 0.9 ms for a page).
  'Paper.references': () => 10,
  'Paper.citedBy': () => 30,
  'CitationConnection.totalCount': () => 20,
  // count(*) of a month's cited papers over the (month, ...) index: 330 ms for 50k papers cited
  // in one month (a scratch table, loaded machine), as much as a paper list's count; a page is 0.2 ms.
  'MostCitedPaperConnection.totalCount': () => 50,
  // Formatting on the event loop (yielding): a paper's entry, or a whole collection's (up to 1,000).
  'Paper.citation': () => 2,
  'Collection.citation': () => 200,
  // count(*) of an owner's endpoints (at most WEBHOOK_MAX_PER_USER) or of everyone's (admins), and
  // of an endpoint's attempts (grows with its history; by index on endpointId).
  'WebhookConnection.totalCount': () => 2,
  'WebhookDeliveryConnection.totalCount': () => 5,
};

/**
 * Fields the shape prices as it is (the table in the header): lookups by key, lists bounded by
 * their page size or by a small fixed number, and payloads. Listed so that a new field is a
 * decision: weighted above, or named here.
 */
export const PRICED_BY_SHAPE: ReadonlySet<string> = new Set([
  // Lookups by key or id (`nodes`: per id).
  'Query.node', 'Query.nodes', 'Query.paper', 'Query.author', 'Query.topic', 'Query.dailyPapers',
  // Federation: per representation, as `nodes` per id; and the schema's text.
  'Query._entities', 'Query._service',
  // Pages over an index, priced per item: their filters and orders use indexes.
  'Query.topics', 'Query.trendingPapers', 'Query.pendingAuthorClaims', 'DailyPapers.papers', 'Query.mostCitedPapers',
  'Paper.comments', 'Comment.replies', 'User.upvotedPapers', 'User.follows', 'User.collections', 'Collection.items',
  'User.webhooks', 'Query.webhooks', 'Webhook.deliveries',
  // Small lists of a row, loaded in batches.
  'Paper.authors', 'Paper.byline', 'Paper.topics', 'Topic.children', 'User.apiTokens', 'User.authorClaims',
  'PaperFacets.topics', 'PaperFacets.months', 'CitationCount.totals',
  // Subscriptions: the selection's cost at subscribing and at each delivery (src/graphql/websocket.ts).
  'Subscription.paperUpdated', 'Subscription.papersFeatured', 'Subscription.commentAdded', 'Subscription.citationAdded',
  // At most 5 papers by id, priced × `first` (SIZED_LISTS).
  'CitationAdded.citingPapers',
]);

/** Whether a field must be weighted or listed: see PRICED_BY_SHAPE. Mutations have their own rule. */
export function needsPrice(typeName: string, field: { name: string; args: readonly { name: string }[]; type: GraphQLOutputType }): boolean {
  if (field.name === 'userErrors' || field.name === 'pageInfo' || field.name === 'edges' || field.name === 'nodes') return false;
  const named = getNamedType(field.type);
  if (field.args.some((arg) => !PAGING_ARGUMENTS.has(arg.name))) return true;
  if (isListType(getNullableType(field.type)) && isCompositeType(named)) return true;
  if (isConnection(named)) return true;
  return typeName.endsWith('Connection');
}

const PAGING_ARGUMENTS = new Set(['first', 'after', 'last', 'before']);
/**
 * Field selections an operation may expand to once fragments are inlined. A "fragment bomb"
 * (each fragment spreading the previous one twice) is refused here after this much work,
 * instead of being walked 2^n times.
 */
export const MAX_EXPANDED_SELECTIONS = 10_000;

function isConnection(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith('Connection') && 'pageInfo' in type.getFields();
}

function pageSize(args: Record<string, unknown>): number {
  const requested = args.first ?? args.last;
  if (typeof requested !== 'number') return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(requested, 0), MAX_PAGE_SIZE);
}

function longestListArgument(args: Record<string, unknown>): number {
  let longest = 1;
  for (const value of Object.values(args)) if (Array.isArray(value)) longest = Math.max(longest, value.length);
  return longest;
}

function tooManySelections(): GraphQLError {
  return queryLimitError(
    ErrorCode.QUERY_TOO_COSTLY,
    `The operation expands to more than ${MAX_EXPANDED_SELECTIONS} field selections once its fragments are inlined`,
  );
}

/**
 * Plain lists whose `first` says how many objects are fetched, each resolved further: they count
 * like a page of that size. (Facet counts, `PaperFacets.topics(first)`, are one aggregate: not here.)
 */
const SIZED_LISTS = new Set(['Paper.related', 'User.recommendedPapers', 'CitationAdded.citingPapers']);

/** Connection fields answered by the same work as another: asked together, paid once. */
const SAME_WORK: Readonly<Record<string, string>> = { 'PaperConnection.totalCountIsExact': 'PaperConnection.totalCount' };
const SHARED_WORK = new Set(Object.values(SAME_WORK));

/**
 * The weights of a connection's own fields (totalCount, facets) that `selectionSet` asks for,
 * looking through inline fragments and named ones: paid once per connection, not per item.
 */
function connectionWeights(connection: GraphQLNamedType, selectionSet: SelectionSetNode | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>(), paid = new Set<string>()): number {
  let total = 0;
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const key = `${connection.name}.${selection.name.value}`;
      if (!Object.hasOwn(FIELD_WEIGHTS, key)) continue;
      // The count's work, asked for through either field (or twice), is done once: paid once.
      const work = SAME_WORK[key] ?? (SHARED_WORK.has(key) ? key : undefined);
      if (work !== undefined) {
        if (paid.has(work)) continue;
        paid.add(work);
      }
      total += FIELD_WEIGHTS[key]!({});
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += connectionWeights(connection, selection.selectionSet, fragments, seen, paid);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      total += connectionWeights(connection, fragments.get(selection.name.value)?.selectionSet, fragments, seen, paid);
    }
  }
  return total;
}

/** `fragments`: the document's, for the connection fields that a fragment selects. */
export function costEstimator(schema: GraphQLSchema, fragments: ReadonlyMap<string, FragmentDefinitionNode> = new Map()): ComplexityEstimator {
  const mutation = schema.getMutationType();
  return ({ type, field, node, args, childComplexity }) => {
    const returned = getNamedType(field.type);
    const list = isListType(getNullableType(field.type));
    // A connection's own fields (and the facets' insides) are paid by the connection, once.
    if ((isConnection(type) && !list) || type.name === 'PaperFacets') return 0;
    const key = `${type.name}.${field.name}`;
    const weight = Object.hasOwn(FIELD_WEIGHTS, key) ? FIELD_WEIGHTS[key]!(args) : 0;
    if (!isCompositeType(returned)) return weight;
    const own = type === mutation ? (Object.hasOwn(MUTATION_FIELD_COSTS, field.name) ? MUTATION_FIELD_COSTS[field.name]! : MUTATION_FIELD_COST) : 1;
    if (isConnection(returned)) return weight + own + connectionWeights(returned, node.selectionSet, fragments) + pageSize(args) * childComplexity;
    if (!list) return weight + own + childComplexity;
    const length = SIZED_LISTS.has(key) ? pageSize(args) : longestListArgument(args);
    return weight + length * (own + childComplexity);
  };
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

/**
 * How many selections the operation has once every fragment is inlined, counted in time linear
 * in the document (each fragment's count is computed once), so that an exponential "fragment
 * bomb" is refused for the price of reading it, before the cost walk would expand it.
 */
export function expandedSelections(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = fragmentsOf(document);
  const counted = new Map<string, number>();
  const count = (selectionSet: SelectionSetNode | undefined): number => {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        if (!counted.has(name)) {
          counted.set(name, 0); // a cycle (refused by validation anyway) counts nothing
          counted.set(name, count(fragments.get(name)?.selectionSet));
        }
        total += 1 + counted.get(name)!;
      } else {
        total += 1 + count(selection.selectionSet);
      }
    }
    return total;
  };
  return count(operation.selectionSet);
}

// Costs already computed, per parsed document (Apollo keeps one DocumentNode per distinct query
// text), then per operation and the variable values a cost can depend on. Those are page sizes
// (Int), @skip/@include conditions (Boolean), list lengths, and of a string only whether it is
// blank and how many OR alternatives it has (a search's weight): a paper page asked for by a
// thousand arXiv ids is costed once.
const costs = new WeakMap<DocumentNode, Map<string, number>>();
/** Cost entries kept per document: variable shapes beyond these are costed each time. */
const MAX_COSTS_PER_DOCUMENT = 100;
/** What a cost can see of a string: whether it is blank, and its OR alternatives (searchWeight). */
const stringShape = (_key: string, value: unknown) => (typeof value === 'string' ? `${value.trim() === '' ? 0 : 1}:${alternativesOf(value)}` : value);

/**
 * The operation's cost. Throws QUERY_TOO_COSTLY when it expands past MAX_EXPANDED_SELECTIONS,
 * and BAD_USER_INPUT when its variables do not fit their types (execution would refuse them too).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  // Variables are checked against their types on every request, cached cost or not.
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (errors?.length) throw badVariables(errors[errors.length - 1]!);
  const key = `${operation.name?.value ?? ''}\u0000${JSON.stringify(variables, stringShape)}`;
  let known = costs.get(document);
  const hit = known?.get(key);
  if (hit !== undefined) return hit;
  const cost = computeCost(schema, document, operation, variables);
  if (!known) costs.set(document, (known = new Map()));
  if (known.size < MAX_COSTS_PER_DOCUMENT) known.set(key, cost);
  return cost;
}

function badVariables(error: GraphQLError): GraphQLError {
  const refusal = badInput(error.message);
  refusal.extensions.http = { status: 400 };
  return refusal;
}

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  if (expandedSelections(document, operation) > MAX_EXPANDED_SELECTIONS) throw tooManySelections();
  try {
    return getComplexity({
      schema,
      query: document,
      operationName: operation.name?.value,
      variables,
      estimators: [costEstimator(schema, fragmentsOf(document))],
      maxQueryNodes: MAX_EXPANDED_SELECTIONS,
    });
  } catch (error) {
    // Counted as above, so not expected; kept as the library's own guard.
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) throw tooManySelections();
    if (error instanceof GraphQLError) throw badVariables(error);
    throw error;
  }
}
