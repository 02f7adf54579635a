// The calculated cost model (src/graphql/limits/cost.ts) against the real schema: every field
// whose work can grow beyond its shape is priced on purpose, and the weights do what they say.
import { isObjectType, parse, type OperationDefinitionNode } from 'graphql';
import { loadConfig } from '../src/config.ts';
import { FIELD_WEIGHTS, needsPrice, operationCost, PRICED_BY_SHAPE } from '../src/graphql/limits/cost.ts';
import { createGraphQL } from '../src/graphql/schema.ts';

const { schema } = createGraphQL(loadConfig({ NODE_ENV: 'test' }));

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  return operationCost(schema, document, document.definitions[0] as OperationDefinitionNode, variables);
}

test('every field that takes arguments beyond paging, returns a list or a connection, or counts one is weighted or named as priced by its shape', () => {
  const unpriced: string[] = [];
  const fields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === schema.getMutationType()) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      fields.add(key);
      if (needsPrice(type.name, field) && !Object.hasOwn(FIELD_WEIGHTS, key) && !PRICED_BY_SHAPE.has(key)) unpriced.push(key);
    }
  }
  expect(unpriced).toEqual([]);
  // And nothing is priced that the schema no longer has.
  expect([...Object.keys(FIELD_WEIGHTS), ...PRICED_BY_SHAPE].filter((key) => !fields.has(key))).toEqual([]);
});

test('search, its modes, totalCount and facets cost their weights on top of the page', () => {
  const page = cost('{ papers(first: 1) { nodes { title } } }');
  expect(page).toBe(2);
  expect(cost('{ papers(first: 1, query: "model") { nodes { title } } }')).toBe(page + 100);
  expect(cost('{ papers(first: 1, query: "model", searchMode: HYBRID) { nodes { title } } }')).toBe(page + 300);
  expect(cost('{ papers(first: 1, query: "  ") { nodes { title } } }')).toBe(page);
  // Each OR alternative is one more set of matches: 24 common words joined by OR are refused.
  expect(cost('{ papers(first: 1, query: "model OR data OR code") { nodes { title } } }')).toBe(page + 300);
  expect(cost(`{ papers(first: 1, query: "${Array.from({ length: 24 }, (_, i) => `w${i}`).join(' OR ')}") { nodes { title } } }`)).toBe(page + 2400);
  expect(cost('{ papers(first: 1) { totalCount } }')).toBe(1 + 50);
  expect(cost('{ papers(first: 1) { facets { months { month } topics(first: 20) { count } } } }')).toBe(1 + 150);
  // A connection's own fields are paid once, not once per item, through fragments too.
  expect(cost('{ papers(first: 100) { totalCount } }')).toBe(1 + 50);
  expect(cost('{ papers(first: 100) { ...F } } fragment F on PaperConnection { ... on PaperConnection { totalCount } }')).toBe(1 + 50);
  // totalCountIsExact is the same count: asked alone it costs the count, with totalCount nothing more.
  expect(cost('{ papers(first: 1) { totalCountIsExact } }')).toBe(1 + 50);
  expect(cost('{ papers(first: 1) { totalCount totalCountIsExact n: totalCount } }')).toBe(1 + 50);
  expect(cost('{ papers(first: 1) { totalCountIsExact ...F } } fragment F on PaperConnection { totalCount }')).toBe(1 + 50);
  // Through variables too, each value costed for itself though the document's costs are remembered.
  const searched = 'query($q: String) { papers(first: 1, query: $q) { nodes { title } } }';
  const document = parse(searched);
  const costOf = (q: string) => operationCost(schema, document, document.definitions[0] as OperationDefinitionNode, { q });
  expect(costOf('model')).toBe(page + 100);
  expect(costOf('model OR data OR code')).toBe(page + 300);
  expect(costOf('  ')).toBe(page);
  expect(costOf('vision')).toBe(page + 100);
});

test('related papers pay per source paper; citations per entry; a collection citation flood is refused for its cost', () => {
  const one = cost('{ paper(arxivId: "2401.00001") { related(first: 10) { score } } }');
  const twenty = cost('{ papers(first: 20) { nodes { related(first: 10) { score } } } }');
  // A paper by arXiv id, or one node of the page: 1 each, then its related list.
  expect(one).toBe(1 + 20 + 10);
  expect(twenty).toBe(1 + 20 * one);
  expect(cost('{ paper(arxivId: "2401.00001") { citation(format: BIBTEX) } }')).toBe(1 + 2);
  const ids = Array.from({ length: 25 }, () => 'Q29sbGVjdGlvbjox');
  const flood = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Collection { a: citation(format: CSL_JSON) b: citation(format: BIBTEX) c: citation(format: RIS) } } }`;
  expect(cost(flood, { ids })).toBe(25 * (1 + 3 * 200));
});
