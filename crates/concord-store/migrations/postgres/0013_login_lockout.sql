-- Repeated failed logins lock an account for a while (kept in the database, so that a
-- restart or a second server does not reset the count).
ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT;
