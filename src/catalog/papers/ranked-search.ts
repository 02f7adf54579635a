// KEYWORD search by relevance without ranking every match. A common word matches most of the
// catalog (75 % of the 100k bench catalog; hundreds of thousands of papers at arXiv's size), and
// ranking each match reads its search vector from the heap (most are TOASTed): seconds a request.
// So a page is ranked (ts_rank_cd, as always) among a bounded set of candidates:
//   - up to SEARCH_CANDIDATES matches: with RUM (./search-index.ts, once valid), the best by
//     RUM's own rank, read in rank order from the index; without it (PGlite, servers without
//     RUM), the first the GIN index yields, in storage order (roughly the oldest first);
//   - and up to SEARCH_CANDIDATES papers whose title alone matches (the title's GIN index,
//     migration 20261207152216_search_title_index), so that a paper's title finds it at any
//     catalog size however common its words.
// A query with at most SEARCH_CANDIDATES matches is ranked exactly as before: every match is a
// candidate. A query with exclusions (`-word`) never takes the RUM path: RUM 1.3 mishandles
// negation in index scans (a query of exclusions alone, read through the RUM index, crashed the
// PostgreSQL server process here; postgrespro/rum issues 123 and 183 report wrong results and
// another crash), which is also why RUM is off unless SEARCH_RUM=on. Past that, the recall cost: with RUM, a paper outside RUM's top SEARCH_CANDIDATES
// whose title does not match can be missing from the first pages (RUM's rank and ts_rank_cd
// differ little: figures in bench/results/2026-12-07-search.md); on GIN, a page ranks the
// first SEARCH_CANDIDATES matches in storage order and the title matches, not every match.
// Why not the newest matches on GIN (what a daily-papers reader expects of a broad query): measured
// and not kept (bench/results/2026-12-07-search.md, "after: newest candidates"): reading them
// boundedly (a walk of the publishedAt index plus up to 1,001 GIN matches) cost the phrase and
// three-word kinds 25-60 % of their throughput in paired runs, and the page still showed mostly
// old papers, because title matches (first in storage order) outrank abstract matches.
// The candidates stay the same from page to page (same statement, same order), so the keyset
// over (rank, id) pages them without gaps or repeats.
import { Prisma } from '../../generated/prisma/client.ts';
import type { Platform } from '../../platform/platform.ts';
import type { SearchQuery } from './search.ts';

/** Candidates from each source; bench/results/2026-12-07-search.md has the measurements behind it. */
export const SEARCH_CANDIDATES = 300;

/**
 * A relation `(id)` of the candidates among the papers that `conditions` allow (over
 * `"Paper" p`: listed, the page's scope, the filter), to join on `p.id`; the caller still
 * requires the full match (`"searchVector" @@ query`: a title match can fail an exclusion that
 * the abstract holds). Also what HYBRID search may take as its keyword ranking's candidates.
 * `shared`: the name of a CTE of the matches (sharedKeywordMatches), to take them from.
 */
export function keywordCandidates(
  platform: Pick<Platform, 'searchIndex'>,
  conditions: readonly Prisma.Sql[],
  search: SearchQuery,
  limit = SEARCH_CANDIDATES,
  shared: Prisma.Sql | null = null,
): Prisma.Sql {
  const where = Prisma.join(conditions, ' AND ');
  const query = search.expression;
  // RUM: the index's ordering needs the bare operator over a constant (not q.q). Ordered by the
  // query with its phrases as plain AND: RUM's ordering of phrase operators (<->, <N>) does not
  // follow its own distance (bench/results/2026-12-07-search.md: 0 of the top 20 of
  // "reinforcement learning"), while the same words ANDed order well and the condition keeps
  // only the phrase's matches. Folded to a constant by the planner (every function immutable).
  const matches = shared
    ? Prisma.sql`SELECT m.id FROM ${shared} m LIMIT ${limit}`
    : usesRum(platform, search)
    ? Prisma.sql`SELECT p.id FROM "Paper" p WHERE ${where} AND p."searchVector" @@ ${query}
        ORDER BY p."searchVector" <=> regexp_replace((${query})::text, '<[0-9]*-?>', '&', 'g')::tsquery LIMIT ${limit}`
    : Prisma.sql`SELECT p.id FROM "Paper" p WHERE ${where} AND p."searchVector" @@ ${query} LIMIT ${limit}`;
  // The expression of catalog_paper_title_search_idx, exactly: the planner matches it textually.
  // Not for a query of one word (numnode 1: folded to a constant, so the scan is never started):
  // a title is found by its words together, and the title postings of one common word are what
  // grows with the catalog (the bitmap of "learning" read 20k title postings at 100k papers:
  // 6 ms, the planner's alternative, to_tsvector of every title in turn, 18 ms for "model").
  const titles = Prisma.sql`SELECT p.id FROM "Paper" p WHERE numnode(${query}) > 1 AND ${where} AND to_tsvector('english'::regconfig, p.title) @@ ${query} LIMIT ${limit}`;
  return Prisma.sql`((${matches}) UNION (${titles}))`;
}

/** Whether the matches come from the RUM index in rank order (never for a query with exclusions). */
function usesRum(platform: Pick<Platform, 'searchIndex'>, search: SearchQuery): boolean {
  return !search.negated && Boolean(platform.searchIndex?.ready());
}

/**
 * The first `cap` matches of a KEYWORD search in storage order, as the body of a MATERIALIZED CTE,
 * or null where RUM yields them in rank order. A page takes both its candidates (the first
 * SEARCH_CANDIDATES of them: the same rows as a scan of its own) and its count (up to `cap`)
 * from it: one intersection of the query words' GIN posting lists a request instead of two,
 * which is what grows with the catalog for queries of several words
 * (bench/results/2026-12-07-discovery-session4.md: three words 0.42x the daily page at 100k, 0.16x at 1M).
 */
export function sharedKeywordMatches(platform: Pick<Platform, 'searchIndex'>, conditions: readonly Prisma.Sql[], search: SearchQuery, cap: number): Prisma.Sql | null {
  if (usesRum(platform, search)) return null;
  return Prisma.sql`SELECT p.id FROM "Paper" p WHERE ${Prisma.join(conditions, ' AND ')} AND p."searchVector" @@ ${search.expression} LIMIT ${cap}`;
}
