// Related papers and "for you": similarity of term vectors (PaperTerm, kept by the
// catalog_related_* triggers; see the related_terms migration), computed in PostgreSQL with no
// extension: one join over the terms two papers share, summing the products of their weights
// (a cosine, the vectors being L2-normalised).
//
// DANGER: hidden papers never come out of here. The LISTED condition (src/papers/visibility.ts)
// is applied to every candidate before the LIMIT, so a hidden paper neither shows nor takes a
// place. A hidden paper's own terms stay in PaperTerm (unhiding it needs no recompute): they
// are only ever a source, never an answer.
import type { Reader } from '../db/client.ts';
import type { Paper } from '../generated/prisma/client.ts';
import { badInput } from '../errors.ts';
import { MAX_PAGE_SIZE } from '../pagination/connection.ts';
import { PAPER_COLUMNS_P } from '../papers/columns.ts';
import { LISTED } from '../papers/visibility.ts';

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

// The related papers of several papers in one statement ($1 their ids, $2 how many each).
// Inner join: the candidates by summed weight products; each candidate's Paper row is looked
// at once (listed?) before the limit, in score order, so the nested loop stops after $2 listed ones.
const RELATED = `
  SELECT s.id AS "sourceId", r.score, ${PAPER_COLUMNS_P.text}
  FROM unnest($1::int[]) AS s(id)
  CROSS JOIN LATERAL (
    SELECT c."paperId", c.score
    FROM (
      SELECT b."paperId", sum(a.weight * b.weight)::float8 AS score
      FROM "PaperTerm" a JOIN "PaperTerm" b ON b.term = a.term
      WHERE a."paperId" = s.id AND b."paperId" <> s.id
      GROUP BY b."paperId"
    ) c
    JOIN "Paper" p ON p.id = c."paperId"
    WHERE ${LISTED.text}
    ORDER BY c.score DESC, c."paperId"
    LIMIT $2
  ) r
  JOIN "Paper" p ON p.id = r."paperId"
  ORDER BY s.id, r.score DESC, r."paperId"`;

type ScoredRow = Paper & { sourceId?: number; score: number };

function scored({ sourceId: _, score, ...paper }: ScoredRow): ScoredPaper {
  return { paper, score };
}

/** The `first` most similar listed papers of each paper of `ids`, best first. */
export async function relatedPapers(reader: Reader, ids: readonly number[], first: number): Promise<Map<number, ScoredPaper[]>> {
  const byPaper = new Map<number, ScoredPaper[]>();
  if (first === 0 || ids.length === 0) return byPaper;
  const rows = await reader.rows<ScoredRow>({ text: RELATED, values: [ids, first] }, 'related_papers');
  for (const row of rows) {
    const list = byPaper.get(row.sourceId!);
    if (list) list.push(scored(row));
    else byPaper.set(row.sourceId!, [scored(row)]);
  }
  return byPaper;
}

/** Votes (most recent first) that make a user's profile: older tastes fade out. */
export const PROFILE_VOTES = 200;
/** Terms of the profile kept: the centroid of up to PROFILE_VOTES vectors is long. */
export const PROFILE_TERMS = 64;

// "For you" ($1 the user, $2 how many): the centroid of the vectors of the papers the user
// upvoted (their latest PROFILE_VOTES), cut to its PROFILE_TERMS strongest terms, scored against
// every paper like `RELATED` (cosine: divided by the centroid's norm), without what they upvoted.
const RECOMMENDED = `
  WITH liked AS (
    SELECT "paperId" FROM "Vote" WHERE "userId" = $1 ORDER BY "createdAt" DESC, "paperId" LIMIT ${PROFILE_VOTES}
  ), centroid AS (
    SELECT t.term, sum(t.weight)::float8 AS w FROM "PaperTerm" t
    WHERE t."paperId" IN (SELECT "paperId" FROM liked)
    GROUP BY t.term ORDER BY w DESC, t.term LIMIT ${PROFILE_TERMS}
  ), norm AS (
    SELECT sqrt(sum(w * w)) AS n FROM centroid
  ), candidates AS (
    SELECT b."paperId", sum(c.w * b.weight) AS score
    FROM centroid c JOIN "PaperTerm" b ON b.term = c.term
    GROUP BY b."paperId"
  )
  SELECT (c.score / norm.n)::float8 AS score, ${PAPER_COLUMNS_P.text}
  FROM candidates c CROSS JOIN norm JOIN "Paper" p ON p.id = c."paperId"
  WHERE ${LISTED.text}
    AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."userId" = $1 AND v."paperId" = p.id)
  ORDER BY c.score DESC, p.id
  LIMIT $2`;

/** Papers for this user from their upvotes, best first; none when they upvoted nothing. */
export async function recommendedPapers(reader: Reader, userId: number, first: number): Promise<ScoredPaper[]> {
  if (first === 0) return [];
  const rows = await reader.rows<ScoredRow>({ text: RECOMMENDED, values: [userId, first] }, 'recommended_papers');
  return rows.map(scored);
}
