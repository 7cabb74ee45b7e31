-- Respondents are also matched by name (the seen-before check): names join the parties'
-- words (role, `name` and the name's UTF-8 in hex, e.g. `respondentnameE69D8EE69F90`),
-- and the B-tree index on names goes, for 0030's reason: names are as scattered as keys,
-- and each new party wrote a page at a random place in it.
DROP TRIGGER parties_keys_insert;
DROP TRIGGER parties_keys_update;
INSERT INTO party_keys (party_keys) VALUES ('delete-all');

INSERT INTO party_keys (rowid, words)
SELECT id, trim(role || 'name' || hex(name) || ' ' ||
    coalesce(role || 'phone' || phone_key, '') || ' ' || coalesce(role || 'id' || id_key, ''))
FROM parties;

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

DROP INDEX parties_name;
