// Turning what a user typed into a Postgres tsquery, safely. Nothing typed reaches SQL as
// syntax: web-search mode uses websearch_to_tsquery, which accepts any text (quotes,
// -exclusions, OR) without errors; prefix mode keeps only letters and digits.
import { Prisma } from '../../generated/prisma/client.ts';
import { badInput } from '../../platform/errors.ts';

export const MAX_QUERY_LENGTH = 256;
/**
 * A KEYWORD search counts its matches exactly up to this many; beyond, `totalCount` is this
 * number with `totalCountIsExact: false` ("more than"), and facets count this many of the
 * matches (./list.ts). Counting every match of a common word is what made search slow.
 */
export const SEARCH_COUNT_CAP = 1_000;
const MAX_PREFIX_WORDS = 16;

export interface SearchQuery {
  /** A one-row relation of one tsquery column, for `CROSS JOIN ... AS q(q)`. */
  tsquery: Prisma.Sql;
  /**
   * The tsquery as an expression of a parameter: what an index's ordering operator needs
   * (`"searchVector" <=> expression`: a constant to the planner, where `q.q` would be a column
   * of another relation, which an ordered index scan cannot take).
   */
  expression: Prisma.Sql;
  /**
   * Whether the query excludes words (`-word`, web-search syntax): RUM 1.3 mishandles negation
   * in its index scans (a query of exclusions alone crashed the server process), so such a
   * query never takes the RUM path (./ranked-search.ts). Prefix queries hold none.
   */
  negated: boolean;
}

export function searchQuery(text: string, prefix: boolean): SearchQuery {
  const query = text.trim();
  if (query.length > MAX_QUERY_LENGTH) throw badInput(`query must be at most ${MAX_QUERY_LENGTH} characters; got ${query.length}`, 'query');
  // NUL cannot be stored in Postgres text; other control characters are never meant.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(query) || /[\ud800-\udfff]/.test(query.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
    throw badInput('query must be plain text without control characters or broken Unicode', 'query');
  }
  const words = query.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) throw badInput('query must contain at least one word (letters or digits)', 'query');
  if (!prefix) {
    const expression = Prisma.sql`websearch_to_tsquery('english', ${query})`;
    // A `-` opening a word excludes it (in quotes too, counted all the same: the GIN path is always safe).
    return { tsquery: Prisma.sql`(SELECT ${expression})`, expression, negated: /(^|[^\p{L}\p{N}])-/u.test(query) };
  }
  const terms = words.slice(0, MAX_PREFIX_WORDS);
  // Letters and digits only, so the joined string is always valid tsquery syntax.
  const expression = terms.map((word, i) => (i === terms.length - 1 ? `${word}:*` : word)).join(' & ');
  const tsquery = Prisma.sql`to_tsquery('english', ${expression})`;
  return { tsquery: Prisma.sql`(SELECT ${tsquery})`, expression: tsquery, negated: false };
}
