-- CreateTable
CREATE TABLE "PaperEmbedding" (
    "paperId" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "dimensions" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "embedding" REAL[],
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaperEmbedding_pkey" PRIMARY KEY ("paperId","model")
);

-- CreateIndex
CREATE INDEX "PaperEmbedding_model_paperId_idx" ON "PaperEmbedding"("model", "paperId");

-- AddForeignKey
ALTER TABLE "PaperEmbedding" ADD CONSTRAINT "PaperEmbedding_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "Paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;
