// The orders papers are listed in, each a keyset over an index (see prisma/schema.prisma).
import type { Paper, Prisma } from '../generated/prisma/client.ts';
import type { KeysetOrder } from '../pagination/connection.ts';
import { dayOf, keyDay, keyInt } from '../pagination/keys.ts';

type PaperOrder = KeysetOrder<Paper, Prisma.PaperWhereInput, Prisma.PaperOrderByWithRelationInput[]>;

/**
 * Newest featured day first, ties by newest id: index Paper(featuredOn DESC, id DESC).
 * Only featured papers take part (`featuredOn` not null), which keeps the index usable.
 * The `featuredOn <= day` half of the condition gives Postgres the index range to start from;
 * the OR alone would make it scan from the top.
 */
export const byFeaturedOn: PaperOrder = {
  name: 'featured',
  orderBy: [{ featuredOn: 'desc' }, { id: 'desc' }],
  reverseOrderBy: [{ featuredOn: 'asc' }, { id: 'asc' }],
  keyLength: 2,
  key: (paper) => [paper.featuredOn ? dayOf(paper.featuredOn) : null, paper.id],
  beyond([day, id], direction) {
    const featuredOn = keyDay(day);
    const paperId = keyInt(id);
    return direction === 'after'
      ? { featuredOn: { lte: featuredOn }, OR: [{ featuredOn: { lt: featuredOn } }, { id: { lt: paperId } }] }
      : { featuredOn: { gte: featuredOn }, OR: [{ featuredOn: { gt: featuredOn } }, { id: { gt: paperId } }] };
  },
};

export const featuredOnly: Prisma.PaperWhereInput = { featuredOn: { not: null } };
