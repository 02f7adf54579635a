// The similarity reads of the embedding path: the statements of Paper.related, "for you" and
// the HYBRID ranking over PaperEmbedding, for one model. pgvector's cosine distance (`<=>`)
// over the stored real[] cast to vector(dimensions); similarity = 1 - distance.
//
// Only papers with a vector of the model take part, and only pairs with a positive similarity
// (distance < 1: something in common; this also drops zero vectors, whose distance is NaN).
//
// Exact scans, no index: one distance per stored vector of the model, then a top-N sort.
// At 100k papers of 512 dimensions that is one pass over ~200 MB of real[] (cast included);
// the term path stays the fast default. An HNSW expression index, partial on the model, could
// serve the unfiltered scans, but cuts each scan at hnsw.ef_search (40 by default) BEFORE the
// listed filter: every connection would need its settings tuned to keep lists whole.
//
// DANGER: hidden papers never come out. LISTED is a condition of every scan, before its LIMIT.
import { createHash } from 'node:crypto';
import { Prisma } from '../../../generated/prisma/client.ts';
import { PAPER_COLUMNS_P } from '../../papers/index.ts';
import { LISTED } from '../../papers/index.ts';
import { PROFILE_CTES } from '../profile.ts';
import type { Embedder } from '../../../platform/embeddings/embedder.ts';
import type { EmbeddingPath } from '../../../platform/embeddings/path.ts';

export interface EmbeddingStatements {
  readonly model: string;
  readonly dimensions: number;
  /** $1 paper ids, $2 how many each: see `relatedSql`. */
  readonly related: { readonly text: string; readonly name: string };
  /** $1 the user, $2 how many: see `recommendedSql`. */
  readonly recommended: { readonly text: string; readonly name: string };
  /** SQL: the paper under alias `p` has a vector of this model. */
  readonly hasVector: Prisma.Sql;
  /** The HYBRID ranking by a query's vector, as a relation (id, rank) for src/catalog/related/hybrid.ts. */
  ranking(where: Prisma.Sql, queryVector: Float32Array, depth: number): Prisma.Sql;
}

/** A SQL string literal (standard_conforming_strings, on since PostgreSQL 9.1). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** pgvector's text form of a vector, for a parameter cast to vector(n). */
export function vectorText(v: Float32Array): string {
  return `[${Array.from(v, (x) => (Number.isFinite(x) ? x : 0)).join(',')}]`;
}

export function embeddingStatements({ model, dimensions }: Pick<Embedder, 'model' | 'dimensions'>): EmbeddingStatements {
  if (!Number.isSafeInteger(dimensions) || dimensions < 1 || dimensions > 16_000) throw new RangeError(`dimensions must be from 1 to 16000; got ${dimensions}`);
  const vector = `vector(${dimensions})`;
  // The model is part of the text, not a parameter: it never changes for a statement, and the
  // planner sees a constant. Statement names differ by model, since a name is prepared once per
  // connection with one text.
  const ofModel = (alias: string) => `${alias}.model = ${literal(model)} AND ${alias}.dimensions = ${dimensions}`;
  const suffix = createHash('sha256').update(`${model}\0${dimensions}`).digest('hex').slice(0, 10);

  // Related papers of several papers ($1) in one statement. A source with a vector gives at
  // least one row (r null: it has no listed neighbour); a source without one gives none, and is
  // answered from its terms instead (../reads.ts).
  const related = `
    SELECT s.id AS "sourceId", r.score, ${PAPER_COLUMNS_P.text}
    FROM unnest($1::int[]) AS s(id)
    JOIN "PaperEmbedding" se ON se."paperId" = s.id AND ${ofModel('se')}
    CROSS JOIN LATERAL (SELECT se.embedding::${vector} AS v) sv
    LEFT JOIN LATERAL (
      SELECT e."paperId", (1 - x.d)::float8 AS score
      FROM "PaperEmbedding" e
      JOIN "Paper" p ON p.id = e."paperId"
      CROSS JOIN LATERAL (SELECT e.embedding::${vector} <=> sv.v AS d) x
      WHERE ${ofModel('e')} AND e."paperId" <> s.id AND ${LISTED.text} AND x.d < 1
      ORDER BY x.d, e."paperId"
      LIMIT $2
    ) r ON true
    LEFT JOIN "Paper" p ON p.id = r."paperId"
    ORDER BY s.id, r.score DESC NULLS LAST, r."paperId"`;

  // "For you": the weighted sum of the profile's vectors (their centroid up to scale, which a
  // cosine ignores), then the nearest listed papers not excluded. No row at all when no paper of
  // the profile has a vector: the caller falls back to the terms. One row with a null paper when
  // nothing is near.
  const recommended = `
    WITH ${PROFILE_CTES.trim()},
    centroid AS (
      SELECT array_agg(c.x ORDER BY c.i)::${vector} AS v
      FROM (
        SELECT u.i, sum(pr.w * u.x) AS x
        FROM profile pr
        JOIN "PaperEmbedding" e ON e."paperId" = pr."paperId" AND ${ofModel('e')}
        CROSS JOIN LATERAL unnest(e.embedding) WITH ORDINALITY AS u(x, i)
        GROUP BY u.i
      ) c
    )
    SELECT r.score, ${PAPER_COLUMNS_P.text}
    FROM centroid c
    LEFT JOIN LATERAL (
      SELECT e."paperId", (1 - x.d)::float8 AS score
      FROM "PaperEmbedding" e
      JOIN "Paper" p ON p.id = e."paperId"
      CROSS JOIN LATERAL (SELECT e.embedding::${vector} <=> c.v AS d) x
      WHERE ${ofModel('e')} AND ${LISTED.text} AND x.d < 1
        AND e."paperId" NOT IN (SELECT "paperId" FROM excluded)
      ORDER BY x.d, e."paperId"
      LIMIT $2
    ) r ON true
    LEFT JOIN "Paper" p ON p.id = r."paperId"
    WHERE c.v IS NOT NULL
    ORDER BY r.score DESC NULLS LAST, r."paperId"`;

  return {
    model,
    dimensions,
    related: { text: related, name: `related_papers_e${suffix}` },
    recommended: { text: recommended, name: `recommended_papers_e${suffix}` },
    hasVector: Prisma.raw(`EXISTS (SELECT 1 FROM "PaperEmbedding" pe WHERE pe."paperId" = p.id AND ${ofModel('pe')})`),
    ranking: (where, queryVector, depth) => Prisma.sql`
      (SELECT p.id, row_number() OVER (ORDER BY x.d, p.id) AS rank
       FROM "PaperEmbedding" e
       JOIN "Paper" p ON p.id = e."paperId"
       CROSS JOIN LATERAL (SELECT e.embedding::${Prisma.raw(vector)} <=> ${vectorText(queryVector)}::${Prisma.raw(vector)} AS d) x
       WHERE ${Prisma.raw(ofModel('e'))} AND ${where} AND x.d < 1
       ORDER BY rank LIMIT ${depth})`,
  };
}

// Derived SQL text, the same for every request: built once per embedder. A memo of a pure
// function of the embedder (weakly held, so a closed embedder takes its statements with it).
const built = new WeakMap<Embedder, EmbeddingStatements>();

/** The statements of the path's model. */
export function statementsOf(path: EmbeddingPath): EmbeddingStatements {
  let statements = built.get(path.embedder);
  if (!statements) built.set(path.embedder, (statements = embeddingStatements(path.embedder)));
  return statements;
}
