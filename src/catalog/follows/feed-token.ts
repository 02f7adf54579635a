// Feed tokens: the secret in the URL of a user's private Atom feed. A feed reader cannot send an
// Authorization header, so the secret travels in the URL, where it ends up in reader configs,
// proxies and browser history. Hence its own kind of secret, never an API token: `pf_` + 32
// random bytes, only its SHA-256 stored (as for API tokens, full entropy needs no stretching),
// one per user, and it opens that one feed and nothing else. Rotating replaces it at once.
//
// DANGER: this decides whose feed a URL shows. Every failure is the same 404, so a caller
// cannot tell a malformed token from a rotated one or probe which exist.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../platform/db/client.ts';

const PREFIX = 'pf_';
const TOKEN_PATTERN = /^pf_[A-Za-z0-9_-]{43}$/;

export const FEED_PATH = '/feeds/following.atom';

export function feedPath(token: string): string {
  return `${FEED_PATH}?token=${token}`;
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new token for `userId`; the previous one (if any) stops working in the same statement. */
export async function rotateFeedToken(db: Db, userId: number): Promise<string> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const tokenHash = hash(token);
  await db.feedToken.upsert({ where: { userId }, create: { userId, tokenHash }, update: { tokenHash, createdAt: new Date() } });
  return token;
}

/** The user id a current feed token stands for; null for anything else. */
export async function feedTokenOwner(db: Db, token: string | null): Promise<number | null> {
  if (token === null || !TOKEN_PATTERN.test(token)) return null;
  const row = await db.feedToken.findUnique({ where: { tokenHash: hash(token) }, select: { userId: true } });
  return row?.userId ?? null;
}
