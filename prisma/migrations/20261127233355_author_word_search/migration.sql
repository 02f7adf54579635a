-- Hand-written SQL: name every object catalog_* (see test/migrations.test.ts).

-- authors(query): every word of a name is searchable by prefix ("lovel" finds Ada Lovelace).
-- The names are already normalised (lower case, no accents), so the simple configuration
-- indexes them as they are.
CREATE INDEX catalog_author_name_words_idx ON "Author" USING GIN (to_tsvector('simple', "normalizedName"));

-- Replaced by the word index above.
DROP INDEX catalog_author_name_prefix_idx;
