// Depth, alias and directive limits: graphql-armor's validation rules (Escape), which expand
// fragments once each (a fragment spread a million times is counted, not walked, a million
// times) and survive fragment cycles. They run in Apollo's validation, so a document is checked
// once and cached with its verdict.
//
// Two adjustments for Apollo Server 5: armor throws from inside `validate()` by default, which
// Apollo turns into a masked 500, so rejections are reported to the validation context instead;
// and each gets its own code (QUERY_TOO_DEEP, ...), which src/platform/errors.ts keeps when Apollo labels
// validation errors GRAPHQL_VALIDATION_FAILED.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimits } from '../../config.ts';
import { ErrorCode } from '../../platform/errors.ts';

type LimitCode = typeof ErrorCode.QUERY_TOO_DEEP | typeof ErrorCode.TOO_MANY_ALIASES | typeof ErrorCode.TOO_MANY_DIRECTIVES;

/** armor's message ends "..., found 12." or "..." with no count; the count is all we keep of it. */
function found(error: GraphQLError): string {
  const match = /found (\d+)/.exec(error.message);
  return match ? `${match[1]}` : 'more';
}

function report(code: LimitCode, describe: (found: string) => string) {
  return [
    (context: ValidationContext | null, error: GraphQLError) => {
      context?.reportError(new GraphQLError(describe(found(error)), { extensions: { code } }));
    },
  ];
}

export function limitRules(limits: Pick<QueryLimits, 'maxDepth' | 'maxAliases' | 'maxDirectives'>): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return [
    maxDepthRule({
      ...common,
      n: limits.maxDepth,
      // Depth is the nesting of fields; a fragment is not a level of its own.
      flattenFragments: true,
      // The introspection query of tools nests `ofType` 9 deep (14 levels in all); it is allowed or refused as a
      // whole by GRAPHQL_INTROSPECTION.
      ignoreIntrospection: true,
      onReject: report(
        ErrorCode.QUERY_TOO_DEEP,
        (n) => `The operation nests fields ${n} levels deep; the limit is ${limits.maxDepth}. Fetch deeper data with a follow-up query (node(id:) takes an id from this one)`,
      ),
    }) as unknown as ValidationRule,
    maxAliasesRule({
      ...common,
      n: limits.maxAliases,
      onReject: report(ErrorCode.TOO_MANY_ALIASES, (n) => `The operation uses ${n} aliases; the limit is ${limits.maxAliases}. Use nodes(ids:) or a list field instead of many aliased fields`),
    }) as unknown as ValidationRule,
    maxDirectivesRule({
      ...common,
      n: limits.maxDirectives,
      onReject: report(ErrorCode.TOO_MANY_DIRECTIVES, (n) => `The operation uses ${n} directives; the limit is ${limits.maxDirectives}`),
    }) as unknown as ValidationRule,
  ];
}
