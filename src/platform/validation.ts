// Input checks shared by mutations. Each returns the cleaned value or throws UserErrors that
// name the field, say what was expected and what was received. Also the few rules every
// input obeys, whichever layer checks it (the years a date may have).
import { truncate } from './errors.ts';
import { userError, UserErrors } from './user-errors.ts';

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function text(value: string, field: string[], options: { max: number; multiline?: boolean; label?: string }): string {
  const cleaned = value.trim();
  const name = options.label ?? field.at(-1);
  if (cleaned === '') throw new UserErrors([userError(field, 'INVALID', `${name} must not be empty`)]);
  if (cleaned.length > options.max) {
    throw new UserErrors([userError(field, 'TOO_LONG', `${name} must be at most ${options.max} characters; got ${cleaned.length}`)]);
  }
  if (CONTROL.test(options.multiline ? cleaned : cleaned.replace(/[\n\r\t]/g, '\u0000')) || LONE_SURROGATE.test(cleaned)) {
    throw new UserErrors([userError(field, 'INVALID', `${name} must be plain text without control characters or broken Unicode`)]);
  }
  return cleaned;
}

const GITHUB = /^(?:https?:\/\/)?(?:www\.)?github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100}?)(?:\.git)?\/?(?:[/?#].*)?$/i;

/** `https://github.com/owner/repo` from the usual ways of writing a repository's address. */
export function githubRepoUrl(value: string, field: string[]): string {
  const match = GITHUB.exec(value.trim());
  if (!match || match[2] === '.' || match[2] === '..') {
    throw new UserErrors([userError(field, 'INVALID', `githubRepo must be a GitHub repository URL like https://github.com/owner/repo; got "${truncate(value)}"`)]);
  }
  return `https://github.com/${match[1]}/${match[2]}`;
}

/** True when text holds control characters (tab and newlines allowed) or broken UTF-16. */
export function hasUnsafeCharacters(value: string): boolean {
  return CONTROL.test(value) || LONE_SURROGATE.test(value);
}

/**
 * Topic slugs given as input (a paper's topics, a digest's): trimmed, lower-cased, without
 * repeats, at most `max`. Checked for control characters and broken Unicode before they are
 * looked up: PostgreSQL refuses NUL in text, which would fail the whole statement.
 */
export function topicSlugs(values: readonly string[] | null | undefined, field: string[], max: number): string[] {
  const slugs = [...new Set((values ?? []).map((slug) => slug.trim().toLowerCase()))];
  const name = field.at(-1);
  if (slugs.length > max) throw new UserErrors([userError(field, 'INVALID', `${name} takes at most ${max} slugs; got ${slugs.length}`)]);
  const unsafe = slugs.find(hasUnsafeCharacters);
  if (unsafe !== undefined) {
    throw new UserErrors([userError(field, 'INVALID', `${name} must be topic slugs without control characters or broken Unicode; got "${truncate(unsafe)}"`)]);
  }
  return slugs;
}

export function webUrl(value: string, field: string[]): string {
  const trimmed = value.trim();
  // Checked before parsing: the URL parser would silently percent-encode or drop them.
  if (hasUnsafeCharacters(trimmed)) {
    throw new UserErrors([userError(field, 'INVALID', `${field.at(-1)} must be an http(s) URL without control characters or broken Unicode`)]);
  }
  let url: URL | undefined;
  try {
    url = new URL(trimmed);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || trimmed.length > 2048 || !url.hostname.includes('.')) {
    throw new UserErrors([userError(field, 'INVALID', `${field.at(-1)} must be an http(s) URL of at most 2048 characters; got "${truncate(value)}"`)]);
  }
  return url.toString();
}

/**
 * The first and the last instant any date or time input may have (UTC): years 0001 to 9999.
 * PostgreSQL refuses year 0 ("date/time field value out of range"), and JavaScript prints a year
 * past 9999 as "+010000-01-01", which no SQL date accepts: a date outside is refused as input.
 */
export const EARLIEST_INSTANT = new Date('0001-01-01T00:00:00.000Z');
export const LATEST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

/** True when `date` is a valid instant within years 0001 to 9999 (UTC). */
export function withinYears(date: Date): boolean {
  const time = date.getTime();
  return !Number.isNaN(time) && time >= EARLIEST_INSTANT.getTime() && time <= LATEST_INSTANT.getTime();
}

/** UTC midnight of a calendar day; unlike Date.UTC, years 0 to 99 are not taken as 1900 to 1999. */
export function utcDay(year: number, monthIndex: number, day: number): Date {
  const date = new Date(Date.UTC(2000, monthIndex, day));
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}
