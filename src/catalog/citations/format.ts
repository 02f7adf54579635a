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
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import '@citation-js/plugin-ris';
import '@citation-js/plugin-csl';
import { parse as parseName } from '@citation-js/name';
import type { Paper } from '../../generated/prisma/client.ts';
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

/** BibTeX keys must be unique in a file: a second `Vaswani2017Attention` becomes `...b`. */
function uniqueLabels(entries: BibtexEntry[]): void {
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const n = seen.get(entry.label) ?? 0;
    seen.set(entry.label, n + 1);
    if (n > 0) entry.label += String.fromCharCode(97 + Math.min(n, 25));
  }
}

function bibtex(papers: CitablePaper[]): string {
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
  uniqueLabels(entries);
  return writeBibtex(entries);
}

/** The papers, in the given order, as one citation file. */
export function formatCitations(papers: CitablePaper[], format: CitationFormat): string {
  switch (format) {
    case 'BIBTEX':
      return papers.length === 0 ? '' : bibtex(papers);
    case 'RIS':
      return papers.length === 0 ? '' : (new Cite(papers.map(cslItem).map(particlesInFamily)).format('ris') as string);
    case 'CSL_JSON':
      return JSON.stringify(new Cite(papers.map(cslItem)).format('data', { format: 'object' }), null, 2);
    default: {
      const unreachable: never = format;
      throw new Error(`unknown citation format ${String(unreachable)}`);
    }
  }
}
