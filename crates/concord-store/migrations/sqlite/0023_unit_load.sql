-- The open caseload of each lead unit, for the dispatch board (分流台): a small index
-- over the open cases only.
CREATE INDEX cases_unit_open ON cases(lead_unit)
    WHERE status IN ('registered', 'accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming');
