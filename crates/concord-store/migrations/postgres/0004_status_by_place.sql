-- A township's or a village's cases in one state (the list a township center opens most):
-- walked in date order, without stepping over the other states.
CREATE INDEX cases_township_status ON cases(township_code, status, registered_at, id);
CREATE INDEX cases_village_status ON cases(region_code, status, registered_at, id);
