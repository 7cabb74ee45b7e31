-- Webhooks: subscribers hear of every change to the cases in their region. Deliveries are
-- cut from the sealed audit chain (its order is final, so nothing committed late is
-- skipped), kept as rows (they survive a restart), sent in order per case, retried with
-- back-off, and logged.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    -- The HMAC-SHA256 key for the signature; shown once, when registered.
    secret TEXT NOT NULL,
    -- Comma-separated action codes, or '*' for every event.
    events TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at BIGINT NOT NULL,
    removed_at BIGINT,
    -- The last audit chain_seq looked at.
    cursor BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
    case_id BIGINT NOT NULL,
    chain_seq BIGINT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_status BIGINT,
    last_error TEXT,
    CONSTRAINT webhook_deliveries_once UNIQUE (webhook_id, chain_seq)
);
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries(webhook_id, case_id, chain_seq)
    WHERE delivered_at IS NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at) WHERE delivered_at IS NULL;
