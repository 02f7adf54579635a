// Live sources: the Hugging Face daily-papers API, day by day, and the arXiv query API, page
// by page. Each fetched day (all its pages) or arXiv page is one input: validated whole, then
// written in its own transaction, exactly like a file.
//
// Politeness: requests to one API are spaced by `delayMs` (arXiv asks for 3 s between calls;
// tests set it to 0), failures that may pass (network errors, 429, 5xx) are retried a few times
// with growing waits, honouring Retry-After.
//
// Bounded: a response is read as a stream and counted, at most `maxResponseBytes` of it (32 MiB
// by default); past that the download is aborted and the input rejected, never retried.
import type { Db } from '../../platform/db/client.ts';
import { readArxivAtom, type ArxivFeedInfo } from './arxiv-atom.ts';
import { readHfDailyPapers } from './hf-daily-papers.ts';
import { readThenWrite, rejected, summarize, type ImportOptions, type ImportSummary, type SourceSummary } from './importer.ts';
import { formatDay, parseDay } from './normalize.ts';
import { silentProgress, type Progress } from './progress.ts';
import { RejectedInput } from './validate.ts';

export const DEFAULT_HF_API_URL = 'https://huggingface.co';
export const DEFAULT_ARXIV_API_URL = 'http://export.arxiv.org';
export const DEFAULT_ARXIV_DELAY_MS = 3000;
export const DEFAULT_HF_DELAY_MS = 1000;
/**
 * The most one response may have, decoded. A Hugging Face day or an arXiv page of 100 entries
 * is well under 1 MB, an arXiv OAI-PMH page of 1,000 records a few MB; the limit is what keeps
 * a huge or endless response from taking the process's memory (a 200 MB page read whole took
 * the importer past 800 MB and out of heap).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface FetchOptions extends ImportOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch | undefined;
  /** Attempts per request for failures that may pass (default 3). */
  attempts?: number | undefined;
  /** First wait before a retry (ms, doubled each time; default 5000). */
  retryDelayMs?: number | undefined;
  /** Per request (ms, default 60 s). */
  requestTimeoutMs?: number | undefined;
  /**
   * Most bytes of one response body (default 32 MiB, DEFAULT_MAX_RESPONSE_BYTES): read as a
   * stream and counted, the request aborted past it and its input rejected (ResponseTooLarge).
   */
  maxResponseBytes?: number | undefined;
}

export interface HfFetchOptions extends FetchOptions {
  /** Default https://huggingface.co (env HF_API_URL in the CLI). */
  baseUrl?: string | undefined;
  /** Least time between two requests (ms, default 1000). */
  delayMs?: number | undefined;
  /** Entries asked per page (`limit`, default 100, the API's maximum). */
  pageSize?: number | undefined;
}

export interface ArxivFetchOptions extends FetchOptions {
  /** Default http://export.arxiv.org (env ARXIV_API_URL in the CLI). */
  baseUrl?: string | undefined;
  /** Least time between two requests (ms, default 3000 as arXiv asks). */
  delayMs?: number | undefined;
  /** Entries asked per request (`max_results`, default 100). */
  pageSize?: number | undefined;
  /** Entries wanted in all (default 100). */
  maxResults?: number | undefined;
  /** First entry wanted (`start`, default 0). */
  start?: number | undefined;
}

const USER_AGENT = 'paper-catalog-importer/0.1 (research-paper catalog; polite: one request at a time)';
/** A day has a few dozen papers; this many pages means the API ignores paging: stop. */
const MAX_HF_PAGES = 20;

/**
 * Imports the Hugging Face daily papers of each day (`YYYY-MM-DD`). The day asked for is the
 * featured day of entries that do not state one (responses before 2025-03-17).
 */
export async function importHfDays(db: Db, days: readonly string[], options: HfFetchOptions = {}): Promise<ImportSummary> {
  const base = trimSlash(options.baseUrl ?? DEFAULT_HF_API_URL);
  const pageSize = options.pageSize ?? 100;
  const client = new Client(options, options.delayMs ?? DEFAULT_HF_DELAY_MS);
  const results: SourceSummary[] = [];
  for (const day of days) {
    const featuredOn = parseDay(day);
    if (!featuredOn) throw new RangeError(`A day must be YYYY-MM-DD; got "${day}"`);
    const source = `${base}/api/daily_papers?date=${day}`;
    let entries: unknown[];
    try {
      entries = await fetchHfDay(client, base, day, pageSize);
    } catch (error) {
      results.push(report(client.progress, rejected(source, 'hf-daily-papers', asRejection(source, error))));
      continue;
    }
    results.push(await readThenWrite(db, source, 'hf-daily-papers', (onEntry) => readHfDailyPapers(entries, { source, featuredOn, onEntry }), options));
  }
  return summarize(results);
}

async function fetchHfDay(client: Client, base: string, day: string, pageSize: number): Promise<unknown[]> {
  const entries: unknown[] = [];
  const seen = new Set<string>();
  for (let page = 0; page < MAX_HF_PAGES; page++) {
    const url = `${base}/api/daily_papers?${new URLSearchParams({ date: day, limit: String(pageSize), p: String(page) })}`;
    const { text, headers } = await client.get(url);
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (error) {
      throw new RejectedInput(url, [{ message: `invalid JSON: ${(error as Error).message}` }]);
    }
    if (!Array.isArray(items)) {
      const apiError = items && typeof items === 'object' && 'error' in items ? ` (error: ${String((items as { error: unknown }).error)})` : '';
      throw new RejectedInput(url, [{ message: `expected a JSON array of daily-papers entries, got ${Array.isArray(items) ? 'an array' : typeof items}${apiError}` }]);
    }
    // A server that ignores `p` answers the same page again: nothing new means done.
    const fresh = items.filter((item) => {
      const id = (item as { paper?: { id?: unknown } } | null)?.paper?.id;
      if (typeof id !== 'string') return true; // invalid: kept, so validation names it
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    entries.push(...fresh);
    const next = /rel="?next"?/.test(headers.get('link') ?? '');
    if (fresh.length === 0 || (items.length < pageSize && !next)) break;
  }
  return entries;
}

/**
 * Imports the papers matching an arXiv `search_query` (e.g. `cat:cs.CV AND ti:diffusion`),
 * page by page, each page in its own transaction. Stops at `maxResults`, at the query's
 * `opensearch:totalResults`, at an empty page, or at the first rejected page.
 */
export async function importArxivQuery(db: Db, query: string, options: ArxivFetchOptions = {}): Promise<ImportSummary> {
  const base = trimSlash(options.baseUrl ?? DEFAULT_ARXIV_API_URL);
  const maxResults = options.maxResults ?? 100;
  const pageSize = Math.max(1, Math.min(options.pageSize ?? 100, maxResults));
  const client = new Client(options, options.delayMs ?? DEFAULT_ARXIV_DELAY_MS);
  const results: SourceSummary[] = [];
  let start = options.start ?? 0;
  let fetched = 0;
  while (fetched < maxResults) {
    const count = Math.min(pageSize, maxResults - fetched);
    const url = `${base}/api/query?${new URLSearchParams({ search_query: query, start: String(start), max_results: String(count) })}`;
    let text: string;
    try {
      text = (await client.get(url)).text;
    } catch (error) {
      results.push(report(client.progress, rejected(url, 'arxiv-atom', asRejection(url, error))));
      break;
    }
    let feed: ArxivFeedInfo = {};
    const result = await readThenWrite(
      db,
      url,
      'arxiv-atom',
      async (onEntry) => {
        const parsed = await readArxivAtom(text, { source: url, onEntry });
        feed = parsed.feed;
        return parsed;
      },
      options,
    );
    results.push(result);
    if (result.status !== 'imported' || result.entries === 0) break;
    fetched += result.entries;
    start += result.entries;
    if (feed.totalResults !== undefined && start >= feed.totalResults) break;
  }
  return summarize(results);
}

function report(progress: Progress, summary: SourceSummary): SourceSummary {
  progress.log(`REJECTED ${summary.reason}`);
  return summary;
}

function asRejection(source: string, error: unknown): RejectedInput {
  return error instanceof RejectedInput ? error : new RejectedInput(source, [{ message: (error as Error).message ?? String(error) }]);
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A response whose body ran past the client's `maxResponseBytes`: the download was aborted
 * there, nothing of it was used, and it is not retried (it would not get shorter).
 */
export class ResponseTooLarge extends RejectedInput {
  override name = 'ResponseTooLarge';
  constructor(
    source: string,
    readonly limit: number,
    /** The Content-Length the server announced, when that alone refused it. */
    readonly announced?: number,
  ) {
    super(source, [
      {
        message:
          announced === undefined
            ? `the response is larger than ${limit} bytes, the most one response may have: the download was stopped there and nothing of it was used`
            : `the response announces ${announced} bytes (Content-Length), more than ${limit}, the most one response may have: nothing of it was read`,
      },
    ]);
  }
}

/** The connection failed while the body was being read: retried like a failed request. */
class BodyReadFailed extends Error {
  constructor(readonly reason: unknown) {
    super((reason as Error)?.message ?? String(reason));
  }
}

/** What a failed response's body may show in a message (only the first 200 characters are kept). */
const ERROR_EXCERPT_BYTES = 4096;

/**
 * GETs, one at a time, with retries for failures that may pass. `delayMs` is counted from the
 * end of the previous response, so the server sees its requests at least that far apart
 * however long each one took on the way.
 *
 * Bounded: a body is read as a stream and counted; past `maxResponseBytes` (default 32 MiB) the
 * request is aborted and the input rejected (ResponseTooLarge), so a huge or endless response
 * costs at most that much memory, never the process.
 */
export class Client {
  readonly progress: Progress;
  private last = -Infinity;
  private readonly fetch: typeof fetch;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(
    options: FetchOptions,
    private readonly delayMs: number,
  ) {
    this.progress = options.progress ?? silentProgress;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 5000;
    this.timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  /** The whole body as text (at most `maxResponseBytes` of it). */
  async get(url: string): Promise<{ text: string; headers: Headers }> {
    const { value, headers } = await this.read(url, async (body) => {
      let text = '';
      for await (const chunk of body) text += chunk;
      return text;
    });
    return { text: value, headers };
  }

  /**
   * Hands a successful response's body to `consume`, decoded from UTF-8 chunk by chunk as it
   * arrives, so a reader that parses as it goes never holds the whole text. A connection that
   * fails while the body is read is retried with a fresh `consume`; whatever `consume` throws
   * itself (a rejected page, ResponseTooLarge) ends the request and is thrown as it is.
   */
  async read<T>(url: string, consume: (body: AsyncIterable<string>) => Promise<T>): Promise<{ value: T; headers: Headers }> {
    let failure = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const wait = this.last + this.delayMs - performance.now();
      if (wait > 0) await sleep(wait);
      let retryAfterMs: number | undefined;
      const abort = new AbortController();
      let consuming = false;
      try {
        const response = await this.fetch(url, {
          headers: { 'user-agent': USER_AGENT, accept: 'application/json, application/atom+xml;q=0.9, */*;q=0.1' },
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(this.timeoutMs)]),
        });
        if (response.ok) {
          consuming = true;
          return { value: await consume(boundedBody(response, url, this.maxBytes, abort)), headers: response.headers };
        }
        const text = await excerpt(response);
        failure = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}: ${text.replace(/\s+/g, ' ').trim().slice(0, 200)}`;
        if (response.status !== 429 && response.status < 500) break;
        // Seconds, or an HTTP date (RFC 9110 allows both; OAI-PMH repositories send seconds).
        const header = response.headers.get('retry-after')?.trim() ?? '';
        const retryAfter = /^\d+$/.test(header) ? Number(header) : header ? (Date.parse(header) - Date.now()) / 1000 : NaN;
        if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = Math.min(retryAfter * 1000, 120_000);
      } catch (caught) {
        // Once the body is being consumed, only the connection's failures are retried; what the
        // consumer throws (a rejected page, ResponseTooLarge) is its answer.
        if (consuming && !(caught instanceof BodyReadFailed)) throw caught;
        const error = (caught instanceof BodyReadFailed ? caught.reason : caught) as Error;
        failure = `request failed: ${error.message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}`;
      } finally {
        this.last = performance.now();
        abort.abort(); // a body nobody read to its end is not downloaded any further
      }
      if (attempt < this.attempts) {
        const delay = retryAfterMs ?? this.retryDelayMs * 2 ** (attempt - 1);
        this.progress.log(`${url}: ${failure}; retrying in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${this.attempts})`);
        await sleep(delay);
      }
    }
    throw new RejectedInput(url, [{ message: failure }]);
  }
}

/**
 * The body as text chunks, counting its bytes: past `maxBytes` the request is aborted and
 * ResponseTooLarge thrown, before the chunk that crossed the limit is decoded. A Content-Length
 * already past it is refused before anything is read (only for an uncompressed body: the limit
 * is on the decoded bytes, which are what memory holds).
 */
async function* boundedBody(response: Response, source: string, maxBytes: number, abort: AbortController): AsyncGenerator<string> {
  const announced = Number(response.headers.get('content-length') ?? NaN);
  const encoding = response.headers.get('content-encoding');
  if ((!encoding || encoding === 'identity') && Number.isFinite(announced) && announced > maxBytes) {
    abort.abort();
    throw new ResponseTooLarge(source, maxBytes, announced);
  }
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new BodyReadFailed(error);
      }
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      if (bytes > maxBytes) {
        abort.abort();
        throw new ResponseTooLarge(source, maxBytes);
      }
      const text = decoder.decode(chunk.value, { stream: true });
      if (text !== '') yield text;
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } finally {
    // The consumer stopped early (a rejected page) or the limit was hit: download no further.
    reader.cancel().catch(() => {});
  }
}

/** The start of a failed response's body, for the message; the rest is not downloaded. */
async function excerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let bytes = 0;
  try {
    while (bytes < ERROR_EXCERPT_BYTES) {
      const chunk = await reader.read();
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return text;
}

// Day ranges for --hf-from/--hf-to, --hf-week and --hf-month.

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const first = parseDay(from);
  const last = parseDay(to);
  if (!first) throw new RangeError(`expected a day YYYY-MM-DD; got "${from}"`);
  if (!last) throw new RangeError(`expected a day YYYY-MM-DD; got "${to}"`);
  if (first > last) throw new RangeError(`the range ends (${to}) before it starts (${from})`);
  const days: string[] = [];
  for (let t = first.getTime(); t <= last.getTime(); t += 86_400_000) days.push(formatDay(new Date(t)));
  return days;
}

/** Monday to Sunday of an ISO week `YYYY-Www`. */
export function isoWeekDays(week: string): string[] {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) throw new RangeError(`expected an ISO week YYYY-Www (e.g. 2025-W03); got "${week}"`);
  const year = Number(match[1]);
  const n = Number(match[2]);
  // Week 1 is the week with the year's first Thursday, i.e. the one containing January 4th.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday1 = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000;
  const weeksInYear = weeksInIsoYear(year);
  if (n < 1 || n > weeksInYear) throw new RangeError(`${year} has ISO weeks W01 to W${weeksInYear}; got "${week}"`);
  const monday = monday1 + (n - 1) * 7 * 86_400_000;
  return daysBetween(formatDay(new Date(monday)), formatDay(new Date(monday + 6 * 86_400_000)));
}

/** 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday; else 52. */
function weeksInIsoYear(year: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}

/** Every day of a month `YYYY-MM`. */
export function monthDays(month: string): string[] {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const m = Number(match?.[2]);
  if (!match || m < 1 || m > 12) throw new RangeError(`expected a month YYYY-MM; got "${month}"`);
  const last = new Date(Date.UTC(Number(match[1]), m, 0));
  return daysBetween(`${month}-01`, formatDay(last));
}
