// Mutation.subscribeDigest. Nothing is sent from here: the request is written to
// DigestSubscriptionRequest, the outbox that the sender (send.ts) mails within seconds when
// the scheduler runs. So the API never waits on SMTP, and a failed send is retried by the
// sender rather than lost with the request.
//
// DANGER: anyone can call this with anyone's address. What keeps it from being a way to
// mail-bomb a stranger or to read who is subscribed: the answer is the same whatever the
// address's state; at most one confirmation email per address per REQUEST_THROTTLE_MS; and
// nothing is subscribed until the address's owner follows the link.
import type { DigestFrequency, MutationResolvers } from '../../generated/graphql.ts';
import { truncate } from '../../platform/errors.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { topicSlugs } from '../../platform/validation.ts';

export const LIMITS = { email: 254, topics: 20, minUpvotes: 1_000_000 } as const;
const REQUEST_THROTTLE_MS = 10 * 60_000;

// Plain addresses only: no display names, comments, quoted local parts or non-ASCII; nothing
// that could break out of a header (CR, LF, commas, angle brackets).
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The address as stored: trimmed and lower-cased (one subscription per address). */
export function emailAddress(value: string, field: string[]): string {
  const email = value.trim().toLowerCase();
  if (email.length > LIMITS.email || !EMAIL.test(email) || email.includes('..')) {
    throw new UserErrors([userError(field, 'INVALID', `email must be an address like name@example.org; got "${truncate(value)}"`)]);
  }
  return email;
}

export const Mutation: Pick<MutationResolvers, 'subscribeDigest'> = {
  subscribeDigest: (_parent, { input }, ctx) =>
    payload({ status: null, subscription: null }, async () => {
      const email = emailAddress(input.email, ['input', 'email']);
      const slugs = topicSlugs(input.topics, ['input', 'topics'], LIMITS.topics).sort();
      const known = slugs.length ? await ctx.db.topic.findMany({ where: { slug: { in: slugs } }, select: { slug: true } }) : [];
      const missing = slugs.filter((slug) => !known.some((topic) => topic.slug === slug));
      if (missing.length) {
        throw new UserErrors([userError(['input', 'topics'], 'NOT_FOUND', `No topic has the slug ${missing.map((s) => `"${truncate(s)}"`).join(', ')}`)]);
      }
      const minUpvotes = input.minUpvotes ?? 0;
      if (minUpvotes > LIMITS.minUpvotes) {
        throw new UserErrors([userError(['input', 'minUpvotes'], 'INVALID', `minUpvotes must be at most ${LIMITS.minUpvotes}; got ${minUpvotes}`)]);
      }
      // Follows are a signed-in user's: an anonymous subscription has none to use.
      const follows = input.follows ?? false;
      if (follows && !ctx.viewer) throw new UserErrors([userError(['input', 'follows'], 'INVALID', 'follows needs a signed-in user: send an API token')]);
      const settings = { frequency: input.frequency satisfies DigestFrequency, topics: slugs, minUpvotes, follows };

      // The owner of an active subscription (who confirmed it while signed in) changes it at once.
      if (ctx.viewer) {
        const updated = await ctx.db.digestSubscription.updateManyAndReturn({
          where: { email, ownerId: ctx.viewer.id, unsubscribedAt: null },
          data: settings,
        });
        if (updated[0]) return { status: 'UPDATED' as const, subscription: updated[0] };
      }

      // Everyone else: a request to confirm, unless this address had one lately (then nothing
      // happens, and the caller is told the same).
      const recent = await ctx.db.digestSubscriptionRequest.findFirst({
        where: { email, createdAt: { gt: new Date(Date.now() - REQUEST_THROTTLE_MS) } },
        select: { id: true },
      });
      if (!recent) await ctx.db.digestSubscriptionRequest.create({ data: { email, userId: ctx.viewer?.id ?? null, ...settings } });
      return { status: 'CONFIRMATION_SENT' as const, subscription: null };
    }),
};
