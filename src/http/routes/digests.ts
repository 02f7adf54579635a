// The links in digest emails: /digests/confirm?token=… and /digests/unsubscribe?token=….
//
// GET shows a page with one button; POST does it. Mail security scanners and link previews
// follow every link in an email with GET, so a GET that acted would confirm subscriptions
// nobody asked for (and unsubscribe people who did). The one-click unsubscribe of RFC 8058 is
// a POST (body "List-Unsubscribe=One-Click") to the same URL, and needs nothing else: its body,
// when any, is read within a small limit and ignored. Each link pays a point.
import type { FastifyPluginAsync } from 'fastify';
import { describeSettings } from '../../catalog/digests/compose.ts';
import { verifyLink, type LinkAction } from '../../catalog/digests/links.ts';
import { confirmSubscription, subscriptionRequest, unsubscribe } from '../../catalog/digests/subscriptions.ts';
import type { Db } from '../../platform/db/client.ts';
import { escapeHtml, page } from '../../platform/html.ts';
import type { Logger } from '../../platform/logger.ts';
import { ANY_METHOD, send, type Answer } from '../answers.ts';

export interface DigestRouteOptions {
  db: Db;
  /** DIGEST_SECRET's keys; empty: the links answer 503. */
  secrets: readonly string[];
  logger?: Pick<Logger, 'error'>;
}

const ROUTES: Record<string, LinkAction> = {
  '/digests/confirm': 'confirm',
  '/digests/unsubscribe': 'unsubscribe',
};

/** RFC 8058's body ("List-Unsubscribe=One-Click") is tiny; whatever comes is ignored, up to this. */
export const DIGEST_LINK_BODY_LIMIT = 16_384;

function html(status: number, body: string, headers: Record<string, string> = {}): Answer {
  return {
    status,
    body,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The token is in the URL: it must not leak through a Referer, a frame or a cache.
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  };
}

const INVALID = page('This link does not work', '<p>It is incomplete, or it has expired (confirmation links last 48 hours). Ask for the digest again to get a new one.</p>');

/** GET: the page with the one button. */
async function question(db: Db, action: LinkAction, id: number): Promise<Answer> {
  const [title, ask, button] =
    action === 'confirm'
      ? ['Confirm your digest', 'Start receiving the digest at this address?', 'Confirm the subscription']
      : ['Unsubscribe', 'Stop receiving the digest at this address?', 'Unsubscribe'];
  let details = '';
  if (action === 'confirm') {
    const request = await subscriptionRequest(db, id);
    if (!request) return html(400, INVALID);
    details = `<p><strong>${escapeHtml(describeSettings(request))}</strong>.</p>`;
  }
  // No action attribute: the form posts back to this very URL, token included.
  return html(200, page(title, `<p>${ask}</p>${details}<form method="post"><button type="submit">${button}</button></form>`));
}

/** POST: does it. */
async function act(db: Db, action: LinkAction, id: number): Promise<Answer> {
  if (action === 'unsubscribe') {
    await unsubscribe(db, id);
    return html(200, page('Unsubscribed', '<p>This address will receive no more digests. To get them again, subscribe again.</p>'));
  }
  const request = await confirmSubscription(db, id);
  if (!request) return html(400, INVALID);
  return html(200, page('Subscribed', `<p>${escapeHtml(describeSettings(request))}: the first one comes with the next digest run. Every digest has a link to unsubscribe.</p>`));
}

/** The answer to `method` on a link's `url` (the body, if any, was read and dropped). */
async function answerLink(method: string, url: URL, { db, secrets, logger }: DigestRouteOptions): Promise<Answer> {
  const action = ROUTES[url.pathname]!;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return html(405, page('Method not allowed', '<p>Use GET or POST.</p>'), { allow: 'GET, HEAD, POST' });
  }
  if (secrets.length === 0) {
    logger?.error({}, 'a digest link was followed but DIGEST_SECRET is not set');
    return html(503, page('Not available', '<p>Digests are not set up on this server.</p>'));
  }
  const id = verifyLink(secrets, action, url.searchParams.get('token') ?? '');
  if (id === null) return html(400, INVALID);
  return method === 'POST' ? act(db, action, id) : question(db, action, id);
}

export const digestRoutes: FastifyPluginAsync<DigestRouteOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: DIGEST_LINK_BODY_LIMIT }, (_request, _body, done) => done(null, undefined));
  for (const path of Object.keys(ROUTES)) {
    app.route({
      method: [...ANY_METHOD],
      url: path,
      exposeHeadRoute: false,
      bodyLimit: DIGEST_LINK_BODY_LIMIT,
      config: { rateLimit: { cost: 1 } },
      handler: async (request, reply) => {
        const { body, ...head } = await answerLink(request.method, new URL(request.url, 'http://localhost'), options);
        return send(reply, request.method === 'HEAD' ? head : { ...head, ...(body === undefined ? {} : { body }) });
      },
    });
  }
};
