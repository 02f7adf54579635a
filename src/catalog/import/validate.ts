// How readers report bad input, and what they hand the writer once a whole input is valid.
//
// A reader validates every entry before anything is written: one bad entry rejects its whole
// input (file or fetched response), so a rejected input leaves nothing behind in the database.
// A valid input hands the writer its records as an async iterable: read again from the file
// when the input can be reopened (memory bounded by one round of the writer, whatever the
// file's size), else from memory.
// Every message names the input, the entry (0-based index, and its id when known) and the
// field, and says what was expected and what was received.
import { mergeRecords, type PaperRecord } from './records.ts';

export interface Problem {
  /** 0-based index of the entry in its input; undefined for a problem of the whole input. */
  readonly entry?: number | undefined;
  /** The entry's arXiv id (as written), when it could be read. */
  readonly id?: string | undefined;
  /** Path of the field inside the entry, e.g. `paper.title` or `author[2].name`. */
  readonly field?: string | undefined;
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  const where: string[] = [];
  if (problem.entry !== undefined) where.push(`entry ${problem.entry}${problem.id ? ` (${problem.id})` : ' (id unknown)'}`);
  if (problem.field) where.push(`field ${problem.field}`);
  return where.length > 0 ? `${where.join(', ')}: ${problem.message}` : problem.message;
}

/** How many problems of one input are listed; the rest are counted. */
export const MAX_PROBLEMS_LISTED = 10;

/** An input that cannot be imported: nothing from it is written. */
export class RejectedInput extends Error {
  override name = 'RejectedInput';
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
    /** Problems found beyond those listed. */
    readonly more = 0,
  ) {
    const listed = problems.map(formatProblem);
    if (more > 0) listed.push(`and ${more} more problem${more === 1 ? '' : 's'}`);
    super(`${source}: ${listed.join('; ')}`);
  }
}

/** A valid input, ready to be written in one transaction. */
export interface ParsedInput {
  readonly source: string;
  readonly format: InputFormat;
  /** Distinct papers: entries for the same arXiv id are merged into one record (see `mergeRecords`). */
  readonly papers: number;
  /** Entries read, including repeats of a paper. */
  readonly entries: number;
  /** Entries whose featured day nothing told (Hugging Face input only). */
  readonly featuredOnUnknown: number;
  /**
   * The records, one per paper. May read the input again: if it no longer validates (a file
   * changed between the two reads) the iteration throws RejectedInput, and the writer's
   * transaction rolls back.
   */
  records(): AsyncIterable<PaperRecord>;
}

export type InputFormat = 'hf-daily-papers' | 'arxiv-atom';

/**
 * Collects records and problems while a reader walks its input. By default it keeps every
 * record (merged by arXiv id); with a `sink` it hands each record over instead and keeps none.
 */
export class Collector {
  private readonly byId = new Map<string, PaperRecord>();
  private readonly problems: Problem[] = [];
  private dropped = 0;
  entries = 0;
  featuredOnUnknown = 0;

  constructor(
    readonly source: string,
    readonly format: InputFormat,
    private readonly sink?: (record: PaperRecord) => void,
  ) {}

  add(record: PaperRecord): void {
    if (this.sink) return this.sink(record);
    const earlier = this.byId.get(record.arxivId);
    this.byId.set(record.arxivId, earlier ? mergeRecords(earlier, record) : record);
  }

  problem(problem: Problem): void {
    if (this.problems.length < MAX_PROBLEMS_LISTED) this.problems.push(problem);
    else this.dropped++;
  }

  get failed(): boolean {
    return this.problems.length > 0;
  }

  /** Throws `RejectedInput` when any problem was found. */
  check(): void {
    if (this.failed) throw new RejectedInput(this.source, this.problems, this.dropped);
  }

  /** The kept records as a valid input; throws `RejectedInput` when any problem was found. */
  finish(): ParsedInput {
    this.check();
    const records = [...this.byId.values()];
    return {
      source: this.source,
      format: this.format,
      papers: records.length,
      entries: this.entries,
      featuredOnUnknown: this.featuredOnUnknown,
      async *records() {
        yield* records;
      },
    };
  }
}

/** "number 42", "null", "an array", "string \"abc\"": what was received, for a message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** "1 complete entry", "3 complete entries": where in a malformed input reading stopped. */
export const complete = (n: number) => `${n} complete ${n === 1 ? 'entry' : 'entries'}`;

/** Largest value of a Postgres INTEGER column. */
export const MAX_INT = 2_147_483_647;
