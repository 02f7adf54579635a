// How /graphql reads a body, before anything is authenticated or parsed as GraphQL: Fastify
// enforces the size (HTTP_MAX_BODY_BYTES, 413); here the bytes must be UTF-8 (refused, not
// silently replaced with U+FFFD), JSON bodies must be one operation (no batch), and the document
// must be within the size limits. Other media types reach Apollo as text, which refuses them
// (a text/plain POST is a CSRF-able simple request).
import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import type { QueryLimits } from '../config.ts';
import { checkDocumentSize } from '../graphql/limits/document.ts';
import { HttpError } from './errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(body: Buffer): string {
  try {
    return decoder.decode(body);
  } catch {
    throw new HttpError(400, 'The request body is not valid UTF-8');
  }
}

/** For the scope that serves /graphql. */
export function graphqlBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(graphql-response\+)?json\b/i, { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      const text = utf8(body);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'The request body is not valid JSON');
      }
      if (Array.isArray(parsed)) throw new HttpError(400, 'Batched operations (a JSON array body) are not supported: send one operation per request');
      done(null, parsed);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      done(null, utf8(body));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Refuses an oversized document before it is lexed by Apollo or costs an authentication. */
export function checkDocument(limits: Pick<QueryLimits, 'maxQueryLength' | 'maxTokens'>): preValidationHookHandler {
  return async (request) => {
    const source = request.method === 'GET' ? (request.query as Record<string, unknown> | undefined) : request.body;
    const query = typeof source === 'object' && source !== null ? (source as { query?: unknown }).query : undefined;
    if (typeof query !== 'string') return;
    const tooLarge = checkDocumentSize(query, limits);
    if (tooLarge) throw new HttpError(400, tooLarge.message, String(tooLarge.extensions.code));
  };
}
