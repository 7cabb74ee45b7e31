-- The mediator directory shows each mediator's open caseload and record; 点单 and load
-- balancing read them on every assignment. Only cases with a mediator are indexed.
CREATE INDEX cases_mediator_open ON cases(mediator)
    WHERE status IN ('registered', 'accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming');
CREATE INDEX cases_mediator_outcome ON cases(mediator, outcome) WHERE mediator IS NOT NULL;

-- Superseded by cases_county_overdue (0002).
DROP INDEX cases_deadline;
