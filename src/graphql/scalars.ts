// The Date and DateTime scalars: graphql-scalars' own, limited to the years 0001 to 9999.
// graphql-scalars accepts year 0000 (and a DateTime whose offset moves it past 9999-12-31 in
// UTC), which JavaScript turns into a Date that PostgreSQL refuses ("date/time field value out
// of range") or that prints as "+010000-01-01": a masked database error instead of a refusal.
// Refused here, for every argument, input field and transport at once, with BAD_USER_INPUT. The
// scalar does not know which argument it was given to; src/graphql/input-errors.ts names it.
import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import { ErrorCode, truncate } from '../platform/errors.ts';
import { withinYears } from '../platform/validation.ts';

function limited(scalar: GraphQLScalarType, expected: string): GraphQLScalarType {
  const config = scalar.toConfig();
  // Every refusal is BAD_USER_INPUT, graphql-scalars' own ("an invalid date-string") too: a
  // literal's would otherwise be a GRAPHQL_VALIDATION_FAILED and a variable's a BAD_USER_INPUT.
  // `ast`: a literal's node, so that the error points at it (graphql-js reports a literal's
  // GraphQLError as it is, and input-errors.ts finds the argument by that location).
  const refusal = (message: string, ast?: ValueNode) => new GraphQLError(message, { ...(ast ? { nodes: ast } : {}), extensions: { code: ErrorCode.BAD_USER_INPUT } });
  const parse = (parseOne: () => unknown, raw: unknown, ast?: ValueNode): unknown => {
    let parsed: unknown;
    try {
      parsed = parseOne();
    } catch (error) {
      throw refusal(error instanceof Error ? error.message : `${scalar.name} cannot represent this value`, ast);
    }
    if (parsed instanceof Date && !withinYears(parsed)) {
      throw refusal(`${scalar.name} must be ${expected} between years 0001 and 9999 (UTC); got "${truncate(String(raw))}"`, ast);
    }
    return parsed;
  };
  return new GraphQLScalarType({
    ...config,
    parseValue: (value: unknown) => parse(() => config.parseValue!(value), value),
    parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) => parse(() => config.parseLiteral!(ast, variables), 'value' in ast ? ast.value : '', ast),
  });
}

export const DateScalar = limited(DateResolver, 'a day like 2026-07-31');
export const DateTimeScalar = limited(DateTimeResolver, 'a time like 2026-07-31T12:00:00Z');
