// DANGER: who may see a hidden paper, decided here and nowhere else. A curator hides a paper
// (src/catalog/curation): it leaves every list, count, feed and digest for everyone, curators
// included, takes no votes, and opened by its id or arXiv id it exists for curators only.
// Anything that reads papers for a client goes through these; a new read that forgets them
// reveals what curators took down.
import { Prisma, type Paper, type User } from '../../generated/prisma/client.ts';
import { isCurator } from '../users/index.ts';

/** SQL: the paper under alias `p` is listed. */
export const LISTED = Prisma.sql`p."hiddenAt" IS NULL`;

/** Prisma: the paper is listed. */
export const listedPaper = { hiddenAt: null } as const satisfies Prisma.PaperWhereInput;

/** Whether a paper is listed (shown in lists, takes votes, comments and collection items), for everyone alike. */
export function isListed(paper: Pick<Paper, 'hiddenAt'>): boolean {
  return paper.hiddenAt === null;
}

/** Whether a paper opened by id (not listed) may be shown to this viewer. */
export function canSee(viewer: User | null | undefined, paper: Pick<Paper, 'hiddenAt'>): boolean {
  return isListed(paper) || isCurator(viewer ?? null);
}

/** The paper if this viewer may see it, else null (never a hint that it exists). */
export function visibleTo<P extends Pick<Paper, 'hiddenAt'>>(viewer: User | null | undefined, paper: P | null | undefined): P | null {
  return paper && canSee(viewer, paper) ? paper : null;
}
