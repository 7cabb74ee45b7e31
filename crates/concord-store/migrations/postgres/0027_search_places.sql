-- Word search within a county of a province's database: the newest matches of a word
-- may all lie in other counties (at 10,000,000 cases in ten counties, a county's search
-- passed nine million newer cases of the others: 7.4 s). The search index's stretches
-- (migration 0026) now belong to places, and each row keeps its case's place and number:
--   '@331125:2026:3'   the county's cases of 2026 numbered 12288 to 16383 (seq >> 12),
--                      so a county's newest stretch is full of its own cases however
--                      many other counties share the database;
--   '@3311#15', '@33#15'  the city's and the province's cases in the stretch of 65,536
--                      ids (case_id >> 16), for searches above a county;
--   '@331125003', '@331125003002'  the township and the village, asked for beside
--                      the county's stretches.
DROP INDEX IF EXISTS case_search_bucketed;
-- The columns come with defaults so that the rows' old versions, which the index build
-- still reads within this transaction, have a place too.
ALTER TABLE case_search ADD COLUMN region_code TEXT NOT NULL DEFAULT '',
    ADD COLUMN year BIGINT NOT NULL DEFAULT 0, ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE case_search s SET region_code = c.region_code, year = c.year, seq = c.seq
FROM cases c WHERE c.id = s.case_id;
ALTER TABLE case_search ALTER COLUMN region_code DROP DEFAULT,
    ALTER COLUMN year DROP DEFAULT, ALTER COLUMN seq DROP DEFAULT;
CREATE INDEX case_search_placed ON case_search USING GIN (
    (terms || array_to_tsvector(ARRAY[
        '@' || left(region_code, 6) || ':' || year::text || ':' || (seq >> 12)::text,
        '@' || left(region_code, 4) || '#' || (case_id >> 16)::text,
        '@' || left(region_code, 2) || '#' || (case_id >> 16)::text,
        '@' || left(region_code, 9), '@' || region_code]))
);
