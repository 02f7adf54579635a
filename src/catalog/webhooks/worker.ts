// The delivery worker: from the outbox to the receivers, at least once.
//
//   dispatch  each committed event (OutboxEvent without dispatchedAt) becomes one WebhookMessage
//             per enabled endpoint subscribed to its type, and is marked dispatched: one
//             statement, so an event is fanned out exactly once whoever runs it.
//   claim     due messages are taken with FOR UPDATE SKIP LOCKED and leased in the same
//             statement (attempts + 1, nextAttemptAt = now + lease): instances and processes
//             share the work without taking the same message, and no connection is held while
//             the receiver answers.
//   attempt   POST, signed (signing.ts), to the checked address (targets.ts, send.ts).
//   record    the attempt (WebhookDelivery), then the message's fate: DELIVERED on a 2xx; on a
//             failure the next attempt by the retry schedule with jitter, or Retry-After for a
//             429 or 503; FAILED when the schedule is spent or the endpoint answered 410.
//
// A crash anywhere loses nothing: an undispatched event stays undispatched; a claimed message
// whose attempt never got recorded comes due again when its lease ends, and is sent again with
// the same `webhook-id` (receivers deduplicate by it).
//
// Woken by NOTIFY "outbox" (sent on commit by the outbox's trigger) on a connection of its own,
// by a timer at the next retry due, and by a fallback poll (WEBHOOK_POLL_MS; the only wake-up on
// the embedded database). Statements go one at a time through the shared pool: a draining
// worker holds at most one pool connection, plus the LISTEN connection.
import pg from 'pg';
import type { WebhookConfig } from '../../config.ts';
import type { Db } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Mailer } from '../digests/index.ts';
import { notifyDisabled } from './notify.ts';
import { redactHidden, type Outgoing } from './redact.ts';
import { sendAttempt, type AttemptResult } from './send.ts';
import { signatureHeader } from './signing.ts';
import { parseTarget, RefusedTarget, resolveTarget, type Lookup } from './targets.ts';

/** Events fanned out per statement. */
const DISPATCH_BATCH = 500;
/** Longest Retry-After honoured: a day. */
const MAX_RETRY_AFTER_MS = 86_400_000;
/** How long a claim holds a message beyond the attempt's timeout, before another may take it. */
const LEASE_MARGIN_MS = 5000;
/**
 * How long events (with their messages and attempts) are kept: replays reach back this far. Older
 * ones are deleted an hour apart, a batch at a time, by whichever instance gets there.
 */
export const RETENTION_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 10_000;

export interface WebhookWorkerOptions {
  db: Db;
  config: WebhookConfig;
  logger: Logger;
  /** A PostgreSQL server's URL to LISTEN on; absent (the embedded database): timers and polling only. */
  listenUrl?: string | undefined;
  /** Tells owners of disabled endpoints (SMTP_URL); absent: logged only. */
  mailer?: Mailer | undefined;
  /** Where the owner can manage the endpoint, for the email (PUBLIC_URL). */
  publicUrl?: string | undefined;
  /** DNS, for tests. */
  lookup?: Lookup;
  /** 0 to 1, for the jitter; tests may pin it. */
  random?: () => number;
  /** Called after each recorded attempt (bench and tests count them). */
  onAttempt?: (attempt: { webhookId: string; result: AttemptResult }) => void;
}

export interface WebhookWorker {
  /** Runs a cycle now (`dispatchToo`: look for new events as well). */
  wake(dispatchToo?: boolean): void;
  /** Stops taking work and waits for the attempts in flight to be recorded. */
  stop(): Promise<void>;
}

interface Claimed extends Outgoing {
  messageId: number;
  webhookId: string;
  attempts: number;
  endpointId: number;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

/** The wait before retry `n` (0-based: after the first failed attempt), with ±20 % jitter. */
export function retryDelay(schedule: readonly number[], n: number, random: () => number = Math.random): number | null {
  const base = schedule[n];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { db, config, logger } = options;
  const random = options.random ?? Math.random;
  const leaseMs = config.timeoutMs + LEASE_MARGIN_MS;
  let stopped = false;
  let cycle: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let listener: pg.Client | undefined;
  const inFlight = new Set<Promise<void>>();
  // Statements one at a time: the worker never holds more than one pool connection.
  let turn: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = turn.then(run, run);
    turn = next.catch(() => {});
    return next;
  };

  const dispatch = () =>
    serial(() =>
      db.$queryRaw<{ n: number }[]>`
        WITH batch AS (
          SELECT id, type FROM "OutboxEvent" WHERE "dispatchedAt" IS NULL ORDER BY id LIMIT ${DISPATCH_BATCH} FOR UPDATE SKIP LOCKED
        ), fanned AS (
          INSERT INTO "WebhookMessage" ("webhookId", "endpointId", "eventId", "nextAttemptAt")
          SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, b.id, now()
          FROM batch b JOIN "WebhookEndpoint" e ON b.type = ANY(e.events) AND e."disabledAt" IS NULL
          ON CONFLICT DO NOTHING
        ), marked AS (
          UPDATE "OutboxEvent" o SET "dispatchedAt" = now() FROM batch WHERE o.id = batch.id RETURNING o.id
        )
        SELECT count(*)::int AS n FROM marked`.then((rows) => rows[0]!.n),
    );

  const claim = (limit: number) =>
    serial(() =>
      db.$queryRaw<Claimed[]>`
        WITH claimed AS (
          UPDATE "WebhookMessage" m SET attempts = m.attempts + 1, "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond'
          WHERE m.id IN (
            SELECT m2.id FROM "WebhookMessage" m2 JOIN "WebhookEndpoint" e ON e.id = m2."endpointId"
            WHERE m2.state = 'PENDING' AND m2."nextAttemptAt" <= now() AND e."disabledAt" IS NULL
            ORDER BY m2."nextAttemptAt" LIMIT ${limit}
            FOR UPDATE OF m2 SKIP LOCKED)
          RETURNING m.id, m."webhookId", m.attempts, m."endpointId", m."eventId"
        )
        SELECT c.id AS "messageId", c."webhookId", c.attempts, c."endpointId", e.url, e.secret, e."previousSecret", e."previousSecretUntil",
               o.type, o.payload AS data, o."createdAt" AS "eventAt"
        FROM claimed c JOIN "WebhookEndpoint" e ON e.id = c."endpointId" JOIN "OutboxEvent" o ON o.id = c."eventId"`,
    );

  /** Milliseconds until the next pending message comes due (null: none). */
  const nextDue = () =>
    serial(() =>
      db.$queryRaw<{ ms: number | null }[]>`
        SELECT (extract(epoch FROM min(m."nextAttemptAt") - now()) * 1000)::float8 AS ms
        FROM "WebhookMessage" m JOIN "WebhookEndpoint" e ON e.id = m."endpointId"
        WHERE m.state = 'PENDING' AND e."disabledAt" IS NULL`.then((rows) => rows[0]?.ms ?? null),
    );

  async function attempt(message: Claimed, skip: boolean): Promise<void> {
    if (skip) {
      // The paper it was about was hidden since: nothing is sent (README, "Signed webhooks").
      await serial(() => db.webhookMessage.updateMany({ where: { id: message.messageId, attempts: message.attempts }, data: { state: 'SKIPPED' } }));
      return;
    }
    const body = JSON.stringify({ type: message.type, timestamp: message.eventAt.toISOString(), data: message.data });
    const timestamp = Math.floor(Date.now() / 1000);
    const secrets = [message.secret];
    if (message.previousSecret && message.previousSecretUntil && message.previousSecretUntil.getTime() > Date.now()) secrets.push(message.previousSecret);
    let result: AttemptResult;
    const started = performance.now();
    try {
      // Checked again at every attempt, after resolving the name; the connection goes to the checked address.
      const target = await resolveTarget(parseTarget(message.url, config), config, options.lookup);
      result = await sendAttempt({
        target,
        body,
        timeoutMs: config.timeoutMs,
        headers: {
          'webhook-id': message.webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(secrets, message.webhookId, timestamp, body),
        },
      });
    } catch (error) {
      if (!(error instanceof RefusedTarget)) throw error;
      result = { status: null, retryAfterMs: null, durationMs: Math.round(performance.now() - started), error: `target refused: ${error.message}` };
    }
    await record(message, result);
    options.onAttempt?.({ webhookId: message.webhookId, result });
  }

  // Successes, the bulk of a drain, are recorded together: every success that finished while
  // the previous statement ran goes into the next one (one INSERT and two UPDATEs, one round trip).
  let successes: { message: Claimed; result: AttemptResult }[] = [];
  let successFlush: Promise<void> | null = null;
  const recordSuccess = (message: Claimed, result: AttemptResult): Promise<void> => {
    successes.push({ message, result });
    successFlush ??= serial(async () => {
      const batch = successes;
      successes = [];
      successFlush = null;
      // Guarded by the attempt count of the claim: a replay meanwhile (attempts back to 0) stands.
      await db.$executeRaw`
        WITH r AS (
          SELECT * FROM unnest(${batch.map((b) => b.message.messageId)}::int[], ${batch.map((b) => b.message.attempts)}::int[],
                               ${batch.map((b) => b.message.endpointId)}::int[], ${batch.map((b) => b.result.status)}::int[],
                               ${batch.map((b) => b.result.durationMs)}::int[]) AS r(mid, att, eid, code, ms)
        ), recorded AS (
          INSERT INTO "WebhookDelivery" ("messageId", "endpointId", attempt, succeeded, "responseCode", "durationMs")
          SELECT r.mid, r.eid, r.att, true, r.code, r.ms FROM r JOIN "WebhookMessage" m ON m.id = r.mid
        ), delivered AS (
          UPDATE "WebhookMessage" m SET state = 'DELIVERED' FROM r WHERE m.id = r.mid AND m.attempts = r.att
        )
        UPDATE "WebhookEndpoint" e SET "consecutiveFailures" = 0, "failingSince" = NULL
        WHERE e.id IN (SELECT eid FROM r) AND e."consecutiveFailures" > 0`;
    });
    return successFlush;
  };

  /** A failed attempt, in one statement: its record, the message's next attempt or end, the endpoint's streak and maybe its end. */
  async function recordFailure(message: Claimed, result: AttemptResult): Promise<void> {
    const gone = result.status === 410;
    // Retry-After replaces the schedule's wait, not its length: a receiver answering 429 forever
    // still ends the message after the schedule's number of attempts.
    const scheduled = retryDelay(config.retrySchedule, message.attempts - 1, random);
    const wait = scheduled === null ? null : result.retryAfterMs !== null ? Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS) : scheduled;
    const finalState = gone || wait === null ? 'FAILED' : null;
    const streakReason = `consecutive failed attempts since`;
    const rows = await serial(() =>
      db.$queryRaw<{ ownerId: number; url: string; disabledReason: string | null; newlyDisabled: boolean }[]>`
        WITH recorded AS (
          INSERT INTO "WebhookDelivery" ("messageId", "endpointId", attempt, succeeded, "responseCode", "durationMs", error)
          SELECT m.id, ${message.endpointId}, ${message.attempts}, false, ${result.status}::int, ${result.durationMs}, ${result.error?.slice(0, 300) ?? null}
          FROM "WebhookMessage" m WHERE m.id = ${message.messageId}
        ), rescheduled AS (
          UPDATE "WebhookMessage" m
          SET state = coalesce(${finalState}::"WebhookMessageState", m.state),
              "nextAttemptAt" = CASE WHEN ${finalState}::text IS NULL THEN now() + ${wait ?? 0} * interval '1 millisecond' ELSE m."nextAttemptAt" END
          WHERE m.id = ${message.messageId} AND m.attempts = ${message.attempts}
        ), before AS (
          SELECT id, "disabledAt", "consecutiveFailures" + 1 AS failures, coalesce("failingSince", now()) AS since
          FROM "WebhookEndpoint" WHERE id = ${message.endpointId} FOR UPDATE
        ), ending AS (
          SELECT b.*, CASE
            WHEN b."disabledAt" IS NOT NULL THEN NULL
            WHEN ${gone} THEN 'the endpoint answered 410 Gone'
            WHEN b.failures >= ${config.disableAfterFailures} AND b.since <= now() - ${config.disableAfterSeconds} * interval '1 second'
              THEN b.failures || ' ' || ${streakReason} || ' ' || to_char(b.since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
          END AS reason
          FROM before b
        )
        UPDATE "WebhookEndpoint" e
        SET "consecutiveFailures" = ending.failures, "failingSince" = ending.since,
            "disabledAt" = CASE WHEN ending.reason IS NOT NULL THEN now() ELSE e."disabledAt" END,
            "disabledReason" = coalesce(ending.reason, e."disabledReason")
        FROM ending WHERE e.id = ending.id
        RETURNING e."ownerId", e.url, e."disabledReason", ending.reason IS NOT NULL AS "newlyDisabled"`,
    );
    const row = rows[0];
    if (row?.newlyDisabled) {
      const reason = row.disabledReason!;
      logger.warn({ endpointId: message.endpointId, reason }, 'webhook endpoint disabled');
      await notifyDisabled({ db, mailer: options.mailer, publicUrl: options.publicUrl, logger }, { endpointId: message.endpointId, ownerId: row.ownerId, url: row.url, reason });
    }
  }

  function record(message: Claimed, result: AttemptResult): Promise<void> {
    const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
    return succeeded ? recordSuccess(message, result) : recordFailure(message, result);
  }

  // What a cycle must do: fan out new events only when told some committed (NOTIFY) or by the
  // poll; a freed slot only claims.
  let needDispatch = true;

  let prunedAt = 0;
  const prune = () =>
    serial(() =>
      db.$executeRaw`
        DELETE FROM "OutboxEvent" WHERE id IN (
          SELECT id FROM "OutboxEvent"
          WHERE "createdAt" < now() - ${RETENTION_DAYS} * interval '1 day' AND "dispatchedAt" IS NOT NULL
          ORDER BY id LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED)`,
    );

  async function runCycle(): Promise<void> {
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      const pruned = await prune();
      if (pruned > 0) logger.info({ pruned, retentionDays: RETENTION_DAYS }, 'webhook events past their retention deleted');
    }
    let more = false;
    do {
      again = false;
      if (needDispatch) {
        needDispatch = false;
        while ((await dispatch()) === DISPATCH_BATCH && !stopped);
      }
      const free = config.concurrency - inFlight.size;
      more = false;
      // Claims wait for half the slots to be free (or all idle), so that each claim (and its
      // check of hidden papers) is paid for by several attempts while a backlog drains.
      if (free > 0 && (free >= Math.ceil(config.concurrency / 2) || inFlight.size === 0) && !stopped) {
        const claimed = await claim(free);
        const skipped = claimed.length > 0 ? await serial(() => redactHidden(db, claimed)) : new Set<Claimed>();
        for (const message of claimed) {
          const running: Promise<void> = attempt(message, skipped.has(message))
            .catch((error: unknown) => logger.error({ err: error, webhookId: message.webhookId }, 'webhook attempt failed to be recorded'))
            .finally(() => {
              inFlight.delete(running);
              wake();
            });
          inFlight.add(running);
        }
        // A full claim: more may be due; the attempts' ends wake the next claims.
        more = claimed.length === free;
      } else {
        more = true;
      }
    } while (again && !stopped && inFlight.size < config.concurrency);
    if (stopped) return;
    clearTimeout(timer);
    if (more) {
      timer = setTimeout(() => wake(true), config.pollMs).unref();
      return;
    }
    const due = await nextDue();
    const wait = due === null ? config.pollMs : Math.max(0, Math.min(config.pollMs, Math.ceil(due)));
    timer = setTimeout(() => wake(true), wait).unref();
  }

  function wake(dispatchToo = false): void {
    if (stopped) return;
    if (dispatchToo) needDispatch = true;
    if (cycle) {
      again = true;
      return;
    }
    cycle = runCycle()
      .catch((error: unknown) => {
        logger.error({ err: error }, 'webhook worker cycle failed');
        clearTimeout(timer);
        if (!stopped) timer = setTimeout(() => wake(true), config.pollMs).unref();
      })
      .finally(() => {
        cycle = null;
        if (again && !stopped) wake();
      });
  }

  async function listen(): Promise<void> {
    if (!options.listenUrl || stopped) return;
    const client = new pg.Client({ connectionString: options.listenUrl });
    client.on('notification', () => wake(true));
    client.on('error', (error) => {
      logger.warn({ err: error }, 'webhook worker: LISTEN connection lost; polling until it is back');
      listener = undefined;
      client.end().catch(() => {});
      if (!stopped) setTimeout(() => void listen(), config.pollMs).unref();
    });
    try {
      await client.connect();
      await client.query('LISTEN outbox');
      listener = client;
      // Events committed while it was not listening.
      wake(true);
    } catch (error) {
      logger.warn({ err: error }, 'webhook worker: LISTEN failed; polling');
      client.end().catch(() => {});
      if (!stopped) setTimeout(() => void listen(), Math.max(config.pollMs, 1000)).unref();
    }
  }

  void listen();
  wake(true);

  return {
    wake,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await cycle;
      await Promise.all(inFlight);
      await listener?.end().catch(() => {});
    },
  };
}
