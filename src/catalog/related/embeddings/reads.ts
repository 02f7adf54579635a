// The similarity reads of the embedding path: the statements of Paper.related, "for you" and
// the HYBRID ranking over PaperEmbedding, for one model. pgvector's cosine distance (`<=>`)
// over the stored real[] cast to vector(dimensions); similarity = 1 - distance.
//
// Only papers with a vector of the model take part, and only pairs with a positive similarity
// (distance < 1: something in common; this also drops zero vectors, whose distance is NaN).
//
// Each scan is the model's HNSW index (src/platform/embeddings/hnsw.ts) where it exists, in two
// steps written in one statement:
//   1. `approx`: ORDER BY distance LIMIT n over the index, with the list's conditions (listed,
//      not the source, not excluded, the search filter). An HNSW scan alone stops after
//      hnsw.ef_search candidates, before those conditions, so hidden papers among the nearest
//      would shorten the list; the statement turns on pgvector 0.8's iterative scans
//      (relaxed_order: the scan goes on through the graph until n rows pass, up to
//      hnsw.max_scan_tuples), and re-sorts what it got.
//   2. only when `approx` still has fewer than n rows: the same scan, exact (ordered by
//      `distance + 0`, which no index serves). Its plan sits under a one-time filter and is
//      never started otherwise. So a list is as long as exact search would make it, whatever
//      hides the nearest papers; what the index costs is recall (0.989 of the exact top 10 on
//      20k papers: bench/results/2026-12-07-vectors.md), never length.
// On pgvector before 0.8 (no iterative scans) the statements set ef_search only: a scan stops
// after it, and hidden papers among its candidates make step 2 run; lists stay whole all the same.
// The distance < 1 cut is applied after the LIMIT: the n nearest, then those with something in
// common, is the same list as the n nearest with something in common, and a scan that looked for
// positive similarities would walk the whole graph for a paper with few.
//
// Without the index (a server process that does not migrate, before the migrating one built it)
// the same statements scan exactly: one distance per stored vector of the model, then a top-N sort.
//
// DANGER: hidden papers never come out. LISTED is a condition of every scan, before its LIMIT,
// in both steps.
import { Prisma } from '../../../generated/prisma/client.ts';
import { PAPER_COLUMNS_P } from '../../papers/index.ts';
import { LISTED } from '../../papers/index.ts';
import { PROFILE_CTES } from '../profile.ts';
import type { Embedder } from '../../../platform/embeddings/embedder.ts';
import { embeddingOf, hasIterativeScans, HNSW_EF_SEARCH, HNSW_PROFILE_EF_SEARCH, modelKey, ofModel as ofModelSql, scanSettings, vectorType } from '../../../platform/embeddings/hnsw.ts';
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

/** pgvector's text form of a vector, for a parameter cast to vector(n). */
export function vectorText(v: Float32Array): string {
  return `[${Array.from(v, (x) => (Number.isFinite(x) ? x : 0)).join(',')}]`;
}

export interface StatementOptions {
  /**
   * hnsw.ef_search of related and HYBRID, at least their LIMIT; default HNSW_EF_SEARCH
   * (bench/vectors.ts compares others). "For you" uses HNSW_PROFILE_EF_SEARCH.
   */
  efSearch?: number;
  /** The server's pgvector has iterative scans (0.8+: `hasIterativeScans`); default true. */
  iterativeScans?: boolean;
}

export function embeddingStatements(model: Pick<Embedder, 'model' | 'dimensions'>, options: StatementOptions = {}): EmbeddingStatements {
  const ef = options.efSearch ?? HNSW_EF_SEARCH;
  if (!Number.isSafeInteger(ef) || ef < 1 || ef > 1000) throw new RangeError(`efSearch must be from 1 to 1000 (pgvector's range); got ${ef}`);
  const vector = vectorType(model);
  const embedding = (alias: string) => embeddingOf(alias, model);
  const ofModel = (alias: string) => ofModelSql(alias, model);
  // Statement names differ by model, since a name is prepared once per connection with one text.
  const iterative = options.iterativeScans ?? true;
  const suffix = `${modelKey(model)}${ef === HNSW_EF_SEARCH ? '' : `_ef${ef}`}${iterative ? '' : '_ni'}`;

  /**
   * The `n` nearest papers `(id, d)` to the vector `v` (a column of an outer relation, computed
   * with `scanSettings`) among the model's vectors `e` of papers `p` meeting `where`: the two
   * steps of the header, as the body of a LATERAL subquery. `n` is SQL (a parameter or a number).
   */
  const nearest = (where: Prisma.Sql, v: string, n: string): Prisma.Sql => {
    const scan = Prisma.sql`
        SELECT e."paperId" AS id, ${Prisma.raw(embedding('e'))} <=> ${Prisma.raw(v)} AS d
        FROM "PaperEmbedding" e
        JOIN "Paper" p ON p.id = e."paperId"
        WHERE ${Prisma.raw(ofModel('e'))} AND ${where}`;
    return Prisma.sql`
      WITH approx AS MATERIALIZED (${scan}
        ORDER BY ${Prisma.raw(embedding('e'))} <=> ${Prisma.raw(v)}
        LIMIT ${Prisma.raw(n)}
      )
      SELECT id, d FROM approx WHERE (SELECT count(*) FROM approx) >= ${Prisma.raw(n)}
      UNION ALL
      (${scan} AND (SELECT count(*) FROM approx) < ${Prisma.raw(n)}
        ORDER BY (${Prisma.raw(embedding('e'))} <=> ${Prisma.raw(v)}) + 0, e."paperId"
        LIMIT ${Prisma.raw(n)})`;
  };
  /** The text of a fixed statement (no values: its parameters are written as $1, $2). */
  const fixed = (sql: Prisma.Sql): string => {
    if (sql.values.length > 0) throw new Error('a fixed statement takes its values as $n parameters');
    return sql.text;
  };
  // At least the LIMIT (a first pass shorter than it would need a second), at most pgvector's 1000.
  const efSearch = (n: string) => `least(greatest(${ef}, ${n}), 1000)`;

  // Related papers of several papers ($1) in one statement. A source with a vector gives at
  // least one row (r null: it has no listed neighbour); a source without one gives none, and is
  // answered from its terms instead (../reads.ts). `sv` is computed per source before its scan
  // (OFFSET 0 keeps it a node of its own): the query vector, and the scan's settings.
  const related = fixed(Prisma.sql`
    SELECT s.id AS "sourceId", r.score, ${Prisma.raw(PAPER_COLUMNS_P.text)}
    FROM unnest($1::int[]) AS s(id)
    JOIN "PaperEmbedding" se ON se."paperId" = s.id AND ${Prisma.raw(ofModel('se'))}
    CROSS JOIN LATERAL (SELECT ${Prisma.raw(embedding('se'))} AS v, ${Prisma.raw(scanSettings(efSearch('$2'), iterative))} OFFSET 0) sv
    LEFT JOIN LATERAL (
      SELECT k.id AS "paperId", (1 - k.d)::float8 AS score
      FROM (${nearest(Prisma.sql`e."paperId" <> s.id AND ${LISTED}`, 'sv.v', '$2')}) k
      WHERE k.d < 1
    ) r ON true
    LEFT JOIN "Paper" p ON p.id = r."paperId"
    ORDER BY s.id, r.score DESC NULLS LAST, r."paperId"`);

  // "For you": the weighted sum of the profile's vectors (their centroid up to scale, which a
  // cosine ignores), then the nearest listed papers not excluded, at a wider ef_search
  // (HNSW_PROFILE_EF_SEARCH: a centroid is far from every paper). No row at all when no paper of
  // the profile has a vector: the caller falls back to the terms. One row with a null paper when
  // nothing is near.
  const recommended = fixed(Prisma.sql`
    WITH ${Prisma.raw(PROFILE_CTES.trim())},
    centroid AS (
      SELECT array_agg(c.x ORDER BY c.i)::${Prisma.raw(vector)} AS v
      FROM (
        SELECT u.i, sum(pr.w * u.x) AS x
        FROM profile pr
        JOIN "PaperEmbedding" e ON e."paperId" = pr."paperId" AND ${Prisma.raw(ofModel('e'))}
        CROSS JOIN LATERAL unnest(e.embedding) WITH ORDINALITY AS u(x, i)
        GROUP BY u.i
      ) c
    )
    SELECT r.score, ${Prisma.raw(PAPER_COLUMNS_P.text)}
    FROM centroid c0
    CROSS JOIN LATERAL (SELECT c0.v, ${Prisma.raw(scanSettings(`least(greatest(${HNSW_PROFILE_EF_SEARCH}, $2), 1000)`, iterative))} WHERE c0.v IS NOT NULL OFFSET 0) c
    LEFT JOIN LATERAL (
      SELECT k.id AS "paperId", (1 - k.d)::float8 AS score
      FROM (${nearest(Prisma.sql`${LISTED} AND e."paperId" NOT IN (SELECT "paperId" FROM excluded)`, 'c.v', '$2')}) k
      WHERE k.d < 1
    ) r ON true
    LEFT JOIN "Paper" p ON p.id = r."paperId"
    ORDER BY r.score DESC NULLS LAST, r."paperId"`);

  return {
    model: model.model,
    dimensions: model.dimensions,
    related: { text: related, name: `related_papers_e${suffix}` },
    recommended: { text: recommended, name: `recommended_papers_e${suffix}` },
    hasVector: Prisma.raw(`EXISTS (SELECT 1 FROM "PaperEmbedding" pe WHERE pe."paperId" = p.id AND ${ofModel('pe')})`),
    // `q` first, materialized: the query's vector and the scan's settings, before the scan.
    ranking: (where, queryVector, depth) => {
      if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError(`depth must be a positive integer; got ${depth}`);
      return Prisma.sql`
      (WITH q AS MATERIALIZED (SELECT ${vectorText(queryVector)}::${Prisma.raw(vector)} AS v, ${Prisma.raw(scanSettings(efSearch(String(depth)), iterative))})
       SELECT k.id, row_number() OVER (ORDER BY k.d, k.id) AS rank
       FROM q CROSS JOIN LATERAL (${nearest(where, 'q.v', String(depth))}) k
       WHERE k.d < 1)`;
    },
  };
}

// Derived SQL text, the same for every request: built once per embedder. A memo of a pure
// function of the embedder and the server's pgvector (weakly held, so a closed embedder takes its
// statements with it).
const built = new WeakMap<Embedder, { pgvector: string; statements: EmbeddingStatements }>();

/** The statements of the path's model, for the path's pgvector. */
export function statementsOf(path: EmbeddingPath): EmbeddingStatements {
  const memo = built.get(path.embedder);
  if (memo?.pgvector === path.pgvector) return memo.statements;
  const statements = embeddingStatements(path.embedder, { iterativeScans: hasIterativeScans(path.pgvector) });
  built.set(path.embedder, { pgvector: path.pgvector, statements });
  return statements;
}
