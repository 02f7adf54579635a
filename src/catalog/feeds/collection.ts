// The Atom feed of a public collection (GET /feeds/collections/<Collection id>.atom), the newest
// additions first: a reader sees what the owner adds. A private collection's feed does not exist
// for anyone (as for an unknown id): feed readers send no credentials.
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import type { Platform } from '../../platform/platform.ts';
import { allCollectionItems, collectionFor } from '../collections/index.ts';
import { paperDetails, paperReads } from '../papers/index.ts';
import type { AtomFeed } from './atom.ts';
import { entryOf, FEED_SIZE, notFound } from './feed.ts';

/** The feed of the collection with this global id, its self link `selfUrl`. */
export async function collectionFeed(platform: Platform, globalId: string, selfUrl: string): Promise<AtomFeed> {
  let id: number;
  try {
    id = fromGlobalIdOf('Collection', globalId);
  } catch {
    throw notFound();
  }
  // As an anonymous reader: public collections only.
  const collection = await collectionFor({ db: platform.db, viewer: null }, id);
  if (!collection) throw notFound();
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
  return {
    id: selfUrl,
    title: collection.name,
    subtitle: collection.description ?? `A collection by ${owner?.displayName ?? 'a user'}`,
    updated: collection.updatedAt,
    selfUrl,
    author: owner?.displayName ?? 'Paper Catalog',
    entries,
  };
}
