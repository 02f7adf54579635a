// The RUM index of keyword search, where the server has RUM (src/platform/db/rum.ts): it keeps
// each lexeme's positions beside its postings, so `ORDER BY "searchVector" <=> query LIMIT n`
// reads the n best matches from the index instead of ranking every match (./list.ts).
//
// Opt-in (SEARCH_RUM=on): RUM 1.3 can take the server down (a segfault ends every session while
// PostgreSQL reinitializes): a query of exclusions alone read through a RUM index did here, and
// postgrespro/rum issue 183 reports one for a lexeme whose postings DELETE and VACUUM emptied.
//
// Not a migration: migrations run on every PostgreSQL 15-18 and on the embedded database,
// which have no RUM. The process that migrates builds it at start, CONCURRENTLY and in the
// background (src/main.ts; `npm run search:index` builds it and waits), and readers use it
// once it is valid (platform.searchIndex): until then, search ranks on the GIN index, as on
// servers without RUM. The GIN index stays: it serves prefix search, facets and counts, and is
// the fallback.
import { buildIndexConcurrently, watchIndex, type IndexBuild, type RankedIndex } from '../../platform/db/rum.ts';
import type { Db } from '../../platform/db/client.ts';

export const SEARCH_RUM_INDEX = 'catalog_paper_search_rum_idx';
const DEFINITION = `"Paper" USING rum ("searchVector" rum_tsvector_ops)`;

/** Builds the RUM index of search unless it is valid already (needs `CREATE EXTENSION rum` first). */
export function buildSearchIndex(url: string): Promise<IndexBuild> {
  return buildIndexConcurrently(url, SEARCH_RUM_INDEX, DEFINITION);
}

/** What readers ask before taking the RUM path (platform.searchIndex). */
export function searchIndexOf(db: Db): RankedIndex {
  return watchIndex(db, SEARCH_RUM_INDEX);
}
