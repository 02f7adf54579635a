// How the routes outside /graphql answer (feeds, BibTeX, digest links): plain-text refusals and
// Atom documents with conditional requests, written once for all of them.
//
// Conditional requests: the ETag is a hash of the body, so If-None-Match answers 304 exactly
// when the reader already has these bytes. Last-Modified is the feed's <updated>: the newest
// entry's update (trending: when the scores were computed), so If-Modified-Since alone can miss
// a change that is only a new order of the same entries; readers send both.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { renderAtom, type AtomFeed } from '../catalog/feeds/atom.ts';

/** Every method, so that the others get the route's own 405 with Allow (not Fastify's 404). */
export const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export function send(reply: FastifyReply, answer: Answer) {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

export function plain(status: number, message: string, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers }, body: `${message}\n` };
}

/** 405 unless `method` is GET or HEAD (the read-only routes). */
export function onlyReads(method: string, what: string): Answer | null {
  return method === 'GET' || method === 'HEAD' ? null : plain(405, `${what} answer GET and HEAD`, { allow: 'GET, HEAD' });
}

/** RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since. */
function notModified(headers: IncomingHttpHeaders, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  }
  const since = Date.parse(headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && lastModified.getTime() <= since;
}

/**
 * A built feed: ETag, Last-Modified and 304s as described above. A private feed passes
 * `cacheControl: 'private, ...'` so that shared caches never keep it.
 */
export function atom(feed: AtomFeed, method: string, requestHeaders: IncomingHttpHeaders, cacheControl = 'public, max-age=300'): Answer {
  const body = renderAtom(feed);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const lastModified = new Date(Math.floor(feed.updated.getTime() / 1000) * 1000);
  const headers = { etag, 'last-modified': lastModified.toUTCString(), 'cache-control': cacheControl };
  if (notModified(requestHeaders, etag, lastModified)) return { status: 304, headers };
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'application/atom+xml; charset=utf-8', 'x-content-type-options': 'nosniff' },
    ...(method === 'HEAD' ? {} : { body }),
  };
}
