// The size of a GraphQL document, checked on the raw text before it is parsed: in characters
// (comments and long string literals are not tokens) and in lexical tokens (what parsing,
// validating and the limits below cost grows with). The same token limit is also handed to
// graphql-js's parser (`maxTokens`) in src/graphql/server.ts, for documents that reach Apollo another way
// (a persisted query's stored text, executeOperation).
import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import type { QueryLimits } from '../../config.ts';
import { ErrorCode, queryLimitError } from '../../platform/errors.ts';

export function checkDocumentSize(query: string, limits: Pick<QueryLimits, 'maxQueryLength' | 'maxTokens'>): GraphQLError | undefined {
  if (query.length > limits.maxQueryLength) {
    return queryLimitError(
      ErrorCode.QUERY_TOO_LARGE,
      `The document is ${query.length} characters long; the limit is ${limits.maxQueryLength}. Send variables instead of inlined values, or split the operation`,
      { limit: limits.maxQueryLength },
    );
  }
  let tokens = 0;
  const lexer = new Lexer(new Source(query));
  try {
    // Stops one past the limit: a huge document is never lexed to its end.
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++tokens > limits.maxTokens) {
        return queryLimitError(
          ErrorCode.QUERY_TOO_LARGE,
          `The document has more than ${limits.maxTokens} tokens (names, punctuation, values); split the operation`,
          { limit: limits.maxTokens },
        );
      }
    }
  } catch {
    // A lexical error: the parser reports it, with its position, as GRAPHQL_PARSE_FAILED.
  }
  return undefined;
}
