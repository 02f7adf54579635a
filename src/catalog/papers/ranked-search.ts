// KEYWORD search by relevance without ranking every match. A common word matches most of the
// catalog (75 % of the 100k bench catalog; hundreds of thousands of papers at arXiv's size), and
// ranking each match reads its search vector from the heap (most are TOASTed): seconds a request.
// So a page is ranked (ts_rank_cd, as always) among a bounded set of candidates:
//   - up to SEARCH_CANDIDATES matches: with RUM (./search-index.ts, once valid), the best by
//     RUM's own rank, read in rank order from the index; without it (PGlite, servers without
//     RUM), the newest (publishedAt, then id: the newest list's order and index), read from two
//     bounded sources (newestMatches below);
//   - and up to SEARCH_CANDIDATES papers whose title alone matches (the title's GIN index,
//     migration 20261207152216_search_title_index), so that a paper's title finds it at any
//     catalog size however common its words.
// A query with at most SEARCH_CANDIDATES matches is ranked exactly as before: every match is a
// candidate. A query with exclusions (`-word`) never takes the RUM path: RUM 1.3 mishandles
// negation in index scans (a query of exclusions alone, read through the RUM index, crashed the
// PostgreSQL server process here; postgrespro/rum issues 123 and 183 report wrong results and
// another crash), which is also why RUM is off unless SEARCH_RUM=on. Past that, the recall
// cost: with RUM, a paper outside RUM's top SEARCH_CANDIDATES whose title does not match can be
// missing from the first pages (RUM's rank and ts_rank_cd differ little: figures in
// bench/results/2026-12-07-search.md); on GIN, an older paper whose title does not match loses
// to newer ones however well its abstract matches, once the query has more than
// SEARCH_CANDIDATES matches: a broad query lists recent work, as arXiv's own search does.
// The candidates stay the same from page to page (same statement, same order), so the keyset
// over (rank, id) pages them without gaps or repeats.
import { Prisma } from '../../generated/prisma/client.ts';
import type { Platform } from '../../platform/platform.ts';
import { SEARCH_COUNT_CAP, type SearchQuery } from './search.ts';

/** Candidates from each source; bench/results/2026-12-07-search.md has the measurements behind it. */
export const SEARCH_CANDIDATES = 300;
/**
 * How many of the newest listed papers the GIN path walks (the publishedAt index) looking for
 * the newest matches of a query with more than SEARCH_COUNT_CAP of them (newestMatches).
 */
export const SEARCH_NEWEST_WALK = 2_000;

/**
 * A relation `(id)` of the candidates among the papers that `conditions` allow (over
 * `"Paper" p`: listed, the page's scope, the filter), to join on `p.id`; the caller still
 * requires the full match (`"searchVector" @@ query`: a title match can fail an exclusion that
 * the abstract holds). Also what HYBRID search may take as its keyword ranking's candidates.
 */
export function keywordCandidates(platform: Pick<Platform, 'searchIndex'>, conditions: readonly Prisma.Sql[], search: SearchQuery, limit = SEARCH_CANDIDATES): Prisma.Sql {
  const where = Prisma.join(conditions, ' AND ');
  const query = search.expression;
  // RUM: the index's ordering needs the bare operator over a constant (not q.q). Ordered by the
  // query with its phrases as plain AND: RUM's ordering of phrase operators (<->, <N>) does not
  // follow its own distance (bench/results/2026-12-07-search.md: 0 of the top 20 of
  // "reinforcement learning"), while the same words ANDed order well and the condition keeps
  // only the phrase's matches. Folded to a constant by the planner (every function immutable).
  const matches = !search.negated && platform.searchIndex?.ready()
    ? Prisma.sql`SELECT p.id FROM "Paper" p WHERE ${where} AND p."searchVector" @@ ${query}
        ORDER BY p."searchVector" <=> regexp_replace((${query})::text, '<[0-9]*-?>', '&', 'g')::tsquery LIMIT ${limit}`
    : newestMatches(where, query, limit);
  // The expression of catalog_paper_title_search_idx, exactly: the planner matches it textually.
  const titles = Prisma.sql`SELECT p.id FROM "Paper" p WHERE ${where} AND to_tsvector('english'::regconfig, p.title) @@ ${query} LIMIT ${limit}`;
  return Prisma.sql`((${matches}) UNION (${titles}))`;
}

/**
 * The `limit` newest matches (publishedAt DESC, id DESC), exactly when the query has at most
 * SEARCH_COUNT_CAP matches (when its totalCount is exact) or at least `limit` among the
 * SEARCH_NEWEST_WALK newest listed papers (a common word), else approximately; never reading
 * more than SEARCH_COUNT_CAP + 1 matches and SEARCH_NEWEST_WALK papers, whatever the number of
 * matches. Two sources, the second read only when the first does not settle it:
 *   - recent: the matches among the SEARCH_NEWEST_WALK newest listed papers, walking the
 *     publishedAt index newest first and stopping at `limit` matches (about limit / share of the
 *     papers that match: 385 papers for a word in 78 % of them). With `limit` of them, they are
 *     the newest matches, and the statement stops there: a common word reads no more;
 *   - found: else, the first SEARCH_COUNT_CAP + 1 matches the GIN index yields (storage order,
 *     cheap: no ranking, a single word needs no recheck). At most the cap: they are all the
 *     matches, and the newest `limit` of them and of `recent` are exact.
 * Between the two (more matches than the cap, fewer than `limit` in the newest walk: a word in
 * 1-15 % of the 100k bench catalog) the candidates are every match among the newest walk and,
 * to make up `limit`, the newest of the `found` ones, which are older.
 * Why not `ORDER BY "publishedAt" DESC, id DESC LIMIT n` and let the planner choose between a
 * walk of the index and a sort of every match: either reads up to sqrt(n × papers) rows for a
 * word between (5,500 at 100k papers, 17,000 at 1M), and the statement is prepared: once
 * PostgreSQL settles on a generic plan, the plan chosen for a rare word (sort every match)
 * could serve a word in every paper. Each source here has one plan and a bound.
 */
function newestMatches(where: Prisma.Sql, query: Prisma.Sql, limit: number): Prisma.Sql {
  const walk = Prisma.sql`SELECT p.id, p."publishedAt", p."searchVector" FROM "Paper" p WHERE ${where}
    ORDER BY p."publishedAt" DESC, p.id DESC LIMIT ${SEARCH_NEWEST_WALK}`;
  // MATERIALIZED: each source is read once, and `found` not at all when `recent` is full (the
  // one-time filter on recent's size runs before found's CTE scan). Recent first: found costs a
  // word in most papers 1,001 rows that the newest 300 would all outrank (measured: 0.49× the
  // daily page's req/s with found first, against ≥ 0.5× asked of every search kind).
  return Prisma.sql`SELECT m.id FROM (
    WITH recent AS MATERIALIZED (SELECT w.id, w."publishedAt" FROM (${walk}) w WHERE w."searchVector" @@ ${query} LIMIT ${limit}),
      found AS MATERIALIZED (SELECT p.id, p."publishedAt" FROM "Paper" p WHERE ${where} AND p."searchVector" @@ ${query} LIMIT ${SEARCH_COUNT_CAP + 1})
    SELECT id, "publishedAt" FROM recent
    UNION SELECT id, "publishedAt" FROM found WHERE (SELECT count(*) FROM recent) < ${limit}
    ORDER BY "publishedAt" DESC, id DESC LIMIT ${limit}) m`;
}
