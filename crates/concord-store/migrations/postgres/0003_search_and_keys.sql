-- People are matched across cases by keyed hashes of their phone and ID numbers
-- (HMAC-SHA256 under the center's key), never by the plain numbers.
ALTER TABLE parties ADD COLUMN phone_key TEXT;
ALTER TABLE parties ADD COLUMN id_key TEXT;
CREATE INDEX parties_phone_key ON parties(phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX parties_id_key ON parties(id_key) WHERE id_key IS NOT NULL;
CREATE INDEX parties_name ON parties(name);

-- Full-text search: each case's description, address and party names as jieba words and
-- character bigrams, written with the case.
CREATE TABLE case_search (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    terms TSVECTOR NOT NULL
);
CREATE INDEX case_search_terms ON case_search USING GIN (terms);

-- Facts about the data itself, e.g. which one-off backfills have run.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
