// The citation graph's reads: a paper's references and citing papers as keyset pages, its
// counts. Every statement takes the ids of many papers (a page of papers asking for a field is
// one statement, src/catalog/citation-graph/loaders.ts) and applies the hidden-paper rule on
// both ends of an edge.
//
// DANGER: a hidden paper is never listed on either side and never counted. Every read below
// joins "Paper" on the other end and keeps `LISTED` papers only; a read that forgets it reveals
// what curators took down.
import { Prisma, type Paper } from '../../generated/prisma/client.ts';
import type { CitationSource, CitedByOrder } from '../../generated/graphql.ts';
import type { Reader } from '../../platform/db/reader.ts';
import { badInput, truncate } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, type Connection, type PageRequest } from '../../platform/pagination/connection.ts';
import { LISTED, LISTING_COLUMNS_P, PAPER_COLUMNS_P } from '../papers/index.ts';

/** A work the catalog does not hold, as the source that shipped the edge knows it. */
export interface ExternalPaperRow {
  readonly external: true;
  source: CitationSource;
  externalId: string;
  title: string | null;
  year: number | null;
  arxivId: string | null;
  doi: string | null;
}

export type CitationNode = Paper | ExternalPaperRow;

export interface CitationEdgeRow {
  cursor: string;
  node: CitationNode;
  isInfluential: boolean;
  intents: string[];
  sources: CitationSource[];
}

export type CitationConnectionRow = Omit<Connection<CitationNode>, 'edges'> & { edges: CitationEdgeRow[] };

export interface CitationTotalRow {
  value: number;
  source: CitationSource;
  asOf: Date;
}

/** `Paper.citationCount`: its fields load when asked for. */
export interface CitationCountRow {
  paperId: number;
}

export const isExternal = (node: CitationNode): node is ExternalPaperRow => 'external' in node;

/** Edge attributes aggregated over the sources that ship the edge. */
interface EdgeColumns {
  influential: boolean | null;
  intents: string | null;
  sources: CitationSource[];
}

export function edgeOf(cursor: string, node: CitationNode, row: EdgeColumns): CitationEdgeRow {
  const intents = [...new Set((row.intents ?? '').split(',').filter((intent) => intent !== ''))].sort();
  return { cursor, node, isInfluential: row.influential ?? false, intents, sources: [...new Set(row.sources)].sort() };
}

// ─── references ──────────────────────────────────────────────────────────────────────────

export interface ReferenceRow extends EdgeColumns {
  grp: number;
  /** The order's key: `0:<paper id, 10 digits>` for a catalog paper, `1:<source>:<id>` for a work outside. */
  k: string;
  paperId: number | null;
  source: CitationSource;
  externalId: string;
  title: string | null;
  year: number | null;
  arxivId: string | null;
  doi: string | null;
}

const REFERENCE_KEY = Prisma.sql`CASE WHEN c."citedPaperId" IS NOT NULL THEN '0:' || lpad(c."citedPaperId"::text, 10, '0')
  ELSE '1:' || c.source::text || ':' || c."citedId" END`;

/** What `papers` cite, one row per cited work (a catalog paper once, whatever shipped it). */
function referencesOf(papers: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT c."citingPaperId" AS grp, ${REFERENCE_KEY} AS k,
      min(c."citedPaperId") AS "paperId", min(c.source::text) AS source, min(c."citedId") AS "externalId",
      bool_or(c."isInfluential") AS influential, string_agg(array_to_string(c.intents, ','), ',') AS intents,
      array_agg(c.source::text) AS sources,
      min(w.title) AS title, min(w.year) AS year, min(w."arxivId") AS "arxivId", min(w.doi) AS doi
    FROM "Citation" c
    LEFT JOIN "Paper" p ON p.id = c."citedPaperId"
    LEFT JOIN "CitationWork" w ON c."citedPaperId" IS NULL AND w.source = c.source AND w."externalId" = c."citedId"
    WHERE c."citingPaperId" = ${papers} AND (c."citedPaperId" IS NULL OR ${LISTED})
    GROUP BY 1, 2`;
}

const REFERENCES_CURSOR = 'references';

/** The first page (or the page after a cursor) of each paper's references. */
export async function referencePages(reader: Reader, paperIds: number[], request: PageRequest): Promise<Map<number, ReferenceRow[]>> {
  const after = request.cursor === null ? null : referenceCursor(request.cursor);
  const rows = await reader.rows<ReferenceRow>(
    Prisma.sql`
      SELECT page.* FROM unnest(${paperIds}::int[]) x(id) CROSS JOIN LATERAL (
        SELECT * FROM (${referencesOf(Prisma.sql`x.id`)}) r
        ${after === null ? Prisma.empty : Prisma.sql`WHERE r.k > ${after}`}
        ORDER BY r.k LIMIT ${request.take + 1}
      ) page`,
  );
  return groupBy(rows);
}

function referenceCursor(cursor: string): string {
  const [k] = decodeCursor(REFERENCES_CURSOR, cursor, 1, 'after');
  if (typeof k !== 'string') throw badInput('after is not a cursor of this list', 'after');
  return k;
}

export const referenceCursorOf = (row: ReferenceRow) => encodeCursor(REFERENCES_CURSOR, [row.k]);

export function externalOf(row: Pick<ReferenceRow, 'source' | 'externalId' | 'title' | 'year' | 'arxivId' | 'doi'>): ExternalPaperRow {
  return { external: true, source: row.source, externalId: row.externalId, title: row.title, year: row.year, arxivId: row.arxivId, doi: row.doi };
}

/** How many works each paper cites (as `references` lists them). */
export async function referenceCounts(reader: Reader, paperIds: number[]): Promise<[number, number][]> {
  const rows = await reader.rows<{ grp: number; n: number }>(
    Prisma.sql`SELECT r.grp, count(*)::int AS n FROM (${referencesOf(Prisma.sql`ANY(${paperIds}::int[])`)}) r GROUP BY 1`,
  );
  return rows.map((row) => [row.grp, row.n]);
}

// ─── citedBy ─────────────────────────────────────────────────────────────────────────────

export interface CitingRow extends Paper, EdgeColumns {
  grp: number;
  sortKey: Date | number;
}

interface CitedByKey {
  key: Prisma.Sql;
  join: Prisma.Sql;
  type: 'timestamp' | 'int';
}

function citedByKey(order: CitedByOrder): CitedByKey {
  switch (order) {
    case 'NEWEST':
      return { key: Prisma.sql`p."publishedAt"`, join: Prisma.empty, type: 'timestamp' };
    case 'UPVOTES':
      return { key: Prisma.sql`p."upvoteCount"`, join: Prisma.empty, type: 'int' };
    case 'CITATIONS':
      return { key: Prisma.sql`cc."inCatalog"`, join: Prisma.sql`JOIN "PaperCitationCount" cc ON cc."paperId" = p.id`, type: 'int' };
    default: {
      const unreachable: never = order;
      throw badInput(`Unknown order ${String(unreachable)}`, 'orderBy');
    }
  }
}

const citedByCursorName = (order: CitedByOrder) => `citedBy:${order}`;

/** An edge's attributes merged over the sources that ship it (EdgeColumns). */
const EDGE_AGGREGATE = Prisma.sql`SELECT bool_or(c."isInfluential") AS influential, string_agg(array_to_string(c.intents, ','), ',') AS intents, array_agg(c.source::text) AS sources`;

/**
 * The first page (or the page after a cursor) of the listed papers citing each paper. The
 * semi-join (EXISTS) counts a citing paper once however many sources ship the edge.
 *
 * Two ways to the same page, the cheaper one taken per paper (decided by a first, cheap
 * statement; then one statement per way, each simple enough to plan in well under a millisecond,
 * where one statement with both ways as gated branches took 5-8 ms to plan): from the paper's citations (reads every citing paper, then sorts:
 * cost ~ c, the number citing it), or walking the whole catalog in the order's index and
 * keeping the papers that cite it (cost ~ take × N / c for N listed papers). The walk wins when
 * c² > take × N: a paper cited by 100k of 100k papers reads about `take` rows instead of 100k.
 * c is the stored count (PaperCitationCount), N the highest paper id (ids are a sequence: about the
 * catalog's size, read from the primary key's end).
 */
export async function citedByPages(
  reader: Reader,
  paperIds: number[],
  order: CitedByOrder,
  request: PageRequest,
  columns: 'listing' | 'all' = 'all',
): Promise<Map<number, CitingRow[]>> {
  const { key, join, type } = citedByKey(order);
  // Only the columns the citing papers' fields show (src/catalog/papers/selection.ts): a list of
  // titles reads a fifth of the bytes, which made the walk below about 25 % more req/s at 16
  // clients (bench/cited-by-sql.ts --variants, bench/results/2026-12-07-cited-by.md).
  const paperColumns = columns === 'listing' ? LISTING_COLUMNS_P : PAPER_COLUMNS_P;
  let keyset = Prisma.empty;
  if (request.cursor !== null) {
    const [value, id] = decodeCursor(citedByCursorName(order), request.cursor, 2, 'after');
    const valid = typeof id === 'number' && Number.isSafeInteger(id) && (type === 'int' ? typeof value === 'number' && Number.isSafeInteger(value) : typeof value === 'string' && !Number.isNaN(Date.parse(value)));
    if (!valid) throw badInput('after is not a cursor of this list: pass a cursor from the same field and order', 'after');
    keyset = Prisma.sql`AND (${key}, p.id) < (${type === 'int' ? Prisma.sql`${value}::int` : Prisma.sql`${value}::timestamptz`}, ${id}::int)`;
  }
  const limit = request.take + 1;
  // Which way for each paper: its stored count against the catalog's size, one cheap statement.
  const sizes = await reader.rows<{ id: number; walk: boolean }>(
    Prisma.sql`
      SELECT x.id, coalesce(cc."inCatalog", 0)::float8 ^ 2 > ${limit}::int * coalesce((SELECT max(id) FROM "Paper"), 0)::float8 AS walk
      FROM unnest(${paperIds}::int[]) x(id) LEFT JOIN "PaperCitationCount" cc ON cc."paperId" = x.id`,
    'citation_graph_cited_by_way',
  );
  // The page size as a literal, not a parameter: the statements are prepared, and a generic plan
  // that knows it stops after 21 rows walks the order's index (with LIMIT $n it sorted 100k papers
  // for CITATIONS). `take` is a checked 1..100.
  const pageLimit = Prisma.raw(String(Math.trunc(limit)));
  const walk = sizes.filter((size) => size.walk).map((size) => size.id);
  const read = sizes.filter((size) => !size.walk).map((size) => size.id);
  const edge = Prisma.sql`
      CROSS JOIN LATERAL (${EDGE_AGGREGATE} FROM "Citation" c WHERE c."citedPaperId" = x.id AND c."citingPaperId" = page.id) e`;
  const statements: Promise<CitingRow[]>[] = [];
  if (read.length > 0) {
    statements.push(
      reader.rows<CitingRow>(Prisma.sql`
        SELECT page.*, e.* FROM unnest(${read}::int[]) x(id)
        CROSS JOIN LATERAL (
          SELECT x.id AS grp, ${paperColumns}, ${key} AS "sortKey"
          FROM "Paper" p ${join}
          WHERE ${LISTED} AND EXISTS (SELECT 1 FROM "Citation" c WHERE c."citedPaperId" = x.id AND c."citingPaperId" = p.id) ${keyset}
          ORDER BY ${key} DESC, p.id DESC LIMIT ${pageLimit}
        ) page ${edge}`),
    );
  }
  if (walk.length > 0) {
    // A LATERAL probe per paper walked, not EXISTS: never a hash of all the citations. The probe
    // reads the edge's attributes itself (no row: the paper does not cite it), one index probe per
    // row instead of a probe and then the `edge` aggregate.
    statements.push(
      reader.rows<CitingRow>(Prisma.sql`
        SELECT page.* FROM unnest(${walk}::int[]) x(id)
        CROSS JOIN LATERAL (
          SELECT x.id AS grp, ${paperColumns}, ${key} AS "sortKey", e.*
          FROM "Paper" p ${join}
          CROSS JOIN LATERAL (${EDGE_AGGREGATE} FROM "Citation" c WHERE c."citedPaperId" = x.id AND c."citingPaperId" = p.id HAVING count(*) > 0) e
          WHERE ${LISTED} ${keyset}
          ORDER BY ${key} DESC, p.id DESC LIMIT ${pageLimit}
        ) page`),
    );
  }
  const pages = new Map<number, CitingRow[]>();
  for (const rows of await Promise.all(statements)) for (const [id, group] of groupBy(rows)) pages.set(id, group);
  return pages;
}

export function citedByCursorOf(order: CitedByOrder, row: CitingRow): string {
  const value = row.sortKey instanceof Date ? row.sortKey.toISOString() : Number(row.sortKey);
  return encodeCursor(citedByCursorName(order), [value, row.id]);
}

/**
 * Distinct listed catalog papers citing each paper: `Paper.citationCount.inCatalog`,
 * `citedBy.totalCount`. Read from PaperCitationCount, which every import rewrites in its
 * transaction and triggers keep exact when a citing paper is hidden, unhidden or deleted
 * (test/citation-graph.test.ts checks it against count(DISTINCT) over the edges, during an
 * import too): one row per paper instead of counting 100k citations of a popular one.
 */
export async function inCatalogCounts(reader: Reader, paperIds: number[]): Promise<[number, number][]> {
  const rows = await reader.rows<{ grp: number; n: number }>(
    Prisma.sql`SELECT cc."paperId" AS grp, cc."inCatalog" AS n FROM "PaperCitationCount" cc WHERE cc."paperId" = ANY(${paperIds}::int[])`,
    'citation_graph_in_catalog',
  );
  return rows.map((row) => [row.grp, row.n]);
}

export interface SourceCountRow {
  grp: number;
  source: CitationSource;
  value: number;
  influential: number | null;
  asOf: Date;
}

/** What each source says of each paper: its own counts (the work matched to the paper). */
export async function sourceCounts(reader: Reader, paperIds: number[]): Promise<[number, SourceCountRow][]> {
  const rows = await reader.rows<SourceCountRow>(
    Prisma.sql`
      SELECT w."paperId" AS grp, w.source::text AS source, max(w."citationCount") AS value,
        max(w."influentialCitationCount") AS influential, max(w."asOf") AS "asOf"
      FROM "CitationWork" w
      WHERE w."paperId" = ANY(${paperIds}::int[]) AND w."citationCount" IS NOT NULL
      GROUP BY 1, 2 ORDER BY 1, 2 DESC`,
    'citation_graph_source_counts',
  );
  return rows.map((row) => [row.grp, row]);
}

function groupBy<R extends { grp: number }>(rows: R[]): Map<number, R[]> {
  const groups = new Map<number, R[]>();
  for (const row of rows) {
    const group = groups.get(row.grp);
    if (group) group.push(row);
    else groups.set(row.grp, [row]);
  }
  return groups;
}

// ─── most cited in a month ───────────────────────────────────────────────────────────────

export interface MostCitedRow extends Paper {
  citations: number;
}

export interface MostCitedEdgeRow {
  cursor: string;
  node: Paper;
  citations: number;
}

export type MostCitedConnectionRow = Omit<Connection<Paper>, 'edges'> & { edges: MostCitedEdgeRow[] };

const MONTH = /^(\d{4})-(\d{2})$/;

/** `2026-07` as the first day of that month (UTC), `YYYY-MM-01`; the current month when absent. */
export function monthOf(given: string | null | undefined, now: Date): string {
  if (given == null) return `${now.toISOString().slice(0, 7)}-01`;
  const match = MONTH.exec(given);
  const month = match ? Number(match[2]) : 0;
  const year = match ? Number(match[1]) : 0;
  if (!match || month < 1 || month > 12 || year < 1) {
    throw badInput(`month must be a month like 2026-07, within the years 0001 to 9999; got "${truncate(given)}"`, 'month');
  }
  return `${given}-01`;
}

const MOST_CITED_CURSOR = 'mostCited';

/**
 * One page of a month's most cited listed papers: a walk of PaperMonthCitation's
 * (month, citations DESC, paperId DESC) index that stops after the page, however many papers
 * were cited that month. Hidden cited papers are skipped here; hidden citing papers were never
 * counted (import.ts, recount, and the migration citation_feeds's trigger).
 */
export async function mostCitedPage(reader: Reader, month: string, request: PageRequest): Promise<MostCitedRow[]> {
  let keyset = Prisma.empty;
  if (request.cursor !== null) {
    const [citations, id] = decodeCursor(MOST_CITED_CURSOR, request.cursor, 2, 'after');
    if (typeof citations !== 'number' || typeof id !== 'number') throw badInput('after is not a cursor of this list', 'after');
    keyset = Prisma.sql`AND (m.citations, m."paperId") < (${citations}::int, ${id}::int)`;
  }
  return reader.rows<MostCitedRow>(
    Prisma.sql`
      SELECT ${PAPER_COLUMNS_P}, m.citations FROM "PaperMonthCitation" m JOIN "Paper" p ON p.id = m."paperId"
      WHERE m.month = ${month}::date AND m.citations > 0 AND ${LISTED} ${keyset}
      ORDER BY m.citations DESC, m."paperId" DESC LIMIT ${request.take + 1}::int`,
    // Named per shape: a prepared statement's name stands for one text.
    request.cursor === null ? 'citation_graph_most_cited' : 'citation_graph_most_cited_after',
  );
}

export const mostCitedCursorOf = (row: MostCitedRow) => encodeCursor(MOST_CITED_CURSOR, [row.citations, row.id]);

/** How many listed papers a month's list holds. */
export async function mostCitedCount(reader: Reader, month: string): Promise<number> {
  const [row] = await reader.rows<{ n: number }>(
    Prisma.sql`SELECT count(*)::int AS n FROM "PaperMonthCitation" m JOIN "Paper" p ON p.id = m."paperId"
      WHERE m.month = ${month}::date AND m.citations > 0 AND ${LISTED}`,
    'citation_graph_most_cited_count',
  );
  return row?.n ?? 0;
}

/**
 * The first `take` papers of a month's list, for the Atom feed (src/catalog/feeds/), and when the
 * list last changed through an import (the latest citation snapshot's import).
 */
export async function mostCitedPapers(reader: Reader, month: string, take: number): Promise<{ papers: Paper[]; importedAt: Date | null }> {
  const [rows, [last]] = await Promise.all([
    mostCitedPage(reader, month, { take, direction: 'forward', cursor: null }),
    reader.rows<{ at: Date | null }>(Prisma.sql`SELECT max("importedAt") AS at FROM "CitationSnapshot"`),
  ]);
  return { papers: rows.slice(0, take).map(({ citations: _citations, ...paper }) => paper), importedAt: last?.at ?? null };
}
