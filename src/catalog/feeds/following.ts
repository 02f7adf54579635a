// The private Atom feed of a user's follows (GET /feeds/following.atom?token=<feed token>): the
// same papers as `viewer.feed` (src/catalog/follows/reads.ts), newest first.
//
// DANGER: whose feed is shown is decided by the token alone (src/catalog/follows/feed-token.ts).
// Every failure is the same "no such feed"; the route keeps shared caches from storing it.
import { toGlobalId } from '../../platform/global-id.ts';
import type { Platform } from '../../platform/platform.ts';
import { FEED_PATH, feedTokenOwner, followFeed } from '../follows/index.ts';
import { paperDetails, paperReads } from '../papers/index.ts';
import type { AtomFeed } from './atom.ts';
import { entryOf, FEED_SIZE, newestUpdate, notFound } from './feed.ts';

/** The feed of the user this feed token names; ids under `base`, its self link `selfUrl`. */
export async function followingFeed(platform: Platform, token: string | null, base: string, selfUrl: string): Promise<AtomFeed> {
  const userId = await feedTokenOwner(platform.db, token);
  if (userId === null) throw notFound('No such feed: the token is wrong or was replaced (rotateFeedToken gives the current one)');
  // Anonymous reads: hidden papers are never listed, whoever owns the feed.
  const reads = paperReads(platform);
  const [user, list] = await Promise.all([reads.loaders.userById.load(userId), followFeed(reads, userId, { first: FEED_SIZE })]);
  const entries = (await paperDetails(reads, list.nodes)).map((d) => entryOf(d.paper, d.authors, d.topics));
  return {
    // Stable across token rotations, and without the secret: readers keep feed ids.
    id: `${base}${FEED_PATH}#${toGlobalId('User', userId)}`,
    title: `Papers followed by ${user?.displayName ?? 'you'}`,
    subtitle: 'Papers by the authors and in the topics you follow, newest first',
    updated: newestUpdate(entries, new Date(0))!,
    selfUrl,
    author: 'Paper Catalog',
    entries,
  };
}
