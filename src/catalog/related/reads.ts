// Related papers and "for you": similarity of term vectors (PaperTerm, kept by the
// catalog_related_* triggers; see the related_terms migration), computed in PostgreSQL with no
// extension: one join over the terms two papers share, summing the products of their weights
// (a cosine, the vectors being L2-normalised). Where the embedding path is on
// (src/platform/embeddings/path.ts), a paper (or profile) with vectors of the current model is answered
// from them instead (./embeddings/reads.ts), the rest from their terms.
//
// DANGER: hidden papers never come out of here. The LISTED condition (src/catalog/papers/visibility.ts)
// is applied to every candidate before the LIMIT, so a hidden paper never shows (it may take
// one of the CANDIDATES places of the first phase: hidden papers are rare). A hidden paper's own terms stay in PaperTerm (unhiding it needs no recompute): they
// are only ever a source, never an answer.
import type { Reader } from '../../platform/db/reader.ts';
import type { Paper } from '../../generated/prisma/client.ts';
import { badInput } from '../../platform/errors.ts';
import { MAX_PAGE_SIZE } from '../../platform/pagination/connection.ts';
import { PAPER_COLUMNS_P } from '../papers/index.ts';
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
 * A term's posting list is read from its strongest end, this many papers at most. A common word
 * is in the top terms of thousands of papers: reading them all cost 3-4 times as much at 100k
 * papers (bench/results/2026-11-30-related.md) for papers where the word weighs little.
 */
export const POSTINGS_PER_TERM = 1000;
/**
 * Candidates found through the truncated posting lists, then scored exactly against their whole
 * vectors: the top 10 of a paper is the exact top 10 for 99.7 % of its places at 100k papers.
 */
export const CANDIDATES = 200;

// The related papers of several papers in one statement ($1 their ids, $2 how many each, at
// most MAX_PAGE_SIZE, below CANDIDATES). Two phases per paper: candidates by the products of
// weights over the heads of the shared terms' posting lists, then the exact cosine of each
// candidate and the listed check (a hidden candidate drops out here, before the LIMIT).
export const RELATED_SQL = `
  SELECT s.id AS "sourceId", r.score, ${PAPER_COLUMNS_P.text}
  FROM unnest($1::int[]) AS s(id)
  CROSS JOIN LATERAL (
    SELECT c."paperId", exact.score
    FROM (
      SELECT b."paperId"
      FROM "PaperTerm" a
      CROSS JOIN LATERAL (
        SELECT t."paperId", t.weight FROM "PaperTerm" t WHERE t.term = a.term
        ORDER BY t.weight DESC LIMIT ${POSTINGS_PER_TERM}
      ) b
      WHERE a."paperId" = s.id AND b."paperId" <> s.id
      GROUP BY b."paperId"
      ORDER BY sum(a.weight * b.weight) DESC, b."paperId"
      LIMIT ${CANDIDATES}
    ) c
    JOIN "Paper" p ON p.id = c."paperId"
    -- Per candidate, from its own vector (by paperId): not from the terms' posting lists.
    CROSS JOIN LATERAL (
      SELECT sum(a.weight * b.weight)::float8 AS score
      FROM "PaperTerm" b JOIN "PaperTerm" a ON a."paperId" = s.id AND a.term = b.term
      WHERE b."paperId" = c."paperId"
    ) exact
    WHERE ${LISTED.text}
    ORDER BY exact.score DESC, c."paperId"
    LIMIT $2
  ) r
  JOIN "Paper" p ON p.id = r."paperId"
  ORDER BY s.id, r.score DESC, r."paperId"`;

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
export async function relatedPapers(reader: Reader, ids: readonly number[], first: number, path: EmbeddingPath | null = null): Promise<Map<number, ScoredPaper[]>> {
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
  const rows = await reader.rows<ScoredRow>({ text: RELATED_SQL, values: [byTerms, first] }, 'related_papers');
  for (const row of rows) add(row);
  return byPaper;
}

/** Terms of the profile kept: the centroid of up to 3 x PROFILE_PAPERS vectors is long. */
export const PROFILE_TERMS = 64;

// "For you" ($1 the user, $2 how many): the weighted centroid of the term vectors of the
// profile (./profile.ts: upvotes, collections, follows), cut to its PROFILE_TERMS strongest
// terms, then the two phases of RELATED_SQL (excluded papers take no candidate place and are
// left out), the score a cosine (divided by the centroid's norm).
export const RECOMMENDED_SQL = `
  WITH ${PROFILE_CTES.trim()},
  centroid AS (
    SELECT t.term, sum(pr.w * t.weight)::float8 AS w
    FROM profile pr JOIN "PaperTerm" t ON t."paperId" = pr."paperId"
    GROUP BY t.term ORDER BY w DESC, t.term LIMIT ${PROFILE_TERMS}
  ), norm AS (
    SELECT sqrt(sum(w * w)) AS n FROM centroid
  ), candidates AS (
    SELECT b."paperId"
    FROM centroid c
    CROSS JOIN LATERAL (
      SELECT t."paperId", t.weight FROM "PaperTerm" t WHERE t.term = c.term
      ORDER BY t.weight DESC LIMIT ${POSTINGS_PER_TERM}
    ) b
    WHERE b."paperId" NOT IN (SELECT "paperId" FROM excluded)
    GROUP BY b."paperId"
    ORDER BY sum(c.w * b.weight) DESC, b."paperId"
    LIMIT ${CANDIDATES}
  ), scored AS (
    -- Per candidate, from its own vector (by paperId): not from the terms' posting lists.
    SELECT k."paperId", exact.score
    FROM candidates k
    CROSS JOIN LATERAL (
      SELECT sum(c.w * b.weight) AS score FROM "PaperTerm" b JOIN centroid c ON c.term = b.term WHERE b."paperId" = k."paperId"
    ) exact
  )
  SELECT (s.score / norm.n)::float8 AS score, ${PAPER_COLUMNS_P.text}
  FROM scored s CROSS JOIN norm JOIN "Paper" p ON p.id = s."paperId"
  WHERE ${LISTED.text}
  ORDER BY s.score DESC, p.id
  LIMIT $2`;

/**
 * Papers for this user from their upvotes, collections and follows, best first; none when they
 * have none of these. By embedding when the path is on and some paper of the profile has a
 * vector of its model (one statement), else by terms (one more).
 */
export async function recommendedPapers(reader: Reader, userId: number, first: number, path: EmbeddingPath | null = null): Promise<ScoredPaper[]> {
  if (first === 0) return [];
  if (path) {
    const { text, name } = statementsOf(path).recommended;
    const rows = await reader.rows<MaybeScoredRow>({ text, values: [userId, first] }, name);
    if (rows.length > 0) return rows.filter((row): row is ScoredRow => row.id !== null).map(scored);
  }
  const rows = await reader.rows<ScoredRow>({ text: RECOMMENDED_SQL, values: [userId, first] }, 'recommended_papers');
  return rows.map(scored);
}
