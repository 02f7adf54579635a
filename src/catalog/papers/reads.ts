// The papers read service: what a paper list means and who may see which paper, for every
// caller alike — resolvers, feeds, digests, scripts. It takes the database and this
// request's loaders (a GraphQL Context has both, so resolvers pass theirs), never a GraphQL
// context: a feed or a digest builds `paperReads(platform)` instead of faking a request.
import type { Reader } from '../../platform/db/reader.ts';
import type { Platform } from '../../platform/platform.ts';
import { sharedRead } from '../../platform/db/shared-reads.ts';
import type { Paper, User } from '../../generated/prisma/client.ts';
import { createPaperLoaders, primeRelations, RELATION_COLUMNS, type PaperLoaders, type RelationColumns } from './loaders.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { PAPER_COLUMNS_P } from './columns.ts';
import { dayOf } from '../../platform/pagination/keys.ts';
import { LISTED, visibleTo } from './visibility.ts';

/**
 * HYBRID search's candidates: a relation `(id, score)` of the papers that `conditions` allow
 * (over `"Paper" p`), fused from several rankings of `text`; `tsquery` is the query's one-row
 * relation (./search.ts). The related domain ranks (src/catalog/related/hybrid.ts); the request's
 * context hands the ranker in (src/catalog/context.ts), so papers need not know related.
 */
export type HybridRanker = (conditions: Prisma.Sql[], tsquery: Prisma.Sql, text: string) => Promise<Prisma.Sql>;

export interface PaperReads {
  readonly platform: Platform;
  readonly loaders: PaperLoaders;
  /** This request's reads (bound to its deadline), or the platform's reader outside a request. */
  readonly reader: Reader;
  /** Who reads: decides whether a hidden paper opened by id exists (curators only). */
  readonly viewer?: User | null;
  /** HYBRID search's ranker; absent outside a GraphQL request (nothing else searches HYBRID). */
  readonly hybrid?: HybridRanker;
}

/** Reads outside a request (feeds, digests, scripts): loaders of their own, anonymous by default. */
export function paperReads(platform: Platform, viewer: User | null = null): PaperReads {
  return { platform, reader: platform.reader, loaders: createPaperLoaders(platform.reader, viewer), viewer };
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
  const reader = deps.reader;
  const [paper] = await (options.withRelations ? papersByArxivIdWithRelations : papersByArxivId).rows(reader, [arxivId]);
  // A hidden paper's relations are primed too: harmless, they are read only through the paper.
  if (paper && options.withRelations) primeRelations(deps.loaders, paper);
  if (paper) deps.loaders.paperById.prime(paper.id, paper);
  return visibleTo(deps.viewer, paper);
}

/**
 * The paper with this normalized arXiv id, or null as for `paperById`, read together with the
 * operation's other arXiv ids in one statement (a gateway's 100 representations: one, not 100).
 */
export async function paperByArxivIdInBatch(deps: PaperReads, arxivId: string): Promise<Paper | null> {
  return visibleTo(deps.viewer, await deps.loaders.paperByArxivId.load(arxivId));
}

// The days of the daily pages, through the request's reader like every other read of a page
// (its deadline, its replica). One statement each, on the "featuredOn" index.
const LATEST_DAY = `SELECT max(p."featuredOn") AS day FROM "Paper" p WHERE p."featuredOn" <= $1::date AND ${LISTED.text}`;
const DAY_BEFORE = `SELECT max(p."featuredOn") AS day FROM "Paper" p WHERE p."featuredOn" < $1::date AND ${LISTED.text}`;
const DAY_AFTER = `SELECT min(p."featuredOn") AS day FROM "Paper" p WHERE p."featuredOn" > $1::date AND ${LISTED.text}`;

async function dayNear(deps: Pick<PaperReads, 'reader'>, name: string, text: string, date: Date): Promise<Date | null> {
  const [row] = await deps.reader.rows<{ day: Date | null }>({ text, values: [dayOf(date)] }, name);
  return row?.day ?? null;
}

/**
 * The day a daily list or feed without a date shows: the latest day, up to today (UTC), on
 * which listed papers were featured; today when there is none.
 */
export async function latestFeaturedDay(deps: Pick<PaperReads, 'reader' | 'platform'>, now = deps.platform.now()): Promise<Date> {
  return (await dayNear(deps, 'latest_featured_day', LATEST_DAY, now)) ?? new Date(`${dayOf(now)}T00:00:00Z`);
}

/** The nearest days before and after `date` on which listed papers were featured. */
export function featuredDayBefore(deps: Pick<PaperReads, 'reader'>, date: Date): Promise<Date | null> {
  return dayNear(deps, 'featured_day_before', DAY_BEFORE, date);
}

export function featuredDayAfter(deps: Pick<PaperReads, 'reader'>, date: Date): Promise<Date | null> {
  return dayNear(deps, 'featured_day_after', DAY_AFTER, date);
}
