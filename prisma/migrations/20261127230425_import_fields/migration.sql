-- AlterTable
ALTER TABLE "Paper" ADD COLUMN     "aiKeywords" JSONB,
ADD COLUMN     "aiSummary" TEXT,
ADD COLUMN     "arxivComment" TEXT,
ADD COLUMN     "arxivUpdatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "doi" TEXT,
ADD COLUMN     "hfComments" INTEGER,
ADD COLUMN     "hfSubmitterHandle" TEXT,
ADD COLUMN     "hfUpvotes" INTEGER,
ADD COLUMN     "journalRef" TEXT,
ADD COLUMN     "organization" TEXT,
ADD COLUMN     "primaryCategory" TEXT;

-- AlterTable
ALTER TABLE "PaperAuthor" ADD COLUMN     "affiliation" TEXT,
ADD COLUMN     "hidden" BOOLEAN NOT NULL DEFAULT false;
