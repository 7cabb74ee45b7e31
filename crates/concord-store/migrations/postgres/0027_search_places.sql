-- Word search within a county of a province's database: the newest matches of a word
-- may all lie in other counties (at 10,000,000 cases in ten counties, a county's search
-- passed nine million newer cases of the others: 7.4 s). The search index now also
-- holds each case's place at every level ('@33', '@3311', '@331125', the township, the
-- village), so a search asks for the searcher's region in the same GIN lookup as its
-- words; and each county's newest indexed case is kept, so that a search starts at the
-- county's own newest stretch of ids rather than the database's.
DROP INDEX IF EXISTS case_search_bucketed;
ALTER TABLE case_search ADD COLUMN region_code TEXT;
UPDATE case_search s SET region_code = c.region_code FROM cases c WHERE c.id = s.case_id;
ALTER TABLE case_search ALTER COLUMN region_code SET NOT NULL;
CREATE INDEX case_search_placed ON case_search USING GIN (
    (terms || array_to_tsvector(ARRAY[
        '#' || (case_id >> 16)::text,
        '@' || left(region_code, 2), '@' || left(region_code, 4), '@' || left(region_code, 6),
        '@' || left(region_code, 9), '@' || region_code]))
);

-- The newest case in the search index per county (the first six digits of its region
-- code; a city's own cases under the city's code and 00): an upper bound for where a
-- search in that county starts. Written with the search terms; never lowered.
CREATE TABLE search_tops (
    county_code TEXT PRIMARY KEY,
    top_id BIGINT NOT NULL
);
INSERT INTO search_tops
SELECT left(region_code, 6), max(case_id) FROM case_search GROUP BY 1;
