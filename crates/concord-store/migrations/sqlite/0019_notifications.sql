-- Notifications (通知) to parties by SMS and to staff by e-mail: accepted, assigned, a
-- session booked, an agreement to sign, a deadline near or passed, a follow-up due. Each
-- is written once (the dedupe key), then sent and retried like a webhook delivery.
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    -- A party (by ordinal, SMS to their phone) or a staff user (e-mail).
    party_ordinal BIGINT,
    user_id BIGINT REFERENCES users(id),
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    -- pending, sent, or skipped (no phone or address on file).
    state TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX notifications_case ON notifications(case_id, id);
CREATE INDEX notifications_due ON notifications(next_at) WHERE state = 'pending';
