// The digest sender: what `npm run digest:send` and the in-process scheduler run.
//
// IDEMPOTENCE RULE (at most once per subscription and period). For each due subscription:
//   1. the email is composed;
//   2. a DigestDelivery row (subscriptionId, period) is INSERTed in state PENDING, only if the
//      subscription is still active and no row exists (ON CONFLICT DO NOTHING). No row inserted:
//      another run has it, skip. The unique key is the only lock: any number of runs and
//      instances may work at once;
//   3. the email is handed to SMTP;
//   4. accepted (250): the row becomes SENT (marked in batches of SENT_BATCH). Refused with a 5xx: FAILED (never retried). Refused
//      with a 4xx, or the connection could not be made: the row is deleted, so a later run
//      retries. Any other failure (connection lost mid-DATA, a crash, the database gone before
//      step 4): the row stays PENDING.
// A subscription with a row for the period, in whatever state, is never sent that period's
// digest again. So a crash and a rerun send nobody a digest twice; the price is that an email
// in flight during the crash (at most one per SMTP connection) is "in doubt": the rerun reports
// these PENDING rows (`inDoubt`) instead of resending them (after a hard crash the count also
// includes up to SENT_BATCH emails that went out but were not yet marked). Each message's Message-ID is derived
// from the row's key, so were one ever resent by hand, receivers could tell.
import type { Db } from '../../platform/db/client.ts';
import type { Platform } from '../../platform/platform.ts';
import type { DigestFrequency, DigestSubscription } from '../../generated/prisma/client.ts';
import type { Logger } from '../../platform/logger.ts';
import { listPapers } from '../papers/index.ts';
import { paperReads, type PaperReads } from '../papers/index.ts';
import { followedPapers } from '../follows/index.ts';
import { signLink } from './links.ts';
import { paperDetails } from '../papers/index.ts';
import { composeConfirmation, composeDigest, type DigestPaper } from './compose.ts';
import { classifySendError, domainOf, type Mailer, type OutgoingEmail } from './mailer.ts';
import { currentPeriod, FREQUENCIES, type Period } from './periods.ts';

type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface SenderDeps {
  platform: Platform;
  mailer: Mailer;
  /** DIGEST_SECRET's keys: the first signs the links. */
  secrets: readonly string[];
  /** Base of the links in emails (PUBLIC_URL). */
  publicUrl: string;
  /** The From address; its domain names the Message-IDs. */
  from: string;
  logger?: Log;
}

export interface DigestRunOptions extends SenderDeps {
  /** Decides the periods (default now); the papers are always the trending ones of now. */
  at?: Date;
  sendHourUtc?: number;
  papersPerDigest?: number;
  /** Emails in flight at once (match the mailer's connections). */
  concurrency?: number;
  /** Subscriptions read per query. */
  batchSize?: number;
  /** Stops taking new subscriptions; those in flight finish. */
  signal?: AbortSignal;
}

export interface DigestRunReport {
  periods: Record<DigestFrequency, string | null>;
  /** Digests accepted by the SMTP server in this run. */
  sent: number;
  /** Subscriptions with no matching paper this period: recorded, no email. */
  empty: number;
  /** Refused for good (5xx): recorded, not retried. */
  failed: number;
  /** Refused for now (4xx) or not sent (no connection): released for a later run. */
  deferred: number;
  /** PENDING rows of these periods after the run: emails that were in flight when a run died. */
  inDoubt: number;
  ms: number;
}

export class DigestRunAborted extends Error {
  constructor(
    readonly report: DigestRunReport,
    cause: unknown,
  ) {
    super(`The digest run stopped after ${report.sent} sent: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** Runs `work` over `items`, `concurrency` at a time; after the first failure no new item starts, and that failure is thrown once the others finished. */
async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && !failed && !signal?.aborted) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        if (!failed) [failed, failure] = [true, error];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed) throw failure;
}

function unsubscribeUrl(deps: Pick<SenderDeps, 'secrets' | 'publicUrl'>, subscriptionId: number): string {
  return `${deps.publicUrl}/digests/unsubscribe?token=${signLink(deps.secrets, 'unsubscribe', subscriptionId)}`;
}

/** The trending papers of one digest, with authors and topics (through the run's loaders). */
async function trendingPapers(reads: PaperReads, window: Period['window'], topics: string[], minUpvotes: number, first: number, followsOf: number | null): Promise<DigestPaper[]> {
  const list = await listPapers(
    reads,
    {
      orderBy: { field: 'TRENDING', direction: 'DESC', window },
      filter: { topics: topics.length ? topics : null, minUpvotes: minUpvotes > 0 ? minUpvotes : null },
      first,
    },
    // A follows digest: only papers by the owner's followed authors or in their followed topics.
    followsOf === null ? {} : { scope: [followedPapers(followsOf)] },
  );
  return (await paperDetails(reads, list.nodes)).map(({ paper, authors, topics: paperTopics }) => ({
    arxivId: paper.arxivId,
    title: paper.title,
    abstract: paper.abstract,
    authors,
    topics: paperTopics,
    upvotes: paper.upvoteCount,
    githubRepo: paper.githubRepo,
  }));
}

/** Step 2 of the rule: the claim. The new row's id when this run now owns (subscription, period). */
async function claim(db: Db, subscriptionId: number, period: string, state: 'PENDING' | 'EMPTY', messageId: string, paperCount: number): Promise<number | null> {
  const rows = await db.$queryRaw<{ id: number }[]>`
    INSERT INTO "DigestDelivery" ("subscriptionId", "period", "state", "messageId", "paperCount", "finishedAt")
    SELECT s.id, ${period}, ${state}::"DigestDeliveryState", ${messageId}, ${paperCount}, ${state === 'EMPTY' ? new Date() : null}::timestamptz
    FROM "DigestSubscription" s
    WHERE s.id = ${subscriptionId} AND s."unsubscribedAt" IS NULL
    ON CONFLICT ("subscriptionId", "period") DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

/** Rows whose email was accepted, marked SENT in batches: one statement per SENT_BATCH emails, not per email. */
const SENT_BATCH = 50;

const REQUEST_RETENTION_MS = 7 * 86_400_000;

export async function sendDueDigests(options: DigestRunOptions): Promise<DigestRunReport> {
  const { platform, mailer, logger, signal } = options;
  const db = platform.db;
  const started = Date.now();
  const at = options.at ?? platform.now();
  const sendHourUtc = options.sendHourUtc ?? 7;
  const first = options.papersPerDigest ?? 10;
  const concurrency = options.concurrency ?? 4;
  const batchSize = options.batchSize ?? 500;
  const domain = domainOf(options.from);

  const periods = FREQUENCIES.map((frequency) => currentPeriod(frequency, at, sendHourUtc)).filter((p): p is Period => p !== null);
  const report: DigestRunReport = {
    periods: { DAILY: null, WEEKDAYS: null, WEEKLY: null },
    sent: 0,
    empty: 0,
    failed: 0,
    deferred: 0,
    inDoubt: 0,
    ms: 0,
  };
  for (const period of periods) report.periods[period.frequency] = period.key;

  // Housekeeping: requests nobody confirmed within their link's life and a margin.
  await db.digestSubscriptionRequest.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - REQUEST_RETENTION_MS) } } });

  // One reader for the run: its loaders cache authors and topics across digests, and subscribers
  // with the same settings share one list (the cache below).
  const reads = paperReads(platform);
  const lists = new Map<string, Promise<DigestPaper[]>>();
  const papersFor = (period: Period, sub: DigestSubscription) => {
    const topics = [...sub.topics].sort();
    // A follows digest without an owner (never written so; see subscribeDigest) follows nobody: empty.
    const followsOf = sub.follows ? (sub.ownerId ?? 0) : null;
    const key = `${period.window}|${topics.join(',')}|${sub.minUpvotes}|${followsOf ?? ''}`;
    let list = lists.get(key);
    if (!list) lists.set(key, (list = trendingPapers(reads, period.window, topics, sub.minUpvotes, first, followsOf)));
    return list;
  };

  // Accepted but not yet marked: a crash loses at most these marks, which leaves the rows
  // PENDING (in doubt, not resent) although their emails went out. Never a duplicate.
  let accepted: number[] = [];
  const markSent = async () => {
    if (accepted.length === 0) return;
    const ids = accepted;
    accepted = [];
    await db.digestDelivery.updateMany({ where: { id: { in: ids } }, data: { state: 'SENT', finishedAt: new Date() } });
  };

  const sendOne = async (period: Period, sub: DigestSubscription) => {
    const papers = await papersFor(period, sub);
    const messageId = `digest.${sub.id}.${period.key}@${domain}`;
    if (papers.length === 0) {
      if ((await claim(db, sub.id, period.key, 'EMPTY', messageId, 0)) !== null) report.empty++;
      return;
    }
    const unsubscribe = unsubscribeUrl(options, sub.id);
    const composed = composeDigest({ settings: sub, period: period.key, papers, unsubscribeUrl: unsubscribe });
    const email: OutgoingEmail = {
      to: sub.email,
      ...composed,
      messageId,
      headers: {
        // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs
        // "List-Unsubscribe=One-Click" to the URL, which unsubscribes without another step.
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'List-Id': `Paper digest <digest.${domain}>`,
      },
    };
    const id = await claim(db, sub.id, period.key, 'PENDING', messageId, papers.length);
    if (id === null) return;
    const where = { id };
    try {
      await mailer.send(email);
    } catch (error) {
      const failure = classifySendError(error);
      switch (failure.kind) {
        case 'refused':
          if (failure.permanent) {
            await db.digestDelivery.update({ where, data: { state: 'FAILED', error: failure.message, finishedAt: new Date() } });
            report.failed++;
            logger?.warn({ subscriptionId: sub.id, period: period.key, error: failure.message }, 'digest refused by the SMTP server');
          } else {
            await db.digestDelivery.delete({ where });
            report.deferred++;
          }
          return;
        case 'unsent':
          await db.digestDelivery.delete({ where });
          report.deferred++;
          throw error;
        case 'unknown':
          // In doubt: the row stays PENDING and is never resent (see the rule above).
          throw error;
        default: {
          const unreachable: never = failure;
          throw new Error(`unknown failure ${String(unreachable)}`);
        }
      }
    }
    accepted.push(id);
    report.sent++;
    if (accepted.length >= SENT_BATCH) await markSent();
  };

  try {
    for (const period of periods) {
      let after = 0;
      while (!signal?.aborted) {
        const batch = await db.digestSubscription.findMany({
          where: { frequency: period.frequency, unsubscribedAt: null, id: { gt: after }, deliveries: { none: { period: period.key } } },
          orderBy: { id: 'asc' },
          take: batchSize,
        });
        if (batch.length === 0) break;
        after = batch.at(-1)!.id;
        await runPool(batch, concurrency, (sub) => sendOne(period, sub), signal);
      }
    }
    await markSent();
  } catch (error) {
    await markSent().catch(() => {});
    report.inDoubt = await countInDoubt(db, periods);
    report.ms = Date.now() - started;
    logger?.error({ err: error, report }, 'digest run stopped');
    throw new DigestRunAborted(report, error);
  }
  report.inDoubt = await countInDoubt(db, periods);
  report.ms = Date.now() - started;
  if (report.inDoubt > 0) logger?.warn({ inDoubt: report.inDoubt }, 'digests left PENDING by an interrupted run were not resent');
  logger?.info({ report }, 'digest run finished');
  return report;
}

function countInDoubt(db: Db, periods: Period[]): Promise<number> {
  return db.digestDelivery.count({ where: { state: 'PENDING', OR: periods.map((p) => ({ period: p.key, subscription: { frequency: p.frequency } })) } });
}

export interface ConfirmationRunReport {
  sent: number;
  deferred: number;
  failed: number;
}

/** How long a confirmation link lives (links.ts): requests older than this get no email. */
const CONFIRM_WINDOW_MS = 48 * 3_600_000;

/**
 * Sends the confirmation emails of new subscription requests, each at most once by the same
 * rule as digests: `emailSentAt` is set (the claim) before sending, and cleared again only when
 * the message was certainly not taken.
 */
export async function sendConfirmations(deps: SenderDeps & { limit?: number; concurrency?: number; signal?: AbortSignal }): Promise<ConfirmationRunReport> {
  const { platform: { db }, mailer } = deps;
  const report: ConfirmationRunReport = { sent: 0, deferred: 0, failed: 0 };
  const requests = await db.digestSubscriptionRequest.findMany({
    where: { emailSentAt: null, confirmedAt: null, createdAt: { gt: new Date(Date.now() - CONFIRM_WINDOW_MS) } },
    orderBy: { id: 'asc' },
    take: deps.limit ?? 200,
  });
  const domain = domainOf(deps.from);
  await runPool(
    requests,
    deps.concurrency ?? 4,
    async (request) => {
      const confirmUrl = `${deps.publicUrl}/digests/confirm?token=${signLink(deps.secrets, 'confirm', request.id)}`;
      const email: OutgoingEmail = { to: request.email, ...composeConfirmation({ settings: request, confirmUrl }), messageId: `confirm.${request.id}@${domain}` };
      const claimed = await db.digestSubscriptionRequest.updateMany({ where: { id: request.id, emailSentAt: null }, data: { emailSentAt: new Date() } });
      if (claimed.count !== 1) return;
      try {
        await mailer.send(email);
        report.sent++;
      } catch (error) {
        const failure = classifySendError(error);
        if ((failure.kind === 'refused' && !failure.permanent) || failure.kind === 'unsent') {
          await db.digestSubscriptionRequest.update({ where: { id: request.id }, data: { emailSentAt: null } });
          report.deferred++;
        } else {
          report.failed++;
        }
        if (failure.kind !== 'refused') throw error;
        deps.logger?.warn({ requestId: request.id, error: failure.message }, 'confirmation email refused');
      }
    },
    deps.signal,
  );
  return report;
}
