// Facets of a paper list: counts over the whole filtered list, one SQL statement each, run
// only when the client asks for them.
import { Prisma, type Topic } from '../../generated/prisma/client.ts';
import type { PaperFacetsResolvers, TopicCountResolvers } from '../../generated/graphql.ts';
import { badInput } from '../../platform/errors.ts';

/** The FROM and WHERE of a list, without its keyset: what facets count over. */
export interface FacetSource {
  from: Prisma.Sql;
  where: Prisma.Sql;
  /** false: a search with more matches than SEARCH_COUNT_CAP, counted over that many of them (./list.ts); absent: exact. */
  exact?: () => Promise<boolean>;
}

export interface TopicCountRow {
  topicId: number;
  count: number;
}

export const PaperFacets: PaperFacetsResolvers = {
  countsAreExact: ({ exact }) => exact?.() ?? true,
  async topics({ from, where }, { first }, ctx) {
    const limit = first ?? 20;
    if (limit < 1 || limit > 100) throw badInput(`first must be between 1 and 100; got ${limit}`, 'first');
    return ctx.db.$queryRaw<TopicCountRow[]>`
      SELECT pt."topicId", count(*)::int AS count
      FROM ${from} JOIN "PaperTopic" pt ON pt."paperId" = p.id
      WHERE ${where}
      GROUP BY pt."topicId" ORDER BY count DESC, pt."topicId" LIMIT ${limit}`;
  },
  months: ({ from, where }, _args, ctx) =>
    ctx.db.$queryRaw<{ month: string; count: number }[]>`
      SELECT to_char(p."publishedAt" AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*)::int AS count
      FROM ${from} WHERE ${where}
      GROUP BY 1 ORDER BY 1 DESC`,
  async hasCode({ from, where }, _args, ctx) {
    const [row] = await ctx.db.$queryRaw<{ withCode: number; withoutCode: number }[]>`
      SELECT count(*) FILTER (WHERE p."githubRepo" IS NOT NULL)::int AS "withCode",
             count(*) FILTER (WHERE p."githubRepo" IS NULL)::int AS "withoutCode"
      FROM ${from} WHERE ${where}`;
    return row!;
  },
};

export const TopicCount: TopicCountResolvers = {
  topic: async (row, _args, ctx) => (await ctx.loaders.topicById.load(row.topicId)) as Topic,
};
