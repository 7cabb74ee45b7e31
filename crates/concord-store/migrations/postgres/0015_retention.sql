-- When a closed case's personal data was removed under the retention policy (the
-- figures and the timeline stay).
ALTER TABLE cases ADD COLUMN anonymised_at BIGINT;
