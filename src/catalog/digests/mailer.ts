// Sending email: a small interface (so tests can inject failures and another transport can be
// plugged in) and its SMTP implementation on nodemailer's connection pool.
import { createTransport } from 'nodemailer';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Without angle brackets: `digest.12.2026-07-31@example.org`. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message (250 after DATA). */
  send(email: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a failed send tells about the message:
 * - `refused`: the server answered with an error code, so it did not take the message
 *   (`permanent` for 5xx: do not retry; 4xx: a later run may);
 * - `unsent`: the connection could not be made (DNS, connect, authentication), nothing was sent;
 * - `unknown`: anything else, e.g. the connection dropped during DATA: the message may or may not
 *   have been accepted. This is the "in doubt" case of the idempotence rule (send.ts).
 */
export type SendFailure = { kind: 'refused'; permanent: boolean; message: string } | { kind: 'unsent'; message: string } | { kind: 'unknown'; message: string };

/** nodemailer's marks of a session that never got as far as a message. */
const BEFORE_ANY_MESSAGE = {
  codes: new Set(['ECONNECTION', 'EDNS', 'EAUTH']),
  /** The system error under an ESOCKET: connect() itself failed. */
  connectErrors: new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']),
  timeouts: new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']),
};

export function classifySendError(error: unknown): SendFailure {
  const e = error as { responseCode?: unknown; code?: unknown; originalCode?: unknown; syscall?: unknown; timeoutType?: unknown; message?: unknown };
  const message = String(e?.message ?? error).slice(0, 500);
  if (typeof e?.responseCode === 'number' && e.responseCode >= 400) return { kind: 'refused', permanent: e.responseCode >= 500, message };
  if (
    BEFORE_ANY_MESSAGE.codes.has(String(e?.code)) ||
    e?.syscall === 'connect' ||
    BEFORE_ANY_MESSAGE.connectErrors.has(String(e?.originalCode)) ||
    BEFORE_ANY_MESSAGE.timeouts.has(String(e?.timeoutType))
  ) {
    return { kind: 'unsent', message };
  }
  return { kind: 'unknown', message };
}

export interface SmtpMailerOptions {
  /** SMTP_URL */
  url: string;
  /** DIGEST_FROM */
  from: string;
  /** Messages in flight at once, one per pooled connection. */
  connections?: number;
}

export function smtpMailer({ url, from, connections = 4 }: SmtpMailerOptions): Mailer {
  const transport = createTransport({
    url,
    pool: true,
    maxConnections: connections,
    // A connection is reused for this many messages before a fresh one is opened.
    maxMessages: 500,
    // Fail a dead server within seconds rather than nodemailer's minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(email) {
      await transport.sendMail({
        from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${email.messageId}>`,
        headers: email.headers ?? {},
      });
    },
    async close() {
      transport.close();
    },
  };
}

/** The domain of an address like `Name <user@example.org>`, for Message-IDs. */
export function domainOf(address: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address);
  return match?.[1]?.toLowerCase() ?? 'localhost';
}
