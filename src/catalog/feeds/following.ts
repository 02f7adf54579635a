// The private Atom feed of a user's follows: GET /feeds/following.atom?token=<feed token>.
// The same papers as `viewer.feed` (reads.ts), newest first. The token is in the query string,
// which the request log leaves out (src/http/request-log.ts logs the path only).
//
// DANGER: whose feed is shown is decided by the token alone (feed-token.ts). Every failure is
// the same 404; the answer may not be kept by shared caches (Cache-Control: private).
import type { Platform } from '../../platform/platform.ts';
import { answerAtom, baseOf, entryOf, FEED_SIZE, plain, type FeedAnswer, type FeedOptions, type FeedRequest } from './catalog.ts';
import { paperDetails } from '../papers/index.ts';
import { toGlobalId } from '../../platform/global-id.ts';
import { paperReads } from '../papers/index.ts';
import { FEED_PATH, feedTokenOwner } from '../follows/index.ts';
import { followFeed } from '../follows/index.ts';

const PRIVATE_CACHE = 'private, max-age=300';

export async function answerFollowingFeed({ method, url, headers }: FeedRequest, platform: Platform, options: FeedOptions = {}): Promise<FeedAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Feeds answer GET and HEAD', { allow: 'GET, HEAD' });
  const userId = await feedTokenOwner(platform.db, url.searchParams.get('token'));
  if (userId === null) return plain(404, 'No such feed: the token is wrong or was replaced (rotateFeedToken gives the current one)');
  // Anonymous reads: hidden papers are never listed, whoever owns the feed.
  const reads = paperReads(platform);
  const [user, list] = await Promise.all([reads.loaders.userById.load(userId), followFeed(reads, userId, { first: FEED_SIZE })]);
  const entries = (await paperDetails(reads, list.nodes)).map((d) => entryOf(d.paper, d.authors, d.topics));
  const base = baseOf(headers, options);
  const updated = entries.reduce((max, e) => (e.updated > max ? e.updated : max), new Date(0));
  const answer = answerAtom(
    {
      // Stable across token rotations, and without the secret: readers keep feed ids.
      id: `${base}${FEED_PATH}#${toGlobalId('User', userId)}`,
      title: `Papers followed by ${user?.displayName ?? 'you'}`,
      subtitle: 'Papers by the authors and in the topics you follow, newest first',
      updated,
      selfUrl: `${base}${url.pathname}${url.search}`,
      author: 'Paper Catalog',
      entries,
    },
    method,
    headers,
    PRIVATE_CACHE,
  );
  answer.headers['referrer-policy'] = 'no-referrer';
  return answer;
}
