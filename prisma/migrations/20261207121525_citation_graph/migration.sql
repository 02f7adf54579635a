-- CreateEnum
CREATE TYPE "CitationSource" AS ENUM ('S2', 'OPENALEX');

-- CreateTable
CREATE TABLE "CitationSnapshot" (
    "id" TEXT NOT NULL,
    "source" "CitationSource" NOT NULL,
    "kind" TEXT NOT NULL,
    "importedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "report" JSONB NOT NULL,

    CONSTRAINT "CitationSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CitationWork" (
    "source" "CitationSource" NOT NULL,
    "externalId" TEXT NOT NULL,
    "arxivId" TEXT,
    "doi" TEXT,
    "title" TEXT,
    "year" INTEGER,
    "citationCount" INTEGER,
    "influentialCitationCount" INTEGER,
    "referenceCount" INTEGER,
    "asOf" TIMESTAMPTZ(3) NOT NULL,
    "paperId" INTEGER,

    CONSTRAINT "CitationWork_pkey" PRIMARY KEY ("source","externalId")
);

-- CreateTable
CREATE TABLE "Citation" (
    "source" "CitationSource" NOT NULL,
    "citingId" TEXT NOT NULL,
    "citedId" TEXT NOT NULL,
    "citingPaperId" INTEGER,
    "citedPaperId" INTEGER,
    "isInfluential" BOOLEAN NOT NULL DEFAULT false,
    "intents" TEXT[],

    CONSTRAINT "Citation_pkey" PRIMARY KEY ("source","citingId","citedId")
);

-- CreateTable
CREATE TABLE "PaperCitationCount" (
    "paperId" INTEGER NOT NULL,
    "inCatalog" INTEGER NOT NULL,

    CONSTRAINT "PaperCitationCount_pkey" PRIMARY KEY ("paperId")
);

-- CreateIndex
CREATE INDEX "CitationWork_paperId_idx" ON "CitationWork"("paperId");

-- CreateIndex
CREATE INDEX "Citation_citedPaperId_citingPaperId_idx" ON "Citation"("citedPaperId", "citingPaperId");

-- CreateIndex
CREATE INDEX "Citation_citingPaperId_citedPaperId_idx" ON "Citation"("citingPaperId", "citedPaperId");

-- CreateIndex
CREATE INDEX "PaperCitationCount_inCatalog_paperId_idx" ON "PaperCitationCount"("inCatalog" DESC, "paperId" DESC);

-- AddForeignKey
ALTER TABLE "CitationWork" ADD CONSTRAINT "CitationWork_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaperCitationCount" ADD CONSTRAINT "PaperCitationCount_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: keep "PaperCitationCount" exact when a citing paper is hidden, unhidden or
-- deleted. A listed citing paper counts once for every distinct catalog paper it cites, however
-- many sources ship the edge; citation imports rewrite the whole table in their transaction.
CREATE FUNCTION paper_citation_count_follow_citing() RETURNS trigger AS $$
DECLARE
  paper_id integer;
  delta integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD."hiddenAt" IS NOT NULL THEN RETURN OLD; END IF;
    paper_id := OLD.id;
    delta := -1;
  ELSE
    IF (OLD."hiddenAt" IS NULL) = (NEW."hiddenAt" IS NULL) THEN RETURN NEW; END IF;
    paper_id := NEW.id;
    delta := CASE WHEN NEW."hiddenAt" IS NULL THEN 1 ELSE -1 END;
  END IF;
  -- An import recounts under the exclusive lock (src/catalog/citation-graph/import.ts): a change
  -- made while it recounts waits, then applies its delta to the recounted rows, never to rows the
  -- import is about to overwrite from a snapshot that missed the change.
  PERFORM pg_advisory_xact_lock_shared(hashtext('citation-graph-counts'));
  INSERT INTO "PaperCitationCount" ("paperId", "inCatalog")
    SELECT DISTINCT c."citedPaperId", delta FROM "Citation" c
    WHERE c."citingPaperId" = paper_id AND c."citedPaperId" IS NOT NULL
  ON CONFLICT ("paperId") DO UPDATE SET "inCatalog" = "PaperCitationCount"."inCatalog" + EXCLUDED."inCatalog";
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Every paper has its row (0 until cited), so that lists ordered by CITATIONS walk the
-- ("inCatalog", "paperId") index instead of sorting the catalog.
CREATE FUNCTION paper_citation_count_new_paper() RETURNS trigger AS $$
BEGIN
  INSERT INTO "PaperCitationCount" ("paperId", "inCatalog") VALUES (NEW.id, 0) ON CONFLICT ("paperId") DO NOTHING;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

INSERT INTO "PaperCitationCount" ("paperId", "inCatalog") SELECT id, 0 FROM "Paper";

CREATE TRIGGER paper_citation_count_inserted AFTER INSERT ON "Paper"
  FOR EACH ROW EXECUTE FUNCTION paper_citation_count_new_paper();
CREATE TRIGGER paper_citation_count_hidden AFTER UPDATE OF "hiddenAt" ON "Paper"
  FOR EACH ROW EXECUTE FUNCTION paper_citation_count_follow_citing();
CREATE TRIGGER paper_citation_count_deleted BEFORE DELETE ON "Paper"
  FOR EACH ROW EXECUTE FUNCTION paper_citation_count_follow_citing();

-- What a foreign key with ON DELETE SET NULL would do ("Citation" has none: see schema.prisma):
-- a deleted paper's edges keep their other end; an edge left with no catalog end goes. Runs after
-- the trigger above (triggers fire in name order), which still needs the edges to find the counts.
CREATE FUNCTION citation_paper_deleted() RETURNS trigger AS $$
BEGIN
  DELETE FROM "Citation" WHERE ("citingPaperId" = OLD.id AND ("citedPaperId" IS NULL OR "citedPaperId" = OLD.id))
    OR ("citedPaperId" = OLD.id AND "citingPaperId" IS NULL);
  UPDATE "Citation" SET "citingPaperId" = NULL WHERE "citingPaperId" = OLD.id;
  UPDATE "Citation" SET "citedPaperId" = NULL WHERE "citedPaperId" = OLD.id;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER paper_citation_edges_deleted BEFORE DELETE ON "Paper"
  FOR EACH ROW EXECUTE FUNCTION citation_paper_deleted();
