-- SQLite finds parties by their keys through a full-text index from this version on
-- (its 0030); PostgreSQL keeps its B-tree indexes, and its numbering in step.
SELECT 1;
