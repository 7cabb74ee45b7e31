-- Screening (排查): schedules of rounds (weekly visits, monthly analysis, quarterly
-- summaries), the rounds held, and what each found. A finding reported as a case is
-- linked from the case (source 'screening', external_ref = the finding's id), so the
-- link is written with the case and cannot be made twice.
CREATE TABLE screening_schedules (
    id INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    cadence TEXT NOT NULL,
    focus TEXT NOT NULL,
    title TEXT NOT NULL,
    assignee_id BIGINT REFERENCES users(id),
    -- YYYY-MM-DD: the first period due is the one holding it.
    starts_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX screening_schedules_region ON screening_schedules(region_code);

CREATE TABLE screening_rounds (
    id INTEGER PRIMARY KEY,
    schedule_id BIGINT NOT NULL REFERENCES screening_schedules(id),
    -- The schedule's region, kept here for scoped reads.
    region_code TEXT NOT NULL,
    -- 2026-W49, 2026-12 or 2026-Q4.
    period TEXT NOT NULL,
    held_on TEXT NOT NULL,
    visited BIGINT NOT NULL,
    notes TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    UNIQUE (schedule_id, period)
);
CREATE INDEX screening_rounds_region ON screening_rounds(region_code);

CREATE TABLE screening_findings (
    id INTEGER PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES screening_rounds(id),
    region_code TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    who TEXT NOT NULL,
    outcome TEXT NOT NULL,
    -- The round's day, YYYY-MM-DD.
    found_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX screening_findings_region ON screening_findings(region_code, found_on);
CREATE INDEX screening_findings_round ON screening_findings(round_id);
