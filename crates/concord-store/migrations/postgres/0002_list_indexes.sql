-- Lists walk an index in (registered_at, id) order and stop after one page, instead of
-- collecting and sorting every match. Each list filter has an index led by equality
-- columns: the county, the township (first 9 digits of the region code), the village,
-- and within a county the status, the category, the level, and the open cases.

ALTER TABLE cases ADD COLUMN township_code TEXT NOT NULL DEFAULT '';
UPDATE cases SET township_code = substr(region_code, 1, 9);

DROP INDEX cases_status;
CREATE INDEX cases_county ON cases(county_code, registered_at, id);
CREATE INDEX cases_township ON cases(township_code, registered_at, id);
CREATE INDEX cases_county_status ON cases(county_code, status, registered_at, id);
CREATE INDEX cases_county_category ON cases(county_code, category, registered_at, id);
CREATE INDEX cases_county_level ON cases(county_code, level, registered_at, id);
CREATE INDEX cases_county_open ON cases(county_code, registered_at, id)
    WHERE status IN ('registered', 'accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming');
-- Overdue cases are found by their deadline and then sorted: there are few of them, while
-- open cases that are not yet due can be many.
CREATE INDEX cases_county_overdue ON cases(county_code, deadline)
    WHERE status IN ('registered', 'accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming');
