// The catalog's public Atom feeds, for feed readers:
//   /feeds/daily.atom[?date=YYYY-MM-DD]        one day's list, most upvoted first (default: the latest day with papers)
//   /feeds/trending.atom[?window=day|week|month] trending now (default: week)
//   /feeds/topics/<slug>.atom                  a topic's papers, newest arXiv date first (slug percent-encoded)
//   /feeds/authors/<Author id>.atom            an author's papers, newest first
//   /feeds/search.atom?q=<words>               a saved search (web-search syntax), newest first
//   /feeds/most-cited.atom[?month=YYYY-MM]     most cited by catalog papers of a month (default: this month)
// Each is a list of the papers read service, read anonymously, as any reader of the feed sees it.
import { GraphQLError } from 'graphql';
import { Prisma } from '../../generated/prisma/client.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { truncate } from '../../platform/errors.ts';
import { dayOf } from '../../platform/pagination/keys.ts';
import { withinYears } from '../../platform/validation.ts';
import type { Platform } from '../../platform/platform.ts';
import { latestFeaturedDay, listPapers, paperDetails, paperReads, type PaperListArgs, type PaperReads } from '../papers/index.ts';
import { isTopicSlug, topicFeedPath } from '../topics/index.ts';
import { monthOf, mostCitedPapers } from '../citation-graph/index.ts';
import type { Paper } from '../../generated/prisma/client.ts';
import type { AtomFeed } from './atom.ts';
import { entryOf, FEED_SIZE, FeedError, newestUpdate, notFound } from './feed.ts';

const EPOCH = new Date(0);

interface FeedSpec {
  title: string;
  subtitle: string;
  /** Path and query that name this feed (its id and self link after the base). */
  canonical: string;
  args: PaperListArgs;
  scope?: Prisma.Sql[];
  /** A list that is not a paper list of the read service (most cited): read instead of `args`. */
  papers?: (reads: PaperReads) => Promise<Paper[]>;
  /** When the feed changed if not its newest entry (trending: the scores' time). */
  updated?: (reads: PaperReads) => Promise<Date | null>;
}

type SpecBuilder = (match: RegExpExecArray, params: URLSearchParams, reads: PaperReads) => Promise<FeedSpec>;

const WINDOWS = { day: 'DAY', week: 'WEEK', month: 'MONTH' } as const;
const NEWEST = { orderBy: { field: 'PUBLISHED_AT', direction: 'DESC' }, first: FEED_SIZE } as const;

const daily: SpecBuilder = async (_match, params, reads) => {
  const given = params.get('date');
  const date = given === null ? null : new Date(`${given}T00:00:00Z`);
  // A day of years 0001 to 9999 that prints back as given (JavaScript rolls 2026-02-30 over to March).
  if (given !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(given) || !withinYears(date!) || dayOf(date!) !== given)) {
    throw new FeedError('badRequest', `date must be a day like 2026-07-31, of the years 0001 to 9999; got "${truncate(given, 20)}"`, 'date');
  }
  const day = dayOf(date ?? (await latestFeaturedDay(reads)));
  return {
    title: `Daily papers of ${day}`,
    subtitle: 'Papers featured that day, most upvoted first',
    canonical: given === null ? '/feeds/daily.atom' : `/feeds/daily.atom?date=${day}`,
    args: { orderBy: { field: 'UPVOTES', direction: 'DESC' }, first: FEED_SIZE },
    scope: [Prisma.sql`p."featuredOn" = ${day}::date`],
  };
};

const trending: SpecBuilder = async (_match, params) => {
  const given = (params.get('window') ?? 'week').toLowerCase();
  const window = WINDOWS[given as keyof typeof WINDOWS];
  if (!window) throw new FeedError('badRequest', `window must be day, week or month; got "${truncate(given, 20)}"`, 'window');
  return {
    title: `Trending papers (${given})`,
    subtitle: `Papers with the most recent upvotes over the last ${given}`,
    canonical: `/feeds/trending.atom?window=${given}`,
    args: { orderBy: { field: 'TRENDING', direction: 'DESC', window }, first: FEED_SIZE },
    updated: async (reads) => (await reads.platform.db.paperTrend.aggregate({ where: { window }, _max: { computedAt: true } }))._max.computedAt,
  };
};

const search: SpecBuilder = async (_match, params) => {
  const q = params.get('q')?.trim() ?? '';
  if (q === '') throw new FeedError('badRequest', 'q must be the search words, e.g. /feeds/search.atom?q=diffusion', 'q');
  return { title: `Papers matching “${q}”`, subtitle: 'Newest first', canonical: `/feeds/search.atom?q=${encodeURIComponent(q)}`, args: { query: q, ...NEWEST } };
};

// The slug arrives percent-encoded (UTF-8): exactly the slugs topicSlug makes are accepted, so
// every topic the importer or a curator creates has a feed, and nothing else is looked up.
const topic: SpecBuilder = async (match, _params, reads) => {
  const slug = decodedSlug(match[1]!);
  const row = slug === null ? null : await reads.platform.db.topic.findUnique({ where: { slug } });
  if (!row) throw notFound();
  return { title: `Papers in ${row.name}`, subtitle: 'Newest arXiv date first', canonical: topicFeedPath(row.slug), args: { filter: { topics: [row.slug] }, ...NEWEST } };
};

const author: SpecBuilder = async (match, _params, reads) => {
  let id: number;
  try {
    id = fromGlobalIdOf('Author', match[1]!);
  } catch {
    throw notFound();
  }
  // The id of an author merged into another gives the survivor's feed.
  const row = await reads.loaders.authorById.load(id);
  if (!row) throw notFound();
  const liveId = toGlobalId('Author', row.id);
  return { title: `Papers by ${row.name}`, subtitle: 'Newest arXiv date first', canonical: `/feeds/authors/${liveId}.atom`, args: { filter: { author: liveId }, ...NEWEST } };
};

const mostCited: SpecBuilder = async (_match, params, reads) => {
  const given = params.get('month');
  let month: string;
  try {
    month = monthOf(given, reads.platform.now());
  } catch (error) {
    throw new FeedError('badRequest', (error as Error).message, 'month');
  }
  const label = month.slice(0, 7);
  // Read once: the feed's papers and its `updated` (the last citation import) come together.
  const list = mostCitedPapers(reads.reader, month, FEED_SIZE);
  return {
    title: `Most cited papers of ${label}`,
    subtitle: `Cited by the most catalog papers with an arXiv date in ${label}`,
    canonical: given === null ? '/feeds/most-cited.atom' : `/feeds/most-cited.atom?month=${label}`,
    args: {},
    papers: async () => (await list).papers,
    updated: async () => (await list).importedAt,
  };
};

const SPECS: readonly [RegExp, SpecBuilder][] = [
  [/^\/feeds\/most-cited\.atom$/, mostCited],
  [/^\/feeds\/daily\.atom$/, daily],
  [/^\/feeds\/trending\.atom$/, trending],
  [/^\/feeds\/search\.atom$/, search],
  [/^\/feeds\/topics\/([^/]{1,1000})\.atom$/, topic],
  [/^\/feeds\/authors\/([A-Za-z0-9_-]{1,64})\.atom$/, author],
];

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

/**
 * The feed at `url` (its path and query), with ids and links under `base`. Throws FeedError for
 * an unknown feed or a bad parameter; bad search words are FeedError('badRequest') too.
 */
export async function catalogFeed(platform: Platform, url: URL, base: string): Promise<AtomFeed> {
  const reads = paperReads(platform);
  const found = SPECS.map(([pattern, build]) => [pattern.exec(url.pathname), build] as const).find(([match]) => match !== null);
  if (!found) throw notFound();
  const spec = await found[1](found[0]!, url.searchParams, reads);
  let list;
  try {
    list = spec.papers ? { nodes: await spec.papers(reads) } : await listPapers(reads, spec.args, spec.scope ? { scope: spec.scope } : {});
  } catch (error) {
    // Bad search words and the like: listPapers says what was wrong, for the client.
    // Only the search feed passes client text to listPapers: its parameter is q.
    if (error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT') throw new FeedError('badRequest', error.message, 'q');
    throw error;
  }
  const entries = (await paperDetails(reads, list.nodes)).map((d) => entryOf(d.paper, d.authors, d.topics));
  const own = spec.updated ? await spec.updated(reads) : null;
  const self = `${base}${spec.canonical}`;
  return { id: self, title: spec.title, subtitle: spec.subtitle, updated: own ?? newestUpdate(entries) ?? EPOCH, selfUrl: self, author: 'Paper Catalog', entries };
}
