-- SQLite finds parties by their keys and names through a full-text index of their words
-- from this version on (its 0030); PostgreSQL keeps its B-tree indexes, and its
-- numbering in step.
SELECT 1;
