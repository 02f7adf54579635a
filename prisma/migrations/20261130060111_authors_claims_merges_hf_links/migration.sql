-- CreateEnum
CREATE TYPE "AuthorClaimStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED');

-- AlterTable
ALTER TABLE "Paper" ADD COLUMN     "hfDatasets" JSONB,
ADD COLUMN     "hfMediaUrls" JSONB,
ADD COLUMN     "hfModels" JSONB,
ADD COLUMN     "hfSpaces" JSONB,
ADD COLUMN     "hfSubmitterOrganization" JSONB,
ADD COLUMN     "hfThumbnail" TEXT;

-- AlterTable
ALTER TABLE "Author" ADD COLUMN     "claimedById" INTEGER,
ADD COLUMN     "orcid" TEXT;

-- AlterTable
ALTER TABLE "CurationEvent" ADD COLUMN     "authorId" INTEGER;

-- CreateTable
CREATE TABLE "AuthorClaim" (
    "id" SERIAL NOT NULL,
    "authorId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "orcid" TEXT NOT NULL,
    "status" "AuthorClaimStatus" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "decidedById" INTEGER,
    "decidedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AuthorClaim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthorAlias" (
    "id" INTEGER NOT NULL,
    "authorId" INTEGER NOT NULL,
    "normalizedName" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuthorAlias_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuthorClaim_status_id_idx" ON "AuthorClaim"("status", "id");

-- CreateIndex
CREATE INDEX "AuthorClaim_authorId_idx" ON "AuthorClaim"("authorId");

-- CreateIndex
CREATE UNIQUE INDEX "AuthorClaim_userId_authorId_key" ON "AuthorClaim"("userId", "authorId");

-- CreateIndex
CREATE UNIQUE INDEX "AuthorAlias_normalizedName_key" ON "AuthorAlias"("normalizedName");

-- CreateIndex
CREATE INDEX "AuthorAlias_authorId_idx" ON "AuthorAlias"("authorId");

-- CreateIndex
CREATE INDEX "CurationEvent_authorId_createdAt_idx" ON "CurationEvent"("authorId", "createdAt");

-- AddForeignKey
ALTER TABLE "Author" ADD CONSTRAINT "Author_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CurationEvent" ADD CONSTRAINT "CurationEvent_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Author"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthorClaim" ADD CONSTRAINT "AuthorClaim_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Author"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthorClaim" ADD CONSTRAINT "AuthorClaim_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthorClaim" ADD CONSTRAINT "AuthorClaim_decidedById_fkey" FOREIGN KEY ("decidedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthorAlias" ADD CONSTRAINT "AuthorAlias_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Author"("id") ON DELETE CASCADE ON UPDATE CASCADE;
