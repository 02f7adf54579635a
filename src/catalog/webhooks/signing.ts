// Standard Webhooks 1.0 signing: `whsec_` + base64 secrets, and the `webhook-signature` header,
// `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with the secret's
// base64-decoded bytes; several signatures (a rotation's old and new secrets) space-separated.
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new secret: 24 random bytes (192 bits, as Svix's), `whsec_` + base64. */
export function generateSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

export function sign(secret: string, webhookId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${webhookId}.${timestamp}.${body}`).digest('base64')}`;
}

/** The header's value: one signature per secret that currently signs (newest first). */
export function signatureHeader(secrets: readonly string[], webhookId: string, timestamp: number, body: string): string {
  return secrets.map((secret) => sign(secret, webhookId, timestamp, body)).join(' ');
}
