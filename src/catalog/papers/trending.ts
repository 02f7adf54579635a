// Trending scores. The formula (also in schema.graphql, on trendingPapers):
//
//   score(paper, window) = Σ over the paper's votes cast within the window of 0.5^(age / halfLife)
//   halfLife = window / 4: DAY 6 h, WEEK 42 h, MONTH 7.5 days
//
// plus the paper's imported Hugging Face upvotes, counted as cast at noon UTC of its featured
// day when that lies within the window. Recent votes weigh most, so velocity wins over totals.
//
// Why precomputed: summing decayed votes at read time touches every vote of the window
// (a month is ~500k rows at 1M votes), far too slow for a page. One INSERT ... SELECT per
// window rewrites PaperTrend every TRENDING_REFRESH_SECONDS; a trending page is then an index
// scan on PaperTrend(window, score DESC, paperId DESC). The cost: scores lag votes by up to
// the refresh interval, as on Hugging Face's own trending page.
import type { Db } from '../../platform/db/client.ts';
import { Freshness } from '../../platform/freshness.ts';

export const TREND_WINDOWS = { DAY: 24, WEEK: 7 * 24, MONTH: 30 * 24 } as const;
export type TrendWindow = keyof typeof TREND_WINDOWS;

/**
 * Recomputes every window's scores in one transaction. Private: callers refresh through the
 * platform's `trending` (trendingScores below), so that its reads know the scores are fresh.
 */
async function refreshTrending(db: Db): Promise<void> {
  // Built lazily, one window after the other, on the transaction's own client.
  const statements = (tx: Pick<Db, '$executeRaw'>) => Object.entries(TREND_WINDOWS).flatMap(([window, hours]) => {
    const halfLifeSeconds = (hours * 3600) / 4;
    return [
      () => tx.$executeRaw`DELETE FROM "PaperTrend" WHERE "window" = ${window}::"TrendWindow"`,
      () => tx.$executeRaw`
        INSERT INTO "PaperTrend" ("window", "paperId", score, "computedAt")
        SELECT ${window}::"TrendWindow", s."paperId", sum(s.weight), now()
        FROM (
          SELECT v."paperId", power(0.5, extract(epoch FROM now() - v."createdAt") / ${halfLifeSeconds}) AS weight
          FROM "Vote" v
          WHERE v."createdAt" > now() - make_interval(hours => ${hours})
          UNION ALL
          SELECT p.id, p."hfUpvotes" * power(0.5, greatest(0, extract(epoch FROM now() - (p."featuredOn" + time '12:00') AT TIME ZONE 'UTC')) / ${halfLifeSeconds})
          FROM "Paper" p
          WHERE p."hfUpvotes" > 0 AND p."featuredOn" > (now() - make_interval(hours => ${hours}))::date
        ) s
        GROUP BY s."paperId"`,
    ];
  });
  // Instances refreshing at once take turns: each DELETE + INSERT would otherwise collide on
  // keys. A month of votes at 1M votes takes seconds, far past Prisma's default 5 s.
  await db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${TRENDING_LOCK})::text`;
      for (const statement of statements(tx)) await statement();
    },
    { timeout: 10 * 60_000, maxWait: 60_000 },
  );
}

const TRENDING_LOCK = 7_366_001;

/**
 * The scores' freshness for the platform object: read at most TRENDING_REFRESH_SECONDS old,
 * refreshed by reads (src/platform/freshness.ts) unless instances take turns through Redis
 * (`refreshedElsewhere`: the holder of the turn refreshes on its timer, src/main.ts).
 */
export function trendingScores(db: Db, options: { maxAgeSeconds: number; refreshedElsewhere?: boolean } = { maxAgeSeconds: 300 }): Freshness {
  return new Freshness(() => refreshTrending(db), { maxAgeMs: options.maxAgeSeconds * 1000, refreshedElsewhere: options.refreshedElsewhere ?? false });
}
