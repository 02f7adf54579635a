// Hugging Face links of a paper, as stored by the importer (src/catalog/import/hf-daily-papers.ts) in
// JSON columns of Paper. Null everywhere means "the day's JSON did not carry it": never read a
// missing value as zero or as an empty list.
import type { Paper } from '../../generated/prisma/client.ts';

/** `submitterOrganization` of a daily-papers entry. */
export interface HfOrganization {
  name: string;
  fullName: string | null;
  avatarUrl: string | null;
}

/** Models, datasets or Spaces that cite the paper: a count, and their ids when listed. */
export interface HfLinks {
  count: number;
  names: string[] | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Stored JSON back to its shape; anything else (never written by the importer) reads as null. */
export function hfOrganization(value: unknown): HfOrganization | null {
  if (!isObject(value) || typeof value.name !== 'string') return null;
  return {
    name: value.name,
    fullName: typeof value.fullName === 'string' ? value.fullName : null,
    avatarUrl: typeof value.avatarUrl === 'string' ? value.avatarUrl : null,
  };
}

export function hfLinks(value: unknown): HfLinks | null {
  if (!isObject(value) || typeof value.count !== 'number') return null;
  const names = Array.isArray(value.names) ? value.names.filter((n): n is string => typeof n === 'string') : null;
  return { count: value.count, names };
}

export function hfStrings(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

/** Whether the paper came with anything from Hugging Face (else `Paper.huggingFace` is null). */
export function hasHuggingFace(paper: Paper): boolean {
  return (
    paper.hfUpvotes !== null ||
    paper.hfComments !== null ||
    paper.hfSubmitterHandle !== null ||
    paper.hfThumbnail !== null ||
    paper.hfMediaUrls !== null ||
    paper.hfSubmitterOrganization !== null ||
    paper.hfModels !== null ||
    paper.hfDatasets !== null ||
    paper.hfSpaces !== null
  );
}
