// The three snapshot formats, one JSON object per line, read into the rows the import writes.
// A line that is not what its format says throws SnapshotError naming the file, the line and the
// field: the whole snapshot is then rejected and nothing of it kept.
import { normalizeArxivId } from '../papers/index.ts';

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export interface WorkRecord {
  externalId: string;
  arxivId: string | null;
  doi: string | null;
  title: string | null;
  year: number | null;
  citationCount: number | null;
  influentialCitationCount: number | null;
  referenceCount: number | null;
  /** ISO day the source's counts held (OpenAlex `updated_date`); null: the snapshot's import time. */
  asOf: string | null;
}

export interface EdgeRecord {
  citingId: string;
  citedId: string;
  isInfluential: boolean;
  /** Comma-joined, sorted, distinct. */
  intents: string;
}

const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/i;

/** A DOI as stored: lower-cased, without `https://doi.org/` or `doi:`; null when not a DOI. */
export function normalizeDoi(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const doi = raw.trim().replace(/^(https?:\/\/(dx\.)?doi\.org\/|doi:)/i, '').toLowerCase();
  return doi.startsWith('10.') ? doi : null;
}

/** The arXiv id of a paper: its own, else the one in arXiv's DataCite DOI `10.48550/arXiv.<id>`. */
export function arxivIdOf(arxiv: unknown, doi: string | null): string | null {
  if (typeof arxiv === 'string') {
    const id = normalizeArxivId(arxiv);
    if (id) return id;
  }
  const match = doi ? ARXIV_DOI.exec(doi) : null;
  return match ? normalizeArxivId(match[1]!) : null;
}

type Json = Record<string, unknown>;

function where(file: string, line: number): string {
  return `${file} line ${line}`;
}

export function parseLine(text: string, file: string, line: number): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotError(`${where(file, line)}: not a JSON object (a truncated or damaged file?): "${text.slice(0, 60)}"`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SnapshotError(`${where(file, line)}: expected a JSON object`);
  return value as Json;
}

function id(row: Json, field: string, file: string, line: number): string {
  const value = row[field];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  throw new SnapshotError(`${where(file, line)}: "${field}" must be a corpus id (a whole number); got ${JSON.stringify(value)?.slice(0, 40)}`);
}

function count(row: Json, field: string, file: string, line: number): number | null {
  const value = row[field];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new SnapshotError(`${where(file, line)}: "${field}" must be a count; got ${JSON.stringify(value).slice(0, 40)}`);
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
const year = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);

/** Semantic Scholar `papers`: corpusid, externalids { ArXiv, DOI }, title, year, counts. */
export function s2Paper(row: Json, file: string, line: number): WorkRecord {
  const externalId = id(row, 'corpusid', file, line);
  const ids = (row.externalids && typeof row.externalids === 'object' ? row.externalids : {}) as Json;
  const doi = normalizeDoi(ids.DOI);
  return {
    externalId,
    arxivId: arxivIdOf(ids.ArXiv, doi),
    doi,
    title: text(row.title),
    year: year(row.year),
    citationCount: count(row, 'citationcount', file, line),
    influentialCitationCount: count(row, 'influentialcitationcount', file, line),
    referenceCount: count(row, 'referencecount', file, line),
    asOf: null,
  };
}

/** Semantic Scholar `citations`: citingcorpusid cites citedcorpusid; null: S2 could not resolve that end. */
export function s2Citation(row: Json, file: string, line: number): EdgeRecord | null {
  if (row.citedcorpusid == null || row.citingcorpusid == null) return null;
  const intents = new Set<string>();
  // Per context a list of intents ([["methodology"], []]); older exports give a flat list.
  for (const entry of Array.isArray(row.intents) ? row.intents : []) {
    for (const intent of Array.isArray(entry) ? entry : [entry]) if (typeof intent === 'string' && intent !== '') intents.add(intent.replace(/[,\t\n\r]/g, ' '));
  }
  return {
    citingId: id(row, 'citingcorpusid', file, line),
    citedId: id(row, 'citedcorpusid', file, line),
    isInfluential: row.isinfluential === true,
    intents: [...intents].sort().join(','),
  };
}

const OPENALEX_ID = /^(?:https:\/\/openalex\.org\/)?(W\d+)$/i;

function openAlexId(value: unknown, file: string, line: number, field: string): string {
  const match = typeof value === 'string' ? OPENALEX_ID.exec(value.trim()) : null;
  if (!match) throw new SnapshotError(`${where(file, line)}: "${field}" must be an OpenAlex work id (https://openalex.org/W...); got ${JSON.stringify(value)?.slice(0, 60)}`);
  return match[1]!.toUpperCase();
}

/** OpenAlex `works`: the work and the works it references. */
export function openAlexWork(row: Json, file: string, line: number): { work: WorkRecord; references: string[] } {
  const externalId = openAlexId(row.id, file, line, 'id');
  const ids = (row.ids && typeof row.ids === 'object' ? row.ids : {}) as Json;
  const doi = normalizeDoi(row.doi) ?? normalizeDoi(ids.doi);
  const referenced = Array.isArray(row.referenced_works) ? row.referenced_works : [];
  const updated = typeof row.updated_date === 'string' && !Number.isNaN(Date.parse(row.updated_date)) ? row.updated_date : null;
  return {
    work: {
      externalId,
      arxivId: arxivIdOf(ids.arxiv, doi),
      doi,
      title: text(row.title) ?? text(row.display_name),
      year: year(row.publication_year),
      citationCount: count(row, 'cited_by_count', file, line),
      influentialCitationCount: null,
      referenceCount: referenced.length,
      asOf: updated,
    },
    // Duplicates stay: the import collapses them with every other duplicate edge, and counts them.
    references: referenced.map((ref, i) => openAlexId(ref, file, line, `referenced_works[${i}]`)),
  };
}
