-- ─── Written by hand: what Prisma's schema cannot express ─────────────────────────────────
-- The search document stays in the paper's row (STORAGE MAIN) instead of TOAST. Uncompressible
-- (pglz gains nothing on a tsvector), ~1.2 kB a paper, it was moved out of line in 70 % of the
-- rows of the bench catalog, so every match that search checks, ranks or counts read it from the
-- TOAST table through its index: a GIN match's recheck, ts_rank_cd over the candidates, the
-- phrase check of positions, the count up to its cap. Kept in the row, those reads are 2-3x
-- cheaper (bench/results/2026-12-07-search-session4.md). The other long columns (abstract,
-- summaries) are moved out of line first, as before: they are read for a page's rows only.
--
-- Both subcommands in one statement: the rewrite (the USING expression makes a new value of
-- every vector) then runs under the new storage. Rewrites the table and its indexes once, under
-- an exclusive lock: ~16 s for 100k papers on the 2-core bench machine, minutes at millions.
ALTER TABLE "Paper"
  ALTER COLUMN "searchVector" TYPE tsvector USING "searchVector" || ''::tsvector,
  ALTER COLUMN "searchVector" SET STORAGE MAIN;
