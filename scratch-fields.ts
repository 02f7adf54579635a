import { getNamedType, getNullableType, isListType, isObjectType, isCompositeType } from 'graphql';
import { createGraphQL } from '/work/main/src/graphql/schema.ts';
import { loadConfig } from '/work/main/src/config.ts';
const { schema } = createGraphQL(loadConfig({ NODE_ENV: 'test' }));
const PAGING = new Set(['first', 'after', 'last', 'before']);
for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type) || type.name.startsWith('__')) continue;
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const list = isListType(getNullableType(field.type));
    const args = field.args.map((a) => a.name).filter((a) => !PAGING.has(a));
    const conn = type.name.endsWith('Connection') && !['pageInfo', 'edges', 'nodes'].includes(field.name);
    if (args.length || (list && isCompositeType(named)) || conn || named.name.endsWith('Connection')) console.log(`${type.name}.${field.name}(${field.args.map((a) => a.name).join(',')}) -> ${String(field.type)}`);
  }
}
