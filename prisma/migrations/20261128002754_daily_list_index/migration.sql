-- CreateIndex
CREATE INDEX "Paper_featuredOn_upvoteCount_id_idx" ON "Paper"("featuredOn", "upvoteCount" DESC, "id" DESC);
