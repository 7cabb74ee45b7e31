-- A person's cases by the keyed hash of a phone or ID number, and a respondent's by name,
-- through a full-text index of the parties' words instead of B-tree indexes on the keys
-- and names. Keys and names are scattered, so each new party wrote a page at a random
-- place in each of those indexes: half of every registration batch's pages in the log at
-- 100,000 cases. FTS5 writes a batch's words as one new sorted segment and merges
-- segments later, in bulk.
-- One row per party (rowid = the party's id), one word per key or name: its role, what
-- it is and the value — a key as it is (hex), a name as its UTF-8 in hex — e.g.
-- `applicantphone3fa9…`, `respondentnameE69D8E…` (see `search`).
CREATE VIRTUAL TABLE party_keys USING fts5(
    words, content='', contentless_delete=1, detail=none, tokenize='ascii'
);

INSERT INTO party_keys (rowid, words)
SELECT id, trim(role || 'name' || hex(name) || ' ' ||
    coalesce(role || 'phone' || phone_key, '') || ' ' || coalesce(role || 'id' || id_key, ''))
FROM parties;

-- Every write path (registration, merging, anonymising, backfills) keeps it so.
CREATE TRIGGER parties_words_insert AFTER INSERT ON parties
BEGIN
    INSERT INTO party_keys (rowid, words) VALUES (NEW.id, trim(
        NEW.role || 'name' || hex(NEW.name) || ' ' ||
        coalesce(NEW.role || 'phone' || NEW.phone_key, '') || ' ' ||
        coalesce(NEW.role || 'id' || NEW.id_key, '')));
END;

CREATE TRIGGER parties_words_update AFTER UPDATE OF role, name, phone_key, id_key ON parties
BEGIN
    DELETE FROM party_keys WHERE rowid = OLD.id;
    INSERT INTO party_keys (rowid, words) VALUES (NEW.id, trim(
        NEW.role || 'name' || hex(NEW.name) || ' ' ||
        coalesce(NEW.role || 'phone' || NEW.phone_key, '') || ' ' ||
        coalesce(NEW.role || 'id' || NEW.id_key, '')));
END;

CREATE TRIGGER parties_words_delete AFTER DELETE ON parties
BEGIN
    DELETE FROM party_keys WHERE rowid = OLD.id;
END;

DROP INDEX parties_phone_key;
DROP INDEX parties_id_key;
DROP INDEX parties_name;
