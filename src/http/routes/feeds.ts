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
import { ErrorCode } from '../../platform/errors.ts';
import type { Platform } from '../../platform/platform.ts';
import { ANY_METHOD, atom, onlyReads, plain, send, type Answer } from '../answers.ts';
import { errorBody } from '../errors.ts';

export const FEED_COST = 1 + FEED_SIZE;
/** The feed of follows is someone's own: never kept by shared caches, never leaked as a Referer. */
const PRIVATE_CACHE = 'private, max-age=300';

export interface FeedRouteOptions {
  platform: Platform;
  /** PUBLIC_URL: base of feed ids and self links; else the address the request arrived at (see feedBase). */
  publicUrl: string | undefined;
}

/**
 * DANGER: the base of every id and link in a feed, which shared caches keep (public, max-age=300)
 * and serve to everyone. PUBLIC_URL when set; else the local address and port the connection
 * arrived at (http://127.0.0.1:4000 on a developer's machine), which the client cannot choose.
 * Never the Host header: with it, one request with a forged Host would put the attacker's links
 * into the cached feed every later reader gets (cache poisoning).
 */
function feedBase(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const { localAddress, localPort } = request.socket;
  if (!localAddress || !localPort) return 'http://localhost';
  const address = localAddress.startsWith('::ffff:') ? localAddress.slice(7) : localAddress;
  return `http://${address.includes(':') ? `[${address}]` : address}:${localPort}`;
}

/** A bad parameter: 400 with the API's coded error body (BAD_USER_INPUT, naming the parameter). */
function badParameter(message: string, argumentName: string | undefined): Answer {
  const body = errorBody(message, ErrorCode.BAD_USER_INPUT);
  if (argumentName) Object.assign(body.errors[0]!.extensions, { argumentName });
  return { status: 400, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }, body: JSON.stringify(body) };
}

/** The answer to a feed request: the feed `build` makes, or its refusal. */
async function answer(request: FastifyRequest, build: (url: URL) => Promise<AtomFeed>, cacheControl?: string): Promise<Answer> {
  const refused = onlyReads(request.method, 'Feeds');
  if (refused) return refused;
  try {
    return atom(await build(new URL(request.url, 'http://localhost')), request.method, request.headers, cacheControl);
  } catch (error) {
    if (error instanceof FeedError) return error.reason === 'notFound' ? plain(404, error.message) : badParameter(error.message, error.argumentName);
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
    handler: async (request, reply) => send(reply, await answer(request, (url) => catalogFeed(platform, url, feedBase(request, publicUrl)))),
  });
  // The token is in the query string, which the request log leaves out (it logs the path only).
  app.route({
    method: [...ANY_METHOD],
    url: FEED_PATH,
    exposeHeadRoute: false,
    config,
    handler: async (request, reply) => {
      const base = feedBase(request, publicUrl);
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
      const build = (url: URL) => (id ? collectionFeed(platform, id, `${feedBase(request, publicUrl)}${url.pathname}`) : Promise.reject(new FeedError('notFound')));
      return send(reply, await answer(request, build));
    },
  });
};
