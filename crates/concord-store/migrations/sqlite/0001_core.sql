-- The case core. Timestamps are microseconds since the Unix epoch (fixed-width integers
-- sort correctly within a second); region codes are 12-digit NBS division codes.

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent TEXT REFERENCES regions(code),
    level TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    stationing TEXT NOT NULL,
    categories TEXT NOT NULL DEFAULT ''
);
CREATE INDEX organizations_region ON organizations(region_code);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    org_id INTEGER REFERENCES organizations(id),
    password_hash TEXT NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE mediators (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    expertise TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    user_id INTEGER REFERENCES users(id)
);
CREATE INDEX mediators_org ON mediators(org_id);

CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    day_type TEXT NOT NULL CHECK (day_type IN ('holiday', 'workday')),
    note TEXT NOT NULL DEFAULT ''
);

-- One row per county and year: the last case number handed out. Incremented in the
-- same transaction as the case insert, so numbers have no gaps.
CREATE TABLE case_counters (
    county_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (county_code, year)
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    county_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    address TEXT NOT NULL DEFAULT '',
    amount_fen BIGINT,
    complainants BIGINT NOT NULL,
    complexity TEXT NOT NULL,
    level TEXT NOT NULL,
    tier TEXT NOT NULL,
    status TEXT NOT NULL,
    lead_unit BIGINT REFERENCES organizations(id),
    responsible_person BIGINT REFERENCES users(id),
    mediator BIGINT REFERENCES mediators(id),
    registered_at BIGINT NOT NULL,
    accepted_at BIGINT,
    clock_start BIGINT,
    deadline BIGINT,
    acceptance_due BIGINT,
    statutory_deadline BIGINT,
    outcome TEXT,
    closed_at BIGINT,
    satisfaction TEXT,
    version BIGINT NOT NULL,
    CONSTRAINT cases_number_seq UNIQUE (county_code, year, seq)
);
CREATE INDEX cases_registered ON cases(registered_at, id);
CREATE INDEX cases_region ON cases(region_code, registered_at, id);
CREATE INDEX cases_status ON cases(status, registered_at, id);
CREATE INDEX cases_deadline ON cases(deadline) WHERE deadline IS NOT NULL;

CREATE TABLE case_co_handlers (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (case_id, org_id)
);

CREATE TABLE parties (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    ordinal BIGINT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    id_number TEXT
);
CREATE INDEX parties_case ON parties(case_id);

-- The timeline: one row per transition, written with the state change.
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT,
    from_status TEXT,
    to_status TEXT NOT NULL,
    details TEXT NOT NULL,
    CONSTRAINT case_events_seq UNIQUE (case_id, seq)
);
