-- The kept figures are read by ranges of their primary key (scope, day, …). Clustered on
-- it (WITHOUT ROWID), a county's year is one run of neighbouring pages instead of one
-- lookup into the table per row: at 1,000,000 cases the breakdowns of a county's year
-- (about 3,700 rows) took 15 ms that way.
CREATE TABLE figure_days_clustered (
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
    close_work_days BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day, child)
) WITHOUT ROWID;
INSERT INTO figure_days_clustered (scope, depth, child, day, registered, accepted, closed, resolved, mediated_to_end, resolved_village, resolved_township, resolved_county, resolved_city, closed_on_time, closed_with_deadline, followed_up, satisfied, dissatisfied, petitions, repeat_petitions, skip_level_petitions, petitions_to_city, mass_cases, close_work_days)
    SELECT scope, depth, child, day, registered, accepted, closed, resolved, mediated_to_end, resolved_village, resolved_township, resolved_county, resolved_city, closed_on_time, closed_with_deadline, followed_up, satisfied, dissatisfied, petitions, repeat_petitions, skip_level_petitions, petitions_to_city, mass_cases, close_work_days FROM figure_days;
DROP TABLE figure_days;
ALTER TABLE figure_days_clustered RENAME TO figure_days;
CREATE INDEX figure_days_depth ON figure_days(depth, scope, day);
CREATE INDEX figure_days_registered ON figure_days(scope, day, registered);

CREATE TABLE figure_day_categories_clustered (
    scope TEXT NOT NULL,
    depth TEXT NOT NULL,
    day BIGINT NOT NULL,
    category TEXT NOT NULL,
    registered BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day, category)
) WITHOUT ROWID;
INSERT INTO figure_day_categories_clustered (scope, depth, day, category, registered)
    SELECT scope, depth, day, category, registered FROM figure_day_categories;
DROP TABLE figure_day_categories;
ALTER TABLE figure_day_categories_clustered RENAME TO figure_day_categories;
CREATE INDEX figure_day_categories_depth ON figure_day_categories(depth, scope, day);

CREATE TABLE figure_day_breakdowns_clustered (
    scope TEXT NOT NULL,
    depth TEXT NOT NULL,
    day BIGINT NOT NULL,
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
) WITHOUT ROWID;
INSERT INTO figure_day_breakdowns_clustered (scope, depth, day, dim, key, registered, closed, resolved, mediated_to_end, closed_on_time, closed_with_deadline, dissatisfied, close_work_days)
    SELECT scope, depth, day, dim, key, registered, closed, resolved, mediated_to_end, closed_on_time, closed_with_deadline, dissatisfied, close_work_days FROM figure_day_breakdowns;
DROP TABLE figure_day_breakdowns;
ALTER TABLE figure_day_breakdowns_clustered RENAME TO figure_day_breakdowns;
CREATE INDEX figure_day_breakdowns_depth ON figure_day_breakdowns(depth, scope, day);
