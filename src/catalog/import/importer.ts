// The import API: validate an input whole, then write it in ONE transaction. One input (file or
// fetched response) is one unit: a rejected input leaves nothing behind, the other inputs of the
// same run still import. A file is read twice, streaming (validate, then write round by round),
// so memory does not grow with its size. Called by the CLI and the importPapers mutation;
// nothing here prints, progress goes to the optional `progress`, and live events (papersFeatured,
// paperUpdated) to the optional `events` once an input has committed.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../platform/db/client.ts';
import { readArxivAtom, type ArxivInput } from './arxiv-atom.ts';
import { detectFormat, SNIFF_BYTES } from './detect.ts';
import { readHfDailyPapers, type HfInput } from './hf-daily-papers.ts';
import { formatDay, parseDay } from './normalize.ts';
import { silentProgress, type Progress } from './progress.ts';
import { RejectedInput, type InputFormat, type ParsedInput, type Problem } from './validate.ts';
import type { CatalogEvents } from '../../platform/events/bus.ts';
import { writeImportEvents } from './outbox.ts';
import { announceChanges } from './announce.ts';
import { writeRecords, type PaperChanges, type WriteCounts } from './writer.ts';

export interface ImportOptions {
  /** Progress and result lines (default: none). */
  progress?: Progress | undefined;
  /**
   * Longest time one input's transaction may stay open (ms). Default: 120 s, or more for a
   * big input (20 ms per paper), so a 100k-paper file is not cut off half-way.
   */
  transactionTimeoutMs?: number | undefined;
  /**
   * Where to announce what an input changed, after it committed: papersFeatured for each paper
   * that got a featured day, paperUpdated for each stored paper that changed (as votes do).
   */
  events?: CatalogEvents | undefined;
}

/** What became of one input. */
export interface SourceSummary extends WriteCounts {
  /** File path or URL. */
  readonly source: string;
  readonly format: InputFormat | null;
  readonly status: 'imported' | 'rejected' | 'skipped';
  /** Entries read (a paper listed twice counts twice). */
  readonly entries: number;
  /** Entries whose featured day nothing told: their paper's featuredOn was left as it was. */
  readonly featuredOnUnknown: number;
  /** Why the input was rejected or skipped: names the input, entry and field. */
  readonly reason?: string | undefined;
  readonly problems?: readonly Problem[] | undefined;
}

export interface ImportSummary extends WriteCounts {
  /** True when every input imported (skipped files do not count against it). */
  readonly ok: boolean;
  readonly entries: number;
  readonly featuredOnUnknown: number;
  readonly sources: readonly SourceSummary[];
  readonly rejected: readonly SourceSummary[];
}

const ZERO: WriteCounts = { papersCreated: 0, papersUpdated: 0, papersUnchanged: 0, authorsCreated: 0, topicsCreated: 0 };

export function summarize(sources: readonly SourceSummary[]): ImportSummary {
  const total = (key: keyof WriteCounts | 'entries' | 'featuredOnUnknown') => sources.reduce((n, s) => n + s[key], 0);
  const rejected = sources.filter((s) => s.status === 'rejected');
  return {
    ok: rejected.length === 0,
    entries: total('entries'),
    featuredOnUnknown: total('featuredOnUnknown'),
    papersCreated: total('papersCreated'),
    papersUpdated: total('papersUpdated'),
    papersUnchanged: total('papersUnchanged'),
    authorsCreated: total('authorsCreated'),
    topicsCreated: total('topicsCreated'),
    sources,
    rejected,
  };
}

export function rejected(source: string, format: InputFormat | null, error: unknown): SourceSummary {
  const problems = error instanceof RejectedInput ? error.problems : undefined;
  const reason = error instanceof RejectedInput ? error.message : `${source}: ${(error as Error).message ?? String(error)}`;
  return { source, format, status: 'rejected', entries: 0, featuredOnUnknown: 0, ...ZERO, reason, problems };
}

/** Writes a validated input in one transaction; a failure rolls all of it back. */
export async function writeParsed(db: Db, parsed: ParsedInput, options: ImportOptions = {}): Promise<SourceSummary> {
  const progress = options.progress ?? silentProgress;
  const timeout = options.transactionTimeoutMs ?? Math.max(120_000, parsed.papers * 20);
  progress.begin(`writing ${path.basename(parsed.source)}`, 'papers', parsed.papers);
  const changes: PaperChanges = { featured: [], updated: [] };
  try {
    // Only `tx` inside: a query on `db` here would deadlock the embedded database.
    const counts = await db.$transaction(async (tx) => {
      const written = await writeRecords(tx, parsed.records(), (n) => progress.advance(n), changes);
      // The webhook events of what changed commit with it (src/catalog/import/outbox.ts).
      await writeImportEvents(tx, changes);
      return written;
    }, {
      timeout,
      maxWait: 30_000,
    });
    const summary: SourceSummary = {
      source: parsed.source,
      format: parsed.format,
      status: 'imported',
      entries: parsed.entries,
      featuredOnUnknown: parsed.featuredOnUnknown,
      ...counts,
    };
    progress.end();
    progress.log(describeSource(summary));
    if (options.events) await announceChanges(db, options.events, changes);
    return summary;
  } catch (error) {
    progress.end();
    // The input changed between its two reads: rejected as it is now, nothing kept.
    if (error instanceof RejectedInput) {
      const summary = rejected(parsed.source, parsed.format, error);
      progress.log(describeSource(summary));
      return summary;
    }
    const message = ((error as Error).message ?? String(error)).replace(/\s+/g, ' ').trim().slice(0, 500);
    const summary = rejected(parsed.source, parsed.format, new RejectedInput(parsed.source, [{ message: `valid, but writing it failed and was rolled back: ${message}` }]));
    progress.log(describeSource(summary));
    return summary;
  }
}

/** Reads one input with `read`, then writes it; a rejected input is reported, not thrown. */
export async function readThenWrite(
  db: Db,
  source: string,
  format: InputFormat,
  read: (onEntry: () => void) => Promise<ParsedInput>,
  options: ImportOptions,
): Promise<SourceSummary> {
  const progress = options.progress ?? silentProgress;
  progress.begin(`reading ${path.basename(source)}`, 'entries');
  let parsed: ParsedInput;
  try {
    parsed = await read(() => progress.advance());
  } catch (error) {
    progress.end();
    if (!(error instanceof RejectedInput) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    const summary = rejected(source, format, error);
    progress.log(describeSource(summary));
    return summary;
  }
  progress.end();
  return writeParsed(db, parsed, options);
}

export interface HfImportOptions extends ImportOptions {
  /** The day the response was requested for (`YYYY-MM-DD` or a Date): featured day of entries that do not state it. */
  featuredOn?: string | Date | undefined;
  /** Label in messages (default "hf-daily-papers"). */
  source?: string | undefined;
}

/** Imports one Hugging Face `/api/daily_papers` response (text, parsed JSON, or a byte stream). */
export async function importHfDailyPapers(db: Db, input: HfInput, options: HfImportOptions = {}): Promise<ImportSummary> {
  const source = options.source ?? 'hf-daily-papers';
  let featuredOn: Date | undefined;
  if (typeof options.featuredOn === 'string') {
    const day = parseDay(options.featuredOn);
    if (!day) throw new RangeError(`featuredOn must be a day YYYY-MM-DD; got "${options.featuredOn}"`);
    featuredOn = day;
  } else if (options.featuredOn) {
    featuredOn = parseDay(formatDay(options.featuredOn)) ?? undefined;
  }
  const result = await readThenWrite(db, source, 'hf-daily-papers', (onEntry) => readHfDailyPapers(input, { source, featuredOn, onEntry }), options);
  return summarize([result]);
}

export interface ArxivImportOptions extends ImportOptions {
  /** Label in messages (default "arxiv-atom"). */
  source?: string | undefined;
}

/** Imports one arXiv API response (Atom XML as text or a byte stream). */
export async function importArxivAtom(db: Db, input: ArxivInput, options: ArxivImportOptions = {}): Promise<ImportSummary> {
  const source = options.source ?? 'arxiv-atom';
  const result = await readThenWrite(db, source, 'arxiv-atom', (onEntry) => readArxivAtom(input, { source, onEntry }), options);
  return summarize([result]);
}

/** The featured day a file's name states: `2025-03-17.json` (a date at the start of the name). */
export function dayFromFileName(file: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?!\d)/.exec(path.basename(file));
  return (match && parseDay(match[1]!)) ?? undefined;
}

/**
 * Imports files and folders. A folder stands for its files (recursively, by name order, hidden
 * ones left out); a file in a folder whose content is neither format is skipped, a file named
 * explicitly is rejected. Files are read as streams, each written in its own transaction.
 */
export async function importFiles(db: Db, paths: readonly string[], options: ImportOptions = {}): Promise<ImportSummary> {
  const results: SourceSummary[] = [];
  for (const { file, explicit } of expand(paths)) results.push(await importFile(db, file, explicit, options));
  return summarize(results);
}

function* expand(paths: readonly string[]): Generator<{ file: string; explicit: boolean }> {
  for (const given of paths) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(given);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) yield* walk(given);
    else yield { file: given, explicit: true };
  }
}

function* walk(dir: string): Generator<{ file: string; explicit: boolean }> {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield { file: full, explicit: false };
  }
}

async function importFile(db: Db, file: string, explicit: boolean, options: ImportOptions): Promise<SourceSummary> {
  const progress = options.progress ?? silentProgress;
  let format: InputFormat | null;
  try {
    format = detectFormat(await readHead(file));
  } catch (error) {
    const summary = rejected(file, null, new RejectedInput(file, [{ message: `cannot be read: ${(error as Error).message}` }]));
    progress.log(describeSource(summary));
    return summary;
  }
  if (format === null) {
    const reason = `${file}: neither a Hugging Face daily-papers JSON array nor an arXiv Atom feed`;
    const summary: SourceSummary = { source: file, format, status: explicit ? 'rejected' : 'skipped', entries: 0, featuredOnUnknown: 0, ...ZERO, reason };
    progress.log(describeSource(summary));
    return summary;
  }
  const stream = () => fs.createReadStream(file);
  switch (format) {
    case 'hf-daily-papers': {
      const featuredOn = dayFromFileName(file);
      // The opener, not a stream: the reader reads the file twice (validate, then write).
      return readThenWrite(db, file, format, (onEntry) => readHfDailyPapers(stream, { source: file, featuredOn, onEntry }), options);
    }
    case 'arxiv-atom':
      return readThenWrite(db, file, format, (onEntry) => readArxivAtom(stream(), { source: file, onEntry }), options);
    default: {
      const unreachable: never = format;
      throw new Error(`Unhandled format ${String(unreachable)}`);
    }
  }
}

async function readHead(file: string): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** One line per input, for logs. */
export function describeSource(s: SourceSummary): string {
  switch (s.status) {
    case 'imported': {
      const unknown = s.featuredOnUnknown > 0 ? `; featured day unknown for ${s.featuredOnUnknown} entries (featuredOn left as it was)` : '';
      return (
        `imported ${s.source}: ${s.entries} entries -> ${s.papersCreated} papers created, ${s.papersUpdated} updated, ` +
        `${s.papersUnchanged} unchanged; ${s.authorsCreated} authors and ${s.topicsCreated} topics created${unknown}`
      );
    }
    case 'rejected':
      return `REJECTED ${s.reason ?? s.source}`;
    case 'skipped':
      return `skipped ${s.reason ?? s.source}`;
    default: {
      const unreachable: never = s.status;
      return String(unreachable);
    }
  }
}

/** The end-of-run summary, for people. */
export function formatSummary(summary: ImportSummary): string {
  const imported = summary.sources.filter((s) => s.status === 'imported').length;
  const skipped = summary.sources.filter((s) => s.status === 'skipped');
  const lines = [
    `Import summary: ${imported} input${imported === 1 ? '' : 's'} imported, ${summary.rejected.length} rejected` +
      (skipped.length > 0 ? `, ${skipped.length} skipped` : ''),
    `  papers:  ${summary.papersCreated} created, ${summary.papersUpdated} updated, ${summary.papersUnchanged} unchanged (${summary.entries} entries read)`,
    `  authors: ${summary.authorsCreated} created`,
    `  topics:  ${summary.topicsCreated} created`,
  ];
  if (summary.featuredOnUnknown > 0) {
    lines.push(`  featured day unknown for ${summary.featuredOnUnknown} entries: their featuredOn was left as it was (name the file YYYY-MM-DD.json or use --hf-date)`);
  }
  for (const s of summary.rejected) lines.push(`  rejected: ${s.reason}`);
  for (const s of skipped) lines.push(`  skipped:  ${s.reason}`);
  return lines.join('\n');
}
