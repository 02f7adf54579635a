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
//                                     when there is one (`nodes(ids:)`), or × `first` as for
//                                     a connection for SIZED_LISTS (`related(first:)`)
//   mutation fields                   10 + their selections: a write costs more than a read
//                                     (MUTATION_FIELD_COSTS: more for some, e.g. posting a comment)
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
export const MUTATION_FIELD_COSTS: Readonly<Record<string, number>> = { addComment: 50, editComment: 20 };
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
const SIZED_LISTS = new Set(['Paper.related', 'User.recommendedPapers']);

export function costEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const mutation = schema.getMutationType();
  return ({ type, field, args, childComplexity }) => {
    const returned = getNamedType(field.type);
    if (!isCompositeType(returned)) return 0;
    const own = type === mutation ? (Object.hasOwn(MUTATION_FIELD_COSTS, field.name) ? MUTATION_FIELD_COSTS[field.name]! : MUTATION_FIELD_COST) : 1;
    if (isConnection(returned)) return own + pageSize(args) * childComplexity;
    const list = isListType(getNullableType(field.type));
    if (isConnection(type) && !list) return childComplexity;
    if (!list) return own + childComplexity;
    const length = SIZED_LISTS.has(`${type.name}.${field.name}`) ? pageSize(args) : longestListArgument(args);
    return length * (own + childComplexity);
  };
}

/**
 * How many selections the operation has once every fragment is inlined, counted in time linear
 * in the document (each fragment's count is computed once), so that an exponential "fragment
 * bomb" is refused for the price of reading it, before the cost walk would expand it.
 */
export function expandedSelections(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
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
// (Int), @skip/@include conditions (Boolean) and list lengths: every string in the variables is
// blanked in the key, so a paper page asked for by a thousand arXiv ids is costed once.
const costs = new WeakMap<DocumentNode, Map<string, number>>();
/** Cost entries kept per document: variable shapes beyond these are costed each time. */
const MAX_COSTS_PER_DOCUMENT = 100;
const blankStrings = (_key: string, value: unknown) => (typeof value === 'string' ? '' : value);

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
  const key = `${operation.name?.value ?? ''}\u0000${JSON.stringify(variables, blankStrings)}`;
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
      estimators: [costEstimator(schema)],
      maxQueryNodes: MAX_EXPANDED_SELECTIONS,
    });
  } catch (error) {
    // Counted as above, so not expected; kept as the library's own guard.
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) throw tooManySelections();
    if (error instanceof GraphQLError) throw badVariables(error);
    throw error;
  }
}
