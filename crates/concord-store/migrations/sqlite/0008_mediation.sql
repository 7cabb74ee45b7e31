-- From mediation to the call back: the clock's interruptions, rounds, the agreement and
-- its signatures, sessions and their records, formatted documents and their templates,
-- follow-up, accountability, and the mediators' assessments, training and subsidies.

ALTER TABLE cases ADD COLUMN suspended_since BIGINT;
ALTER TABLE cases ADD COLUMN pending_extension BIGINT;
ALTER TABLE cases ADD COLUMN extensions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN round BIGINT NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN agreement_version BIGINT;
ALTER TABLE cases ADD COLUMN agreement_signed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN follow_up_due BIGINT;
ALTER TABLE cases ADD COLUMN performance TEXT;
-- The follow-up queue: closed cases by when their call is due.
CREATE INDEX cases_follow_up_due ON cases(follow_up_due) WHERE status = 'closed';

CREATE TABLE mediation_sessions (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    mediator_id BIGINT REFERENCES mediators(id),
    room_id BIGINT REFERENCES organizations(id),
    location TEXT NOT NULL DEFAULT '',
    units TEXT NOT NULL DEFAULT '',
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    record TEXT,
    recorded_at BIGINT,
    cancel_reason TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mediation_sessions_case ON mediation_sessions(case_id);
CREATE INDEX mediation_sessions_mediator ON mediation_sessions(mediator_id, starts_at);
CREATE INDEX mediation_sessions_room ON mediation_sessions(room_id, starts_at);

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    version BIGINT NOT NULL,
    facts TEXT NOT NULL,
    terms TEXT NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT agreements_version UNIQUE (case_id, version)
);

CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    agreement_version BIGINT NOT NULL,
    party_ordinal BIGINT NOT NULL,
    method TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    image BLOB,
    text_hash TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    CONSTRAINT signatures_once UNIQUE (case_id, agreement_version, party_ordinal)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    pdf BLOB NOT NULL,
    docx BLOB NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT documents_version UNIQUE (case_id, kind, version)
);

CREATE TABLE document_templates (
    kind TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- 说明原因、限期整改: an overdue unit's explanation and its rectification.
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    explanation TEXT NOT NULL,
    measures TEXT NOT NULL,
    due_date TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at BIGINT NOT NULL
);
CREATE INDEX rectifications_org ON rectifications(org_id);

CREATE TABLE mediator_assessments (
    id INTEGER PRIMARY KEY,
    mediator_id BIGINT NOT NULL REFERENCES mediators(id),
    period TEXT NOT NULL,
    figures TEXT NOT NULL,
    qualified BOOLEAN NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    assessed_by TEXT NOT NULL,
    assessed_at BIGINT NOT NULL,
    CONSTRAINT assessments_once UNIQUE (mediator_id, period)
);

CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    mediator_id BIGINT NOT NULL REFERENCES mediators(id),
    day TEXT NOT NULL,
    title TEXT NOT NULL,
    hours REAL NOT NULL,
    organizer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX trainings_mediator ON trainings(mediator_id);

-- 以奖代补: the amount paid per resolved case of a kind (a category, or `petition`).
CREATE TABLE subsidy_rates (
    case_type TEXT PRIMARY KEY,
    amount_fen BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Each party's own code for the mediation room and online signing (the applicant's is
-- the tracking code), kept only as a hash.
CREATE TABLE party_codes (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    party_ordinal BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, party_ordinal)
);

-- Follow-ups and other moves by kind and time, for the period figures.
CREATE INDEX case_events_action ON case_events(action, at);

-- Cases closed in a period, by county: accountability, assessments, subsidies, figures.
CREATE INDEX cases_county_closed ON cases(county_code, closed_at) WHERE closed_at IS NOT NULL;
