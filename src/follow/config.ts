// Settings of digests, feeds and live updates, read from the environment once and frozen. Kept
// apart from src/config.ts for now; a bad value fails naming its variable, the same way.
import { ConfigError } from '../config.ts';

export interface FollowConfig {
  /**
   * DIGEST_SECRET: keys of the HMAC that signs confirm and unsubscribe links, comma-separated,
   * each at least 32 characters. The first signs; every one verifies, so a key can be rotated
   * without breaking the links in emails already sent. Empty: digests are off.
   */
  readonly secrets: readonly string[];
  /** SMTP_URL: `smtp://user:pass@host:587` or `smtps://...:465`. Unset: no email can be sent. */
  readonly smtpUrl: string | undefined;
  /** DIGEST_FROM: the From of every email. */
  readonly from: string;
  /**
   * PUBLIC_URL: the address the API is reached at from outside (`https://papers.example.org`),
   * for links in emails and feed ids. Feeds fall back to the request's Host when unset.
   */
  readonly publicUrl: string | undefined;
  /** DIGEST_SCHEDULER: run the digest and confirmation sender inside the server process. */
  readonly scheduler: boolean;
  /** DIGEST_SCHEDULER_INTERVAL_SECONDS: how often the scheduler looks for due digests. */
  readonly intervalSeconds: number;
  /** DIGEST_SEND_HOUR_UTC: the hour (UTC) at which a new day's (or Monday's) digest is due. */
  readonly sendHourUtc: number;
  /** DIGEST_PAPERS: papers per digest. */
  readonly papersPerDigest: number;
  /** DIGEST_SMTP_CONNECTIONS: emails sent at once (pooled SMTP connections). */
  readonly smtpConnections: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw.slice(0, 20)}"`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw.slice(0, 20)}"`);
}

export const MIN_SECRET_LENGTH = 32;

export function parseSecrets(raw: string | undefined, name = 'DIGEST_SECRET'): readonly string[] {
  const secrets = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`${name} must hold keys of at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32); got one of ${secret.length}`);
    }
  }
  return Object.freeze(secrets);
}

export function loadFollowConfig(env: Env = process.env): FollowConfig {
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) {
    throw new ConfigError(`SMTP_URL must be an smtp:// or smtps:// URL; got a value starting "${smtpUrl.slice(0, 8)}"`);
  }
  const publicUrl = env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(publicUrl)) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL without query, like https://papers.example.org; got "${publicUrl.slice(0, 60)}"`);
  }
  const from = env.DIGEST_FROM || 'Paper Catalog <digest@localhost>';
  if (/[\r\n]/.test(from)) throw new ConfigError('DIGEST_FROM must be one line');
  return Object.freeze({
    secrets: parseSecrets(env.DIGEST_SECRET),
    smtpUrl,
    from,
    publicUrl,
    scheduler: bool(env, 'DIGEST_SCHEDULER', false),
    intervalSeconds: int(env, 'DIGEST_SCHEDULER_INTERVAL_SECONDS', 300, 10, 86_400),
    sendHourUtc: int(env, 'DIGEST_SEND_HOUR_UTC', 7, 0, 23),
    papersPerDigest: int(env, 'DIGEST_PAPERS', 10, 1, 50),
    smtpConnections: int(env, 'DIGEST_SMTP_CONNECTIONS', 4, 1, 50),
  });
}

/** Where links in emails point: PUBLIC_URL, else the local default of src/config.ts's HOST/PORT. */
export function publicUrlOf(config: Pick<FollowConfig, 'publicUrl'>, env: Env = process.env): string {
  return config.publicUrl ?? `http://${env.HOST || '127.0.0.1'}:${env.PORT || '4000'}`;
}
