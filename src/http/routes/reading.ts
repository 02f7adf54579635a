// Routes of follows, collections and citations (issue 13): the private feed of a user's follows,
// public collections' feeds, and a paper's BibTeX. The two feeds are more specific than the
// catalog's /feeds/* route, so the router gives them these paths. Each pays like the catalog's
// feeds (a page of FEED_SIZE papers); a BibTeX entry like one paper.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import { answerBibtex } from './citations.ts';
import { answerCollectionFeed } from '../../catalog/feeds/collection.ts';
import type { FeedAnswer } from '../../catalog/feeds/catalog.ts';
import { FEED_PATH } from '../../catalog/follows/feed-token.ts';
import { answerFollowingFeed } from '../../catalog/feeds/following.ts';
import { FEED_COST } from './feeds.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function send(reply: FastifyReply, answer: FeedAnswer) {
  reply.code(answer.status).headers(answer.headers);
  return reply.send(answer.body);
}

export const readingRoutes: FastifyPluginAsync<{ platform: Platform; publicUrl: string | undefined }> = async (app, { platform, publicUrl }) => {
  const feed = (answer: typeof answerFollowingFeed) => async (request: { method: string; url: string; headers: Record<string, unknown> }, reply: FastifyReply) =>
    send(reply, await answer({ method: request.method, url: new URL(request.url, 'http://localhost'), headers: request.headers as never }, platform, { publicUrl }));
  app.route({ method: [...METHODS], url: FEED_PATH, exposeHeadRoute: false, config: { rateLimit: { cost: FEED_COST } }, handler: feed(answerFollowingFeed) });
  app.route({ method: [...METHODS], url: '/feeds/collections/:file', exposeHeadRoute: false, config: { rateLimit: { cost: FEED_COST } }, handler: feed(answerCollectionFeed) });
  app.route({
    method: [...METHODS],
    url: '/papers/*',
    exposeHeadRoute: false,
    config: { rateLimit: { cost: 2 } },
    handler: async (request, reply) => send(reply, await answerBibtex(request.method, new URL(request.url, 'http://localhost').pathname, platform)),
  });
};
