// What the links in digest emails do (src/http/routes/digests.ts answers them): show a pending
// request, confirm it, unsubscribe. Each is safe to repeat: a second click changes nothing.
import type { DigestSubscriptionRequest } from '../../generated/prisma/client.ts';
import type { Db } from '../../platform/db/client.ts';

/** The subscription request with this id, or null. */
export function subscriptionRequest(db: Db, id: number): Promise<DigestSubscriptionRequest | null> {
  return db.digestSubscriptionRequest.findUnique({ where: { id } });
}

/** Ends the subscription; idempotent: one already gone gets the same outcome. */
export async function unsubscribe(db: Db, id: number): Promise<void> {
  await db.digestSubscription.updateMany({ where: { id, unsubscribedAt: null }, data: { unsubscribedAt: new Date() } });
}

/**
 * Turns the request into a subscription (one transaction; a request confirmed before changes
 * nothing). The request, or null when there is none.
 */
export async function confirmSubscription(db: Db, id: number): Promise<DigestSubscriptionRequest | null> {
  const request = await subscriptionRequest(db, id);
  if (!request) return null;
  const now = new Date();
  const settings = { frequency: request.frequency, topics: request.topics, minUpvotes: request.minUpvotes, follows: request.follows };
  await db.$transaction(async (tx) => {
    const claimed = await tx.digestSubscriptionRequest.updateMany({ where: { id, confirmedAt: null }, data: { confirmedAt: now } });
    if (claimed.count === 0) return; // confirmed before: nothing more to do
    await tx.digestSubscription.upsert({
      where: { email: request.email },
      create: { email: request.email, ownerId: request.userId, ...settings, confirmedAt: now },
      // A request made while signed in hands the subscription to that user; an anonymous one
      // leaves the owner as it was.
      update: { ...settings, confirmedAt: now, unsubscribedAt: null, ...(request.userId !== null ? { ownerId: request.userId } : {}) },
    });
  });
  return request;
}

/**
 * The address a user confirmed through a digest subscription (the only email address the
 * catalog holds for a user, and one its owner proved to read), unsubscribed or not; null when none.
 */
export async function confirmedAddressOf(db: Db, userId: number): Promise<string | null> {
  const subscription = await db.digestSubscription.findFirst({ where: { ownerId: userId }, orderBy: { confirmedAt: 'desc' }, select: { email: true } });
  return subscription?.email ?? null;
}
