-- ─── Written by hand: what Prisma's schema cannot express ─────────────────────────────────
-- The title alone as a search document, for the title candidates of ranked KEYWORD search
-- (src/catalog/papers/ranked-search.ts): a page is ranked among a bounded set of candidates,
-- and the papers whose title matches are always among them, so a paper's title finds it
-- however many papers share its words. Queries must name the same expression.
CREATE INDEX catalog_paper_title_search_idx ON "Paper" USING GIN (to_tsvector('english'::regconfig, title));
