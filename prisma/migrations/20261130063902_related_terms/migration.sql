-- CreateTable
CREATE TABLE "PaperTerm" (
    "paperId" INTEGER NOT NULL,
    "term" TEXT NOT NULL,
    "weight" REAL NOT NULL,

    CONSTRAINT "PaperTerm_pkey" PRIMARY KEY ("paperId","term")
);

-- CreateTable
CREATE TABLE "RelatedTerm" (
    "term" TEXT NOT NULL,
    "df" INTEGER NOT NULL,

    CONSTRAINT "RelatedTerm_pkey" PRIMARY KEY ("term")
);

-- CreateIndex
CREATE INDEX "PaperTerm_term_weight_paperId_idx" ON "PaperTerm"("term", "weight" DESC, "paperId");

-- AddForeignKey
ALTER TABLE "PaperTerm" ADD CONSTRAINT "PaperTerm_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ─── Written by hand: what Prisma's schema cannot express ─────────────────────────────────
-- Related papers (src/related/). Every object is named catalog_related_*.
--
-- A paper's vector: tf-idf over its words (title counted twice, abstract once: the lexemes of
-- to_tsvector('english'), so stemming and stop words are those of full-text search) keeping
-- its 24 strongest words, plus one term per topic (`#<topic id>`), L2-normalised. idf is
-- ln(1 + N / df) with df and N from RelatedTerm: a snapshot made by the rebuild
-- (npm run related:rebuild), not moved by writes. Counting writes in would lock the df rows of
-- common words until commit, and then every import would queue behind every other one (an
-- import is one transaction of up to minutes). A word the snapshot lacks counts as df = 1.
-- Topics' df is counted live: it is one indexed count per topic.

-- A text's word terms with their counts (a title occurrence counts twice).
CREATE FUNCTION catalog_related_words(p_title text, p_abstract text)
RETURNS TABLE (term text, tf integer) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT w.lexeme, (SELECT sum(CASE x WHEN 'A' THEN 2 ELSE 1 END) FROM unnest(w.weights) x)::int
  FROM unnest(setweight(to_tsvector('english', coalesce(p_title, '')), 'A')
              || to_tsvector('english', coalesce(p_abstract, ''))) w
  -- Words, not numbers, paths or URLs (the parser's file and URL tokens are noise here).
  WHERE length(w.lexeme) BETWEEN 2 AND 40 AND w.lexeme ~ '^[[:alpha:]][[:alnum:]-]*$'
$$;

-- Recomputes the vectors of these papers (a missing id: its rows go).
CREATE FUNCTION catalog_related_refresh(p_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
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
END $$;

CREATE FUNCTION catalog_related_paper_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM catalog_related_refresh(ARRAY(SELECT id FROM changed_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER catalog_related_paper_insert
  AFTER INSERT ON "Paper" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_related_paper_insert();

-- Row-level: a statement trigger cannot watch chosen columns, and every upvote updates Paper.
CREATE FUNCTION catalog_related_paper_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM catalog_related_refresh(ARRAY[NEW.id]);
  RETURN NULL;
END $$;

CREATE TRIGGER catalog_related_paper_update
  AFTER UPDATE OF title, abstract ON "Paper"
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.abstract IS DISTINCT FROM NEW.abstract)
  EXECUTE FUNCTION catalog_related_paper_update();

CREATE FUNCTION catalog_related_topics_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM catalog_related_refresh(ARRAY(SELECT DISTINCT "paperId" FROM changed_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER catalog_related_topics_insert
  AFTER INSERT ON "PaperTopic" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_related_topics_changed();

CREATE TRIGGER catalog_related_topics_delete
  AFTER DELETE ON "PaperTopic" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_related_topics_changed();
