// Reader of one OAI-PMH 2.0 response page of `ListRecords` with `metadataPrefix=arXiv`
// (http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm, and arXiv's metadata format
// http://arxiv.org/OAI/arXiv.xsd). Parsed as a stream with saxes, strict and namespace-aware,
// like the Atom reader: elements are matched by namespace URI, never by prefix.
//
// A page is read whole before anything is written: a malformed document, or one record that
// cannot be read, rejects the page (RejectedInput), and the harvest stops before it. It is
// parsed as it arrives (`readOaiPageFrom`, fed chunk by chunk from the response), so what is
// held is the page's records, never its text; the bytes a page may have are capped by the
// harvester's client (ARXIV_OAI_MAX_PAGE_BYTES).
//
// Mapping of a record (`<record><header>...<metadata><arXiv>`):
//   header/identifier oai:arXiv.org:2411.00001 -> arxivId; header/datestamp -> the OAI datestamp
//   (when arXiv last changed the record: kept apart from the paper's own dates);
//   header@status="deleted" -> a deleted record (no metadata): the paper is marked, not erased;
//   arXiv/created (v1 submission day) -> publishedAt; arXiv/updated -> arxivUpdatedAt;
//   authors/author: forenames keyname suffix, affiliations joined by "; ";
//   categories "cs.LG stat.ML": the first is the primary category, each one a topic;
//   title, abstract, comments, journal-ref, doi.
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { normalizeAuthorName } from '../../authors/index.ts';
import { normalizeArxivId } from '../../papers/index.ts';
import { arxivTopics } from '../arxiv-categories.ts';
import { cleanLine, cleanParagraphs, parseDay } from '../normalize.ts';
import { mergeRecords, type AuthorRecord, type PaperRecord } from '../records.ts';
import { complete, describe, MAX_PROBLEMS_LISTED, RejectedInput, type Problem } from '../validate.ts';

const OAI = 'http://www.openarchives.org/OAI/2.0/';
const ARXIV = 'http://arxiv.org/OAI/arXiv/';

export interface OaiPage {
  /** Records with metadata, one per paper. */
  readonly records: PaperRecord[];
  /** The OAI datestamp of each record read, deleted ones included, by arXiv id. */
  readonly datestamps: Map<string, Date>;
  /** arXiv ids of records the repository reports deleted. */
  readonly deleted: string[];
  /** Records read (deleted ones included). */
  readonly entries: number;
  /** The token asking for the next page; null on the last page. */
  readonly resumptionToken: string | null;
  readonly completeListSize?: number | undefined;
}

/** An OAI-PMH `<error>` answer (badArgument, badResumptionToken, noRecordsMatch, ...). */
export class OaiError extends Error {
  override name = 'OaiError';
  constructor(
    readonly source: string,
    readonly code: string,
    detail: string,
  ) {
    super(`${source}: the OAI-PMH repository answered ${code}${detail ? `: ${detail}` : ''}`);
  }
}

interface RawRecord {
  deleted: boolean;
  identifier?: string;
  datestamp?: string;
  fields: Map<string, string>;
  authors: { keyname?: string; forenames?: string; suffix?: string; affiliations: string[] }[];
  hasMetadata: boolean;
}

const HEADER_FIELDS = new Set(['identifier', 'datestamp']);
const ARXIV_FIELDS = new Set(['id', 'created', 'updated', 'title', 'abstract', 'categories', 'comments', 'journal-ref', 'doi']);
const AUTHOR_FIELDS = new Set(['keyname', 'forenames', 'suffix', 'affiliation']);

/** Reads one response page (its whole text). Throws RejectedInput or OaiError. */
export function readOaiPage(text: string, source: string): OaiPage {
  const page = oaiPageParser(source);
  page.write(text.replace(/^\uFEFF/, ''));
  return page.close();
}

/**
 * Reads one response page as its text arrives (chunks of decoded UTF-8, a leading BOM already
 * stripped, as TextDecoder does). What the chunks' source throws (a failed connection, a page
 * past its size limit) propagates as it is. Throws RejectedInput or OaiError.
 */
export async function readOaiPageFrom(chunks: AsyncIterable<string>, source: string): Promise<OaiPage> {
  const page = oaiPageParser(source);
  for await (const chunk of chunks) page.write(chunk);
  return page.close();
}

interface OaiPageParser {
  write(chunk: string): void;
  /** The end of the page: its records, or the reason it is refused. */
  close(): OaiPage;
}

function oaiPageParser(source: string): OaiPageParser {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: SaxesTagNS[] = [];
  const problems: Problem[] = [];
  let dropped = 0;
  const problem = (p: Problem) => (problems.length < MAX_PROBLEMS_LISTED ? problems.push(p) : dropped++);
  const byId = new Map<string, PaperRecord>();
  const datestamps = new Map<string, Date>();
  const deleted: string[] = [];
  let entries = 0;
  let record: RawRecord | undefined;
  let capture: string | undefined;
  let error: { code: string; text: string } | undefined;
  let token: { text: string; size?: number } | undefined;
  let sawListRecords = false;

  // Where an element sits, by the local names of its ancestors in the OAI and arXiv namespaces.
  const path = () => stack.map((tag) => (tag.uri === OAI || tag.uri === ARXIV ? tag.local : `?${tag.local}`)).join('/');

  parser.on('opentag', (tag) => {
    stack.push(tag);
    capture = undefined;
    const where = path();
    if (stack.length === 1) {
      if (tag.uri !== OAI || tag.local !== 'OAI-PMH') {
        throw new RejectedInput(source, [{ message: `expected an OAI-PMH response (<OAI-PMH> in ${OAI}), got <${tag.name}>` }]);
      }
      return;
    }
    if (where === 'OAI-PMH/error') {
      error = { code: tag.attributes.code?.value ?? 'unknown', text: '' };
      capture = '';
    } else if (where === 'OAI-PMH/ListRecords') {
      sawListRecords = true;
    } else if (where === 'OAI-PMH/ListRecords/resumptionToken') {
      const size = tag.attributes.completeListSize?.value;
      token = { text: '', ...(size && /^\d+$/.test(size) ? { size: Number(size) } : {}) };
      capture = '';
    } else if (where === 'OAI-PMH/ListRecords/record') {
      record = { deleted: false, fields: new Map(), authors: [], hasMetadata: false };
    } else if (record && where === 'OAI-PMH/ListRecords/record/header') {
      record.deleted = tag.attributes.status?.value === 'deleted';
    } else if (record && stack.length === 5 && where.startsWith('OAI-PMH/ListRecords/record/header/') && HEADER_FIELDS.has(tag.local)) {
      capture = '';
    } else if (record && where === 'OAI-PMH/ListRecords/record/metadata/arXiv') {
      record.hasMetadata = true;
    } else if (record && stack.length === 6 && tag.uri === ARXIV && where.startsWith('OAI-PMH/ListRecords/record/metadata/arXiv/') && ARXIV_FIELDS.has(tag.local)) {
      capture = '';
    } else if (record && where === 'OAI-PMH/ListRecords/record/metadata/arXiv/authors/author') {
      record.authors.push({ affiliations: [] });
    } else if (record && stack.length === 8 && tag.uri === ARXIV && where.startsWith('OAI-PMH/ListRecords/record/metadata/arXiv/authors/author/') && AUTHOR_FIELDS.has(tag.local)) {
      capture = '';
    }
  });
  const onText = (text: string) => {
    if (capture !== undefined) capture += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const where = path();
    stack.pop();
    const value = capture;
    capture = undefined;
    if (where === 'OAI-PMH/error' && error) error.text = cleanLine(value ?? '');
    else if (where === 'OAI-PMH/ListRecords/resumptionToken' && token) token.text = (value ?? '').trim();
    else if (where === 'OAI-PMH/ListRecords/record' && record) {
      readRecord(record, entries, { byId, datestamps, deleted, problem });
      entries++;
      record = undefined;
    } else if (record && value !== undefined) {
      if (stack.length === 4 && tag.uri === OAI) {
        if (tag.local === 'identifier') record.identifier = value;
        else if (tag.local === 'datestamp') record.datestamp = value;
      } else if (stack.length === 5 && tag.uri === ARXIV) {
        if (!record.fields.has(tag.local)) record.fields.set(tag.local, value);
      } else if (stack.length === 7 && tag.uri === ARXIV) {
        const author = record.authors.at(-1);
        if (!author) return;
        if (tag.local === 'affiliation') {
          if (cleanLine(value) !== '') author.affiliations.push(cleanLine(value));
        } else {
          author[tag.local as 'keyname' | 'forenames' | 'suffix'] = value;
        }
      }
    }
  });

  const parse = (step: () => void) => {
    try {
      step();
    } catch (caught) {
      if (caught instanceof RejectedInput) throw caught;
      const message = (caught as Error).message.replace(/^(\d+):(\d+): /, 'line $1, column $2: ');
      throw new RejectedInput(source, [{ message: `invalid XML after ${complete(entries)} (the response is malformed or truncated): ${message}` }]);
    }
  };

  return {
    write: (chunk) => parse(() => parser.write(chunk)),
    close() {
      parse(() => parser.close());
      if (error) throw new OaiError(source, error.code, error.text);
      if (!sawListRecords) throw new RejectedInput(source, [{ message: 'expected <ListRecords> or <error> in the OAI-PMH response, found neither' }]);
      if (problems.length > 0) throw new RejectedInput(source, problems, dropped);
      return {
        records: [...byId.values()],
        datestamps,
        deleted,
        entries,
        resumptionToken: token && token.text !== '' ? token.text : null,
        completeListSize: token?.size,
      };
    },
  };
}

interface Sink {
  byId: Map<string, PaperRecord>;
  datestamps: Map<string, Date>;
  deleted: string[];
  problem: (p: Problem) => void;
}

function readRecord(raw: RawRecord, index: number, sink: Sink): void {
  const rawId = raw.identifier?.trim();
  const idText = rawId?.replace(/^oai:arXiv\.org:/i, '');
  let problems = 0;
  const fail = (field: string, message: string) => {
    problems++;
    sink.problem({ entry: index, id: idText, field, message });
  };
  const arxivId = idText === undefined ? null : normalizeArxivId(idText);
  if (rawId === undefined || rawId === '') fail('header.identifier', 'missing');
  else if (!arxivId) fail('header.identifier', `expected an arXiv OAI identifier like oai:arXiv.org:2411.00001, got ${describe(rawId)}`);
  const datestamp = raw.datestamp === undefined ? null : parseDay(raw.datestamp.trim());
  if (raw.datestamp === undefined) fail('header.datestamp', 'missing');
  else if (!datestamp) fail('header.datestamp', `expected a day YYYY-MM-DD (the repository's granularity), got ${describe(raw.datestamp.trim())}`);

  if (raw.deleted) {
    if (problems === 0 && arxivId && datestamp) {
      sink.datestamps.set(arxivId, datestamp);
      sink.deleted.push(arxivId);
    }
    return;
  }
  if (!raw.hasMetadata) {
    fail('metadata', 'missing (expected <arXiv> metadata for a record that is not deleted)');
    return;
  }
  const get = (name: string) => {
    const value = raw.fields.get(name);
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const title = get('title');
  if (title === undefined) fail('metadata.title', 'missing');
  const abstract = get('abstract');
  if (abstract === undefined) fail('metadata.abstract', 'missing');
  const day = (name: string, required: boolean) => {
    const text = get(name);
    if (text === undefined) {
      if (required) fail(`metadata.${name}`, 'missing');
      return undefined;
    }
    const parsed = parseDay(text.trim());
    if (!parsed) fail(`metadata.${name}`, `expected a day YYYY-MM-DD, got ${describe(text.trim())}`);
    return parsed ?? undefined;
  };
  const created = day('created', true);
  const updated = day('updated', false);
  const authors: AuthorRecord[] = [];
  raw.authors.forEach((author, i) => {
    const name = cleanLine([author.forenames, author.keyname, author.suffix].filter((part) => part !== undefined && part.trim() !== '').join(' '));
    const normalizedName = normalizeAuthorName(name);
    if (normalizedName === '') return fail(`metadata.authors[${i}]`, name === '' ? 'missing keyname' : `expected a name with a letter or digit, got ${describe(name)}`);
    authors.push({ name, normalizedName, affiliation: author.affiliations.length > 0 ? author.affiliations.join('; ') : undefined });
  });
  if (problems > 0 || !arxivId || !datestamp || title === undefined || abstract === undefined || created === undefined) return;

  const codes = (get('categories') ?? '').split(/\s+/).filter((code) => code !== '');
  const topics = arxivTopics(codes);
  const optional = (name: string) => {
    const value = get(name);
    return value === undefined ? undefined : cleanLine(value);
  };
  const paper: PaperRecord = {
    arxivId,
    title: cleanLine(title),
    abstract: cleanParagraphs(abstract),
    // The day of v1; the OAI format has no time of day (the arXiv API's <published> has).
    publishedAt: created,
    arxivUpdatedAt: updated,
    primaryCategory: codes[0],
    doi: optional('doi'),
    journalRef: optional('journal-ref'),
    arxivComment: optional('comments'),
    authors,
    topics,
  };
  const earlier = sink.byId.get(arxivId);
  sink.byId.set(arxivId, earlier ? mergeRecords(earlier, paper) : paper);
  const seen = sink.datestamps.get(arxivId);
  if (!seen || seen < datestamp) sink.datestamps.set(arxivId, datestamp);
}
