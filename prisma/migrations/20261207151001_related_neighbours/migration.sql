-- CreateTable
CREATE TABLE "PaperNeighbours" (
    "paperId" INTEGER NOT NULL,
    "neighbours" INTEGER[],
    "scores" REAL[],
    "truncated" BOOLEAN NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PaperNeighbours_pkey" PRIMARY KEY ("paperId")
);

-- CreateTable
CREATE TABLE "RelatedQueue" (
    "paperId" INTEGER NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "queuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RelatedQueue_pkey" PRIMARY KEY ("paperId")
);

-- CreateIndex
CREATE INDEX "PaperNeighbours_neighbours_idx" ON "PaperNeighbours" USING GIN ("neighbours");

-- CreateIndex
CREATE INDEX "RelatedQueue_queuedAt_paperId_idx" ON "RelatedQueue"("queuedAt", "paperId");

-- AddForeignKey
ALTER TABLE "PaperNeighbours" ADD CONSTRAINT "PaperNeighbours_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RelatedQueue" ADD CONSTRAINT "RelatedQueue_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ─── Written by hand: what Prisma's schema cannot express ─────────────────────────────────
-- Precomputed related papers (src/catalog/related/neighbours.ts). A paper whose term vector
-- changes (inserted, title or abstract edited, topics changed, the rebuild) is queued here, in
-- the writer's transaction: one upsert per paper, and nothing that waits on the drain (the drain
-- never locks a queued row except with SKIP LOCKED). The background job computes the queued
-- papers' neighbours later; until a paper has a list of its own, reads compute it live.
-- p_queue false: the rebuild's new idf snapshot, which moves every vector a little; the lists
-- keep their neighbours until their paper changes (npm run related:rebuild -- --lists queues all).
-- A second parameter is a new function: the old one goes (the triggers call it by name).
DROP FUNCTION catalog_related_refresh(integer[]);
CREATE FUNCTION catalog_related_refresh(p_ids integer[], p_queue boolean DEFAULT true) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  n float8 := greatest(coalesce((SELECT df FROM "RelatedTerm" WHERE term = ''), 0), 1);
BEGIN
  DELETE FROM "PaperTerm" WHERE "paperId" = ANY(p_ids);
  INSERT INTO "PaperTerm" ("paperId", term, weight)
  WITH words AS (
    SELECT p.id, w.term, (1 + ln(w.tf)) * ln(1 + n / coalesce(d.df, 1)) AS w
    FROM "Paper" p
    CROSS JOIN LATERAL catalog_related_words(p.title, p.abstract) w
    LEFT JOIN "RelatedTerm" d ON d.term = w.term
    WHERE p.id = ANY(p_ids)
  ), top_words AS (
    SELECT id, term, w FROM (SELECT words.*, row_number() OVER (PARTITION BY id ORDER BY w DESC, term) AS r FROM words) ranked
    WHERE r <= 24
  ), topic_df AS (
    SELECT "topicId", count(*) AS df FROM "PaperTopic"
    WHERE "topicId" IN (SELECT "topicId" FROM "PaperTopic" WHERE "paperId" = ANY(p_ids))
    GROUP BY "topicId"
  ), topics AS (
    SELECT pt."paperId" AS id, '#' || pt."topicId" AS term, 1.5 * ln(1 + greatest(n, t.df) / t.df) AS w
    FROM "PaperTopic" pt JOIN topic_df t USING ("topicId")
    WHERE pt."paperId" = ANY(p_ids)
  ), kept AS (
    SELECT id, term, w FROM top_words UNION ALL SELECT id, term, w FROM topics
  )
  SELECT id, term, (w / sqrt(sum(w * w) OVER (PARTITION BY id)))::real FROM kept WHERE w > 0;
  -- A new change of a paper already queued moves its seq: a drain computing the older vector
  -- then leaves the entry for the next one. queuedAt stays the first change not yet drained.
  INSERT INTO "RelatedQueue" ("paperId")
  SELECT p.id FROM "Paper" p WHERE p_queue AND p.id = ANY(p_ids)
  ON CONFLICT ("paperId") DO UPDATE SET seq = nextval(pg_get_serial_sequence('"RelatedQueue"', 'seq'));
END $$;

-- One paper's nearest papers computed live (src/catalog/related/reads.ts calls it for a paper
-- without a list, the drain to compute lists): the p_limit best by exact score, hidden ones
-- included (callers filter). Two phases: candidates by the products of weights over the heads
-- (1000 papers: POSTINGS_PER_TERM) of the shared terms' posting lists, the best 200 of them
-- (CANDIDATES), then each candidate's exact cosine from its own vector.
-- A function, not inlined SQL, so that a statement that may call it for every paper of a page
-- is planned at what it costs when it does not: planned inline, its estimated cost set off
-- PostgreSQL's JIT compilation (hundreds of milliseconds) on every read of a page.
CREATE FUNCTION catalog_related_live(p_id integer, p_limit integer)
RETURNS TABLE ("paperId" integer, score float8) LANGUAGE plpgsql STABLE ROWS 20 AS $$
BEGIN
  RETURN QUERY
    SELECT c."paperId", exact.score
    FROM (
      SELECT b."paperId"
      FROM "PaperTerm" a
      CROSS JOIN LATERAL (
        SELECT t."paperId", t.weight FROM "PaperTerm" t WHERE t.term = a.term
        ORDER BY t.weight DESC LIMIT 1000
      ) b
      WHERE a."paperId" = p_id AND b."paperId" <> p_id
      GROUP BY b."paperId"
      ORDER BY sum(a.weight * b.weight) DESC, b."paperId"
      LIMIT 200
    ) c
    CROSS JOIN LATERAL (
      SELECT sum(a.weight * b.weight)::float8 AS score
      FROM "PaperTerm" b JOIN "PaperTerm" a ON a."paperId" = p_id AND a.term = b.term
      WHERE b."paperId" = c."paperId"
    ) exact
    ORDER BY exact.score DESC, c."paperId"
    LIMIT p_limit;
END $$;

-- The papers already there: computed by the job in the background, answered live until then.
INSERT INTO "RelatedQueue" ("paperId") SELECT id FROM "Paper";
