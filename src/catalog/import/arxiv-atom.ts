// Reader of arXiv API responses (`GET /api/query`): an Atom 1.0 `<feed>` of `<entry>` with the
// `arxiv` and `opensearch` namespaces. Parsed as a stream with saxes (strict, namespace-aware:
// elements are matched by namespace URI, not by prefix, since older responses declare the
// `arxiv` namespace on each element). A truncated or malformed document is an error, never a
// silently shorter list.
//
// Mapping: `<id>` http://arxiv.org/abs/2012.11345v1 -> arxivId 2012.11345 (versions collapse);
// `<published>` (v1) -> publishedAt; `<updated>` (latest version) -> arxivUpdatedAt;
// `arxiv:primary_category` -> primaryCategory; every `<category term>` -> a topic;
// `arxiv:doi`, `arxiv:journal_ref`, `arxiv:comment` -> doi, journalRef, arxivComment;
// `<author><name>` in byline order, with its `arxiv:affiliation`s joined by "; ".
import { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { normalizeAuthorName } from '../authors/index.ts';
import { normalizeArxivId } from '../papers/index.ts';
import { arxivTopics } from './arxiv-categories.ts';
import { cleanLine, cleanParagraphs, parseInstant } from './normalize.ts';
import type { AuthorRecord } from './records.ts';
import { Collector, complete, describe, RejectedInput, type ParsedInput } from './validate.ts';

const ATOM = 'http://www.w3.org/2005/Atom';
const ARXIV = 'http://arxiv.org/schemas/atom';
const OPENSEARCH = 'http://a9.com/-/spec/opensearch/1.1/';

export interface ArxivFeedInfo {
  /** `opensearch:totalResults`: how many entries the query matches in all. */
  readonly totalResults?: number | undefined;
  readonly startIndex?: number | undefined;
  readonly itemsPerPage?: number | undefined;
}

export interface ArxivParsedInput extends ParsedInput {
  readonly feed: ArxivFeedInfo;
}

export interface ArxivReadOptions {
  source: string;
  onEntry?: (() => void) | undefined;
}

export type ArxivInput = string | Readable | AsyncIterable<string | Buffer>;

interface RawAuthor {
  name?: string;
  affiliations: string[];
}

interface RawEntry {
  /** Text of the entry's simple child elements, by `uri local`. */
  fields: Map<string, string>;
  authors: RawAuthor[];
  categories: string[];
  primaryCategory?: string | undefined;
}

const key = (uri: string, local: string) => `${uri} ${local}`;
const TEXT_FIELDS = new Set([
  key(ATOM, 'id'),
  key(ATOM, 'title'),
  key(ATOM, 'summary'),
  key(ATOM, 'published'),
  key(ATOM, 'updated'),
  key(ARXIV, 'doi'),
  key(ARXIV, 'journal_ref'),
  key(ARXIV, 'comment'),
]);
const FEED_NUMBERS: Record<string, keyof ArxivFeedInfo> = {
  [key(OPENSEARCH, 'totalResults')]: 'totalResults',
  [key(OPENSEARCH, 'startIndex')]: 'startIndex',
  [key(OPENSEARCH, 'itemsPerPage')]: 'itemsPerPage',
};

export async function readArxivAtom(input: ArxivInput, options: ArxivReadOptions): Promise<ArxivParsedInput> {
  const collector = new Collector(options.source, 'arxiv-atom');
  const feed: Record<string, number> = {};
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: SaxesTagNS[] = [];
  let entry: RawEntry | undefined;
  let author: RawAuthor | undefined;
  let capture: string | undefined;
  let apiError: string | undefined;

  parser.on('opentag', (tag) => {
    const depth = stack.length;
    stack.push(tag);
    capture = undefined;
    if (depth === 0) {
      if (tag.uri !== ATOM || tag.local !== 'feed') {
        throw new RejectedInput(options.source, [{ message: `expected an Atom <feed> (arXiv API response), got <${tag.name}>` }]);
      }
      return;
    }
    const name = key(tag.uri, tag.local);
    if (depth === 1) {
      if (name === key(ATOM, 'entry')) entry = { fields: new Map(), authors: [], categories: [] };
      else if (name in FEED_NUMBERS) capture = '';
      return;
    }
    if (!entry) return;
    if (depth === 2) {
      if (TEXT_FIELDS.has(name)) capture = '';
      else if (name === key(ATOM, 'author')) entry.authors.push((author = { affiliations: [] }));
      else if (name === key(ATOM, 'category') && tag.attributes.term?.value) entry.categories.push(tag.attributes.term.value.trim());
      else if (name === key(ARXIV, 'primary_category') && tag.attributes.term?.value) entry.primaryCategory = tag.attributes.term.value.trim();
    } else if (depth === 3 && author && (name === key(ATOM, 'name') || name === key(ARXIV, 'affiliation'))) {
      capture = '';
    }
  });
  parser.on('text', (text) => {
    if (capture !== undefined) capture += text;
  });
  parser.on('cdata', (text) => {
    if (capture !== undefined) capture += text;
  });
  parser.on('closetag', (tag) => {
    const depth = stack.length - 1;
    stack.pop();
    const name = key(tag.uri, tag.local);
    const value = capture;
    capture = undefined;
    if (depth === 1) {
      if (name in FEED_NUMBERS && value !== undefined && /^\s*\d+\s*$/.test(value)) feed[FEED_NUMBERS[name]!] = Number(value);
      if (name === key(ATOM, 'entry') && entry) {
        const id = entry.fields.get(key(ATOM, 'id'));
        // The API reports a bad query as a feed with one entry whose id is an errors URL.
        if (id && /\/api\/errors/.test(id)) apiError = cleanLine(entry.fields.get(key(ATOM, 'summary')) ?? id);
        else readEntry(entry, collector.entries, collector);
        collector.entries++;
        options.onEntry?.();
        entry = undefined;
      }
    } else if (depth === 2 && entry) {
      if (value !== undefined && TEXT_FIELDS.has(name) && !entry.fields.has(name)) entry.fields.set(name, value);
      if (name === key(ATOM, 'author')) author = undefined;
    } else if (depth === 3 && author && value !== undefined) {
      if (name === key(ATOM, 'name')) author.name = value;
      else if (cleanLine(value) !== '') author.affiliations.push(cleanLine(value));
    }
  });

  try {
    if (typeof input === 'string') {
      parser.write(input.replace(/^\uFEFF/, ''));
    } else {
      // Bytes are decoded as a stream, so a character split between two chunks stays whole.
      const decoder = new TextDecoder('utf-8', { fatal: true });
      for await (const chunk of input instanceof Readable ? input : Readable.from(input)) {
        parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Buffer, { stream: true }));
      }
      parser.write(decoder.decode());
    }
    parser.close();
  } catch (error) {
    if (error instanceof RejectedInput) throw error;
    // saxes says "43:629: unclosed tag: summary"; people read "line 43, column 629".
    const message = (error as Error).message.replace(/^(\d+):(\d+): /, 'line $1, column $2: ');
    throw new RejectedInput(options.source, [
      { message: `invalid XML after ${complete(collector.entries)} (the document is malformed or truncated): ${message}` },
    ]);
  }
  if (apiError !== undefined) throw new RejectedInput(options.source, [{ message: `the arXiv API reported an error: ${apiError}` }]);
  return { ...collector.finish(), feed };
}

function readEntry(raw: RawEntry, index: number, collector: Collector): void {
  const get = (uri: string, local: string) => {
    const value = raw.fields.get(key(uri, local));
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const rawId = get(ATOM, 'id');
  const idText = rawId?.trim().replace(/^https?:\/\/(?:export\.)?arxiv\.org\/abs\//, '');
  let problems = 0;
  const fail = (field: string, message: string) => {
    problems++;
    collector.problem({ entry: index, id: idText, field, message });
  };
  const arxivId = idText === undefined ? undefined : normalizeArxivId(idText);
  if (rawId === undefined) fail('id', 'missing');
  else if (!arxivId) fail('id', `expected an arXiv abstract URL like http://arxiv.org/abs/2012.11345v1, got ${describe(rawId.trim())}`);

  const title = get(ATOM, 'title');
  if (title === undefined) fail('title', 'missing');
  const summary = get(ATOM, 'summary');
  if (summary === undefined) fail('summary', 'missing');
  const instant = (local: string, required: boolean) => {
    const text = get(ATOM, local);
    if (text === undefined) {
      if (required) fail(local, 'missing');
      return undefined;
    }
    const date = parseInstant(text);
    if (!date) fail(local, `expected an ISO 8601 date-time, got ${describe(text.trim())}`);
    return date ?? undefined;
  };
  const publishedAt = instant('published', true);
  const updatedAt = instant('updated', false);

  const authors: AuthorRecord[] = [];
  raw.authors.forEach((author, i) => {
    const name = author.name === undefined ? '' : cleanLine(author.name);
    const normalizedName = normalizeAuthorName(name);
    if (normalizedName === '') return fail(`author[${i}].name`, name === '' ? 'missing' : `expected a name with a letter or digit, got ${describe(name)}`);
    authors.push({ name, normalizedName, affiliation: author.affiliations.length > 0 ? author.affiliations.join('; ') : undefined });
  });

  if (problems > 0 || !arxivId || title === undefined || summary === undefined || publishedAt === undefined) return;

  // Primary category first, then the others in document order.
  const topics = arxivTopics([...(raw.primaryCategory ? [raw.primaryCategory] : []), ...raw.categories]);
  const optional = (local: string) => {
    const value = get(ARXIV, local);
    return value === undefined ? undefined : cleanLine(value);
  };
  collector.add({
    arxivId,
    title: cleanLine(title),
    abstract: cleanParagraphs(summary),
    publishedAt,
    arxivUpdatedAt: updatedAt,
    primaryCategory: raw.primaryCategory || undefined,
    doi: optional('doi'),
    journalRef: optional('journal_ref'),
    arxivComment: optional('comment'),
    authors,
    topics,
  });
}
