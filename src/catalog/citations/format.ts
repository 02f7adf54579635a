// Citation export with citation-js (@citation-js/core and its bibtex, ris and csl plugins): a
// paper becomes one CSL-JSON item, and the library writes every format from it, with its name
// handling, LaTeX escaping, title-case protection and labels.
//
// One gap is filled here: citation-js's BibTeX mapping has no arXiv fields (its eprint mapping
// is PubMed's). An arXiv paper is cited as arXiv itself asks, `@misc` with `eprint`,
// `archivePrefix = {arXiv}` and `primaryClass`; so BibTeX is taken from the library as entry
// objects (values already escaped by it), the type and those three fields set, and written out
// in the library's own layout. The added values are an arXiv id and a category, checked against
// their patterns, so they need no escaping.
//
// DANGER: citation-js is synchronous and costs 0.15-0.3 ms per paper (bench/citations.ts), so
// a 1,000-paper collection is 150-300 ms of CPU per format. Formatted in one piece it held the
// event loop that long: the operation's timeout (a timer, src/http/deadline.ts) could not fire,
// nor could /healthz answer. So papers are formatted a slice at a time (PAPERS_PER_TURN), the
// event loop gets a turn between slices (setImmediate), and past the operation's deadline the
// work stops (OPERATION_TIMEOUT) instead of running on for an answer nobody reads. Each format
// is written so that slices join into exactly the text one piece would give.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import '@citation-js/plugin-ris';
import '@citation-js/plugin-csl';
import { parse as parseName } from '@citation-js/name';
import type { Paper } from '../../generated/prisma/client.ts';
import type { Deadline } from '../../platform/db/reader.ts';
import { operationTimedOut } from '../../platform/errors.ts';
import { arxivAbsUrl } from '../papers/index.ts';

export type CitationFormat = 'BIBTEX' | 'RIS' | 'CSL_JSON';

export interface CitablePaper {
  paper: Pick<Paper, 'arxivId' | 'title' | 'abstract' | 'publishedAt' | 'doi' | 'primaryCategory' | 'journalRef'>;
  /** Byline order. */
  authors: string[];
}

interface CslName {
  given?: string;
  family?: string;
  literal?: string;
  'non-dropping-particle'?: string;
  'dropping-particle'?: string;
  suffix?: string;
}

/** "Ashish Vaswani" → given/family (particles kept); a single word stays whole ("OpenAI"). */
function cslName(name: string): CslName {
  const parsed = parseName(name) as CslName | undefined;
  return parsed && parsed.family ? parsed : { literal: name };
}

const ARXIV_ID = /^(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7})$/;
const CATEGORY = /^[a-z-]+(?:\.[A-Za-z-]+)?$/;

/** The CSL-JSON item of a paper: an arXiv preprint (CSL type `article`). */
export function cslItem({ paper, authors }: CitablePaper): Record<string, unknown> {
  const d = paper.publishedAt;
  return {
    id: `arXiv:${paper.arxivId}`,
    type: 'article',
    title: paper.title,
    author: authors.map(cslName),
    issued: { 'date-parts': [[d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]] },
    publisher: 'arXiv',
    number: `arXiv:${paper.arxivId}`,
    archive: 'arXiv',
    ...(paper.doi ? { DOI: paper.doi } : {}),
    URL: arxivAbsUrl(paper.arxivId),
    ...(paper.journalRef ? { note: paper.journalRef } : {}),
  };
}

/**
 * citation-js's RIS writer drops a name's particle ("van der Müller" would become "Müller"),
 * and RIS has no field for it: there it goes into the family name, as RIS readers expect.
 */
function particlesInFamily(item: Record<string, unknown>): Record<string, unknown> {
  const author = (item.author as CslName[]).map(({ 'non-dropping-particle': nonDropping, 'dropping-particle': dropping, ...name }) =>
    name.family && (nonDropping || dropping) ? { ...name, family: [dropping, nonDropping, name.family].filter(Boolean).join(' ') } : name,
  );
  return { ...item, author };
}

interface BibtexEntry {
  type: string;
  label: string;
  properties: Record<string, string>;
}

/** The layout of citation-js's own BibTeX text output (a tab per field, a comma after each). */
function writeBibtex(entries: BibtexEntry[]): string {
  return entries.map((e) => `@${e.type}{${e.label},\n${Object.entries(e.properties).map(([k, v]) => `\t${k} = {${v}},\n`).join('')}}\n`).join('\n');
}

/** Labels given so far in one file: taken ones, and the next suffix to try per base label. */
interface Labels {
  taken: Set<string>;
  next: Map<string, number>;
}

/** 1 → b, 25 → z, 26 → ba, 27 → bb...: the base label alone is the implicit `a`. */
function labelSuffix(n: number): string {
  let suffix = '';
  for (; n > 0; n = Math.floor(n / 26)) suffix = String.fromCharCode(97 + (n % 26)) + suffix;
  return suffix;
}

/**
 * BibTeX keys must be unique in a file: a second `Vaswani2017Attention` becomes `...b`, the
 * 27th `...ba`. `labels` spans the whole file, so slices labelled one after another get the
 * labels the whole would.
 */
function uniqueLabels(entries: BibtexEntry[], labels: Labels): void {
  for (const entry of entries) {
    const base = entry.label;
    let n = labels.next.get(base) ?? 0;
    let label = n === 0 ? base : base + labelSuffix(n);
    // A suffixed label may be another paper's own (`Smith2020Ab` + `a`...): skip it.
    while (labels.taken.has(label)) label = base + labelSuffix(++n);
    labels.next.set(base, n + 1);
    labels.taken.add(label);
    entry.label = label;
  }
}

function bibtexEntries(papers: CitablePaper[]): BibtexEntry[] {
  const entries = new Cite(papers.map(cslItem)).format('bibtex', { format: 'object' }) as unknown as BibtexEntry[];
  entries.forEach((entry, i) => {
    const { paper } = papers[i]!;
    const { doi, url, title, author, year, month, note } = entry.properties;
    entry.type = 'misc';
    // Field order as arXiv's own "Export BibTeX Citation" writes it; nothing else (no publisher).
    const properties: Record<string, string> = {};
    if (title) properties.title = title;
    if (author) properties.author = author;
    if (year) properties.year = year;
    // citation-js writes `jun 18`; BibTeX styles expect the month alone.
    if (month) properties.month = month.split(' ')[0]!;
    if (ARXIV_ID.test(paper.arxivId)) {
      properties.eprint = paper.arxivId;
      properties.archivePrefix = 'arXiv';
      if (paper.primaryCategory && CATEGORY.test(paper.primaryCategory)) properties.primaryClass = paper.primaryCategory;
    }
    if (doi) properties.doi = doi;
    if (url) properties.url = url;
    if (note) properties.note = note;
    entry.properties = properties;
  });
  return entries;
}

/** `JSON.stringify(items, null, 2)`'s elements: each indented one level, as inside the array. */
function cslJsonElements(papers: CitablePaper[]): string[] {
  const data = new Cite(papers.map(cslItem)).format('data', { format: 'object' }) as unknown as unknown[];
  return data.map((item) => `  ${JSON.stringify(item, null, 2).replaceAll('\n', '\n  ')}`);
}

/** How one format writes a slice of the papers, and joins the slices' texts into one file. */
interface Writer {
  slice(papers: CitablePaper[]): string;
  join(parts: string[]): string;
}

function writerOf(format: CitationFormat): Writer {
  switch (format) {
    case 'BIBTEX': {
      const labels: Labels = { taken: new Set(), next: new Map() };
      return {
        slice(papers) {
          const entries = bibtexEntries(papers);
          uniqueLabels(entries, labels);
          return writeBibtex(entries);
        },
        join: (parts) => parts.join('\n'),
      };
    }
    case 'RIS':
      // citation-js ends a record with `ER  - ` and puts a newline between records.
      return { slice: (papers) => new Cite(papers.map(cslItem).map(particlesInFamily)).format('ris') as string, join: (parts) => parts.join('\n') };
    case 'CSL_JSON':
      return { slice: (papers) => cslJsonElements(papers).join(',\n'), join: (parts) => (parts.length === 0 ? '[]' : `[\n${parts.join(',\n')}\n]`) };
    default: {
      const unreachable: never = format;
      throw new Error(`unknown citation format ${String(unreachable)}`);
    }
  }
}

/**
 * Papers formatted between two turns of the event loop: about 5 ms of citation-js on a quiet
 * machine (0.15-0.3 ms a paper), so a request waiting behind this one waits about that long.
 */
export const PAPERS_PER_TURN = 25;

export interface FormatOptions {
  /** Stop with OPERATION_TIMEOUT once this passes (the request's, see src/platform/db/reader.ts). */
  deadline?: Deadline | undefined;
  /** Papers per slice (default PAPERS_PER_TURN). */
  papersPerTurn?: number | undefined;
}

/**
 * The papers, in the given order, as one citation file. Up to `papersPerTurn` papers are
 * written at once; a longer list yields the event loop between slices and stops at the deadline.
 */
export async function formatCitations(papers: CitablePaper[], format: CitationFormat, options: FormatOptions = {}): Promise<string> {
  const writer = writerOf(format);
  const perTurn = Math.max(1, options.papersPerTurn ?? PAPERS_PER_TURN);
  const parts: string[] = [];
  for (let start = 0; start < papers.length; start += perTurn) {
    if (start > 0) await nextTurn();
    const deadline = options.deadline;
    if (deadline && performance.now() > deadline.at) throw operationTimedOut(deadline.timeoutMs);
    parts.push(writer.slice(papers.slice(start, start + perTurn)));
  }
  return writer.join(parts);
}
