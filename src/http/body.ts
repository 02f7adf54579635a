// How /graphql reads a body, before anything is authenticated or parsed as GraphQL: Fastify
// enforces the size (HTTP_MAX_BODY_BYTES, 413); here the bytes must be UTF-8 (refused, not
// silently replaced with U+FFFD), JSON must nest at most MAX_JSON_DEPTH levels, JSON bodies must
// be one operation (no batch), and the document must be within the size limits. Other media
// types reach Apollo as text, which refuses them (a text/plain POST is a CSRF-able simple request).
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

/**
 * How deep a request's JSON may nest: the body, or a GET's `variables` and `extensions`. Real
 * variables nest a few levels (an input object in a list in an input object); a megabyte of
 * brackets nests hundreds of thousands, and the recursive walks after parsing (coercion, the
 * executor, Apollo's plugins) overflow the stack at a few thousand, on a variable the operation
 * does not even declare. Counted on the text, before JSON.parse builds anything.
 */
const MAX_JSON_DEPTH = 64;

/** Refuses JSON text nesting deeper than MAX_JSON_DEPTH; one pass, nothing allocated. */
function checkJsonDepth(text: string, what: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new HttpError(400, `${what} nests more than ${MAX_JSON_DEPTH} levels of lists and objects`);
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
}

/** For the scope that serves /graphql. */
export function graphqlBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(graphql-response\+)?json\b/i, { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      const text = utf8(body);
      checkJsonDepth(text, 'The request body');
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

/**
 * Refuses an oversized document, and a GET's over-deep variables, before they are lexed or
 * parsed by Apollo or cost an authentication.
 */
export function checkDocument(limits: Pick<QueryLimits, 'maxQueryLength' | 'maxTokens'>): preValidationHookHandler {
  return async (request) => {
    if (request.method === 'GET') {
      // A GET's variables and extensions are JSON that Apollo parses later: the same depth limit.
      const search = request.query as Record<string, unknown> | undefined;
      for (const name of ['variables', 'extensions']) {
        if (typeof search?.[name] === 'string') checkJsonDepth(search[name], `The ${name} parameter`);
      }
    }
    const source = request.method === 'GET' ? (request.query as Record<string, unknown> | undefined) : request.body;
    const query = typeof source === 'object' && source !== null ? (source as { query?: unknown }).query : undefined;
    if (typeof query !== 'string') return;
    const tooLarge = checkDocumentSize(query, limits);
    if (tooLarge) throw new HttpError(400, tooLarge.message, String(tooLarge.extensions.code));
  };
}
