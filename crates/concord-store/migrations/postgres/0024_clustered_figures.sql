-- SQLite's figure tables become clustered on their primary key in this version
-- (WITHOUT ROWID); PostgreSQL reads the same ranges through its primary-key indexes, and
-- keeps its numbering in step with nothing to change.
SELECT 1;
