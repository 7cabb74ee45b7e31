-- Reports kept as generated: the monthly risk assessment (研判报告) per region, made by
-- the server on the first days of each month for the month before, or on request.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    region_code TEXT NOT NULL,
    -- The month reported on, YYYY-MM.
    period TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    pdf BLOB NOT NULL,
    UNIQUE (kind, region_code, period)
);
