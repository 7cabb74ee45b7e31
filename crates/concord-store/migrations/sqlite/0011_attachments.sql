-- Materials attached to a case (材料): photos, contracts, receipts, recordings. The
-- content's SHA-256 is kept so that a file can be shown unchanged since it was received.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id, id);
