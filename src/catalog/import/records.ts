// What every reader produces and the writer consumes: one validated paper, whatever its source.
//
// Optional fields are `undefined` when the source did not say. The writer never turns an
// `undefined` into a null or a zero in the database, and never lets it erase a value an
// earlier import stored: a snapshot that lacks a field leaves the known value in place.

import type { HfLinks, HfOrganization } from '../papers/index.ts';

export interface AuthorRecord {
  /** As the source wrote it (whitespace collapsed). */
  readonly name: string;
  /** Matching key across papers: `normalizeAuthorName(name)`, never empty. */
  readonly normalizedName: string;
  /** Hugging Face's `hidden`; undefined when the source has no such notion (arXiv). */
  readonly hidden?: boolean | undefined;
  /** arXiv's `arxiv:affiliation` (several joined with "; "). */
  readonly affiliation?: string | undefined;
}

export interface TopicRecord {
  /** `topicSlug(key)`: the Topic row's unique key. */
  readonly slug: string;
  /** Display name given to the Topic when this import creates it. */
  readonly name: string;
}

export interface PaperRecord {
  /** Versionless arXiv id. */
  readonly arxivId: string;
  readonly title: string;
  readonly abstract: string;
  /** arXiv v1 date. */
  readonly publishedAt: Date;
  /** Day featured on Hugging Face Daily Papers (UTC midnight); undefined when unknown. */
  readonly featuredOn?: Date | undefined;
  readonly githubRepo?: string | undefined;
  readonly githubStars?: number | undefined;
  readonly projectPage?: string | undefined;
  readonly hfUpvotes?: number | undefined;
  readonly hfComments?: number | undefined;
  readonly hfSubmitterHandle?: string | undefined;
  readonly organization?: string | undefined;
  readonly aiSummary?: string | undefined;
  readonly aiKeywords?: readonly string[] | undefined;
  readonly arxivUpdatedAt?: Date | undefined;
  readonly primaryCategory?: string | undefined;
  readonly doi?: string | undefined;
  readonly journalRef?: string | undefined;
  readonly arxivComment?: string | undefined;
  // Hugging Face links (src/catalog/papers/hugging-face.ts has their shapes).
  readonly hfThumbnail?: string | undefined;
  readonly hfMediaUrls?: readonly string[] | undefined;
  readonly hfSubmitterOrganization?: HfOrganization | undefined;
  readonly hfModels?: HfLinks | undefined;
  readonly hfDatasets?: HfLinks | undefined;
  readonly hfSpaces?: HfLinks | undefined;
  /** Byline order; empty when the source listed no authors (then a known byline is kept). */
  readonly authors: readonly AuthorRecord[];
  readonly topics: readonly TopicRecord[];
}

/** The optional scalar fields, in one list so that merge and write cannot forget one. */
export const OPTIONAL_FIELDS = [
  'githubRepo',
  'githubStars',
  'projectPage',
  'hfUpvotes',
  'hfComments',
  'hfSubmitterHandle',
  'organization',
  'aiSummary',
  'aiKeywords',
  'arxivUpdatedAt',
  'primaryCategory',
  'doi',
  'journalRef',
  'arxivComment',
  'hfThumbnail',
  'hfMediaUrls',
  'hfSubmitterOrganization',
  'hfModels',
  'hfDatasets',
  'hfSpaces',
] as const satisfies readonly (keyof PaperRecord)[];

export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/**
 * Two entries of one input for the same paper (two versions in an arXiv response, or a paper
 * listed twice): the later entry wins field by field where it says something, the featured day
 * is the earliest, topics are the union.
 */
export function mergeRecords(earlier: PaperRecord, later: PaperRecord): PaperRecord {
  const merged: Record<string, unknown> = { ...earlier };
  for (const field of OPTIONAL_FIELDS) {
    if (later[field] !== undefined) merged[field] = later[field];
  }
  const slugs = new Set(earlier.topics.map((t) => t.slug));
  return {
    ...(merged as unknown as PaperRecord),
    title: later.title,
    abstract: later.abstract,
    publishedAt: later.publishedAt,
    featuredOn: earliest(earlier.featuredOn, later.featuredOn),
    authors: later.authors.length > 0 ? later.authors : earlier.authors,
    topics: [...earlier.topics, ...later.topics.filter((t) => !slugs.has(t.slug))],
  };
}

export function earliest(a: Date | undefined | null, b: Date | undefined | null): Date | undefined {
  if (!a) return b ?? undefined;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}
