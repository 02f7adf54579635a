// The Paper columns a raw query selects to get rows shaped like Prisma's `Paper`. Never
// `SELECT *`: the search vector is a tsvector, which the pg adapter cannot read (and no
// client needs it).
import { Prisma, type Paper } from '../../generated/prisma/client.ts';

const names = Object.values(Prisma.PaperScalarFieldEnum);

/** `"id", "arxivId", ...` for RETURNING clauses. */
export const PAPER_COLUMNS = Prisma.raw(names.map((name) => `"${name}"`).join(', '));

/** `p."id", p."arxivId", ...` for queries over `"Paper" p`. */
export const PAPER_COLUMNS_P = Prisma.raw(names.map((name) => `p."${name}"`).join(', '));

/**
 * What a list shows of a paper when no field beneath it needs more (src/catalog/papers/selection.ts
 * LISTING_FIELDS): every column but the long texts and the JSON of outside sources. The
 * abstract alone is two thirds of a row's bytes at 100k papers.
 */
export const LISTING_COLUMNS = [
  'id', 'arxivId', 'title', 'publishedAt', 'featuredOn', 'githubRepo', 'githubStars', 'projectPage', 'upvoteCount',
  'submittedById', 'hiddenAt', 'arxivUpdatedAt', 'primaryCategory', 'doi', 'organization', 'commentCount', 'createdAt', 'updatedAt',
] as const satisfies readonly (keyof Paper)[];

/** A paper row of LISTING_COLUMNS: typed as a Paper for the resolvers, never cached as one. */
export const LISTING_COLUMNS_P = Prisma.raw(LISTING_COLUMNS.map((name) => `p."${name}"`).join(', '));
