// The Atom feed of a public collection: GET /feeds/collections/<Collection id>.atom, the newest
// additions first (a reader sees what the owner adds). A private collection's feed does not
// exist for anyone (404, as for an unknown id): feed readers send no credentials.
import type { Platform } from '../../platform/platform.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { answerAtom, baseOf, entryOf, FEED_SIZE, plain, type FeedAnswer, type FeedOptions, type FeedRequest } from './catalog.ts';
import { paperDetails } from '../papers/index.ts';
import { paperReads } from '../papers/index.ts';
import { allCollectionItems, collectionFor } from '../collections/index.ts';

const PATH = /^\/feeds\/collections\/([A-Za-z0-9_-]{1,64})\.atom$/;

export async function answerCollectionFeed({ method, url, headers }: FeedRequest, platform: Platform, options: FeedOptions = {}): Promise<FeedAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Feeds answer GET and HEAD', { allow: 'GET, HEAD' });
  const notFound = () => plain(404, 'No such feed');
  const globalId = PATH.exec(url.pathname)?.[1];
  let id: number;
  try {
    id = fromGlobalIdOf('Collection', globalId ?? '');
  } catch {
    return notFound();
  }
  // As an anonymous reader: public collections only.
  const collection = await collectionFor({ db: platform.db, viewer: null }, id);
  if (!collection) return notFound();
  const reads = paperReads(platform);
  const [owner, items] = await Promise.all([reads.loaders.userById.load(collection.ownerId), allCollectionItems(reads, id, { order: 'newest', limit: FEED_SIZE })]);
  const details = await paperDetails(reads, items.map((item) => item.paper));
  const entries = details.map((d, i) => {
    const item = items[i]!;
    const entry = entryOf(d.paper, d.authors, d.topics);
    // The entry changed for this feed when it was added, if that is later than the paper's edit.
    if (item.addedAt > entry.updated) entry.updated = item.addedAt;
    if (item.note) entry.summary = `${item.note}\n\n${entry.summary}`;
    return entry;
  });
  const self = `${baseOf(headers, options)}${url.pathname}`;
  return answerAtom(
    {
      id: self,
      title: collection.name,
      subtitle: collection.description ?? `A collection by ${owner?.displayName ?? 'a user'}`,
      updated: collection.updatedAt,
      selfUrl: self,
      author: owner?.displayName ?? 'Paper Catalog',
      entries,
    },
    method,
    headers,
  );
}
