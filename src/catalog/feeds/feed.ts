// What every feed shares: its size, its entries, and the two ways a feed can fail to exist.
// The feeds build Atom documents (./atom.ts) from the papers read service; answering HTTP
// (methods, ETag, 304, caching) is the route's: src/http/routes/feeds.ts.
import type { Paper } from '../../generated/prisma/client.ts';
import { arxivAbsUrl, arxivPdfUrl } from '../papers/index.ts';
import type { AtomEntry } from './atom.ts';

/** Papers in a feed. */
export const FEED_SIZE = 50;

/**
 * No such feed (`notFound`), or a feed asked for with a bad parameter (`badRequest`, said why,
 * naming the query parameter as `argumentName`).
 */
export class FeedError extends Error {
  constructor(
    readonly reason: 'notFound' | 'badRequest',
    message = 'No such feed',
    readonly argumentName?: string,
  ) {
    super(message);
  }
}

export const notFound = (message?: string) => new FeedError('notFound', message);

export function entryOf(paper: Paper, authors: string[], topics: { slug: string; name: string }[]): AtomEntry {
  const abs = arxivAbsUrl(paper.arxivId);
  return {
    id: abs,
    title: paper.title,
    // Not bumped by votes (they change the count with raw SQL), so vote traffic leaves entries alone.
    updated: paper.updatedAt,
    published: paper.publishedAt,
    links: [
      { rel: 'alternate', type: 'text/html', href: abs },
      { rel: 'related', type: 'application/pdf', title: 'PDF', href: arxivPdfUrl(paper.arxivId) },
      ...(paper.githubRepo ? [{ rel: 'related' as const, title: 'Code', href: paper.githubRepo }] : []),
      ...(paper.projectPage ? [{ rel: 'related' as const, title: 'Project page', href: paper.projectPage }] : []),
    ],
    authors,
    categories: topics.map((t) => ({ term: t.slug, label: t.name })),
    summary: paper.abstract,
  };
}

/** The newest update among the entries; `fallback` for an empty feed. */
export function newestUpdate(entries: readonly AtomEntry[], fallback: Date | null = null): Date | null {
  return entries.reduce<Date | null>((max, e) => (max === null || e.updated > max ? e.updated : max), fallback);
}
