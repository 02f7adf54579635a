// The daily list: papers featured on one UTC day, with the neighbouring days that have papers.
import { Prisma } from '../generated/prisma/client.ts';
import type { DailyPapersResolvers, QueryResolvers } from '../generated/graphql.ts';
import { dayOf } from '../pagination/keys.ts';
import { listPapers } from './list.ts';

export interface DailyPapersRow {
  date: Date;
}

export const Query: Pick<QueryResolvers, 'dailyPapers'> = {
  dailyPapers: (_parent, { date }) => ({ date }),
};

export const DailyPapers: DailyPapersResolvers = {
  papers: ({ date }, args, ctx) =>
    listPapers(ctx, args, {
      scope: [Prisma.sql`p."featuredOn" = ${dayOf(date)}::date`],
      defaultOrder: { field: 'UPVOTES', direction: 'DESC' },
    }),
  previousDate: async ({ date }, _args, ctx) =>
    (await ctx.db.paper.findFirst({ where: { featuredOn: { lt: date }, hiddenAt: null }, orderBy: { featuredOn: 'desc' }, select: { featuredOn: true } }))?.featuredOn ?? null,
  nextDate: async ({ date }, _args, ctx) =>
    (await ctx.db.paper.findFirst({ where: { featuredOn: { gt: date }, hiddenAt: null }, orderBy: { featuredOn: 'asc' }, select: { featuredOn: true } }))?.featuredOn ?? null,
};
