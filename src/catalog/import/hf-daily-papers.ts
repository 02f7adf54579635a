// Reader of Hugging Face `GET /api/daily_papers` responses: a JSON array of entries, each with
// a nested `paper`. Every era of the format is accepted (see ../shared/data/README.md): fields
// appeared over time (`submittedBy`, `discussionId`, `ai_keywords`, `githubRepo`,
// `submittedOnDailyAt`, `ai_summary`, `githubStars`, `organization`, `submitterOrganization`,
// `mediaUrls`, `thumbnail` after the oldest files' `mediaUrl`), so all but the core ones
// are optional, and a field a day lacks stays undefined here (null in a new row).
//
// Dates keep their meaning: `paper.publishedAt` is the arXiv date; the featured day is
// `paper.submittedOnDailyAt`'s day when present, else the day the response was requested for
// (the caller's `featuredOn`). The top-level `publishedAt` is NOT used: in old responses it is
// the submission moment, often the evening before (UTC) or another day altogether.
import { Readable } from 'node:stream';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { normalizeAuthorName } from '../authors/index.ts';
import { normalizeArxivId } from '../papers/index.ts';
import { cleanLine, cleanParagraphs, dayOf, normalizeGithubRepo, parseInstant, topicSlug } from './normalize.ts';
import { mergeRecords, type AuthorRecord, type PaperRecord, type TopicRecord } from './records.ts';
import type { HfLinks, HfOrganization } from '../papers/index.ts';
import { Collector, complete, describe, MAX_INT, RejectedInput, type ParsedInput, type Problem } from './validate.ts';

export interface HfReadOptions {
  /** Label of the input in messages (file path or URL). */
  source: string;
  /** Day the response was requested for: the featured day of entries that do not state it. */
  featuredOn?: Date | undefined;
  /** Called after each entry read (progress). */
  onEntry?: (() => void) | undefined;
}

/**
 * A response as text, as already-parsed JSON, as a stream of its bytes (parsed as it comes), or
 * as a function that opens that stream afresh (a file): only the last is read in bounded memory.
 */
export type HfInput = string | unknown[] | Readable | AsyncIterable<string | Buffer> | (() => Readable | AsyncIterable<string | Buffer>);

/**
 * Validates a whole response. Input that can be opened again (a function, e.g. a file) is read
 * twice: this pass keeps no record, only each paper's id and how often it was listed; the
 * records the writer iterates are read again, and only papers listed more than once are held,
 * between their first and last entry, to be merged. Other input is read once and its records
 * kept in memory (it is in memory already, or a one-shot stream).
 */
export async function readHfDailyPapers(input: HfInput, options: HfReadOptions): Promise<ParsedInput> {
  if (typeof input !== 'function') {
    const collector = new Collector(options.source, 'hf-daily-papers');
    for await (const value of entriesOf(input, collector, options.source)) {
      readEntry(value, collector.entries, collector, options.featuredOn);
      collector.entries++;
      options.onEntry?.();
    }
    return collector.finish();
  }
  const listed = new Map<string, number>();
  const collector = new Collector(options.source, 'hf-daily-papers', (record) => listed.set(record.arxivId, (listed.get(record.arxivId) ?? 0) + 1));
  for await (const value of entriesOf(input(), collector, options.source)) {
    readEntry(value, collector.entries, collector, options.featuredOn);
    collector.entries++;
    options.onEntry?.();
  }
  collector.check();
  const repeated = new Map([...listed].filter(([, times]) => times > 1));
  const { entries, featuredOnUnknown } = collector;
  return {
    source: options.source,
    format: 'hf-daily-papers',
    papers: listed.size,
    entries,
    featuredOnUnknown,
    records: () => readAgain(input, options, repeated, entries),
  };
}

/** The second read of a validated input: its records, a paper listed several times merged into one. */
async function* readAgain(
  open: () => Readable | AsyncIterable<string | Buffer>,
  options: HfReadOptions,
  repeated: ReadonlyMap<string, number>,
  validatedEntries: number,
): AsyncGenerator<PaperRecord> {
  const ready: PaperRecord[] = [];
  const pending = new Map<string, { record: PaperRecord; left: number }>();
  const collector = new Collector(options.source, 'hf-daily-papers', (record) => {
    const times = repeated.get(record.arxivId);
    if (times === undefined) return void ready.push(record);
    const earlier = pending.get(record.arxivId);
    const merged = earlier ? mergeRecords(earlier.record, record) : record;
    const left = (earlier?.left ?? times) - 1;
    if (left > 0) pending.set(record.arxivId, { record: merged, left });
    else {
      pending.delete(record.arxivId);
      ready.push(merged);
    }
  });
  const changed = () =>
    new RejectedInput(options.source, [{ message: 'changed while it was being imported (it no longer reads as it did when validated); nothing from it was kept' }]);
  for await (const value of entriesOf(open(), collector, options.source)) {
    readEntry(value, collector.entries, collector, options.featuredOn);
    collector.entries++;
    if (collector.failed) throw changed();
    yield* ready.splice(0);
  }
  if (collector.entries !== validatedEntries || pending.size > 0) throw changed();
}

async function* entriesOf(input: Exclude<HfInput, () => unknown>, collector: Collector, source: string): AsyncGenerator<unknown> {
  if (typeof input === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new RejectedInput(source, [{ message: `invalid JSON: ${(error as Error).message}` }]);
    }
    if (!Array.isArray(parsed)) throw new RejectedInput(source, [notAnArray(parsed)]);
    yield* parsed;
    return;
  }
  if (Array.isArray(input)) {
    yield* input;
    return;
  }
  // Streaming: one entry in memory at a time, so a response larger than memory still reads.
  const stream = (input instanceof Readable ? input : Readable.from(input)).pipe(streamArray.withParserAsStream());
  try {
    for await (const item of stream as AsyncIterable<{ key: number; value: unknown }>) yield item.value;
  } catch (error) {
    const message = (error as Error).message;
    if (/top-level object should be an array/i.test(message)) {
      throw new RejectedInput(source, [{ message: 'expected a JSON array of daily-papers entries, got an object' }]);
    }
    throw new RejectedInput(source, [
      { message: `invalid JSON after ${complete(collector.entries)} (the input is malformed or truncated): ${message}` },
    ]);
  }
}

function notAnArray(value: unknown): Problem {
  const apiError = value && typeof value === 'object' && typeof (value as { error?: unknown }).error === 'string';
  return {
    message: `expected a JSON array of daily-papers entries, got ${describe(value)}${apiError ? ` (error: ${(value as { error: string }).error})` : ''}`,
  };
}

type Obj = Record<string, unknown>;

/** An absolute http(s) URL (relative ones resolved against `base` when given), else undefined. */
function webUrlOf(value: string, base?: string): string | undefined {
  try {
    const parsed = new URL(value.trim(), base);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks one entry; adds its record, or its problems, to the collector. */
function readEntry(raw: unknown, index: number, collector: Collector, requestedDay: Date | undefined): void {
  let id: string | undefined;
  const failedFields = new Set<string>();
  const fail = (field: string | undefined, message: string) => {
    failedFields.add(field ?? '');
    collector.problem({ entry: index, id, field, message });
  };
  if (!isObject(raw)) return fail(undefined, `expected an object, got ${describe(raw)}`);
  const paper = raw.paper;
  if (!isObject(paper)) return fail('paper', paper === undefined ? 'missing' : `expected an object, got ${describe(paper)}`);

  // Optional fields: absent, null or "" all mean "the source did not say".
  const text = (obj: Obj, key: string, path: string): string | undefined => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return fail(path, `expected a string, got ${describe(value)}`), undefined;
    return value.trim() === '' ? undefined : value;
  };
  const count = (obj: Obj, key: string, path: string): number | undefined => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_INT) {
      return fail(path, `expected a whole number from 0 to ${MAX_INT}, got ${describe(value)}`), undefined;
    }
    return value;
  };
  const instant = (obj: Obj, key: string, path: string): Date | undefined => {
    const value = text(obj, key, path);
    if (value === undefined) return undefined;
    const date = parseInstant(value);
    if (!date) fail(path, `expected an ISO 8601 date-time, got ${describe(value)}`);
    return date ?? undefined;
  };
  const object = (obj: Obj, key: string, path: string): Obj | undefined => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) return fail(path, `expected an object, got ${describe(value)}`), undefined;
    return value;
  };
  /** A required value: "missing" unless its absence was already reported as a wrong value. */
  const required = <T>(value: T | undefined, path: string, ...reported: string[]): T | undefined => {
    if (value === undefined && ![path, ...reported].some((p) => failedFields.has(p))) fail(path, 'missing');
    return value;
  };

  const rawId = required(text(paper, 'id', 'paper.id'), 'paper.id');
  const arxivId = rawId === undefined ? undefined : normalizeArxivId(rawId);
  id = rawId;
  if (rawId !== undefined && !arxivId) fail('paper.id', `expected an arXiv id like 2405.15738, got ${describe(rawId)}`);

  // The paper's own title and abstract; the entry's copies only stand in when those are absent.
  const title = required(text(paper, 'title', 'paper.title') ?? text(raw, 'title', 'title'), 'paper.title', 'title');
  const abstract = required(text(paper, 'summary', 'paper.summary') ?? text(raw, 'summary', 'summary'), 'paper.summary', 'summary');
  const publishedAt = required(instant(paper, 'publishedAt', 'paper.publishedAt'), 'paper.publishedAt');

  const authors: AuthorRecord[] = [];
  if (paper.authors !== undefined && paper.authors !== null && !Array.isArray(paper.authors)) {
    fail('paper.authors', `expected an array, got ${describe(paper.authors)}`);
  } else {
    (paper.authors as unknown[] | undefined ?? []).forEach((author, i) => {
      const path = `paper.authors[${i}]`;
      if (!isObject(author)) return fail(path, `expected an object, got ${describe(author)}`);
      const hidden = author.hidden;
      if (hidden !== undefined && hidden !== null && typeof hidden !== 'boolean') {
        fail(`${path}.hidden`, `expected true or false, got ${describe(hidden)}`);
      }
      const name = required(text(author, 'name', `${path}.name`), `${path}.name`);
      if (name === undefined) return;
      const normalizedName = normalizeAuthorName(name);
      if (normalizedName === '') return fail(`${path}.name`, `expected a name with a letter or digit, got ${describe(name)}`);
      authors.push({ name: cleanLine(name), normalizedName, hidden: typeof hidden === 'boolean' ? hidden : undefined });
    });
  }

  const keywords = paper.ai_keywords;
  let aiKeywords: string[] | undefined;
  if (keywords !== undefined && keywords !== null) {
    if (!Array.isArray(keywords)) fail('paper.ai_keywords', `expected an array of strings, got ${describe(keywords)}`);
    else {
      const bad = keywords.findIndex((k) => typeof k !== 'string');
      if (bad >= 0) fail(`paper.ai_keywords[${bad}]`, `expected a string, got ${describe(keywords[bad])}`);
      else if (keywords.length > 0) aiKeywords = keywords as string[];
    }
  }

  const submittedOnDailyAt = instant(paper, 'submittedOnDailyAt', 'paper.submittedOnDailyAt');
  const submittedBy = object(raw, 'submittedBy', 'submittedBy');
  const submittedOnDailyBy = object(paper, 'submittedOnDailyBy', 'paper.submittedOnDailyBy');
  const hfSubmitterHandle =
    (submittedBy && text(submittedBy, 'name', 'submittedBy.name')) ??
    (submittedOnDailyBy && text(submittedOnDailyBy, 'name', 'paper.submittedOnDailyBy.name'));
  const paperOrg = object(paper, 'organization', 'paper.organization');
  const entryOrg = object(raw, 'organization', 'organization');
  const orgName = (org: Obj | undefined, path: string) =>
    org && (text(org, 'fullname', `${path}.fullname`) ?? text(org, 'name', `${path}.name`));
  const organization = orgName(paperOrg, 'paper.organization') ?? orgName(entryOrg, 'organization');
  const githubRepo = text(paper, 'githubRepo', 'paper.githubRepo');
  const projectPage = text(paper, 'projectPage', 'paper.projectPage');
  const aiSummary = text(paper, 'ai_summary', 'paper.ai_summary');
  const githubStars = count(paper, 'githubStars', 'paper.githubStars');
  const hfUpvotes = count(paper, 'upvotes', 'paper.upvotes');
  const hfComments = count(raw, 'numComments', 'numComments');

  // Hugging Face links: each kept when the entry carries it, else left undefined (never 0 or []).
  const url = (obj: Obj, key: string, path: string): string | undefined => {
    const value = text(obj, key, path);
    if (value === undefined) return undefined;
    const parsed = webUrlOf(value);
    if (!parsed) fail(path, `expected an http(s) URL, got ${describe(value)}`);
    return parsed;
  };
  const urls = (obj: Obj, key: string, path: string): string[] | undefined => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return fail(path, `expected an array of URLs, got ${describe(value)}`), undefined;
    const list: string[] = [];
    value.forEach((item, i) => {
      const parsed = typeof item === 'string' ? webUrlOf(item) : undefined;
      if (parsed) list.push(parsed);
      else fail(`${path}[${i}]`, `expected an http(s) URL, got ${describe(item)}`);
    });
    return list;
  };
  /** `models`, `datasets`, `spaces`: arrays of repo ids (or of objects with an `id`), as the Hub lists them. */
  const links = (key: string): HfLinks | undefined => {
    const [obj, path] = paper[key] !== undefined && paper[key] !== null ? [paper, `paper.${key}`] : [raw, key];
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return fail(path, `expected an array, got ${describe(value)}`), undefined;
    const names = value.map((item) => (typeof item === 'string' ? item : isObject(item) && typeof item.id === 'string' ? item.id : undefined));
    return { count: value.length, names: names.every((n) => n !== undefined && n.trim() !== '') ? (names as string[]) : null };
  };
  // The oldest responses (2024-05) name the same social-card image `mediaUrl`.
  const hfThumbnail = url(raw, 'thumbnail', 'thumbnail') ?? url(raw, 'mediaUrl', 'mediaUrl');
  const hfMediaUrls = urls(paper, 'mediaUrls', 'paper.mediaUrls') ?? urls(raw, 'mediaUrls', 'mediaUrls');
  const submitterOrg = object(raw, 'submitterOrganization', 'submitterOrganization');
  let hfSubmitterOrganization: HfOrganization | undefined;
  if (submitterOrg) {
    const name = required(text(submitterOrg, 'name', 'submitterOrganization.name'), 'submitterOrganization.name');
    const fullName = text(submitterOrg, 'fullname', 'submitterOrganization.fullname');
    const avatar = text(submitterOrg, 'avatar', 'submitterOrganization.avatar');
    // Avatars may be site-relative (`/avatars/...`): made absolute against the Hub.
    const avatarUrl = avatar === undefined ? undefined : webUrlOf(avatar, 'https://huggingface.co');
    if (avatar !== undefined && !avatarUrl) fail('submitterOrganization.avatar', `expected a URL, got ${describe(avatar)}`);
    if (name !== undefined) hfSubmitterOrganization = { name: name.trim(), fullName: fullName ? cleanLine(fullName) : null, avatarUrl: avatarUrl ?? null };
  }
  const [hfModels, hfDatasets, hfSpaces] = [links('models'), links('datasets'), links('spaces')];

  if (failedFields.size > 0 || !arxivId || title === undefined || abstract === undefined || publishedAt === undefined) return;

  const featuredOn = submittedOnDailyAt ? dayOf(submittedOnDailyAt) : requestedDay;
  if (!featuredOn) collector.featuredOnUnknown++;
  const topics: TopicRecord[] = [];
  const slugs = new Set<string>();
  for (const keyword of aiKeywords ?? []) {
    const slug = topicSlug(keyword);
    if (slug === '' || slugs.has(slug)) continue;
    slugs.add(slug);
    topics.push({ slug, name: cleanLine(keyword) });
  }
  collector.add({
    arxivId,
    title: cleanLine(title),
    abstract: cleanParagraphs(abstract),
    publishedAt,
    featuredOn,
    githubRepo: githubRepo && normalizeGithubRepo(githubRepo),
    githubStars,
    projectPage: projectPage?.trim(),
    hfUpvotes,
    hfComments,
    hfSubmitterHandle: hfSubmitterHandle?.trim(),
    organization: organization && cleanLine(organization),
    aiSummary: aiSummary && cleanParagraphs(aiSummary),
    aiKeywords,
    hfThumbnail,
    hfMediaUrls,
    hfSubmitterOrganization,
    hfModels,
    hfDatasets,
    hfSpaces,
    authors,
    topics,
  } satisfies PaperRecord);
}
