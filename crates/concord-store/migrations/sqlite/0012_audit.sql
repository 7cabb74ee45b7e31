-- The tamper-evident record (审计链). One entry per timeline event, written by a trigger
-- so that no write path can leave one out, and one per view of a party's full personal
-- data. A sealer chains the entries shortly after they commit, in its own order
-- (chain_seq): digest = SHA-256 of the entry's content, hash = SHA-256 of the previous
-- hash and the entry. `concord audit verify` walks the chain and names the first entry
-- that was altered or removed.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    case_id BIGINT NOT NULL,
    event_seq BIGINT,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    detail TEXT NOT NULL,
    chain_seq BIGINT UNIQUE, -- NULL until sealed; the index also finds the unsealed
    digest TEXT,
    hash TEXT
);

CREATE TRIGGER case_events_audit AFTER INSERT ON case_events
BEGIN
    INSERT INTO audit_log (kind, case_id, event_seq, at, actor_id, actor_name, detail)
    VALUES ('event', NEW.case_id, NEW.seq, NEW.at, NEW.actor_id, NEW.actor_name, '');
END;

-- Events written before the record existed enter it now, in the order they were written.
INSERT INTO audit_log (kind, case_id, event_seq, at, actor_id, actor_name, detail)
SELECT 'event', case_id, seq, at, actor_id, actor_name, '' FROM case_events ORDER BY id;
