-- The average time to close (working days summed, divided by cases closed), and the
-- figures by channel, lead unit and mediator, kept per day and place like figure_days.
-- Breakdown rows are kept per day (YYYYMMDD) and per month (YYYYMM, for long periods).
-- The store refills every kept figure once after this migration (meta figure_days_v3).
ALTER TABLE figure_days ADD COLUMN close_work_days BIGINT NOT NULL DEFAULT 0;

CREATE TABLE figure_day_breakdowns (
    scope TEXT NOT NULL,
    depth TEXT NOT NULL,
    day BIGINT NOT NULL,
    -- channel, unit or mediator; the key is the channel's code or the id.
    dim TEXT NOT NULL,
    key TEXT NOT NULL,
    registered BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    mediated_to_end BIGINT NOT NULL DEFAULT 0,
    closed_on_time BIGINT NOT NULL DEFAULT 0,
    closed_with_deadline BIGINT NOT NULL DEFAULT 0,
    dissatisfied BIGINT NOT NULL DEFAULT 0,
    close_work_days BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day, dim, key)
);
CREATE INDEX figure_day_breakdowns_depth ON figure_day_breakdowns(depth, scope, day);
