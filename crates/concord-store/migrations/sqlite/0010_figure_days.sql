-- The figures kept per day and place as cases move (docs/figures.md): what each case adds
-- to the day it was registered, accepted or closed (concord_domain::figures::contributions),
-- summed per scope (a county, township or village, or a region above a county for cases
-- registered there), the child region it came through, the day (YYYYMMDD, China) and the
-- category. A case's move takes away what it added before and adds what it adds now, in
-- the same transaction, so the figures never disagree with the cases.
CREATE TABLE figure_days (
    scope TEXT NOT NULL,
    depth TEXT NOT NULL,
    child TEXT NOT NULL,
    day BIGINT NOT NULL,
    category TEXT NOT NULL,
    registered BIGINT NOT NULL DEFAULT 0,
    accepted BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    mediated_to_end BIGINT NOT NULL DEFAULT 0,
    resolved_village BIGINT NOT NULL DEFAULT 0,
    resolved_township BIGINT NOT NULL DEFAULT 0,
    resolved_county BIGINT NOT NULL DEFAULT 0,
    resolved_city BIGINT NOT NULL DEFAULT 0,
    closed_on_time BIGINT NOT NULL DEFAULT 0,
    closed_with_deadline BIGINT NOT NULL DEFAULT 0,
    followed_up BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    dissatisfied BIGINT NOT NULL DEFAULT 0,
    petitions BIGINT NOT NULL DEFAULT 0,
    repeat_petitions BIGINT NOT NULL DEFAULT 0,
    skip_level_petitions BIGINT NOT NULL DEFAULT 0,
    petitions_to_city BIGINT NOT NULL DEFAULT 0,
    mass_cases BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day, child, category)
);
-- Above the county: every county of a city or province, by day.
CREATE INDEX figure_days_depth ON figure_days(depth, scope, day);
