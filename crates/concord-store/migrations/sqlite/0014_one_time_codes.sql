-- One-time codes (短信验证码) a citizen asks for with the case number and their phone:
-- kept as a hash, valid ten minutes, and refused after five wrong guesses on the case.
CREATE TABLE one_time_codes (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    party_ordinal BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX one_time_codes_case ON one_time_codes(case_id, expires_at);
