-- Open311 GeoReport v2: the keys integrating systems (a 12345 hotline, a city app) file
-- requests with, and what each request brought beyond the case itself.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- SHA-256 of the key; the key itself is shown once, when it is made.
    key_hash TEXT NOT NULL UNIQUE,
    -- The channel its cases count under (hotline, online, ...).
    channel TEXT NOT NULL,
    -- The region whose subtree it may file into.
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE open311_requests (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    api_key_id BIGINT NOT NULL REFERENCES api_keys(id),
    token TEXT NOT NULL UNIQUE,
    service_code TEXT NOT NULL,
    lat TEXT,
    long TEXT,
    address_id TEXT,
    media_url TEXT,
    email TEXT,
    device_id TEXT,
    account_id TEXT,
    attributes TEXT NOT NULL,
    requested_at BIGINT NOT NULL
);
CREATE INDEX open311_requests_time ON open311_requests(requested_at);
