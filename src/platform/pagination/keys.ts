// Typed reading of cursor key values. A cursor is client input: a value of the wrong type or out
// of the column's range (an id past 32 bits, a day of year 0 or 10000, February 30) is
// BAD_USER_INPUT here, before it can reach the database as a confusing failure.
import { badInput } from '../errors.ts';
import { withinYears } from '../validation.ts';

/** One value of a cursor's key. */
export type KeyValue = string | number | null;

/** `after` or `before`: the argument a refusal names. */
type CursorArgument = 'after' | 'before';

function invalid(argumentName: CursorArgument): never {
  throw badInput(`${argumentName} is not a cursor of this list: pass a cursor from the same field and order`, argumentName);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** A value of an `integer` column (ids, counts): 32 bits, as PostgreSQL's `int` holds. */
export function keyInt(value: KeyValue | undefined, argumentName: CursorArgument = 'after'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) invalid(argumentName);
  return value;
}

export function keyString(value: KeyValue | undefined, argumentName: CursorArgument = 'after'): string {
  if (typeof value !== 'string') invalid(argumentName);
  return value;
}

/** A `YYYY-MM-DD` day of years 0001 to 9999, as a Date at UTC midnight (how Prisma returns `@db.Date`). */
export function keyDay(value: KeyValue | undefined, argumentName: CursorArgument = 'after'): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) invalid(argumentName);
  const date = new Date(`${value}T00:00:00.000Z`);
  // JavaScript rolls 2026-02-30 over to March 2: only a day that prints back as given is one.
  if (!withinYears(date) || dayOf(date) !== value) invalid(argumentName);
  return date;
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** An ISO timestamp of years 0001 to 9999, as a Date. */
export function keyTimestamp(value: KeyValue | undefined, argumentName: CursorArgument = 'after'): Date {
  const date = new Date(keyString(value, argumentName));
  if (!withinYears(date)) invalid(argumentName);
  return date;
}
