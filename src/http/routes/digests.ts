// The links in digest emails (src/catalog/digests/links-answer.ts) as ordinary routes. Their body, when
// any (RFC 8058's "List-Unsubscribe=One-Click"), is read within a small limit and ignored.
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../platform/db/client.ts';
import { answerDigestLink, DIGEST_LINK_BODY_LIMIT } from '../../catalog/digests/links-answer.ts';
import type { Logger } from '../../platform/logger.ts';

export interface DigestRouteOptions {
  db: Db;
  /** DIGEST_SECRET's keys; empty: the links answer 503. */
  secrets: readonly string[];
  logger?: Pick<Logger, 'error'>;
}

export const digestRoutes: FastifyPluginAsync<DigestRouteOptions> = async (app, { db, secrets, logger }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: DIGEST_LINK_BODY_LIMIT }, (_request, _body, done) => done(null, undefined));
  for (const path of ['/digests/confirm', '/digests/unsubscribe']) {
    app.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: path,
      exposeHeadRoute: false,
      bodyLimit: DIGEST_LINK_BODY_LIMIT,
      config: { rateLimit: { cost: 1 } },
      handler: async (request, reply) => {
        const url = new URL(request.url, 'http://localhost');
        const answer = await answerDigestLink(request.method, url, db, { secrets, ...(logger ? { logger } : {}) });
        return reply.code(answer.status).headers(answer.headers).send(request.method === 'HEAD' ? undefined : answer.html);
      },
    });
  }
};
