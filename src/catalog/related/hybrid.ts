// HYBRID search (`papers(query:, searchMode: HYBRID)`): the full-text ranking and the
// term-vector ranking of the same query fused by reciprocal rank fusion,
//   score(paper) = sum over the rankings it is in of 1 / (RRF_K + rank),
// over the HYBRID_DEPTH best of each. The term-vector ranking scores a paper by the weights of
// the query's words in its vector (PaperTerm) times their idf: a paper need not hold every
// word, and one where the words are central ranks above one that merely mentions them.
//
// Bounded per request, whatever the catalog's size: both rankings rank the same candidates, the
// HYBRID_CANDIDATES best by term score, found in the heads of the posting lists of the query's
// HYBRID_WORDS strongest words (POSTINGS_PER_TERM papers each, as for related). The full-text
// ranking keeps the candidates the query matches (phrases, -not, OR) and orders them by
// ts_rank_cd. So at most HYBRID_WORDS x POSTINGS_PER_TERM posting rows are read and
// HYBRID_CANDIDATES papers ranked, not every match of a common word. The cost in recall: a
// paper that matches the query but holds none of its words among its 24 strongest terms (it
// mentions them in passing) is not in the full-text ranking; KEYWORD search still finds it.
//
// Where the embedding path is on (src/platform/embeddings/path.ts), papers with a vector of its model are
// ranked by the cosine of their vector and the query's instead, and the term ranking keeps only
// the papers without one: three rankings fused, each paper in at most two of them, so a paper
// not yet embedded is neither favoured nor left out.
import { Prisma } from '../../generated/prisma/client.ts';
import type { EmbeddingPath } from '../../platform/embeddings/path.ts';
import type { HybridRanker } from '../papers/index.ts';
import { statementsOf } from './embeddings/reads.ts';
import { POSTINGS_PER_TERM } from './reads.ts';

export const RRF_K = 60;
/** Papers taken from each ranking: a HYBRID list holds at most twice this many (three times with embeddings). */
export const HYBRID_DEPTH = 200;
/** The query's words looked up (the strongest by tf-idf): a long query reads no more posting lists. */
export const HYBRID_WORDS = 16;
/**
 * Papers both term and full-text rankings choose from: the best by term score. 500 rather than
 * 1,000: over the 20 queries of the discovery bench, the first 20 of a HYBRID list keep 93.5 %
 * of those that 1,000 candidates give, for about half the time (each candidate is read and
 * ranked, twice a request: the page and its count); 300 kept 92.8 %
 * (bench/results/2026-12-07-search-session4.md).
 */
export const HYBRID_CANDIDATES = 500;

/** The query embedded by the path's embedder: what `hybridCandidates` needs for the embedding ranking. */
export interface HybridEmbedding {
  path: EmbeddingPath;
  queryVector: Float32Array;
}

/** The query's vector, when the path is on (the embedder runs in this process: no SQL). */
export async function embedQuery(path: EmbeddingPath | null, text: string): Promise<HybridEmbedding | undefined> {
  if (!path) return undefined;
  const [queryVector] = await path.embedder.embed([text]);
  return { path, queryVector: queryVector! };
}

/**
 * A relation `(id, score)` of the fused candidates, to join on `p.id`. `conditions` are those
 * of the list (listed, scope, filter), over `"Paper" p`: every ranking is of the papers the
 * list may show, so a hidden or filtered-out paper takes no rank. `tsquery` is the query's
 * one-row relation (src/catalog/papers/search.ts); `text` what the user typed.
 */
export function hybridCandidates(conditions: Prisma.Sql[], tsquery: Prisma.Sql, text: string, embedding?: HybridEmbedding, candidates = HYBRID_CANDIDATES): Prisma.Sql {
  const where = Prisma.join(conditions, ' AND ');
  const statements = embedding ? statementsOf(embedding.path) : undefined;
  const embeddingRanking = statements ? Prisma.sql`UNION ALL ${statements.ranking(where, embedding!.queryVector, HYBRID_DEPTH)}` : Prisma.empty;
  // Each candidate's row read once, by its key (OFFSET 0 keeps the subquery a per-candidate
  // lookup: joined instead, the planner read every match of the query through the GIN index,
  // 7,801 rows for "reinforcement learning reward" at 100k papers, to keep 731 of 1,000).
  return Prisma.sql`(
    WITH candidates AS MATERIALIZED (
      SELECT t."paperId", sum(t.weight * qt.w) AS s
      FROM (
        SELECT w.term, (1 + ln(w.tf)) * ln(1 + n.n / coalesce(d.df, 1)) AS w
        FROM catalog_related_words(${text}, '') w
        CROSS JOIN (SELECT greatest(coalesce((SELECT df FROM "RelatedTerm" WHERE term = ''), 0), 1)::float8 AS n) n
        LEFT JOIN "RelatedTerm" d ON d.term = w.term
        ORDER BY w DESC, w.term
        LIMIT ${HYBRID_WORDS}
      ) qt
      CROSS JOIN LATERAL (
        SELECT pt."paperId", pt.weight FROM "PaperTerm" pt WHERE pt.term = qt.term
        ORDER BY pt.weight DESC LIMIT ${POSTINGS_PER_TERM}
      ) t
      GROUP BY t."paperId"
      ORDER BY s DESC, t."paperId"
      LIMIT ${candidates}
    ), listed AS MATERIALIZED (
      SELECT c."paperId" AS id, c.s, r.matched, r.text_rank, r.embedded
      FROM candidates c
      CROSS JOIN LATERAL (
        SELECT p."searchVector" @@ q.q AS matched,
               CASE WHEN p."searchVector" @@ q.q THEN ts_rank_cd(p."searchVector", q.q) END AS text_rank,
               ${statements ? statements.hasVector : Prisma.sql`false`} AS embedded
        FROM "Paper" p CROSS JOIN ${tsquery} AS q(q)
        WHERE p.id = c."paperId" AND ${where}
        OFFSET 0
      ) r
    )
    SELECT fused.id, sum(1.0 / (${RRF_K} + fused.rank))::float8 AS score
    FROM (
      (SELECT l.id, row_number() OVER (ORDER BY l.text_rank DESC, l.id) AS rank
       FROM listed l WHERE l.matched
       ORDER BY rank LIMIT ${HYBRID_DEPTH})
      UNION ALL
      (SELECT l.id, row_number() OVER (ORDER BY l.s DESC, l.id) AS rank
       FROM listed l WHERE NOT l.embedded
       ORDER BY rank LIMIT ${HYBRID_DEPTH})
      ${embeddingRanking}
    ) fused
    GROUP BY fused.id
  )`;
}

/** The ranker the paper lists use for HYBRID (src/catalog/papers/list.ts), over `path` when it is on. */
export function hybridRanker(path: EmbeddingPath | null): HybridRanker {
  return async (conditions, tsquery, text) => hybridCandidates(conditions, tsquery, text, await embedQuery(path, text));
}
