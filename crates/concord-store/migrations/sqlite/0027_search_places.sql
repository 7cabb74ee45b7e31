-- PostgreSQL's search index gains each case's place in this version. SQLite's full-text
-- search reads matches newest first and checks each one's region in the same statement;
-- its numbering keeps in step with nothing to change.
SELECT 1;
