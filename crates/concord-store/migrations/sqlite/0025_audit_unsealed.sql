-- PostgreSQL gains an index of the unsealed audit entries in this version. SQLite's
-- index on chain_seq already lists them in id order (equal keys sort by rowid), and
-- keeps its numbering in step with nothing to change.
SELECT 1;
