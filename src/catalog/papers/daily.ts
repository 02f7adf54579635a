// The daily list: papers featured on one UTC day, with the neighbouring days that have papers.
import { Prisma } from '../../generated/prisma/client.ts';
import type { DailyPapersResolvers, QueryResolvers } from '../../generated/graphql.ts';
import { dayOf } from '../../platform/pagination/keys.ts';
import { featuredDayAfter, featuredDayBefore, latestFeaturedDay } from './reads.ts';
import { listPapers } from './list.ts';
import { paperSelection } from './selection.ts';

export interface DailyPapersRow {
  date: Date;
}

export const Query: Pick<QueryResolvers, 'dailyPapers'> = {
  dailyPapers: async (_parent, { date }, ctx) => ({ date: date ?? (await latestFeaturedDay(ctx)) }),
};

export const DailyPapers: DailyPapersResolvers = {
  papers: ({ date }, args, ctx, info) =>
    listPapers(ctx, args, {
      scope: [Prisma.sql`p."featuredOn" = ${dayOf(date)}::date`],
      defaultOrder: { field: 'UPVOTES', direction: 'DESC' },
      ...paperSelection(info),
    }),
  previousDate: ({ date }, _args, ctx) => featuredDayBefore(ctx, date),
  nextDate: ({ date }, _args, ctx) => featuredDayAfter(ctx, date),
};
