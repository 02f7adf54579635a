// Which digest is due when. All in UTC. A period begins at the send hour: with the default 07:00,
// the DAILY digest "2026-07-31" is due from 2026-07-31T07:00Z to 2026-08-01T06:59Z, and the
// WEEKLY digest "2026-W31" from Monday 07:00 to the next Monday 06:59. A subscription receives at
// most one digest per period (DigestDelivery's unique key), whenever the job runs within it.
import type { DigestFrequency } from '../../generated/prisma/client.ts';

export interface Period {
  frequency: DigestFrequency;
  /** `2026-07-31` (DAILY, WEEKDAYS) or `2026-W31` (WEEKLY): part of DigestDelivery's key. */
  key: string;
  /** The trending window the digest lists. */
  window: 'DAY' | 'WEEK';
  /** When the period began. */
  start: Date;
}

export const FREQUENCIES: readonly DigestFrequency[] = ['DAILY', 'WEEKDAYS', 'WEEKLY'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** ISO 8601 week of a UTC date: `2026-W31`. The week's Thursday decides its year. */
export function isoWeek(date: Date): string {
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  thursday.setUTCDate(thursday.getUTCDate() - ((thursday.getUTCDay() + 6) % 7) + 3);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The period of `frequency` that is current at `at`; null on Saturdays and Sundays for WEEKDAYS. */
export function currentPeriod(frequency: DigestFrequency, at: Date, sendHourUtc: number): Period | null {
  // Shifting by the send hour makes "the day" begin at the send hour.
  const shifted = new Date(at.getTime() - sendHourUtc * HOUR);
  const dayStart = new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()) + sendHourUtc * HOUR);
  const day = shifted.toISOString().slice(0, 10);
  const weekday = (shifted.getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  switch (frequency) {
    case 'DAILY':
      return { frequency, key: day, window: 'DAY', start: dayStart };
    case 'WEEKDAYS':
      return weekday >= 5 ? null : { frequency, key: day, window: 'DAY', start: dayStart };
    case 'WEEKLY':
      return { frequency, key: isoWeek(shifted), window: 'WEEK', start: new Date(dayStart.getTime() - weekday * DAY) };
    default: {
      const unreachable: never = frequency;
      throw new Error(`unknown frequency ${String(unreachable)}`);
    }
  }
}
