-- SQLite matches parties' names through its index of their words from this version on
-- (its 0031); PostgreSQL keeps its index on names, and its numbering in step.
SELECT 1;
