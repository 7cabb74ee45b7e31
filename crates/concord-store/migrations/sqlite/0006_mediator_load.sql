-- The mediator directory shows each mediator's open caseload and record; 点单 and load
-- balancing read them on every assignment.
CREATE INDEX cases_mediator_open ON cases(mediator)
    WHERE status IN ('registered', 'accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming');
CREATE INDEX cases_mediator_outcome ON cases(mediator, outcome);
