-- Each person's work: a mediator's cases, a unit's cases, newest first.
CREATE INDEX cases_mediator_date ON cases(mediator, registered_at) WHERE mediator IS NOT NULL;
CREATE INDEX cases_lead_unit_date ON cases(lead_unit, registered_at) WHERE lead_unit IS NOT NULL;

-- The online mediation room: what the parties and the mediator said, kept on the case.
CREATE TABLE room_messages (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    at BIGINT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    party_ordinal INTEGER,
    author TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX room_messages_case ON room_messages(case_id, id);

-- References to a case, indexed so that following them (and the foreign key checks when
-- a case row goes) never walks a whole table.
CREATE INDEX cases_merged_into ON cases(merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX cases_repeat_of ON cases(repeat_of) WHERE repeat_of IS NOT NULL;
CREATE INDEX cases_skip_level_of ON cases(skip_level_of) WHERE skip_level_of IS NOT NULL;
CREATE INDEX alerts_case ON alerts(case_id);
CREATE INDEX rectifications_case ON rectifications(case_id);
