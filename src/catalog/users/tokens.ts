// API tokens. A token is `pc_` + 32 random bytes (256 bits) in base64url. Only its SHA-256 is
// stored: a leaked database does not leak usable tokens, and because the secret has full
// entropy a fast hash is enough (no password stretching needed).
//
// DANGER: this decides who a request acts as. Every failure (malformed, unknown, revoked)
// gives the same UNAUTHENTICATED message, so a caller cannot probe which tokens exist.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Platform } from '../../platform/platform.ts';
import type { ApiToken, User } from '../../generated/prisma/client.ts';
import { invalidCredentials } from '../../platform/errors.ts';

const PREFIX = 'pc_';
const TOKEN_PATTERN = /^pc_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is refreshed at most this often per token: not one write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const INVALID_TOKEN_MESSAGE = 'Invalid API token: send a current token as Authorization: Bearer <token>';

export function generateToken(): { token: string; tokenHash: string; prefix: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token), prefix: token.slice(0, PREFIX.length + 6) };
}

/** The secret of an `Authorization: Bearer <token>` header, however well formed; undefined without one. */
export function bearerSecret(authorization: string): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// Every request with a token runs this: plain pg, prepared once per connection, only the
// columns needed (Prisma's include-as-JSON of the user cost more than the lookup itself).
const TOKEN_LOOKUP = `
  SELECT t.id, t."tokenHash", t."lastUsedAt", t."revokedAt",
         u.id AS "userId", u.handle, u."displayName", u.role::text AS role, u."createdAt" AS "userCreatedAt"
  FROM "ApiToken" t JOIN "User" u ON u.id = t."userId"
  WHERE t."tokenHash" = $1`;

interface TokenRow extends Pick<ApiToken, 'id' | 'tokenHash' | 'lastUsedAt' | 'revokedAt' | 'userId'>, Pick<User, 'handle' | 'displayName' | 'role'> {
  userCreatedAt: Date;
}

/**
 * The user an Authorization header stands for: null without a header, UNAUTHENTICATED for
 * anything but a current token. One SQL statement (plus a throttled lastUsedAt update).
 */
export async function authenticate({ db, primaryReader }: Pick<Platform, 'db' | 'primaryReader'>, authorization: string | undefined): Promise<User | null> {
  if (authorization === undefined || authorization === '') return null;
  const token = bearerSecret(authorization);
  if (!token || !TOKEN_PATTERN.test(token)) throw invalidCredentials(INVALID_TOKEN_MESSAGE);
  const tokenHash = hashToken(token);
  // On the primary, with read replicas too: a token revoked a moment ago must not work on a lagging replica.
  const [row] = await primaryReader.rows<TokenRow>({ text: TOKEN_LOOKUP, values: [tokenHash] }, 'token_lookup');
  // The lookup is by hash, so its timing says nothing about the secret; the comparison is kept
  // constant-time all the same, as a second check that does not depend on the index.
  const matches = row !== undefined && timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(tokenHash, 'hex'));
  if (!row || !matches || row.revokedAt !== null) throw invalidCredentials(INVALID_TOKEN_MESSAGE);
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Not awaited: bookkeeping must not slow or fail the request.
    db.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { lastUsedAt: new Date(now) } }).catch(() => {});
  }
  return { id: row.userId, handle: row.handle, displayName: row.displayName, role: row.role, createdAt: row.userCreatedAt };
}
