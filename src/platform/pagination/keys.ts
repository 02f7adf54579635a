// Typed reading of cursor key values. A cursor is client input: a value of the wrong type is
// BAD_USER_INPUT here, before it can reach the database as a confusing failure.
import { badInput } from '../errors.ts';

/** One value of a cursor's key. */
export type KeyValue = string | number | null;

function invalid(): never {
  throw badInput('The cursor does not belong to this list: pass a cursor from the same field', 'after');
}

export function keyInt(value: KeyValue | undefined): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid();
  return value;
}

export function keyString(value: KeyValue | undefined): string {
  if (typeof value !== 'string') invalid();
  return value;
}

/** A `YYYY-MM-DD` day, as a Date at UTC midnight (how Prisma returns `@db.Date`). */
export function keyDay(value: KeyValue | undefined): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) invalid();
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime())) invalid();
  return date;
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** An ISO timestamp, as a Date. */
export function keyTimestamp(value: KeyValue | undefined): Date {
  const date = new Date(keyString(value));
  if (Number.isNaN(date.getTime())) invalid();
  return date;
}
