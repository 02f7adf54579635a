-- CreateTable
CREATE TABLE "PaperMonthCitation" (
    "month" DATE NOT NULL,
    "paperId" INTEGER NOT NULL,
    "citations" INTEGER NOT NULL,

    CONSTRAINT "PaperMonthCitation_pkey" PRIMARY KEY ("month","paperId")
);

-- CreateTable
CREATE TABLE "CitationAddition" (
    "id" BIGSERIAL NOT NULL,
    "snapshotId" TEXT NOT NULL,
    "source" "CitationSource" NOT NULL,
    "citedPaperId" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "citingPaperIds" INTEGER[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CitationAddition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PaperMonthCitation_month_citations_paperId_idx" ON "PaperMonthCitation"("month", "citations" DESC, "paperId" DESC);

-- CreateIndex
CREATE INDEX "CitationAddition_createdAt_idx" ON "CitationAddition"("createdAt");

-- AddForeignKey
ALTER TABLE "PaperMonthCitation" ADD CONSTRAINT "PaperMonthCitation_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the month counts as every citation import leaves them, over the edges already held.
INSERT INTO "PaperMonthCitation" ("month", "paperId", "citations")
SELECT date_trunc('month', q."publishedAt" AT TIME ZONE 'UTC')::date, c."citedPaperId", count(DISTINCT c."citingPaperId")::int
FROM "Citation" c
JOIN "Paper" q ON q.id = c."citingPaperId" AND q."hiddenAt" IS NULL
JOIN "Paper" p ON p.id = c."citedPaperId"
GROUP BY 1, 2;

-- Hand-written: keep "PaperMonthCitation" exact when a citing paper is hidden, unhidden, deleted
-- or re-dated (its arXiv v1 date moves it to another month). A listed citing paper counts once in
-- the month of its publishedAt for every distinct catalog paper it cites, as an import counts it
-- (src/catalog/citation-graph/import.ts, recount). Under the lock of the import's recount, shared,
-- as paper_citation_count_follow_citing takes it.
CREATE FUNCTION paper_month_citation_follow_citing() RETURNS trigger AS $$
DECLARE
  paper_id integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    paper_id := OLD.id;
  ELSE
    IF (OLD."hiddenAt" IS NULL) = (NEW."hiddenAt" IS NULL) AND OLD."publishedAt" = NEW."publishedAt" THEN RETURN NEW; END IF;
    paper_id := NEW.id;
  END IF;
  -- The lock before looking at the edges: an import recounting now may be adding this paper's
  -- first edges; waiting for it, the statements below see them.
  PERFORM pg_advisory_xact_lock_shared(hashtext('citation-graph-counts'));
  IF EXISTS (SELECT 1 FROM "Citation" c WHERE c."citingPaperId" = paper_id AND c."citedPaperId" IS NOT NULL) THEN
    -- Counted before: taken out of its month.
    IF OLD."hiddenAt" IS NULL THEN
      INSERT INTO "PaperMonthCitation" ("month", "paperId", "citations")
        SELECT DISTINCT date_trunc('month', OLD."publishedAt" AT TIME ZONE 'UTC')::date, c."citedPaperId", -1 FROM "Citation" c
        WHERE c."citingPaperId" = paper_id AND c."citedPaperId" IS NOT NULL
      ON CONFLICT ("month", "paperId") DO UPDATE SET "citations" = "PaperMonthCitation"."citations" + EXCLUDED."citations";
    END IF;
    -- Counted now: added to its (maybe new) month.
    IF TG_OP = 'UPDATE' AND NEW."hiddenAt" IS NULL THEN
      INSERT INTO "PaperMonthCitation" ("month", "paperId", "citations")
        SELECT DISTINCT date_trunc('month', NEW."publishedAt" AT TIME ZONE 'UTC')::date, c."citedPaperId", 1 FROM "Citation" c
        WHERE c."citingPaperId" = paper_id AND c."citedPaperId" IS NOT NULL
      ON CONFLICT ("month", "paperId") DO UPDATE SET "citations" = "PaperMonthCitation"."citations" + EXCLUDED."citations";
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER paper_month_citation_changed AFTER UPDATE OF "hiddenAt", "publishedAt" ON "Paper"
  FOR EACH ROW EXECUTE FUNCTION paper_month_citation_follow_citing();
-- Before paper_citation_edges_deleted (triggers fire in name order), which clears the edges it reads.
CREATE TRIGGER paper_citation_count_months_deleted BEFORE DELETE ON "Paper"
  FOR EACH ROW EXECUTE FUNCTION paper_month_citation_follow_citing();
