-- AlterTable
ALTER TABLE "Paper" ADD COLUMN     "hiddenAt" TIMESTAMPTZ(3),
ADD COLUMN     "hiddenById" INTEGER,
ADD COLUMN     "hiddenReason" TEXT;

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "prefix" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "CurationEvent" (
    "id" SERIAL NOT NULL,
    "actorId" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "paperId" INTEGER,
    "topicId" INTEGER,
    "details" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CurationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CurationEvent_paperId_createdAt_idx" ON "CurationEvent"("paperId", "createdAt");

-- CreateIndex
CREATE INDEX "CurationEvent_actorId_createdAt_idx" ON "CurationEvent"("actorId", "createdAt");

-- AddForeignKey
ALTER TABLE "Paper" ADD CONSTRAINT "Paper_hiddenById_fkey" FOREIGN KEY ("hiddenById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CurationEvent" ADD CONSTRAINT "CurationEvent_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CurationEvent" ADD CONSTRAINT "CurationEvent_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CurationEvent" ADD CONSTRAINT "CurationEvent_topicId_fkey" FOREIGN KEY ("topicId") REFERENCES "Topic"("id") ON DELETE SET NULL ON UPDATE CASCADE;
