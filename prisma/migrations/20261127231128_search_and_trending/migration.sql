-- CreateEnum
CREATE TYPE "TrendWindow" AS ENUM ('DAY', 'WEEK', 'MONTH');

-- AlterTable
ALTER TABLE "Paper" ADD COLUMN     "searchVector" tsvector;

-- CreateTable
CREATE TABLE "PaperTrend" (
    "window" "TrendWindow" NOT NULL,
    "paperId" INTEGER NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PaperTrend_pkey" PRIMARY KEY ("window","paperId")
);

-- CreateIndex
CREATE INDEX "PaperTrend_window_score_paperId_idx" ON "PaperTrend"("window", "score" DESC, "paperId" DESC);

-- CreateIndex
CREATE INDEX "Paper_githubStars_id_idx" ON "Paper"("githubStars" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Paper_searchVector_idx" ON "Paper" USING GIN ("searchVector");

-- CreateIndex
CREATE INDEX "Vote_createdAt_idx" ON "Vote"("createdAt");

-- AddForeignKey
ALTER TABLE "PaperTrend" ADD CONSTRAINT "PaperTrend_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ─── Written by hand: what Prisma's schema cannot express ─────────────────────────────────
-- Every object below is named catalog_*; the drift test (test/migrations.test.ts) leaves
-- these names out of its comparison with schema.prisma and checks them on its own.

-- The search document of one paper: title (weight A), author names in byline order (B),
-- abstract (C), all with the english configuration that queries use too.
CREATE FUNCTION catalog_paper_search_vector(p_title text, p_abstract text, p_id integer)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('english', coalesce(p_title, '')), 'A')
      || setweight(to_tsvector('english', coalesce((
           SELECT string_agg(a.name, ' ' ORDER BY pa.position)
           FROM "PaperAuthor" pa JOIN "Author" a ON a.id = pa."authorId"
           WHERE pa."paperId" = p_id), '')), 'B')
      || setweight(to_tsvector('english', coalesce(p_abstract, '')), 'C')
$$;

CREATE FUNCTION catalog_paper_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchVector" := catalog_paper_search_vector(NEW.title, NEW.abstract, NEW.id);
  RETURN NEW;
END $$;

CREATE TRIGGER catalog_paper_search
  BEFORE INSERT OR UPDATE OF title, abstract ON "Paper"
  FOR EACH ROW EXECUTE FUNCTION catalog_paper_search_row();

-- Bylines change in bulk (imports, the demo generator): one UPDATE per statement, not per row.
CREATE FUNCTION catalog_byline_search_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Paper" p SET "searchVector" = catalog_paper_search_vector(p.title, p.abstract, p.id)
  WHERE p.id IN (SELECT DISTINCT "paperId" FROM changed_rows);
  RETURN NULL;
END $$;

CREATE TRIGGER catalog_byline_search_insert
  AFTER INSERT ON "PaperAuthor" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_byline_search_statement();

CREATE TRIGGER catalog_byline_search_delete
  AFTER DELETE ON "PaperAuthor" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_byline_search_statement();

CREATE FUNCTION catalog_author_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Paper" p SET "searchVector" = catalog_paper_search_vector(p.title, p.abstract, p.id)
  WHERE p.id IN (SELECT "paperId" FROM "PaperAuthor" WHERE "authorId" = NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER catalog_author_search
  AFTER UPDATE OF name ON "Author"
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION catalog_author_search_row();

-- Prefix search on author names (`authors(query: "yann le")`): LIKE 'prefix%' needs this
-- operator class whatever the database's collation.
CREATE INDEX catalog_author_name_prefix_idx ON "Author" ("normalizedName" text_pattern_ops);
