-- Intake and routing: channel particulars, the dispatcher's word on the category, the
-- versioned routing rules, co-handlers' child tasks, what was seen before, the
-- classifier's models, alerts, and the mediator directory's particulars.

ALTER TABLE cases ADD COLUMN category_confirmed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN intake_window TEXT;
ALTER TABLE cases ADD COLUMN petition TEXT;
ALTER TABLE cases ADD COLUMN transfer TEXT;
ALTER TABLE cases ADD COLUMN source TEXT;
ALTER TABLE cases ADD COLUMN external_ref TEXT;
ALTER TABLE cases ADD COLUMN tracking_hash TEXT;
ALTER TABLE cases ADD COLUMN repeat_of BIGINT REFERENCES cases(id);
ALTER TABLE cases ADD COLUMN skip_level_of BIGINT REFERENCES cases(id);
ALTER TABLE cases ADD COLUMN merged_into BIGINT REFERENCES cases(id);
CREATE UNIQUE INDEX cases_external_ref ON cases(source, external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX cases_confirmed ON cases(id) WHERE category_confirmed;

-- Each edit of the routing rules is a new version; a decision names the version it used.
CREATE TABLE routing_rule_sets (
    version INTEGER PRIMARY KEY,
    rules TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A co-handling unit's part of a case, with its own responsible person and deadline.
CREATE TABLE case_tasks (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    responsible_person BIGINT REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'returned', 'cancelled')),
    opened_at BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    closed_at BIGINT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_tasks_case ON case_tasks(case_id);
CREATE INDEX case_tasks_org ON case_tasks(org_id, status);

CREATE TABLE classifier_models (
    id INTEGER PRIMARY KEY,
    created_at BIGINT NOT NULL,
    examples BIGINT NOT NULL,
    model TEXT NOT NULL
);

-- Early warnings and alerts for the command center (a mass case formed, …).
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    case_id BIGINT REFERENCES cases(id),
    region_code TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acknowledged_by BIGINT REFERENCES users(id),
    acknowledged_at BIGINT
);
CREATE INDEX alerts_region ON alerts(region_code, created_at);

ALTER TABLE mediators ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE mediators ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

-- People a mediator declared a relation to (kin, colleague…): a conflict of interest.
CREATE TABLE mediator_relations (
    id INTEGER PRIMARY KEY,
    mediator_id BIGINT NOT NULL REFERENCES mediators(id),
    name TEXT NOT NULL,
    phone_key TEXT,
    id_key TEXT,
    relation TEXT NOT NULL
);
CREATE INDEX mediator_relations_mediator ON mediator_relations(mediator_id);

-- Each party's pick from the mediator directory (点单).
CREATE TABLE mediator_picks (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    party_ordinal BIGINT NOT NULL,
    mediator_id BIGINT NOT NULL REFERENCES mediators(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, party_ordinal)
);
