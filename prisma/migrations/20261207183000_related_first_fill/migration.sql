-- AlterTable
ALTER TABLE "PaperNeighbours" ADD COLUMN     "seenRunning" BIGINT[],
ADD COLUMN     "seenXmax" BIGINT;

-- AlterTable
ALTER TABLE "RelatedQueue" ADD COLUMN     "xid" BIGINT;

-- ─── Written by hand ────────────────────────────────────────────────────────────────────────
-- The first fill of the precomputed related papers (src/catalog/related/neighbours.ts): a queued
-- paper's new vector has to be proposed to the other papers' lists only when a list was computed
-- before that vector was written. The queue now keeps the writing transaction (xid), each list the
-- snapshot it was computed in (seenXmax, seenRunning): a list whose snapshot had the writer
-- finished (xid < seenXmax and not among seenRunning) saw the vector.
-- Same function as in the related_neighbours migration, with the xid kept.
CREATE OR REPLACE FUNCTION catalog_related_refresh(p_ids integer[], p_queue boolean DEFAULT true) RETURNS void LANGUAGE plpgsql AS $$
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
  -- then leaves the entry for the next one. queuedAt stays the first change not yet drained;
  -- xid is the latest change's transaction.
  INSERT INTO "RelatedQueue" ("paperId", xid)
  SELECT p.id, pg_current_xact_id()::text::bigint FROM "Paper" p WHERE p_queue AND p.id = ANY(p_ids)
  ON CONFLICT ("paperId") DO UPDATE SET seq = nextval(pg_get_serial_sequence('"RelatedQueue"', 'seq')), xid = EXCLUDED.xid;
END $$;

-- Entries queued before: their vectors were written before this transaction.
UPDATE "RelatedQueue" SET xid = pg_current_xact_id()::text::bigint;
