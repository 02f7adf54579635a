// Email digests end to end: subscribe through the API, confirm by the emailed link, receive the
// digest from a real SMTP server started here, unsubscribe in one click; and the no-duplicate
// rule across crashes and SMTP refusals.
import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.ts';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { smtpMailer, type Mailer } from '../src/catalog/digests/mailer.ts';
import { digestSchedulerFromConfig, startDigestScheduler } from '../src/catalog/digests/scheduler.ts';
import { DigestRunAborted, sendConfirmations, sendDueDigests, type DigestRunOptions } from '../src/catalog/digests/send.ts';
import { digestRoutes } from '../src/http/routes/digests.ts';
import { signLink, verifyLink } from '../src/catalog/digests/links.ts';
import type { Paper, User } from '../src/generated/prisma/client.ts';
import { until } from './helpers/wait.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';

const SECRET = 'test-digest-secret-of-at-least-32-characters';
const FROM = 'Paper Catalog <digest@papers.example.org>';
/** A Friday, after the send hour (07:00 UTC). */
const FRIDAY = new Date('2026-07-31T08:00:00Z');
const SATURDAY = new Date('2026-08-01T08:00:00Z');
const MONDAY = new Date('2026-08-03T08:00:00Z');

const run = setupTestRunner({ scenario: smallCatalog });

// ─── A real SMTP server, and the link endpoints on a real HTTP server ─────────────────────

interface Received {
  to: string[];
  mail: ParsedMail | null;
}
const received: Received[] = [];
let parseMail = true;
/** Decides RCPT TO: an SMTP code to refuse the address with, or nothing to accept it. */
let refuse: (address: string) => number | undefined = () => undefined;
let smtp: SMTPServer;
let smtpUrl: string;

let links: FastifyInstance;
let base: string;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refuse(address.address);
      if (code === undefined) return callback();
      callback(Object.assign(new Error(code >= 500 ? 'No such mailbox' : 'Mailbox busy, try later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address);
      if (!parseMail) {
        stream.on('data', () => {});
        stream.on('end', () => {
          received.push({ to, mail: null });
          callback();
        });
        return;
      }
      simpleParser(stream).then((mail) => {
        received.push({ to, mail });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

  // The link routes alone (the whole app is tested in test/http.test.ts).
  links = Fastify();
  await links.register(digestRoutes, { db: run.db, secrets: [SECRET] });
  base = await links.listen({ port: 0, host: '127.0.0.1' });
});

let mailer: Mailer;
beforeEach(() => {
  received.length = 0;
  parseMail = true;
  refuse = () => undefined;
  mailer = smtpMailer({ url: smtpUrl, from: FROM, connections: 4 });
});
afterEach(() => mailer.close());
afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await links?.close();
});

function deps(overrides: Partial<DigestRunOptions> = {}): DigestRunOptions {
  return { platform: run.platform, mailer, secrets: [SECRET], publicUrl: base, from: FROM, at: FRIDAY, ...overrides };
}

async function vote(user: User, paper: Paper) {
  await run.db.vote.create({ data: { userId: user.id, paperId: paper.id } });
  await run.db.paper.update({ where: { id: paper.id }, data: { upvoteCount: { increment: 1 } } });
}

/** Votes now, so that the DAY and WEEK windows see them: 2407.00004 (2), 00002 (1), 00001 (1). */
async function trendingToday() {
  const { alice, bob } = run.scenario.users;
  const [p1, p2, , p4] = run.scenario.papers;
  await vote(alice, p4!);
  await vote(bob, p4!);
  await vote(alice, p2!);
  await vote(bob, p1!);
  await run.platform.trending.refreshNow();
}

async function subscribers(n: number, settings: { frequency?: 'DAILY' | 'WEEKDAYS' | 'WEEKLY'; topics?: string[]; minUpvotes?: number } = {}) {
  await run.db.digestSubscription.createMany({
    data: Array.from({ length: n }, (_, i) => ({ email: `reader${i}@example.org`, frequency: settings.frequency ?? 'DAILY', topics: settings.topics ?? [], minUpvotes: settings.minUpvotes ?? 0, confirmedAt: new Date() })),
  });
}

function header(mail: ParsedMail, name: string): string | undefined {
  return mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n[ \t]+/g, ' ');
}

const SUBSCRIBE = `mutation($input: SubscribeDigestInput!) {
  subscribeDigest(input: $input) { status subscription { email frequency topics minUpvotes } userErrors { field code message } }
}`;

const linkIn = (text: string, path: string) => new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${path}\\?token=[A-Za-z0-9._-]+`).exec(text)?.[0];

test('an address subscribes by confirming the emailed link, gets the digest in HTML and text, and unsubscribes in one click', async () => {
  await trendingToday();
  const asked = await run.server.data(SUBSCRIBE, { input: { email: ' Reader@Example.org ', frequency: 'DAILY', topics: ['nlp', 'computer-vision'] } });
  expect(asked.subscribeDigest).toEqual({ status: 'CONFIRMATION_SENT', subscription: null, userErrors: [] });
  expect(await run.db.digestSubscription.count()).toBe(0);

  // The confirmation email, sent once.
  expect(await sendConfirmations(deps())).toEqual({ sent: 1, deferred: 0, failed: 0 });
  expect(await sendConfirmations(deps())).toEqual({ sent: 0, deferred: 0, failed: 0 });
  expect(received).toHaveLength(1);
  const confirmation = received[0]!.mail!;
  expect(received[0]!.to).toEqual(['reader@example.org']);
  expect(confirmation.subject).toBe('Confirm your paper digest');
  const confirmUrl = linkIn(confirmation.text!, '/digests/confirm')!;
  expect(confirmUrl).toBeDefined();
  expect(confirmation.html).toContain(confirmUrl.replace(/&/g, '&#38;'));

  // GET (what link scanners do) only shows the question.
  const shown = await fetch(confirmUrl);
  expect(shown.status).toBe(200);
  expect(shown.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await shown.text()).toContain('<form method="post">');
  expect(await run.db.digestSubscription.count()).toBe(0);
  // POST confirms; a second POST changes nothing.
  const confirmed = await fetch(confirmUrl, { method: 'POST' });
  expect(confirmed.status).toBe(200);
  expect(await confirmed.text()).toContain('Subscribed');
  expect((await fetch(confirmUrl, { method: 'POST' })).status).toBe(200);
  const subscription = await run.db.digestSubscription.findUniqueOrThrow({ where: { email: 'reader@example.org' } });
  expect(subscription).toMatchObject({ frequency: 'DAILY', topics: ['computer-vision', 'nlp'], minUpvotes: 0, ownerId: null, unsubscribedAt: null });

  // The digest: NLP and CV papers trending today, most trending first, in both parts.
  received.length = 0;
  const report = await sendDueDigests(deps());
  expect(report).toMatchObject({ periods: { DAILY: '2026-07-31', WEEKDAYS: '2026-07-31', WEEKLY: '2026-W31' }, sent: 1, empty: 0, failed: 0, inDoubt: 0 });
  expect(received).toHaveLength(1);
  const digest = received[0]!.mail!;
  expect(received[0]!.to).toEqual(['reader@example.org']);
  expect(digest.subject).toBe('Trending papers of 2026-07-31');
  expect(digest.from?.value).toEqual([{ name: 'Paper Catalog', address: 'digest@papers.example.org' }]);
  expect(digest.messageId).toBe(`<digest.${subscription.id}.2026-07-31@papers.example.org>`);
  const titles = ['Vision Transformers at Scale', 'Diffusion Models Beat Everything', 'Attention Is Still All You Need'];
  for (const title of titles) expect(digest.text).toContain(title);
  expect(digest.text!.indexOf('1. Vision Transformers at Scale')).toBeGreaterThan(0);
  expect(digest.text).not.toContain('Survey of Surveys');
  expect(digest.text).toContain('https://arxiv.org/abs/2407.00004');
  expect(digest.text).toContain('Yann LeCun, Alan Turing');
  for (const title of titles) expect(digest.html).toContain(title);
  expect(digest.html).toContain('<a href="https://arxiv.org/abs/2407.00004"');

  // RFC 8058 one-click unsubscribe.
  const unsubscribeHeader = header(digest, 'list-unsubscribe')!;
  expect(unsubscribeHeader).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/digests\/unsubscribe\?token=[\w.-]+>$/);
  expect(header(digest, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  const unsubscribeUrl = unsubscribeHeader.slice(1, -1);
  expect(digest.text).toContain(unsubscribeUrl);

  // Idempotent: a second run in the same period sends nothing.
  expect(await sendDueDigests(deps())).toMatchObject({ sent: 0 });
  const clicked = await fetch(unsubscribeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  expect(clicked.status).toBe(200);
  expect((await run.db.digestSubscription.findUniqueOrThrow({ where: { id: subscription.id } })).unsubscribedAt).not.toBeNull();
  expect(await sendDueDigests(deps({ at: SATURDAY }))).toMatchObject({ sent: 0 });
  expect(received).toHaveLength(1);
});

test('a signed-in owner changes the subscription at once; anyone else gets the same answer and changes nothing', async () => {
  const { alice, bob } = run.scenario.users;
  const input = { email: 'bob@example.org', frequency: 'DAILY' };
  expect((await run.server.as(bob).data(SUBSCRIBE, { input })).subscribeDigest.status).toBe('CONFIRMATION_SENT');
  await sendConfirmations(deps());
  await fetch(linkIn(received[0]!.mail!.text!, '/digests/confirm')!, { method: 'POST' });
  expect(await run.db.digestSubscription.findUniqueOrThrow({ where: { email: 'bob@example.org' } })).toMatchObject({ ownerId: bob.id, frequency: 'DAILY' });

  const changed = await run.server.as(bob).data(SUBSCRIBE, { input: { ...input, frequency: 'WEEKLY', topics: ['nlp'], minUpvotes: 3 } });
  expect(changed.subscribeDigest).toEqual({ status: 'UPDATED', subscription: { email: 'bob@example.org', frequency: 'WEEKLY', topics: ['nlp'], minUpvotes: 3 }, userErrors: [] });

  const requests = await run.db.digestSubscriptionRequest.count();
  for (const caller of [run.server.as(alice), run.server]) {
    const other = await caller.data(SUBSCRIBE, { input: { ...input, frequency: 'DAILY' } });
    expect(other.subscribeDigest).toEqual({ status: 'CONFIRMATION_SENT', subscription: null, userErrors: [] });
  }
  // Within 10 minutes of the last request: no new request, so no new email to the address.
  expect(await run.db.digestSubscriptionRequest.count()).toBe(requests);
  expect(await run.db.digestSubscription.findUniqueOrThrow({ where: { email: 'bob@example.org' } })).toMatchObject({ ownerId: bob.id, frequency: 'WEEKLY' });
});

test('invalid input is a userError naming the field', async () => {
  const errors = async (input: Record<string, unknown>) => (await run.server.data(SUBSCRIBE, { input: { frequency: 'DAILY', ...input } })).subscribeDigest;
  expect(await errors({ email: 'not an address' })).toEqual({
    status: null,
    subscription: null,
    userErrors: [{ field: ['input', 'email'], code: 'INVALID', message: 'email must be an address like name@example.org; got "not an address"' }],
  });
  expect((await errors({ email: 'a@example.org\r\nBcc: victim@example.org' })).userErrors[0].code).toBe('INVALID');
  expect((await errors({ email: 'a@example.org', topics: ['nlp', 'quantum-basket-weaving'] })).userErrors).toEqual([
    { field: ['input', 'topics'], code: 'NOT_FOUND', message: 'No topic has the slug "quantum-basket-weaving"' },
  ]);
  expect(await run.db.digestSubscriptionRequest.count()).toBe(0);
});

test('signed links: tampered, expired, of another action or another key are refused; an older key still verifies', () => {
  const token = signLink([SECRET], 'unsubscribe', 42);
  expect(verifyLink([SECRET], 'unsubscribe', token)).toBe(42);
  expect(verifyLink([SECRET], 'confirm', token)).toBeNull();
  expect(verifyLink(['another-secret-of-at-least-32-characters!'], 'unsubscribe', token)).toBeNull();
  expect(verifyLink(['a-new-secret-of-at-least-32-characters!!', SECRET], 'unsubscribe', token)).toBe(42);
  const [, expires, mac] = token.split('.');
  expect(verifyLink([SECRET], 'unsubscribe', `43.${expires}.${mac}`)).toBeNull();
  expect(verifyLink([SECRET], 'unsubscribe', `42.${Number(expires) + 1}.${mac}`)).toBeNull();
  expect(verifyLink([SECRET], 'unsubscribe', token, Date.now() + 91 * 86_400_000)).toBeNull();
  expect(verifyLink([SECRET], 'confirm', signLink([SECRET], 'confirm', 7), Date.now() + 49 * 3_600_000)).toBeNull();
  expect(verifyLink([SECRET], 'unsubscribe', 'garbage')).toBeNull();
});

test('the link endpoints refuse bad tokens with 400 and methods other than GET and POST with 405', async () => {
  await subscribers(1);
  const id = (await run.db.digestSubscription.findFirstOrThrow()).id;
  const confirmToken = signLink([SECRET], 'confirm', id);
  expect((await fetch(`${base}/digests/unsubscribe?token=${confirmToken}`, { method: 'POST' })).status).toBe(400);
  expect((await fetch(`${base}/digests/unsubscribe?token=${signLink([SECRET], 'unsubscribe', id).slice(0, -2)}xx`, { method: 'POST' })).status).toBe(400);
  expect((await fetch(`${base}/digests/unsubscribe`, { method: 'POST' })).status).toBe(400);
  expect((await fetch(`${base}/digests/unsubscribe?token=${signLink([SECRET], 'unsubscribe', id)}`, { method: 'DELETE' })).status).toBe(405);
  expect((await run.db.digestSubscription.findFirstOrThrow()).unsubscribedAt).toBeNull();
});

/** Counts messages per recipient. */
function perRecipient(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of received) for (const to of message.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

test('a crash right after the Nth email was accepted, then a rerun: every subscriber has exactly one digest', async () => {
  await trendingToday();
  await subscribers(40);
  let calls = 0;
  // The process "dies" between SMTP's 250 and the SENT update: the worst moment.
  const crashing: Mailer = {
    async send(email) {
      await mailer.send(email);
      if (++calls === 15) throw new Error('simulated crash');
    },
    close: () => mailer.close(),
  };
  const first = await sendDueDigests(deps({ mailer: crashing })).then(
    () => null,
    (error: unknown) => error,
  );
  expect(first).toBeInstanceOf(DigestRunAborted);
  const aborted = (first as DigestRunAborted).report;
  // The crash stopped new sends; those in flight on the other connections finished.
  expect(aborted.sent).toBeGreaterThanOrEqual(14);
  expect(aborted.sent).toBeLessThan(40);
  expect(aborted.inDoubt).toBe(1);
  expect(await run.db.digestDelivery.count({ where: { state: 'PENDING' } })).toBe(1);

  const rerun = await sendDueDigests(deps());
  expect(rerun.sent).toBe(40 - aborted.sent - 1);
  expect(rerun.inDoubt).toBe(1);
  const counts = perRecipient();
  expect(counts.size).toBe(40);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(await sendDueDigests(deps())).toMatchObject({ sent: 0 });
  expect(received).toHaveLength(40);
  console.log(`crash after 15 accepted emails: first run sent ${aborted.sent} (+1 in doubt, delivered), rerun sent ${rerun.sent}; 40 recipients, 40 emails`);
});

test('a crash before an email reached SMTP: the rerun does not resend it (at most once) and reports it in doubt', async () => {
  await trendingToday();
  await subscribers(6);
  let calls = 0;
  let lost = '';
  const crashing: Mailer = {
    async send(email) {
      if (++calls === 3) {
        lost = email.to;
        throw new Error('simulated crash');
      }
      await mailer.send(email);
    },
    close: () => mailer.close(),
  };
  await expect(sendDueDigests(deps({ mailer: crashing, concurrency: 1 }))).rejects.toBeInstanceOf(DigestRunAborted);
  const rerun = await sendDueDigests(deps());
  // Two sent before the crash, the third lost in it, the other three by the rerun.
  expect(rerun).toMatchObject({ sent: 3, inDoubt: 1 });
  const counts = perRecipient();
  expect(counts.get(lost)).toBeUndefined();
  expect([...counts.values()]).toEqual([1, 1, 1, 1, 1]);
  const pending = await run.db.digestDelivery.findFirstOrThrow({ where: { state: 'PENDING' }, include: { subscription: true } });
  expect(pending.subscription.email).toBe(lost);
});

test('SMTP refusals: a 4xx is retried by the next run, a 5xx is recorded as FAILED and never retried', async () => {
  await trendingToday();
  await subscribers(5);
  refuse = (address) => (address === 'reader1@example.org' ? 450 : address === 'reader2@example.org' ? 550 : undefined);
  expect(await sendDueDigests(deps())).toMatchObject({ sent: 3, deferred: 1, failed: 1 });
  expect((await run.db.digestDelivery.findFirstOrThrow({ where: { state: 'FAILED' } })).error).toContain('550');
  refuse = () => undefined;
  expect(await sendDueDigests(deps())).toMatchObject({ sent: 1, deferred: 0, failed: 0 });
  expect(perRecipient().get('reader1@example.org')).toBe(1);
  expect(perRecipient().get('reader2@example.org')).toBeUndefined();
});

test('an SMTP server that cannot be reached: the run stops, nothing is in doubt, the next run sends everything', async () => {
  await trendingToday();
  await subscribers(5);
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const unreachable = smtpMailer({ url: `smtp://127.0.0.1:${port}`, from: FROM });
  try {
    const error = await sendDueDigests(deps({ mailer: unreachable })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestRunAborted);
    expect((error as DigestRunAborted).report).toMatchObject({ sent: 0, inDoubt: 0 });
    expect((error as DigestRunAborted).report.deferred).toBeGreaterThan(0);
  } finally {
    await unreachable.close();
  }
  expect(await run.db.digestDelivery.count()).toBe(0);
  expect(await sendDueDigests(deps())).toMatchObject({ sent: 5, inDoubt: 0 });
});

test('frequencies, topics and minUpvotes decide who gets what; a subscription with nothing to show gets no email', async () => {
  await trendingToday();
  await run.db.digestSubscription.createMany({
    data: [
      { email: 'weekdays@example.org', frequency: 'WEEKDAYS', topics: [], confirmedAt: new Date() },
      { email: 'weekly@example.org', frequency: 'WEEKLY', topics: [], confirmedAt: new Date() },
      { email: 'cv@example.org', frequency: 'DAILY', topics: ['computer-vision'], minUpvotes: 2, confirmedAt: new Date() },
      { email: 'ml@example.org', frequency: 'DAILY', topics: ['machine-learning'], confirmedAt: new Date() },
    ],
  });
  const friday = await sendDueDigests(deps());
  expect(friday).toMatchObject({ sent: 3, empty: 1 });
  const cv = received.find((m) => m.to[0] === 'cv@example.org')!.mail!;
  expect(cv.text).toContain('Vision Transformers at Scale');
  expect(cv.text).not.toContain('Diffusion Models'); // computer vision, but 1 upvote
  expect(received.some((m) => m.to[0] === 'ml@example.org')).toBe(false);
  expect(await run.db.digestDelivery.findFirstOrThrow({ where: { state: 'EMPTY' }, include: { subscription: true } })).toMatchObject({ period: '2026-07-31', subscription: { email: 'ml@example.org' } });
  expect(received.find((m) => m.to[0] === 'weekly@example.org')!.mail!.subject).toBe('Trending papers of week 2026-W31');

  // Saturday: no weekday digest, the weekly one was sent this week, the daily ones are new.
  received.length = 0;
  expect(await sendDueDigests(deps({ at: SATURDAY }))).toMatchObject({ periods: { WEEKDAYS: null, WEEKLY: '2026-W31' }, sent: 1, empty: 1 });
  expect(received.map((m) => m.to[0])).toEqual(['cv@example.org']);
  // Monday: a new week.
  received.length = 0;
  await sendDueDigests(deps({ at: MONDAY }));
  expect(received.map((m) => m.to[0]).sort()).toEqual(['cv@example.org', 'weekdays@example.org', 'weekly@example.org']);
});

test('the in-process scheduler mails confirmations within seconds and the due digests, and stops cleanly', async () => {
  await trendingToday();
  await subscribers(3);
  await run.server.data(SUBSCRIBE, { input: { email: 'newcomer@example.org', frequency: 'WEEKLY' } });
  const { at: _at, ...rest } = deps();
  const scheduler = startDigestScheduler({ ...rest, intervalSeconds: 3600, confirmationIntervalSeconds: 0.05 });
  try {
    await until(() => received.length >= 4, 'four mails', 10_000);
  } finally {
    await scheduler.stop();
  }
  expect(received.map((m) => m.to[0]).sort()).toEqual(['newcomer@example.org', 'reader0@example.org', 'reader1@example.org', 'reader2@example.org']);
  expect(received.find((m) => m.to[0] === 'newcomer@example.org')!.mail!.subject).toBe('Confirm your paper digest');

  expect(digestSchedulerFromConfig(loadConfig({}), run.platform)).toBeNull();
  // Refused when the configuration is read, at start-up, naming the variable.
  expect(() => loadConfig({ DIGEST_SCHEDULER: 'true', SMTP_URL: smtpUrl })).toThrow('DIGEST_SCHEDULER is on but DIGEST_SECRET is not set');
  expect(() => loadConfig({ DIGEST_SCHEDULER: 'true', DIGEST_SECRET: 'short' })).toThrow('DIGEST_SECRET must hold keys of at least 32 characters');
});

test('throughput: 500 subscribers, one digest each, to the local SMTP server', async () => {
  await trendingToday();
  await subscribers(500);
  parseMail = false;
  const connections = 8;
  const pooled = smtpMailer({ url: smtpUrl, from: FROM, connections });
  try {
    const started = performance.now();
    const report = await sendDueDigests(deps({ mailer: pooled, concurrency: connections }));
    const seconds = (performance.now() - started) / 1000;
    expect(report.sent).toBe(500);
    expect(received).toHaveLength(500);
    console.log(`digest throughput: 500 digests in ${seconds.toFixed(2)} s = ${Math.round(500 / seconds)} digests/s (${connections} SMTP connections, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`);
  } finally {
    await pooled.close();
  }
});
