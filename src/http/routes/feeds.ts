// Atom feeds (src/catalog/feeds) as ordinary routes. A feed is a list of FEED_SIZE papers: it
// pays like a connection of that size (1 + a point per node), from the address's budget.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import { answerFeed, FEED_SIZE } from '../../catalog/feeds/catalog.ts';

export const FEED_COST = 1 + FEED_SIZE;

export const feedRoutes: FastifyPluginAsync<{ platform: Platform; publicUrl: string | undefined }> = async (app, { platform, publicUrl }) => {
  app.route({
    // Every method, so that the others get the feed's own 405 with Allow.
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/feeds/*',
    exposeHeadRoute: false,
    config: { rateLimit: { cost: FEED_COST } },
    handler: async (request, reply) => {
      const url = new URL(request.url, 'http://localhost');
      const answer = await answerFeed({ method: request.method, url, headers: request.headers }, platform, { publicUrl });
      reply.code(answer.status).headers(answer.headers);
      return reply.send(answer.body);
    },
  });
};
