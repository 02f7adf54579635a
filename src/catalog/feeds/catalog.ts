// Atom feeds over plain HTTP, for feed readers:
//   /feeds/daily.atom[?date=YYYY-MM-DD]        one day's list, most upvoted first (default: the latest day with papers)
//   /feeds/trending.atom[?window=day|week|month] trending now (default: week)
//   /feeds/topics/<slug>.atom                  a topic's papers, newest arXiv date first (slug percent-encoded)
//   /feeds/authors/<Author id>.atom            an author's papers, newest first
//   /feeds/search.atom?q=<words>               a saved search (web-search syntax), newest first
//
// Conditional requests: the ETag is a hash of the body, so If-None-Match answers 304 exactly
// when the reader already has these bytes. Last-Modified is the feed's <updated>: the newest
// entry's update (trending: when the scores were computed), so If-Modified-Since alone can miss
// a change that is only a new order of the same entries; readers send both.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Platform } from '../../platform/platform.ts';
import { Prisma, type Paper } from '../../generated/prisma/client.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { arxivAbsUrl, arxivPdfUrl } from '../papers/index.ts';
import { latestFeaturedDay, paperReads, type PaperReads } from '../papers/index.ts';
import { listPapers, type PaperListArgs } from '../papers/index.ts';
import { listedPaper } from '../papers/index.ts';
import { isTopicSlug, topicFeedPath } from '../topics/index.ts';
import { dayOf } from '../../platform/pagination/keys.ts';
import { paperDetails } from '../papers/index.ts';
import { renderAtom, type AtomEntry, type AtomFeed } from './atom.ts';

export const FEED_SIZE = 50;
const CACHE_CONTROL = 'public, max-age=300';
const EPOCH = new Date(0);

export interface FeedOptions {
  /** PUBLIC_URL: base of feed ids and self links; else taken from the request's Host. */
  publicUrl?: string | undefined;
}

class FeedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = () => new FeedError(404, 'No such feed');

interface FeedSpec {
  title: string;
  subtitle: string;
  /** Path and query that name this feed (its id and self link after the base). */
  canonical: string;
  args: PaperListArgs;
  scope?: Prisma.Sql[];
  /** When the feed changed if not its newest entry (trending: the scores' time). */
  updated?: (reads: PaperReads) => Promise<Date | null>;
}

const WINDOWS = { day: 'DAY', week: 'WEEK', month: 'MONTH' } as const;

async function specOf(url: URL, ctx: PaperReads): Promise<FeedSpec> {
  const path = url.pathname;
  const params = url.searchParams;
  if (path === '/feeds/daily.atom') {
    const given = params.get('date');
    let date: Date;
    if (given !== null) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(given) || Number.isNaN(Date.parse(`${given}T00:00:00Z`))) throw new FeedError(400, `date must be a day like 2026-07-31; got "${given.slice(0, 20)}"`);
      date = new Date(`${given}T00:00:00Z`);
    } else {
      date = await latestFeaturedDay(ctx);
    }
    const day = dayOf(date);
    return {
      title: `Daily papers of ${day}`,
      subtitle: 'Papers featured that day, most upvoted first',
      canonical: given === null ? '/feeds/daily.atom' : `/feeds/daily.atom?date=${day}`,
      args: { orderBy: { field: 'UPVOTES', direction: 'DESC' }, first: FEED_SIZE },
      scope: [Prisma.sql`p."featuredOn" = ${day}::date`],
    };
  }
  if (path === '/feeds/trending.atom') {
    const given = (params.get('window') ?? 'week').toLowerCase();
    const window = WINDOWS[given as keyof typeof WINDOWS];
    if (!window) throw new FeedError(400, `window must be day, week or month; got "${given.slice(0, 20)}"`);
    return {
      title: `Trending papers (${given})`,
      subtitle: `Papers with the most recent upvotes over the last ${given}`,
      canonical: `/feeds/trending.atom?window=${given}`,
      args: { orderBy: { field: 'TRENDING', direction: 'DESC', window }, first: FEED_SIZE },
      updated: async (c) => (await c.platform.db.paperTrend.aggregate({ where: { window }, _max: { computedAt: true } }))._max.computedAt,
    };
  }
  if (path === '/feeds/search.atom') {
    const q = params.get('q')?.trim() ?? '';
    if (q === '') throw new FeedError(400, 'q must be the search words, e.g. /feeds/search.atom?q=diffusion');
    return {
      title: `Papers matching “${q}”`,
      subtitle: 'Newest first',
      canonical: `/feeds/search.atom?q=${encodeURIComponent(q)}`,
      args: { query: q, orderBy: { field: 'PUBLISHED_AT', direction: 'DESC' }, first: FEED_SIZE },
    };
  }
  // The slug arrives percent-encoded (UTF-8): exactly the slugs topicSlug makes are accepted, so
  // every topic the importer or a curator creates has a feed, and nothing else is looked up.
  const topic = /^\/feeds\/topics\/([^/]{1,1000})\.atom$/.exec(path);
  if (topic) {
    const slug = decodedSlug(topic[1]!);
    if (slug === null) throw notFound();
    const row = await ctx.platform.db.topic.findUnique({ where: { slug } });
    if (!row) throw notFound();
    return {
      title: `Papers in ${row.name}`,
      subtitle: 'Newest arXiv date first',
      canonical: topicFeedPath(slug),
      args: { filter: { topics: [slug] }, orderBy: { field: 'PUBLISHED_AT', direction: 'DESC' }, first: FEED_SIZE },
    };
  }
  const author = /^\/feeds\/authors\/([A-Za-z0-9_-]{1,64})\.atom$/.exec(path);
  if (author) {
    const globalId = author[1]!;
    let id: number;
    try {
      id = fromGlobalIdOf('Author', globalId);
    } catch {
      throw notFound();
    }
    // The id of an author merged into another gives the survivor's feed.
    const row = await ctx.loaders.authorById.load(id);
    if (!row) throw notFound();
    const liveId = toGlobalId('Author', row.id);
    return {
      title: `Papers by ${row.name}`,
      subtitle: 'Newest arXiv date first',
      canonical: `/feeds/authors/${liveId}.atom`,
      args: { filter: { author: liveId }, orderBy: { field: 'PUBLISHED_AT', direction: 'DESC' }, first: FEED_SIZE },
    };
  }
  throw notFound();
}

/** The slug a path segment names, or null when it is not one `topicSlug` could have made. */
function decodedSlug(segment: string): string | null {
  let slug: string;
  try {
    slug = decodeURIComponent(segment);
  } catch {
    return null; // malformed percent-encoding
  }
  return isTopicSlug(slug) ? slug : null;
}

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

/** What a feed request asks: the parts of an HTTP request that a feed depends on. */
export interface FeedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
}

/** The answer, for the HTTP layer to send as it is. */
export interface FeedAnswer {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** The request's own origin, when PUBLIC_URL is unset; a Host that is not a plain host[:port] is not echoed. */
export function baseOf(headers: IncomingHttpHeaders, options: FeedOptions): string {
  if (options.publicUrl) return options.publicUrl;
  const host = headers.host ?? '';
  return /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/.test(host) ? `http://${host}` : 'http://localhost';
}

export async function buildFeed(url: URL, platform: Platform, base: string): Promise<AtomFeed> {
  // Anonymous reads through the papers read service, as any reader of the feed would see them.
  const ctx = paperReads(platform);
  const spec = await specOf(url, ctx);
  const list = await listPapers(ctx, spec.args, spec.scope ? { scope: spec.scope } : {});
  const details = await paperDetails(ctx, list.nodes);
  const entries = details.map((d) => entryOf(d.paper, d.authors, d.topics));
  const newest = entries.reduce<Date | null>((max, e) => (max === null || e.updated > max ? e.updated : max), null);
  const own = spec.updated ? await spec.updated(ctx) : null;
  const self = `${base}${spec.canonical}`;
  return {
    id: self,
    title: spec.title,
    subtitle: spec.subtitle,
    updated: own ?? newest ?? EPOCH,
    selfUrl: self,
    author: 'Paper Catalog',
    entries,
  };
}

/** RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since. */
function notModified(headers: IncomingHttpHeaders, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  }
  const since = Date.parse(headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && lastModified.getTime() <= since;
}

export function plain(status: number, message: string, headers: Record<string, string> = {}): FeedAnswer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers }, body: `${message}\n` };
}

export function isFeedPath(pathname: string): boolean {
  return pathname.startsWith('/feeds/');
}

export async function answerFeed({ method, url, headers: requestHeaders }: FeedRequest, platform: Platform, options: FeedOptions = {}): Promise<FeedAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Feeds answer GET and HEAD', { allow: 'GET, HEAD' });
  let feed: AtomFeed;
  try {
    feed = await buildFeed(url, platform, baseOf(requestHeaders, options));
  } catch (error) {
    if (error instanceof FeedError) return plain(error.status, error.message);
    // Bad search words and the like: listPapers says what was wrong, for the client.
    if (error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT') return plain(400, error.message);
    throw error;
  }
  return answerAtom(feed, method, requestHeaders);
}

/**
 * The HTTP answer for a built feed: ETag, Last-Modified and 304s as described above. A private
 * feed passes `cacheControl: 'private, ...'` so that shared caches never keep it.
 */
export function answerAtom(feed: AtomFeed, method: string, requestHeaders: IncomingHttpHeaders, cacheControl = CACHE_CONTROL): FeedAnswer {
  const body = renderAtom(feed);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const lastModified = new Date(Math.floor(feed.updated.getTime() / 1000) * 1000);
  const headers = { etag, 'last-modified': lastModified.toUTCString(), 'cache-control': cacheControl };
  if (notModified(requestHeaders, etag, lastModified)) return { status: 304, headers };
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'application/atom+xml; charset=utf-8', 'x-content-type-options': 'nosniff' },
    ...(method === 'HEAD' ? {} : { body }),
  };
}
