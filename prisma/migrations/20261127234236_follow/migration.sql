-- CreateEnum
CREATE TYPE "DigestFrequency" AS ENUM ('DAILY', 'WEEKDAYS', 'WEEKLY');

-- CreateEnum
CREATE TYPE "DigestDeliveryState" AS ENUM ('PENDING', 'SENT', 'FAILED', 'EMPTY');

-- CreateTable
CREATE TABLE "DigestSubscription" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "ownerId" INTEGER,
    "frequency" "DigestFrequency" NOT NULL,
    "topics" TEXT[],
    "minUpvotes" INTEGER NOT NULL DEFAULT 0,
    "confirmedAt" TIMESTAMPTZ(3) NOT NULL,
    "unsubscribedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DigestSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DigestSubscriptionRequest" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "userId" INTEGER,
    "frequency" "DigestFrequency" NOT NULL,
    "topics" TEXT[],
    "minUpvotes" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "emailSentAt" TIMESTAMPTZ(3),
    "confirmedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DigestSubscriptionRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DigestDelivery" (
    "id" SERIAL NOT NULL,
    "subscriptionId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "state" "DigestDeliveryState" NOT NULL DEFAULT 'PENDING',
    "messageId" TEXT NOT NULL,
    "paperCount" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "claimedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DigestDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DigestSubscription_email_key" ON "DigestSubscription"("email");

-- CreateIndex
CREATE INDEX "DigestSubscription_ownerId_idx" ON "DigestSubscription"("ownerId");

-- CreateIndex
CREATE INDEX "DigestSubscriptionRequest_email_createdAt_idx" ON "DigestSubscriptionRequest"("email", "createdAt");

-- CreateIndex
CREATE INDEX "DigestSubscriptionRequest_emailSentAt_id_idx" ON "DigestSubscriptionRequest"("emailSentAt", "id");

-- CreateIndex
CREATE INDEX "DigestSubscriptionRequest_createdAt_idx" ON "DigestSubscriptionRequest"("createdAt");

-- CreateIndex
CREATE INDEX "DigestDelivery_state_claimedAt_idx" ON "DigestDelivery"("state", "claimedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DigestDelivery_subscriptionId_period_key" ON "DigestDelivery"("subscriptionId", "period");

-- AddForeignKey
ALTER TABLE "DigestDelivery" ADD CONSTRAINT "DigestDelivery_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "DigestSubscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;
