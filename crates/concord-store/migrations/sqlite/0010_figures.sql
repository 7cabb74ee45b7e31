-- The figures kept per day and place as cases move (docs/figures.md): what each case adds
-- to the day it was registered, accepted or closed (concord_domain::figures::contributions),
-- summed per scope (a county, township or village, or a region above a county for cases
-- registered there), the child region it came through and the day (YYYYMMDD, China): a
-- county's year is a few thousand rows, whatever the number of cases. Registrations by
-- category are kept apart. A case's move takes away what it added before and adds what it
-- adds now, in the same transaction, so the figures never disagree with the cases. A
-- database made before this is filled at start-up (meta key figure_days_v1).
CREATE TABLE figure_days (
    scope TEXT NOT NULL,
    depth TEXT NOT NULL,
    child TEXT NOT NULL,
    day BIGINT NOT NULL,
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
    PRIMARY KEY (scope, day, child)
);
CREATE INDEX figure_days_depth ON figure_days(depth, scope, day);

CREATE TABLE figure_day_categories (
    scope TEXT NOT NULL,
    depth TEXT NOT NULL,
    day BIGINT NOT NULL,
    category TEXT NOT NULL,
    registered BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day, category)
);
CREATE INDEX figure_day_categories_depth ON figure_day_categories(depth, scope, day);

-- Each mediator's record (cases closed with an outcome, agreements among them), kept as
-- cases move, for the directory, 点单 and the case page.
CREATE TABLE mediator_records (
    mediator_id BIGINT PRIMARY KEY,
    closed BIGINT NOT NULL DEFAULT 0,
    agreements BIGINT NOT NULL DEFAULT 0
);

-- Open now (accepted, not closed) by place, with the deadline: the dashboard's "open" and
-- "overdue now" read this and no other case.
CREATE INDEX cases_open_now ON cases(county_code, township_code, region_code, deadline)
    WHERE status IN ('accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming');

-- The follow-up queue: closed cases by the date their call falls due, per county.
CREATE INDEX cases_county_follow_up ON cases(county_code, follow_up_due)
    WHERE status = 'closed' AND follow_up_due IS NOT NULL;

-- The dashboard's weekly registrations read the day rows' registered counts alone.
CREATE INDEX figure_days_registered ON figure_days(scope, day, registered);
