// Related papers and "for you": similarity of term vectors (PaperTerm, kept by the
// catalog_related_* triggers; see the related_terms migration): one join over the terms two
// papers share, summing the products of their weights (a cosine, the vectors being
// L2-normalised). Each paper's nearest papers are precomputed (./neighbours.ts, kept current by
// the background job): Paper.related reads the head of a paper's list, and "for you" sums the
// lists of the reader's profile papers. A paper without a list yet is computed live, here. Where
// the embedding path is on (src/platform/embeddings/path.ts), a paper (or profile) with vectors
// of the current model is answered from them instead (./embeddings/reads.ts, live), the rest
// from their terms.
//
// DANGER: hidden papers never come out of here. The stored lists hold hidden papers; the LISTED
// condition (src/catalog/papers/visibility.ts) is applied to every stored or live candidate
// before the LIMIT, and a list whose head is too hidden to fill the page is computed live, so a
// hidden paper never shows and never shortens a list (a live candidate may take one of the
// CANDIDATES places of the first phase: hidden papers are rare). A hidden paper's own terms and
// list stay (unhiding it needs no recompute): they are only ever a source, never an answer.
import type { Reader } from '../../platform/db/reader.ts';
import type { Paper } from '../../generated/prisma/client.ts';
import { badInput } from '../../platform/errors.ts';
import { MAX_PAGE_SIZE } from '../../platform/pagination/connection.ts';
import { LISTING_COLUMNS_P, PAPER_COLUMNS_P } from '../papers/index.ts';
import { LISTED } from '../papers/index.ts';
import type { EmbeddingPath } from '../../platform/embeddings/path.ts';
import { statementsOf } from './embeddings/reads.ts';
import { PROFILE_CTES } from './profile.ts';

export interface ScoredPaper {
  paper: Paper;
  score: number;
}

export const DEFAULT_RELATED = 10;

/** `first` of `related` and `recommendedPapers`: 0 to MAX_PAGE_SIZE. */
export function relatedCount(first: number | null | undefined): number {
  const n = first ?? DEFAULT_RELATED;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_PAGE_SIZE) throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}; got ${n}`, 'first');
  return n;
}

/**
 * A term's posting list is read from its strongest end, this many papers at most (also written in
 * catalog_related_live, the related_neighbours migration). A common word
 * is in the top terms of thousands of papers: reading them all cost 3-4 times as much at 100k
 * papers (bench/results/2026-11-30-related.md) for papers where the word weighs little.
 */
export const POSTINGS_PER_TERM = 1000;
/**
 * Candidates found through the truncated posting lists (also written in catalog_related_live),
 * then scored exactly against their whole vectors: the top 10 of a paper is the exact top 10 for 99.7 % of its places at 100k papers.
 */
export const CANDIDATES = 200;

/**
 * The live computation of one paper's neighbours, as SQL of a relation ("paperId", score), best
 * first, at most `limit`: `catalog_related_live` (the related_neighbours migration), two phases:
 * candidates by the products of weights over the heads (POSTINGS_PER_TERM) of the shared terms'
 * posting lists, the best CANDIDATES of them, then the exact cosine of each. `source`: SQL of the
 * paper's id (an outer column). `listedOnly`: hidden papers drop out before the LIMIT (reads:
 * the CANDIDATES are scored, then filtered); without it every paper counts (the precomputed
 * lists, ./neighbours.ts, which reads filter). `when`: SQL of the source alone that switches the
 * computation off when false (a one-time filter).
 */
export function liveNeighbours(source: string, limit: string, listedOnly: boolean, when = 'true'): string {
  if (!listedOnly) return `SELECT l."paperId", l.score FROM catalog_related_live(${source}, ${limit}) l WHERE ${when}`;
  return `
    SELECT l."paperId", l.score
    FROM catalog_related_live(${source}, ${CANDIDATES}) l
    JOIN "Paper" p ON p.id = l."paperId"
    WHERE ${when} AND ${LISTED.text}
    ORDER BY l.score DESC, l."paperId"
    LIMIT ${limit}`;
}

/**
 * Stored neighbours read per paper: the `first` asked for plus this many, for hidden ones. When
 * fewer than `first` of them are listed and the list goes on (or was truncated), that paper is
 * computed live: a list is never shortened by hidden papers.
 */
export const HIDDEN_SLACK = 10;

// The related papers of several papers in one statement ($1 their ids, $2 how many each, at
// most MAX_PAGE_SIZE). A paper with a precomputed list (./neighbours.ts) reads the head of it:
// one row by primary key, its first $2 + HIDDEN_SLACK ids joined to Paper for LISTED, before
// the LIMIT. A paper without one (new, not drained yet), or whose head is too hidden to fill $2
// while more neighbours exist, is computed live, in the same statement (a branch the other
// paper's conditions switch off). Hidden papers drop out before the LIMIT either way.
// `columns`: the papers' columns, all, or LISTING_COLUMNS when their fields show no more
// (src/catalog/papers/selection.ts): a page of related lists of titles then reads no abstracts.
export type PaperColumns = 'listing' | 'all';
const columnsOf = (columns: PaperColumns) => (columns === 'listing' ? LISTING_COLUMNS_P : PAPER_COLUMNS_P).text;

export const relatedSql = (columns: PaperColumns) => `
  SELECT s.id AS "sourceId", r.score, ${columnsOf(columns)}
  FROM unnest($1::int[]) AS s(id)
  LEFT JOIN "PaperNeighbours" n ON n."paperId" = s.id
  CROSS JOIN LATERAL (
    WITH stored AS MATERIALIZED (
      SELECT u.id AS "paperId", u.score::float8 AS score
      FROM unnest(n.neighbours[1:$2 + ${HIDDEN_SLACK}], n.scores[1:$2 + ${HIDDEN_SLACK}]) WITH ORDINALITY AS u(id, score, i)
      JOIN "Paper" p ON p.id = u.id
      WHERE ${LISTED.text}
      ORDER BY u.i
      LIMIT $2
    ), live AS MATERIALIZED (
      SELECT n."paperId" IS NULL
        OR ((SELECT count(*) FROM stored) < $2 AND (n.truncated OR cardinality(n.neighbours) > $2 + ${HIDDEN_SLACK})) AS yes
    )
    SELECT st."paperId", st.score FROM stored st WHERE NOT (SELECT yes FROM live)
    UNION ALL
    (${liveNeighbours('s.id', '$2', true, '(SELECT yes FROM live)')})
  ) r
  JOIN "Paper" p ON p.id = r."paperId"
  ORDER BY s.id, r.score DESC, r."paperId"`;
export const RELATED_SQL = { all: relatedSql('all'), listing: relatedSql('listing') };

type ScoredRow = Paper & { sourceId?: number; score: number };

function scored({ sourceId: _, score, ...paper }: ScoredRow): ScoredPaper {
  return { paper, score };
}

type MaybeScoredRow = Omit<ScoredRow, 'id' | 'score'> & { id: number | null; score: number | null };

/**
 * The `first` most similar listed papers of each paper of `ids`, best first: by embedding for
 * the papers with a vector of the path's model, by terms for the others (and for all when the
 * path is off). One statement per kind used.
 */
export async function relatedPapers(
  reader: Reader,
  ids: readonly number[],
  first: number,
  path: EmbeddingPath | null = null,
  columns: PaperColumns = 'all',
): Promise<Map<number, ScoredPaper[]>> {
  const byPaper = new Map<number, ScoredPaper[]>();
  if (first === 0 || ids.length === 0) return byPaper;
  const add = (row: ScoredRow) => {
    const list = byPaper.get(row.sourceId!);
    if (list) list.push(scored(row));
    else byPaper.set(row.sourceId!, [scored(row)]);
  };
  let byTerms = ids;
  if (path) {
    const { text, name } = statementsOf(path).related;
    const answered = new Set<number>();
    for (const row of await reader.rows<MaybeScoredRow>({ text, values: [ids, first] }, name)) {
      answered.add(row.sourceId!);
      // A source with a vector but no neighbour: its row has no paper.
      if (row.id === null) byPaper.set(row.sourceId!, byPaper.get(row.sourceId!) ?? []);
      else add(row as ScoredRow);
    }
    byTerms = ids.filter((id) => !answered.has(id));
    if (byTerms.length === 0) return byPaper;
  }
  const rows = await reader.rows<ScoredRow>({ text: RELATED_SQL[columns], values: [byTerms, first] }, `related_papers_${columns}`);
  for (const row of rows) add(row);
  return byPaper;
}

/** Neighbours taken from each profile paper's list: the bound of "for you"'s candidates. */
export const NEIGHBOURS_PER_PROFILE_PAPER = 20;
/**
 * Profile papers without a list yet (new papers, not drained) computed live, the heaviest and
 * latest first; the others count only once drained (they still weigh in the normalisation).
 */
export const LIVE_PROFILE_PAPERS = 3;

// "For you" ($1 the user, $2 how many): item to item. Each paper of the profile (./profile.ts:
// upvotes, collections, follows, at most 3 x PROFILE_PAPERS) brings the head of its precomputed
// list (./neighbours.ts), NEIGHBOURS_PER_PROFILE_PAPER papers; a candidate scores the sum of its
// similarities to the profile papers that bring it, weighted by theirs, over the profile's total
// weight (so at most 1). Excluded papers never count; hidden ones drop out before the LIMIT.
// Bound: at most 3 x PROFILE_PAPERS lists read by primary key (150), 3 x PROFILE_PAPERS x
// NEIGHBOURS_PER_PROFILE_PAPER candidate rows summed (3,000; 1,000 for a reader with upvotes only),
// plus LIVE_PROFILE_PAPERS live computations, whatever the catalog's size or the reader's history.
const recommendedSql = (columns: PaperColumns) => `
  WITH ${PROFILE_CTES.trim()},
  lists AS (
    SELECT pr.w, u.id, u.score
    FROM profile pr
    JOIN "PaperNeighbours" n ON n."paperId" = pr."paperId"
    CROSS JOIN LATERAL unnest(n.neighbours[1:${NEIGHBOURS_PER_PROFILE_PAPER}], n.scores[1:${NEIGHBOURS_PER_PROFILE_PAPER}]) AS u(id, score)
  ), unlisted AS (
    SELECT pr."paperId", pr.w FROM profile pr
    WHERE NOT EXISTS (SELECT 1 FROM "PaperNeighbours" n WHERE n."paperId" = pr."paperId")
    ORDER BY pr.w DESC, pr."paperId" DESC
    LIMIT ${LIVE_PROFILE_PAPERS}
  ), live AS (
    SELECT un.w, l."paperId" AS id, l.score
    FROM unlisted un
    CROSS JOIN LATERAL (${liveNeighbours('un."paperId"', String(NEIGHBOURS_PER_PROFILE_PAPER), false)}) l
  ), candidates AS (
    SELECT c.id, sum(c.w * c.score) AS s
    FROM (SELECT * FROM lists UNION ALL SELECT * FROM live) c
    WHERE c.id NOT IN (SELECT "paperId" FROM excluded)
    GROUP BY c.id
  )
  -- Best first, each candidate's paper read in that order until $2 are listed (not all of them).
  SELECT (c.s / (SELECT sum(w) FROM profile))::float8 AS score, ${columnsOf(columns)}
  FROM (SELECT id, s FROM candidates ORDER BY s DESC, id) c
  CROSS JOIN LATERAL (SELECT * FROM "Paper" p WHERE p.id = c.id) p
  WHERE ${LISTED.text}
  ORDER BY c.s DESC, c.id
  LIMIT $2`;
export const RECOMMENDED_SQL = { all: recommendedSql('all'), listing: recommendedSql('listing') };

/**
 * Papers for this user from their upvotes, collections and follows, best first; none when they
 * have none of these. By embedding when the path is on and some paper of the profile has a
 * vector of its model (one statement), else by terms (one more).
 */
export async function recommendedPapers(
  reader: Reader,
  userId: number,
  first: number,
  path: EmbeddingPath | null = null,
  columns: PaperColumns = 'all',
): Promise<ScoredPaper[]> {
  if (first === 0) return [];
  if (path) {
    const { text, name } = statementsOf(path).recommended;
    const rows = await reader.rows<MaybeScoredRow>({ text, values: [userId, first] }, name);
    if (rows.length > 0) return rows.filter((row): row is ScoredRow => row.id !== null).map(scored);
  }
  const rows = await reader.rows<ScoredRow>({ text: RECOMMENDED_SQL[columns], values: [userId, first] }, `recommended_papers_${columns}`);
  return rows.map(scored);
}
