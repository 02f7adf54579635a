// Small, pure normalisations shared by the readers: text, GitHub URLs, days (and topic slugs, re-exported).

/** Titles arrive hard-wrapped ("...Multimodal\n  Models"): one line, single spaces. */
export function cleanLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Abstracts arrive hard-wrapped at ~80 columns (arXiv, and Hugging Face's copy of it):
 * single line breaks become spaces, blank lines stay as paragraph breaks.
 */
export function cleanParagraphs(text: string): string {
  return text
    .split(/\n[ \t]*\n\s*/)
    .map(cleanLine)
    .filter((p) => p !== '')
    .join('\n\n');
}

/** The topic slug rule lives in src/catalog/topics/slug.ts, shared with createTopic, the demo and the feeds. */
export { topicSlug } from '../topics/index.ts';

const GITHUB = /^(?:https?:\/\/)?(?:www\.)?github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+?)(?:\.git)?(?:[/?#].*)?$/i;

/**
 * `https://github.com/owner/repo` for any link into a repository (trailing slash, `/tree/main/x`,
 * `.git`, `http://`, `www.`). A link that is not a GitHub repository is kept as given (trimmed):
 * it is still the code link the source published.
 */
export function normalizeGithubRepo(url: string): string {
  const text = url.trim();
  const match = GITHUB.exec(text);
  return match ? `https://github.com/${match[1]}/${match[2]}` : text;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** UTC midnight of a `YYYY-MM-DD` day, or null when it is not a real calendar day. */
export function parseDay(text: string): Date | null {
  const match = ISO_DAY.exec(text);
  if (!match) return null;
  const date = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : date;
}

export const formatDay = (day: Date) => day.toISOString().slice(0, 10);

/** The UTC day of an instant, as UTC midnight (Paper.featuredOn is a date). */
export const dayOf = (instant: Date) => new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));

/** An ISO 8601 date-time with a time zone (what both sources send), or null. */
export function parseInstant(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text.trim())) return null;
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime()) ? null : date;
}
