// The Paper columns a raw query selects to get rows shaped like Prisma's `Paper`. Never
// `SELECT *`: the search vector is a tsvector, which the pg adapter cannot read (and no
// client needs it).
import { Prisma } from '../generated/prisma/client.ts';

const names = Object.values(Prisma.PaperScalarFieldEnum);

/** `"id", "arxivId", ...` for RETURNING clauses. */
export const PAPER_COLUMNS = Prisma.raw(names.map((name) => `"${name}"`).join(', '));

/** `p."id", p."arxivId", ...` for queries over `"Paper" p`. */
export const PAPER_COLUMNS_P = Prisma.raw(names.map((name) => `p."${name}"`).join(', '));
