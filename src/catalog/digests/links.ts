// Signed links in digest emails: confirm a subscription request, unsubscribe a subscription.
//
//   token = <id>.<expires, Unix seconds>.<base64url HMAC-SHA256(key, "digest-link/v1/<action>/<id>/<expires>")>
//
// The action is inside the MAC, not the token: a confirm token is no unsubscribe token. The
// MAC is compared in constant time against every key (the first signs; the others verify, for
// rotation). DANGER: whoever holds a valid token acts on that subscription without signing in;
// tokens expire, and unsubscribing is the most an unsubscribe token can do.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkAction = 'confirm' | 'unsubscribe';

/** Confirmation links expire quickly; unsubscribe links must outlive an email sitting in an inbox. */
export const LINK_TTL_SECONDS: Record<LinkAction, number> = {
  confirm: 48 * 3600,
  unsubscribe: 90 * 86_400,
};

const TOKEN = /^([1-9][0-9]{0,9})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(key: string, action: LinkAction, id: number, expires: number): Buffer {
  return createHmac('sha256', key).update(`digest-link/v1/${action}/${id}/${expires}`).digest();
}

export function signLink(secrets: readonly string[], action: LinkAction, id: number, now = Date.now()): string {
  const key = secrets[0];
  if (!key) throw new Error('DIGEST_SECRET is not set: digest links cannot be signed');
  const expires = Math.floor(now / 1000) + LINK_TTL_SECONDS[action];
  return `${id}.${expires}.${mac(key, action, id, expires).toString('base64url')}`;
}

/** The id a valid, unexpired token of `action` stands for; null for anything else. */
export function verifyLink(secrets: readonly string[], action: LinkAction, token: string, now = Date.now()): number | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const id = Number(match[1]);
  const expires = Number(match[2]);
  const given = Buffer.from(match[3]!, 'base64url');
  if (given.length !== 32 || id > 2_147_483_647) return null;
  let valid = false;
  for (const key of secrets) {
    // No early exit: the time taken does not depend on which key matched.
    if (timingSafeEqual(given, mac(key, action, id, expires))) valid = true;
  }
  return valid && expires > Math.floor(now / 1000) ? id : null;
}
