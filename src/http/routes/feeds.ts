// The Atom feeds (src/catalog/feeds) as routes: the catalog's public feeds under /feeds/*, a
// user's private feed of follows and public collections' feeds. A feed is a list of FEED_SIZE
// papers: it pays like a connection of that size (1 + a point per node), from the address's
// budget (feed readers send no token).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AtomFeed } from '../../catalog/feeds/atom.ts';
import { catalogFeed } from '../../catalog/feeds/catalog.ts';
import { collectionFeed } from '../../catalog/feeds/collection.ts';
import { FEED_SIZE, FeedError } from '../../catalog/feeds/feed.ts';
import { followingFeed } from '../../catalog/feeds/following.ts';
import { FEED_PATH } from '../../catalog/follows/feed-token.ts';
import type { Platform } from '../../platform/platform.ts';
import { ANY_METHOD, atom, baseOf, onlyReads, plain, send, type Answer } from '../answers.ts';

export const FEED_COST = 1 + FEED_SIZE;
/** The feed of follows is someone's own: never kept by shared caches, never leaked as a Referer. */
const PRIVATE_CACHE = 'private, max-age=300';

export interface FeedRouteOptions {
  platform: Platform;
  /** PUBLIC_URL: base of feed ids and self links; else taken from the request's Host. */
  publicUrl: string | undefined;
}

/** The answer to a feed request: the feed `build` makes, or its refusal. */
async function answer(request: FastifyRequest, build: (url: URL) => Promise<AtomFeed>, cacheControl?: string): Promise<Answer> {
  const refused = onlyReads(request.method, 'Feeds');
  if (refused) return refused;
  try {
    return atom(await build(new URL(request.url, 'http://localhost')), request.method, request.headers, cacheControl);
  } catch (error) {
    if (error instanceof FeedError) return plain(error.reason === 'notFound' ? 404 : 400, error.message);
    throw error;
  }
}

export const feedRoutes: FastifyPluginAsync<FeedRouteOptions> = async (app, { platform, publicUrl }) => {
  const config = { rateLimit: { cost: FEED_COST } };
  app.route({
    method: [...ANY_METHOD],
    url: '/feeds/*',
    exposeHeadRoute: false,
    config,
    handler: async (request, reply) => send(reply, await answer(request, (url) => catalogFeed(platform, url, baseOf(request.headers, publicUrl)))),
  });
  // The token is in the query string, which the request log leaves out (it logs the path only).
  app.route({
    method: [...ANY_METHOD],
    url: FEED_PATH,
    exposeHeadRoute: false,
    config,
    handler: async (request, reply) => {
      const base = baseOf(request.headers, publicUrl);
      const built = await answer(request, (url) => followingFeed(platform, url.searchParams.get('token'), base, `${base}${url.pathname}${url.search}`), PRIVATE_CACHE);
      if (built.status === 200 || built.status === 304) built.headers['referrer-policy'] = 'no-referrer';
      return send(reply, built);
    },
  });
  app.route<{ Params: { file: string } }>({
    method: [...ANY_METHOD],
    url: '/feeds/collections/:file',
    exposeHeadRoute: false,
    config,
    handler: async (request, reply) => {
      const id = /^([A-Za-z0-9_-]{1,64})\.atom$/.exec(request.params.file)?.[1];
      const build = (url: URL) => (id ? collectionFeed(platform, id, `${baseOf(request.headers, publicUrl)}${url.pathname}`) : Promise.reject(new FeedError('notFound')));
      return send(reply, await answer(request, build));
    },
  });
};
