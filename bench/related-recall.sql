-- Recall of the related-papers pruning (src/related/reads.ts) against the exact join, on 30 sample
-- papers: psql -d <catalog with term vectors> -v cap=1000 -v pool=200 -f bench/related-recall.sql
-- (cap: POSTINGS_PER_TERM, pool: CANDIDATES).
WITH src AS (SELECT id FROM "Paper" ORDER BY md5(id::text) LIMIT 30),
exact AS (SELECT s.id, r.pid FROM src s CROSS JOIN LATERAL (
  SELECT b."paperId" pid FROM "PaperTerm" a JOIN "PaperTerm" b ON b.term = a.term WHERE a."paperId" = s.id AND b."paperId" <> s.id
  GROUP BY b."paperId" ORDER BY sum(a.weight*b.weight) DESC, b."paperId" LIMIT 10) r),
pruned AS (SELECT s.id, r.pid FROM src s CROSS JOIN LATERAL (
  SELECT c.pid FROM (
    SELECT b."paperId" pid FROM "PaperTerm" a CROSS JOIN LATERAL (SELECT t."paperId", t.weight FROM "PaperTerm" t WHERE t.term = a.term ORDER BY t.weight DESC LIMIT :cap) b
    WHERE a."paperId" = s.id AND b."paperId" <> s.id
    GROUP BY b."paperId" ORDER BY sum(a.weight*b.weight) DESC LIMIT :pool) c
  JOIN "PaperTerm" b ON b."paperId" = c.pid JOIN "PaperTerm" a ON a."paperId" = s.id AND a.term = b.term
  GROUP BY c.pid ORDER BY sum(a.weight*b.weight) DESC, c.pid LIMIT 10) r)
SELECT :cap AS cap, :pool as pool, (SELECT count(*) FROM exact JOIN pruned USING (id, pid))::float / (SELECT count(*) FROM exact) AS recall_at_10;
