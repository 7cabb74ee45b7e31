-- A person's cases by the keyed hash of a phone or ID number, through a full-text index
-- of the parties' keys instead of two B-tree indexes on the keys. The keys are random, so
-- each new party wrote a page at a random place in both indexes: half of every
-- registration batch's pages in the log at 100,000 cases (2 of ~8 pages a case). FTS5
-- writes a batch's keys as one new sorted segment and merges segments later, in bulk.
-- One row per party with a key (rowid = the party's id), one word per key: its role,
-- what it is and the key, e.g. `applicantphone3fa9…` (see `search`).
CREATE VIRTUAL TABLE party_keys USING fts5(
    words, content='', contentless_delete=1, detail=none, tokenize='ascii'
);

INSERT INTO party_keys (rowid, words)
SELECT id, trim(
    coalesce(role || 'phone' || phone_key, '') || ' ' || coalesce(role || 'id' || id_key, ''))
FROM parties WHERE phone_key IS NOT NULL OR id_key IS NOT NULL;

-- Every write path (registration, merging, anonymising, backfills) keeps it so.
CREATE TRIGGER parties_keys_insert AFTER INSERT ON parties
WHEN NEW.phone_key IS NOT NULL OR NEW.id_key IS NOT NULL
BEGIN
    INSERT INTO party_keys (rowid, words) VALUES (NEW.id, trim(
        coalesce(NEW.role || 'phone' || NEW.phone_key, '') || ' ' ||
        coalesce(NEW.role || 'id' || NEW.id_key, '')));
END;

CREATE TRIGGER parties_keys_update AFTER UPDATE OF role, phone_key, id_key ON parties
BEGIN
    DELETE FROM party_keys WHERE rowid = OLD.id;
    INSERT INTO party_keys (rowid, words)
    SELECT NEW.id, trim(
        coalesce(NEW.role || 'phone' || NEW.phone_key, '') || ' ' ||
        coalesce(NEW.role || 'id' || NEW.id_key, ''))
    WHERE NEW.phone_key IS NOT NULL OR NEW.id_key IS NOT NULL;
END;

CREATE TRIGGER parties_keys_delete AFTER DELETE ON parties
BEGIN
    DELETE FROM party_keys WHERE rowid = OLD.id;
END;

DROP INDEX parties_phone_key;
DROP INDEX parties_id_key;
