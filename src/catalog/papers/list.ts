// Every paper list of the API (papers, trendingPapers, dailyPapers, author and topic pages)
// is one raw SQL statement built here: filter conditions, an optional full-text query, and a
// keyset over the chosen order. Raw SQL because keyset paging needs row comparisons,
// `(key, id) < ($1, $2)`, which walk an index from the cursor on (Prisma's OR-expanded form
// makes Postgres scan from the top), and because ranking and snippets are Postgres functions.
import { Prisma, type Paper } from '../../generated/prisma/client.ts';
import type { PaperFilter, PaperOrder, SearchMode } from '../../generated/graphql.ts';
import { sharedRows } from '../../platform/db/shared-reads.ts';
import { badInput, truncate } from '../../platform/errors.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { decodeCursor, encodeCursor, pageRequest, toConnection, type Connection, type ConnectionArgs, type Edge, type KeyValue, type PageRequest } from '../../platform/pagination/connection.ts';
import { dayOf, keyDay, keyInt, keyTimestamp } from '../../platform/pagination/keys.ts';
import { escapeHtml } from '../../platform/html.ts';
import { utcDay, withinYears } from '../../platform/validation.ts';
import { LISTING_COLUMNS_P, PAPER_COLUMNS_P } from './columns.ts';
import { primeRelations, RELATION_COLUMNS, type RelationColumns } from './loaders.ts';
import type { FacetSource } from './facets.ts';
import { SEARCH_COUNT_CAP, searchQuery, type SearchQuery } from './search.ts';
import { keywordCandidates, SEARCH_CANDIDATES, sharedKeywordMatches } from './ranked-search.ts';
import type { HybridRanker, PaperReads } from './reads.ts';
import { LISTED } from './visibility.ts';

export interface PaperListArgs extends ConnectionArgs {
  filter?: PaperFilter | null;
  orderBy?: PaperOrder | null;
  query?: string | null;
  prefix?: boolean | null;
  /** HYBRID: the context's `hybrid` ranker (src/catalog/related/hybrid.ts). */
  searchMode?: SearchMode | null;
}

export interface SearchHighlight {
  title: string;
  abstract: string;
}

export interface PaperEdge extends Edge<Paper> {
  highlight: SearchHighlight | null;
}

export interface PaperConnection extends Connection<Paper> {
  edges: PaperEdge[];
  /** Whether `totalCount` is the exact number (else the list has more than SEARCH_COUNT_CAP: ./search.ts); absent: exact. */
  totalCountIsExact?: () => Promise<boolean>;
  facets: FacetSource;
}

type KeyType = 'day' | 'timestamp' | 'int' | 'float';

interface Order {
  /** Baked into cursors: a cursor of one order is refused by another. */
  name: string;
  key: Prisma.Sql;
  keyType: KeyType;
  direction: 'ASC' | 'DESC';
  /** Rows this order lists at all (e.g. only featured papers for FEATURED_ON). */
  where?: Prisma.Sql;
  join?: Prisma.Sql;
}

const empty = Prisma.empty;

function resolveOrder(orderBy: PaperOrder | null | undefined, search: SearchQuery | null, fallback: PaperOrder): Order {
  const { field, direction, window } = orderBy ?? (search ? { field: 'RELEVANCE' as const, direction: 'DESC' as const } : fallback);
  const dir = direction === 'ASC' ? 'ASC' : 'DESC';
  const name = `${field}:${dir}`;
  switch (field) {
    case 'FEATURED_ON':
      return { name, key: Prisma.sql`p."featuredOn"`, keyType: 'day', direction: dir, where: Prisma.sql`p."featuredOn" IS NOT NULL` };
    case 'PUBLISHED_AT':
      return { name, key: Prisma.sql`p."publishedAt"`, keyType: 'timestamp', direction: dir };
    case 'UPVOTES':
      return { name, key: Prisma.sql`p."upvoteCount"`, keyType: 'int', direction: dir };
    case 'GITHUB_STARS':
      return { name, key: Prisma.sql`p."githubStars"`, keyType: 'int', direction: dir, where: Prisma.sql`p."githubStars" IS NOT NULL` };
    case 'TRENDING': {
      const w = window ?? 'WEEK';
      return {
        name: `${name}:${w}`,
        key: Prisma.sql`t.score`,
        keyType: 'float',
        direction: dir,
        join: Prisma.sql`JOIN "PaperTrend" t ON t."paperId" = p.id AND t."window" = ${w}::"TrendWindow"`,
      };
    }
    case 'CITATIONS':
      // The stored count (src/catalog/citation-graph): listed citing papers, a row for every paper.
      return { name, key: Prisma.sql`cc."inCatalog"`, keyType: 'int', direction: dir, join: Prisma.sql`JOIN "PaperCitationCount" cc ON cc."paperId" = p.id` };
    case 'RELEVANCE':
      if (!search) throw badInput('orderBy RELEVANCE needs a search query', 'orderBy');
      return { name, key: Prisma.sql`ts_rank_cd(p."searchVector", q.q)::float8`, keyType: 'float', direction: dir };
    default: {
      const unreachable: never = field;
      throw badInput(`Unknown order ${String(unreachable)}`, 'orderBy');
    }
  }
}

/** A cursor's key value as a parameter of its column's type, checked to be one (keys.ts: in range). */
function keyParam(type: KeyType, value: KeyValue, cursorArg: 'after' | 'before'): Prisma.Sql {
  switch (type) {
    case 'day':
      return Prisma.sql`${dayOf(keyDay(value, cursorArg))}::date`;
    case 'timestamp':
      return Prisma.sql`${keyTimestamp(value, cursorArg).toISOString()}::timestamptz`;
    case 'int':
      return Prisma.sql`${keyInt(value, cursorArg)}::int`;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badInput(`${cursorArg} is not a cursor of this list: pass a cursor from the same field and order`, cursorArg);
      return Prisma.sql`${value}::float8`;
  }
}

function keyValue(type: KeyType, raw: unknown): KeyValue {
  if (raw instanceof Date) return type === 'day' ? dayOf(raw) : raw.toISOString();
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'number' || typeof raw === 'string') return raw;
  throw new Error(`unexpected sort key ${String(raw)}`);
}

const FEATURED_WEEK = /^(\d{4})-W(\d{2})$/;
const FEATURED_MONTH = /^(\d{4})-(\d{2})$/;

/** Monday of ISO week `week` of `year`, UTC. */
function isoWeekStart(year: number, week: number): Date {
  const jan4 = utcDay(year, 0, 4);
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + (week - 1) * 7);
  return monday;
}

function addDays(date: Date, days: number): Date {
  const next = new Date(date);
  next.setUTCDate(next.getUTCDate() + days);
  return next;
}

/**
 * Featured from `first` to `last`, both included. A week or month with a day outside years 0001
 * to 9999 (0000-W01, 9999-W52, which ends in 10000) is refused: no SQL date holds that day.
 */
function featuredBetween(first: Date, last: Date, name: 'featuredWeek' | 'featuredMonth', given: string): Prisma.Sql {
  if (!withinYears(first) || !withinYears(last)) {
    throw badInput(`filter.${name} must have all its days within the years 0001 to 9999; got "${truncate(given)}"`, 'filter');
  }
  return Prisma.sql`p."featuredOn" BETWEEN ${dayOf(first)}::date AND ${dayOf(last)}::date`;
}

const MAX_FILTER_TOPICS = 20;

function topicSlugs(slugs: readonly string[], name: string): string[] {
  if (slugs.length > MAX_FILTER_TOPICS) throw badInput(`filter.${name} takes at most ${MAX_FILTER_TOPICS} slugs; got ${slugs.length}`, 'filter');
  return [...new Set(slugs.map((slug) => slug.trim().toLowerCase()))];
}

/** The SQL conditions of a filter, all of which must hold. */
export function filterConditions(filter: PaperFilter | null | undefined): Prisma.Sql[] {
  if (!filter) return [];
  const conditions: Prisma.Sql[] = [];
  if (filter.topics?.length) {
    const slugs = topicSlugs(filter.topics, 'topics');
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "PaperTopic" pt JOIN "Topic" tp ON tp.id = pt."topicId"
      WHERE pt."paperId" = p.id AND tp.slug = ANY(${slugs}::text[]))`);
  }
  if (filter.allTopics?.length) {
    const slugs = topicSlugs(filter.allTopics, 'allTopics');
    conditions.push(Prisma.sql`(SELECT count(*) FROM "PaperTopic" pt JOIN "Topic" tp ON tp.id = pt."topicId"
      WHERE pt."paperId" = p.id AND tp.slug = ANY(${slugs}::text[])) = ${slugs.length}`);
  }
  if (filter.author != null) {
    const authorId = fromGlobalIdOf('Author', filter.author, 'filter.author');
    // The id of an author merged into another stands for the survivor (src/catalog/authors/aliases.ts).
    const live = Prisma.sql`coalesce((SELECT "authorId" FROM "AuthorAlias" WHERE id = ${authorId}), ${authorId})`;
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "PaperAuthor" pa WHERE pa."paperId" = p.id AND pa."authorId" = ${live})`);
  }
  if (filter.featuredOn != null) conditions.push(Prisma.sql`p."featuredOn" = ${dayOf(filter.featuredOn)}::date`);
  if (filter.featuredWeek != null) {
    const match = FEATURED_WEEK.exec(filter.featuredWeek);
    const week = Number(match?.[2]);
    if (!match || week < 1 || week > 53) throw badInput(`filter.featuredWeek must be an ISO week like 2026-W30; got "${truncate(filter.featuredWeek)}"`, 'filter');
    const first = isoWeekStart(Number(match[1]), week);
    conditions.push(featuredBetween(first, addDays(first, 6), 'featuredWeek', filter.featuredWeek));
  }
  if (filter.featuredMonth != null) {
    const match = FEATURED_MONTH.exec(filter.featuredMonth);
    const month = Number(match?.[2]);
    if (!match || month < 1 || month > 12) throw badInput(`filter.featuredMonth must be a month like 2026-07; got "${truncate(filter.featuredMonth)}"`, 'filter');
    const first = utcDay(Number(match[1]), month - 1, 1);
    conditions.push(featuredBetween(first, utcDay(Number(match[1]), month, 0), 'featuredMonth', filter.featuredMonth));
  }
  if (filter.publishedAfter != null) conditions.push(Prisma.sql`p."publishedAt" >= ${filter.publishedAfter.toISOString()}::timestamptz`);
  if (filter.publishedBefore != null) conditions.push(Prisma.sql`p."publishedAt" < ${filter.publishedBefore.toISOString()}::timestamptz`);
  if (filter.hasCode != null) conditions.push(filter.hasCode ? Prisma.sql`p."githubRepo" IS NOT NULL` : Prisma.sql`p."githubRepo" IS NULL`);
  if (filter.submittedBy != null) {
    const userId = fromGlobalIdOf('User', filter.submittedBy, 'filter.submittedBy');
    conditions.push(Prisma.sql`p."submittedById" = ${userId}`);
  }
  if (filter.minUpvotes != null) conditions.push(Prisma.sql`p."upvoteCount" >= ${filter.minUpvotes}`);
  if (filter.minCitations != null && filter.minCitations > 0) {
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "PaperCitationCount" mc WHERE mc."paperId" = p.id AND mc."inCatalog" >= ${filter.minCitations})`);
  }
  return conditions;
}

const HIGHLIGHT_OPEN = '⟦';
const HIGHLIGHT_CLOSE = '⟧';

/** ts_headline marks matches with ⟦ ⟧ (taken out of the source text first); HTML comes here. */
function toHtml(marked: string): string {
  return escapeHtml(marked).replaceAll(HIGHLIGHT_OPEN, '<mark>').replaceAll(HIGHLIGHT_CLOSE, '</mark>');
}

type PageRow = Paper & RelationColumns & { sortKey: unknown; hlTitle?: string; hlAbstract?: string; fullCount?: number };

export interface ListOptions {
  /** Conditions of the page the list belongs to (an author's, a topic's, a day's). */
  scope?: Prisma.Sql[];
  /** Order when the client gives none and there is no query. */
  defaultOrder?: PaperOrder;
  /**
   * Read the papers' bylines and topics in the same statement (the caller will resolve them:
   * see `paperSelection`), instead of one more statement through the loaders.
   */
  withRelations?: boolean;
  /**
   * `listing`: read LISTING_COLUMNS only (the caller shows no other field: see `paperSelection`);
   * such rows are not cached as whole papers. Default `all`.
   */
  columns?: 'listing' | 'all';
}

/** The name of the CTE of a KEYWORD page's matches (`ListSource.matches`). */
const MATCHES_CTE = 'keyword_matches';

function hybridOf(deps: PaperReads): HybridRanker {
  if (!deps.hybrid) throw new Error('HYBRID search needs a ranker: read through a context (src/catalog/context.ts)');
  return deps.hybrid;
}

/** What a list shows, before paging: its order, its search, its FROM and WHERE. */
interface ListSource {
  order: Order;
  search: SearchQuery | null;
  /** A KEYWORD search: counted and faceted up to SEARCH_COUNT_CAP matches (./search.ts). */
  bounded: boolean;
  /** A HYBRID search: its first page counts the list in the same statement (see `pageStatement`). */
  hybrid: boolean;
  /**
   * A KEYWORD search by relevance on GIN: its first SEARCH_COUNT_CAP + 1 matches (./ranked-search.ts
   * sharedKeywordMatches), a CTE that the page's candidates and its count both read (see `pageStatement`).
   */
  matches: Prisma.Sql | null;
  /** The FROM of the whole list, which `where` selects from for counts and facets: `from` without KEYWORD candidates. */
  whole: Prisma.Sql;
  from: Prisma.Sql;
  where: Prisma.Sql;
}

async function listSource(deps: PaperReads, args: PaperListArgs, options: ListOptions): Promise<ListSource> {
  const search = args.query == null ? null : searchQuery(args.query, Boolean(args.prefix));
  const hybrid = search !== null && args.searchMode === 'HYBRID';
  let order = resolveOrder(args.orderBy, search, options.defaultOrder ?? { field: 'FEATURED_ON', direction: 'DESC' });
  // HYBRID relevance is the fused score (its own cursors: a KEYWORD cursor does not fit).
  if (hybrid && order.name.startsWith('RELEVANCE')) order = { ...order, name: `${order.name}:HYBRID`, key: Prisma.sql`h.score` };
  if (order.name.startsWith('TRENDING')) await deps.platform.trending.ensureFresh();

  const conditions = [LISTED, ...(options.scope ?? []), ...filterConditions(args.filter)];
  if (order.where) conditions.push(order.where);
  // HYBRID lists the fused candidates (ranked among the papers these conditions allow), KEYWORD the
  // matches: ranked by relevance, its bounded candidates (./ranked-search.ts) among them.
  const relevance = search !== null && !hybrid && order.name.startsWith('RELEVANCE');
  const matches = relevance ? sharedKeywordMatches(deps.platform, conditions, search, SEARCH_COUNT_CAP + 1) : null;
  const candidates = hybrid
    ? Prisma.sql`JOIN ${await hybridOf(deps)([...conditions], search.tsquery, args.query!.trim())} h ON h.id = p.id`
    : relevance
      ? Prisma.sql`JOIN ${keywordCandidates(deps.platform, conditions, search, SEARCH_CANDIDATES, matches && Prisma.raw(MATCHES_CTE))} c ON c.id = p.id`
      : empty;
  if (search && !hybrid) conditions.push(Prisma.sql`p."searchVector" @@ q.q`);
  const papers = Prisma.sql`"Paper" p ${search ? Prisma.sql`CROSS JOIN ${search.tsquery} AS q(q)` : empty}`;
  const where = Prisma.join(conditions, ' AND ');
  return {
    order,
    search,
    bounded: search !== null && !hybrid,
    hybrid,
    matches,
    from: Prisma.sql`${papers} ${candidates} ${order.join ?? empty}`,
    where,
    // A KEYWORD search counts and facets its matches, not the candidates its page is ranked among.
    whole: Prisma.sql`${papers} ${hybrid ? candidates : empty} ${order.join ?? empty}`,
  };
}

/** The rows after (or before) the request's cursor, as a condition on the order's key. */
function keysetOf({ order }: ListSource, request: PageRequest, ascending: boolean): Prisma.Sql {
  if (request.cursor === null) return empty;
  const cursorArg = request.direction === 'forward' ? 'after' : 'before';
  const [value, id] = decodeCursor(order.name, request.cursor, 2, cursorArg);
  return Prisma.sql`AND (${order.key}, p.id) ${Prisma.raw(ascending ? '>' : '<')} (${keyParam(order.keyType, value ?? null, cursorArg)}, ${keyInt(id, cursorArg)}::int)`;
}

/** The one statement of a page: its rows, their snippets (a search) and relations (when asked). */
function pageStatement(source: ListSource, request: PageRequest, options: ListOptions): { statement: Prisma.Sql; listing: boolean } {
  const { order, search, from, where } = source;
  // Walking backwards (last/before) reads the reverse order and flips the page afterwards.
  const ascending = (order.direction === 'ASC') === (request.direction === 'forward');
  const dir = Prisma.raw(ascending ? 'ASC' : 'DESC');
  // Snippets read the abstract: a search reads every column.
  const listing = options.columns === 'listing' && !search;
  // A HYBRID list is its fused candidates (at most a few hundred, all ranked before the page is
  // cut): its first page counts them on the way, where a count of its own would rank them all
  // again (src/catalog/related/hybrid.ts). Later pages (a cursor) count in a statement of their own.
  // A KEYWORD page by relevance counts its matches (up to SEARCH_COUNT_CAP + 1) from the CTE its
  // candidates come from: the GIN posting lists are intersected once, not again by the count.
  const fullCount = source.hybrid && request.cursor === null
    ? Prisma.sql`, (count(*) OVER ())::int AS "fullCount"`
    : source.matches ? Prisma.sql`, (SELECT count(*) FROM ${Prisma.raw(MATCHES_CTE)})::int AS "fullCount"` : empty;
  const shared = source.matches ? Prisma.sql`WITH ${Prisma.raw(MATCHES_CTE)} AS MATERIALIZED (${source.matches})` : empty;
  const page = Prisma.sql`
    ${shared}
    SELECT ${listing ? LISTING_COLUMNS_P : PAPER_COLUMNS_P}, ${order.key} AS "sortKey"${fullCount}
    FROM ${from}
    WHERE ${where} ${keysetOf(source, request, ascending)}
    ORDER BY ${order.key} ${dir}, p.id ${dir}
    LIMIT ${request.take + 1}`;
  // Snippets cost a text parse each: computed for the page's rows only.
  const listed = search
    ? Prisma.sql`
      SELECT page.*,
        ts_headline('english', translate(page.title, '⟦⟧', '[]'), q.q, 'HighlightAll=true, StartSel=⟦, StopSel=⟧') AS "hlTitle",
        ts_headline('english', translate(page.abstract, '⟦⟧', '[]'), q.q,
          'MaxFragments=2, MaxWords=35, MinWords=15, StartSel=⟦, StopSel=⟧, FragmentDelimiter=" … "') AS "hlAbstract"
      FROM (${page}) page CROSS JOIN ${search.tsquery} AS q(q)
      ORDER BY page."sortKey" ${dir}, page.id ${dir}`
    : page;
  // Relations for the page's rows only, hence around it.
  const statement = options.withRelations
    ? Prisma.sql`SELECT p.*, ${Prisma.raw(RELATION_COLUMNS)} FROM (${listed}) p ORDER BY p."sortKey" ${dir}, p.id ${dir}`
    : listed;
  return { statement, listing };
}

/** A page of listed papers (never hidden ones, whoever asks); primes `paperById`. */
export async function listPapers(deps: PaperReads, args: PaperListArgs, options: ListOptions = {}): Promise<PaperConnection> {
  const request = pageRequest(args);
  const source = await listSource(deps, args, options);
  const { order, search } = source;
  const { statement, listing } = pageStatement(source, request, options);
  const rows = await sharedRows<PageRow>(deps.reader, statement);
  // An empty page after a cursor says nothing of the list's size: that one is counted on its own.
  const counted = source.hybrid && request.cursor === null
    ? { value: rows[0]?.fullCount ?? 0, exact: true }
    : source.matches && (rows.length > 0 || request.cursor === null) ? cappedCount(rows[0]?.fullCount ?? 0) : undefined;
  const count = counter(deps, source, counted);
  const connection = toConnection(
    rows,
    request,
    ({ sortKey, hlTitle, hlAbstract, fullCount: _fullCount, ...paper }): PaperEdge => {
      primeRelations(deps.loaders, paper);
      if (!listing) deps.loaders.paperById.prime(paper.id, paper);
      return {
        cursor: encodeCursor(order.name, [keyValue(order.keyType, sortKey), paper.id]),
        node: paper,
        highlight: search ? { title: toHtml(hlTitle ?? ''), abstract: toHtml(hlAbstract ?? '') } : null,
      };
    },
    () => count().then((c) => c.value),
  );
  return { ...connection, totalCountIsExact: () => count().then((c) => c.exact), facets: facetSource(source, count) };
}

interface Count {
  value: number;
  exact: boolean;
}

/** A KEYWORD search's count of at most SEARCH_COUNT_CAP + 1 matches, as `totalCount` tells it. */
function cappedCount(n: number): Count {
  return n > SEARCH_COUNT_CAP ? { value: SEARCH_COUNT_CAP, exact: false } : { value: n, exact: true };
}

/**
 * The list's size, counted once however many fields ask. A KEYWORD search counts its matches
 * up to SEARCH_COUNT_CAP + 1 and no further (a common word matches most of the catalog: counting
 * them all is what made search slow); other lists count exactly, over their indexes.
 */
function counter(deps: PaperReads, { bounded, whole: from, where }: ListSource, known?: Count): () => Promise<Count> {
  let counted: Promise<Count> | undefined = known && Promise.resolve(known);
  const statement = bounded
    ? Prisma.sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} WHERE ${where} LIMIT ${SEARCH_COUNT_CAP + 1}) c`
    : Prisma.sql`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`;
  return () =>
    (counted ??= sharedRows<{ n: number }>(deps.reader, statement).then(([row]) => {
      const n = row!.n;
      return bounded ? cappedCount(n) : { value: n, exact: true };
    }));
}

/**
 * What the facets count over: the whole list, or for a KEYWORD search with more than
 * SEARCH_COUNT_CAP matches, its SEARCH_COUNT_CAP newest matches (by id: the latest added),
 * marked as not exact. Only the columns the facets read.
 */
function facetSource(source: ListSource, count: () => Promise<Count>): FacetSource {
  const { bounded, whole: from, where } = source;
  const exact = () => count().then((c) => c.exact);
  if (!bounded) return { from, where, exact };
  return {
    from: Prisma.sql`(SELECT p.id, p."publishedAt", p."githubRepo" FROM ${from} WHERE ${where} ORDER BY p.id DESC LIMIT ${SEARCH_COUNT_CAP}) p`,
    where: Prisma.sql`TRUE`,
    exact,
  };
}
