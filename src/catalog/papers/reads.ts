// The papers read service: what a paper list means and who may see which paper, for every
// caller alike — resolvers, feeds, digests, scripts. It takes the database and this
// request's loaders (a GraphQL Context has both, so resolvers pass theirs), never a GraphQL
// context: a feed or a digest builds `paperReads(db)` instead of faking a request.
import { readerOf, type Db, type Reader } from '../../platform/db/client.ts';
import { sharedRead } from '../../platform/db/shared-reads.ts';
import type { Paper, User } from '../../generated/prisma/client.ts';
import { createLoaders, primeRelations, RELATION_COLUMNS, type Loaders, type RelationColumns } from '../loaders.ts';
import { PAPER_COLUMNS_P } from './columns.ts';
import { listedPaper, visibleTo } from './visibility.ts';

export { listPapers, type ListOptions, type PaperConnection, type PaperListArgs } from './list.ts';

export interface PaperReads {
  readonly db: Db;
  readonly loaders: Loaders;
  /** This request's reads (bound to its deadline); absent: the database's own reader. */
  readonly reader?: Reader;
  /** Who reads: decides whether a hidden paper opened by id exists (curators only). */
  readonly viewer?: User | null;
}

/** Reads outside a request (feeds, digests, scripts): anonymous, loaders of their own. */
export function paperReads(db: Db, viewer: User | null = null): PaperReads {
  return { db, loaders: createLoaders(db, viewer), viewer };
}

/** The paper with this id, or null when there is none or this reader may not see it. */
export async function paperById(deps: PaperReads, id: number): Promise<Paper | null> {
  return visibleTo(deps.viewer, await deps.loaders.paperById.load(id));
}

// Shared by the requests that arrive together (src/platform/db/shared-reads.ts): paper pages are the
// most frequent single reads, and one statement for a dozen of them costs little more than one.
const papersByArxivId = sharedRead<string, Paper>({
  name: 'papers_by_arxiv_id',
  text: `SELECT ${PAPER_COLUMNS_P.text} FROM "Paper" p WHERE p."arxivId" = ANY($1::text[])`,
  keyOf: (row) => row.arxivId,
});
const papersByArxivIdWithRelations = sharedRead<string, Paper & RelationColumns>({
  name: 'papers_by_arxiv_id_with_relations',
  text: `SELECT ${PAPER_COLUMNS_P.text}, ${RELATION_COLUMNS} FROM "Paper" p WHERE p."arxivId" = ANY($1::text[])`,
  keyOf: (row) => row.arxivId,
});

/**
 * The paper with this (normalized) arXiv id, or null as for `paperById`; primes `paperById`
 * (and, `withRelations`, its byline and topics: one statement for a paper page).
 */
export async function paperByArxivId(deps: PaperReads, arxivId: string, options: { withRelations?: boolean } = {}): Promise<Paper | null> {
  const reader = deps.reader ?? readerOf(deps.db);
  const [paper] = await (options.withRelations ? papersByArxivIdWithRelations : papersByArxivId).rows(reader, [arxivId]);
  // A hidden paper's relations are primed too: harmless, they are read only through the paper.
  if (paper && options.withRelations) primeRelations(deps.loaders, paper);
  if (paper) deps.loaders.paperById.prime(paper.id, paper);
  return visibleTo(deps.viewer, paper);
}

/**
 * The day a daily list or feed without a date shows: the latest day, up to today (UTC), on
 * which listed papers were featured; today when there is none.
 */
export async function latestFeaturedDay(deps: Pick<PaperReads, 'db'>, now = new Date()): Promise<Date> {
  const row = await deps.db.paper.findFirst({ where: { featuredOn: { not: null, lte: now }, ...listedPaper }, orderBy: { featuredOn: 'desc' }, select: { featuredOn: true } });
  return row?.featuredOn ?? new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
}

/** The nearest days before and after `date` on which listed papers were featured. */
export async function featuredDayBefore(deps: PaperReads, date: Date): Promise<Date | null> {
  const row = await deps.db.paper.findFirst({ where: { featuredOn: { lt: date }, ...listedPaper }, orderBy: { featuredOn: 'desc' }, select: { featuredOn: true } });
  return row?.featuredOn ?? null;
}

export async function featuredDayAfter(deps: PaperReads, date: Date): Promise<Date | null> {
  const row = await deps.db.paper.findFirst({ where: { featuredOn: { gt: date }, ...listedPaper }, orderBy: { featuredOn: 'asc' }, select: { featuredOn: true } });
  return row?.featuredOn ?? null;
}
