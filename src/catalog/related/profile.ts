// A user's taste for "for you" (User.recommendedPapers), shared by the term path (./reads.ts)
// and the embedding path (./embeddings/reads.ts): the papers that make the profile, with
// weights, and the papers never recommended to them. SQL fragments (common table expressions)
// with $1 the user.
//
// DANGER: a user's upvotes, collections and follows are theirs alone, private collections
// included: whatever is built on these CTEs is shown to that user only (./resolvers.ts).
import { LISTED } from '../papers/index.ts';

/**
 * Papers taken from each source: the latest upvotes, collection items, followed papers. The
 * bound of "for you"'s work per request (./reads.ts): a reader with 200 upvotes is profiled by
 * the latest 50 (the statement summed 4,000 candidate rows at 200: p99 48 ms alone, 172 ms at 16
 * connections on the 100k bench catalog; bench/results/2026-12-07-related-session4.md).
 */
export const PROFILE_PAPERS = 50;
/**
 * Weight of a followed author's or topic's paper against an upvoted or collected one: the
 * user chose the author or the topic, not the paper.
 */
export const FOLLOW_WEIGHT = 0.5;

// `profile (paperId, w)`: the latest PROFILE_PAPERS of each source, a paper in several summing
// its weights (upvoted and collected counts double). Followed papers are the latest published
// of the followed authors and topics, listed ones only (the user never saw a hidden one; an
// upvoted or collected paper hidden later still says what they like).
//
// `excluded (paperId)`: never recommended: what the user upvoted, what is in any of their
// collections (private ones included: both say they have it already), and every paper of the
// profile, the followed ones included. A profile paper is close to its own centroid and would
// crowd out everything new, and followed papers are listed by the feed already (viewer.feed):
// "for you" is for what the user would not find there.
export const PROFILE_CTES = `
  profile AS (
    SELECT s."paperId", sum(s.w)::float8 AS w FROM (
      (SELECT v."paperId", 1.0 AS w FROM "Vote" v WHERE v."userId" = $1
       ORDER BY v."createdAt" DESC, v."paperId" LIMIT ${PROFILE_PAPERS})
      UNION ALL
      (SELECT ci."paperId", 1.0 FROM "CollectionItem" ci JOIN "Collection" c ON c.id = ci."collectionId"
       WHERE c."ownerId" = $1 ORDER BY ci."addedAt" DESC, ci."paperId" LIMIT ${PROFILE_PAPERS})
      UNION ALL
      (SELECT p.id, ${FOLLOW_WEIGHT} FROM "Paper" p
       WHERE p.id IN (
           SELECT pa."paperId" FROM "Follow" f JOIN "PaperAuthor" pa ON pa."authorId" = f."authorId" WHERE f."userId" = $1
           UNION
           SELECT pt."paperId" FROM "Follow" f JOIN "PaperTopic" pt ON pt."topicId" = f."topicId" WHERE f."userId" = $1)
         AND ${LISTED.text}
       ORDER BY p."publishedAt" DESC, p.id DESC LIMIT ${PROFILE_PAPERS})
    ) s
    GROUP BY s."paperId"
  ), excluded AS (
    SELECT pr."paperId" FROM profile pr
    UNION
    SELECT v."paperId" FROM "Vote" v WHERE v."userId" = $1
    UNION
    SELECT ci."paperId" FROM "CollectionItem" ci JOIN "Collection" c ON c.id = ci."collectionId" WHERE c."ownerId" = $1
  )`;
