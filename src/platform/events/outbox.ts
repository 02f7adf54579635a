// The transactional outbox: events written in the SAME transaction as the change they report,
// so an event exists if and only if its change committed (a rollback takes both away, a crash
// after commit loses neither). Domains call `writeOutbox` with the transaction they write in;
// src/catalog/webhooks/ reads the table and delivers. This module knows no domain: an event is a
// type and a small JSON object.
//
// Committing wakes the consumers: a statement trigger on "OutboxEvent" (migration webhooks) sends
// NOTIFY "outbox", which PostgreSQL delivers on commit only.
import { Prisma } from '../../generated/prisma/client.ts';

/** Largest payload accepted, in bytes of its JSON: receivers get small messages, never a whole list. */
export const MAX_OUTBOX_PAYLOAD_BYTES = 20_000;

export interface OutboxEventInput {
  /** Dotted name, e.g. `paper.updated`. */
  readonly type: string;
  /** The event's data: small JSON, with global ids. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What `writeOutbox` needs: a Prisma client or the transaction client of `$transaction(async (tx) => ...)`. */
export interface OutboxWriter {
  $executeRaw(query: Prisma.Sql): Prisma.PrismaPromise<number>;
}

/**
 * The statement that appends `events` to the outbox, in one round trip. Run it on the
 * transaction of the change (`await writeOutbox(tx, events)`), or put it in the list of a batch
 * transaction (`db.$transaction([update, writeOutbox(db, events)])`). Throws at once, before
 * anything is sent, when a payload is larger than MAX_OUTBOX_PAYLOAD_BYTES: a caller's bug,
 * which must not become a receiver's problem.
 */
export function writeOutbox(db: OutboxWriter, events: readonly OutboxEventInput[]): Prisma.PrismaPromise<number> {
  const types: string[] = [];
  const payloads: string[] = [];
  for (const event of events) {
    const json = JSON.stringify(event.data);
    if (Buffer.byteLength(json) > MAX_OUTBOX_PAYLOAD_BYTES) {
      throw new Error(`outbox event ${event.type}: payload of ${Buffer.byteLength(json)} bytes, more than ${MAX_OUTBOX_PAYLOAD_BYTES}`);
    }
    types.push(event.type);
    payloads.push(json);
  }
  return db.$executeRaw(Prisma.sql`
    INSERT INTO "OutboxEvent" (type, payload)
    SELECT t, p::jsonb FROM unnest(${types}::text[], ${payloads}::text[]) AS e(t, p)`);
}
