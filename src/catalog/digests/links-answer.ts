// The links in digest emails: /digests/confirm?token=… and /digests/unsubscribe?token=….
//
// GET shows a page with one button; POST does it. Mail security scanners and link previews
// follow every link in an email with GET, so a GET that acted would confirm subscriptions
// nobody asked for (and unsubscribe people who did). The one-click unsubscribe of RFC 8058 is
// a POST (body "List-Unsubscribe=One-Click") to the same URL, and needs nothing else.
import type { Db } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import { escapeHtml, page } from '../../platform/html.ts';
import { verifyLink, type LinkAction } from './links.ts';
import { describeSettings } from './compose.ts';

export interface DigestLinkOptions {
  /** DIGEST_SECRET's keys; empty: the links answer 503. */
  secrets: readonly string[];
  logger?: Pick<Logger, 'error'>;
}

const ROUTES: Record<string, LinkAction> = {
  '/digests/confirm': 'confirm',
  '/digests/unsubscribe': 'unsubscribe',
};

/** The answer, for the HTTP layer to send as it is. */
export interface DigestLinkAnswer {
  status: number;
  headers: Record<string, string>;
  html: string;
}

function send(status: number, html: string, headers: Record<string, string> = {}): DigestLinkAnswer {
  return {
    status,
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The token is in the URL: it must not leak through a Referer, a frame or a cache.
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  };
}

/** RFC 8058's body ("List-Unsubscribe=One-Click") is tiny; whatever comes is ignored, up to this. */
export const DIGEST_LINK_BODY_LIMIT = 16_384;

const INVALID = page('This link does not work', '<p>It is incomplete, or it has expired (confirmation links last 48 hours). Ask for the digest again to get a new one.</p>');

export function isDigestLinkPath(pathname: string): boolean {
  return pathname in ROUTES;
}

/** The answer to `method` on a link's `url` (the HTTP layer has read and dropped any body). */
export async function answerDigestLink(method: string, url: URL, db: Db, options: DigestLinkOptions): Promise<DigestLinkAnswer> {
  const action = ROUTES[url.pathname]!;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return send(405, page('Method not allowed', '<p>Use GET or POST.</p>'), { allow: 'GET, HEAD, POST' });
  }
  if (options.secrets.length === 0) {
    options.logger?.error({}, 'a digest link was followed but DIGEST_SECRET is not set');
    return send(503, page('Not available', '<p>Digests are not set up on this server.</p>'));
  }
  const id = verifyLink(options.secrets, action, url.searchParams.get('token') ?? '');
  if (id === null) return send(400, INVALID);

  if (method !== 'POST') {
    const [title, question, button] =
      action === 'confirm'
        ? ['Confirm your digest', 'Start receiving the digest at this address?', 'Confirm the subscription']
        : ['Unsubscribe', 'Stop receiving the digest at this address?', 'Unsubscribe'];
    let details = '';
    if (action === 'confirm') {
      const request = await db.digestSubscriptionRequest.findUnique({ where: { id } });
      if (!request) return send(400, INVALID);
      details = `<p><strong>${escapeHtml(describeSettings(request))}</strong>.</p>`;
    }
    // No action attribute: the form posts back to this very URL, token included.
    return send(200, page(title, `<p>${question}</p>${details}<form method="post"><button type="submit">${button}</button></form>`));
  }

  if (action === 'unsubscribe') {
    // Idempotent: a second click, or a subscription already gone, gets the same answer.
    await db.digestSubscription.updateMany({ where: { id, unsubscribedAt: null }, data: { unsubscribedAt: new Date() } });
    return send(200, page('Unsubscribed', '<p>This address will receive no more digests. To get them again, subscribe again.</p>'));
  }

  const request = await db.digestSubscriptionRequest.findUnique({ where: { id } });
  if (!request) return send(400, INVALID);
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
  return send(200, page('Subscribed', `<p>${escapeHtml(describeSettings(request))}: the first one comes with the next digest run. Every digest has a link to unsubscribe.</p>`));
}
