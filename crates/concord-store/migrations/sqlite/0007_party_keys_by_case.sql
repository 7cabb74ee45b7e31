-- A person's cases newest first, straight from the index (search by phone or ID number).
DROP INDEX parties_phone_key;
DROP INDEX parties_id_key;
CREATE INDEX parties_phone_key ON parties(phone_key, case_id) WHERE phone_key IS NOT NULL;
CREATE INDEX parties_id_key ON parties(id_key, case_id) WHERE id_key IS NOT NULL;
