-- Every kept figure is now also kept per year (day = YYYY, which sorts before the months'
-- YYYYMM and the days' YYYYMMDD), so that a year so far is read as the year's rows less
-- the days still to come: a county's year to date is a few hundred rows, not thousands.
-- Registrations are also kept per week (Monday's YYYYMMDD) for the weekly series, which
-- read the day rows' registrations through figure_days_registered before: dropped, as
-- every registration had to update it. Both are filled here from the rows already kept.
DROP INDEX figure_days_registered;
INSERT INTO figure_days (scope, depth, child, day, registered, accepted, closed, resolved, mediated_to_end, resolved_village, resolved_township, resolved_county, resolved_city, closed_on_time, closed_with_deadline, followed_up, satisfied, dissatisfied, petitions, repeat_petitions, skip_level_petitions, petitions_to_city, mass_cases, close_work_days)
    SELECT scope, depth, child, day / 100, SUM(registered), SUM(accepted), SUM(closed), SUM(resolved), SUM(mediated_to_end), SUM(resolved_village), SUM(resolved_township), SUM(resolved_county), SUM(resolved_city), SUM(closed_on_time), SUM(closed_with_deadline), SUM(followed_up), SUM(satisfied), SUM(dissatisfied), SUM(petitions), SUM(repeat_petitions), SUM(skip_level_petitions), SUM(petitions_to_city), SUM(mass_cases), SUM(close_work_days)
    FROM figure_days WHERE day >= 100000 AND day < 1000000
    GROUP BY scope, depth, child, day / 100;
INSERT INTO figure_day_categories (scope, depth, category, day, registered)
    SELECT scope, depth, category, day / 100, SUM(registered)
    FROM figure_day_categories WHERE day >= 100000 AND day < 1000000
    GROUP BY scope, depth, category, day / 100;
INSERT INTO figure_day_breakdowns (scope, depth, dim, key, day, registered, closed, resolved, mediated_to_end, closed_on_time, closed_with_deadline, dissatisfied, close_work_days)
    SELECT scope, depth, dim, key, day / 100, SUM(registered), SUM(closed), SUM(resolved), SUM(mediated_to_end), SUM(closed_on_time), SUM(closed_with_deadline), SUM(dissatisfied), SUM(close_work_days)
    FROM figure_day_breakdowns WHERE day >= 100000 AND day < 1000000
    GROUP BY scope, depth, dim, key, day / 100;

CREATE TABLE figure_weeks (
    scope TEXT NOT NULL,
    depth TEXT NOT NULL,
    week BIGINT NOT NULL,
    registered BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, week)
) WITHOUT ROWID;
CREATE INDEX figure_weeks_depth ON figure_weeks(depth, scope, week);
INSERT INTO figure_weeks (scope, depth, week, registered)
    SELECT scope, depth, CAST(strftime('%Y%m%d', printf('%04d-%02d-%02d', day / 10000, day / 100 % 100, day % 100), '-6 days', 'weekday 1') AS INTEGER), SUM(registered)
    FROM figure_days WHERE day >= 10000000
    GROUP BY scope, depth, CAST(strftime('%Y%m%d', printf('%04d-%02d-%02d', day / 10000, day / 100 % 100, day % 100), '-6 days', 'weekday 1') AS INTEGER)
    HAVING SUM(registered) <> 0;
