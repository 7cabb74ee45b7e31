-- Copies a PostgreSQL bench data set's county into more counties, inside the database:
-- the way to 10,000,000 cases without generating each one through the application
-- (~14 minutes a million on 2 cores). See bench/README.md, "10,000,000 cases".
--
--   psql postgres://postgres@127.0.0.1:5432/test -v schema=bench_1000000 \
--        -f bench/copy-counties.sql
--
-- Each copy is the demo county's cases with their parties, search terms, co-handlers,
-- tasks, sessions and documents, under another county's code (the other counties of
-- 丽水市, then a made-up one): ids shifted past the last copy, region codes and case
-- numbers rewritten. The copies keep the demo county's units, mediators and staff (ids
-- in other tables are left as they are). The kept figures are copied the same way, and
-- the city's and province's multiplied, so that they agree with the cases (checked on a
-- 10,000-case set against `Store::rebuild_figures`: equal, row for row).
\set ON_ERROR_STOP on
SET search_path = :schema;
SET session_replication_role = replica;  -- no triggers, no foreign-key checks
SET maintenance_work_mem = '1GB';

CREATE TEMP TABLE copy_targets (k INT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL);
INSERT INTO copy_targets VALUES
    (1, '331102', '莲都区'), (2, '331121', '青田县'), (3, '331122', '缙云县'),
    (4, '331123', '遂昌县'), (5, '331124', '松阳县'), (6, '331126', '庆元县'),
    (7, '331127', '景宁畲族自治县'), (8, '331181', '龙泉市'), (9, '331190', '扩容测试县');

-- The tables that hang off a case, copied with it, and each one's last id before any
-- copy (copy k's ids are the original's + k × top), kept so that a run that stopped can
-- go on. Left out: notices, webhook deliveries, one-time codes and Open311 tokens (all
-- unique to the original) and, for want of disk, the timelines, the audit chain, the
-- agreements and their signatures: with them a million cases take about 7.3 GB (16 GB
-- with the audit chain as the sealer leaves it), without them 3.7 GB, and the machines
-- here have about 60 GB free. The bench asks for case pages of cases with a timeline.
CREATE TABLE IF NOT EXISTS bench_copy_tables (name TEXT PRIMARY KEY, top BIGINT NOT NULL);
DO $$
DECLARE t RECORD; last_id BIGINT;
BEGIN
    IF EXISTS (SELECT 1 FROM bench_copy_tables) THEN
        RETURN;
    END IF;
    INSERT INTO bench_copy_tables
    SELECT table_name, 0 FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'case_id'
      AND table_name NOT IN ('audit_log', 'notifications', 'webhook_deliveries',
                             'one_time_codes', 'open311_requests', 'case_events',
                             'agreements', 'signatures')
    UNION SELECT 'cases', 0;
    FOR t IN SELECT name FROM bench_copy_tables LOOP
        IF EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = t.name
                     AND column_name = 'id') THEN
            EXECUTE format('SELECT COALESCE(MAX(id), 0) FROM %I', t.name) INTO last_id;
            UPDATE bench_copy_tables SET top = last_id WHERE name = t.name;
        END IF;
    END LOOP;
END $$;

-- One column's value in copy k, as an SQL expression.
CREATE FUNCTION pg_temp.shifted(tbl TEXT, col TEXT, k INT, dst TEXT) RETURNS TEXT AS $$
DECLARE target TEXT; own BIGINT;
BEGIN
    IF col IN ('region_code', 'county_code', 'township_code', 'scope', 'child') THEN
        RETURN format('CASE WHEN %1$I LIKE ''331125%%'' THEN %2$L || substr(%1$I, 7) ELSE %1$I END',
                      col, dst);
    ELSIF tbl = 'cases' AND col = 'number' THEN
        RETURN format('%L || substr(number, 7)', dst);
    ELSIF tbl = 'cases' AND col = 'external_ref' THEN
        RETURN format('%L || '':'' || external_ref', dst);
    ELSIF col = 'id' THEN
        SELECT top INTO own FROM bench_copy_tables WHERE name = tbl;
        RETURN format('id + %s', own * k);
    ELSIF col IN ('case_id', 'merged_into', 'repeat_of', 'skip_level_of') THEN
        SELECT top INTO own FROM bench_copy_tables WHERE name = 'cases';
        RETURN format('%I + %s', col, own * k);
    END IF;
    -- A reference to another copied table moves with it; others stay.
    SELECT c.confrelid::regclass::text INTO target
    FROM pg_constraint c JOIN pg_attribute a
        ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.conrelid = tbl::regclass AND a.attname = col;
    SELECT top INTO own FROM bench_copy_tables WHERE name = target;
    IF own IS NOT NULL THEN
        RETURN format('%I + %s', col, own * k);
    END IF;
    RETURN quote_ident(col);
END $$ LANGUAGE plpgsql;

CREATE FUNCTION pg_temp.copy_table(tbl TEXT, k INT, dst TEXT, original TEXT) RETURNS VOID AS $$
DECLARE cols TEXT; exprs TEXT;
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
           string_agg(pg_temp.shifted(tbl, column_name, k, dst), ', ' ORDER BY ordinal_position)
    INTO cols, exprs
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = tbl;
    EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I WHERE %s', tbl, cols, exprs, tbl,
                   original);
    RAISE NOTICE '  % at %', tbl, clock_timestamp();
END $$ LANGUAGE plpgsql;
-- The county's regions first (cases refer to them), then the cases and what hangs off
-- them, then the county's own figures and its case counter.
CREATE FUNCTION pg_temp.copy_county(k INT, dst TEXT, county_name TEXT) RETURNS VOID AS $$
DECLARE t RECORD;
BEGIN
    INSERT INTO regions (code, name, parent, level)
    SELECT dst || substr(code, 7), CASE WHEN code = '331125000000' THEN county_name ELSE name END,
           CASE WHEN parent LIKE '331125%' THEN dst || substr(parent, 7) ELSE parent END, level
    FROM regions WHERE code LIKE '331125%';
    -- The original's rows only: the copies' case ids are past its last.
    FOR t IN SELECT name FROM bench_copy_tables ORDER BY name <> 'cases', name LOOP
        PERFORM pg_temp.copy_table(t.name, k, dst,
            format('%s <= %s', CASE WHEN t.name = 'cases' THEN 'id' ELSE 'case_id' END,
                   (SELECT top FROM bench_copy_tables WHERE name = 'cases')));
    END LOOP;
    -- A county's own figures, and above it the rows for the county as a child.
    PERFORM pg_temp.copy_table('figure_days', k, dst,
        'scope LIKE ''331125%'' OR child LIKE ''331125%''');
    PERFORM pg_temp.copy_table('figure_day_categories', k, dst, 'scope LIKE ''331125%''');
    PERFORM pg_temp.copy_table('figure_day_breakdowns', k, dst, 'scope LIKE ''331125%''');
    PERFORM pg_temp.copy_table('figure_weeks', k, dst, 'scope LIKE ''331125%''');
    PERFORM pg_temp.copy_table('figure_open', k, dst, 'scope LIKE ''331125%''');
    INSERT INTO case_counters SELECT dst, year, last_seq FROM case_counters
    WHERE county_code = '331125';
END $$ LANGUAGE plpgsql;

-- Sums kept above the county (the city's and the province's, not per child county) and
-- per mediator count every copy: times (copies + 1).
CREATE FUNCTION pg_temp.multiply(tbl TEXT, cond TEXT, times INT) RETURNS VOID AS $$
DECLARE sets TEXT;
BEGIN
    SELECT string_agg(format('%1$I = %1$I * %2$s', column_name, times), ', ')
    INTO sets
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = tbl AND data_type = 'bigint'
      AND column_name NOT IN ('day', 'week', 'deadline_day', 'mediator_id');
    EXECUTE format('UPDATE %I SET %s WHERE %s', tbl, sets, cond);
END $$ LANGUAGE plpgsql;

SELECT clock_timestamp() AS started \gset
-- Once, before any copy, while only the original's rows are there; each county is a
-- transaction of its own, so an interrupted run goes on where it stopped.
DO $$
DECLARE n INT := (SELECT count(*) FROM copy_targets);
BEGIN
    IF EXISTS (SELECT 1 FROM meta WHERE key = 'bench_county_copies') THEN
        RETURN;
    END IF;
    PERFORM pg_temp.multiply('figure_days',
        'scope NOT LIKE ''331125%'' AND child NOT LIKE ''331125%''', n + 1);
    PERFORM pg_temp.multiply('figure_day_categories', 'scope NOT LIKE ''331125%''', n + 1);
    PERFORM pg_temp.multiply('figure_day_breakdowns', 'scope NOT LIKE ''331125%''', n + 1);
    PERFORM pg_temp.multiply('figure_weeks', 'scope NOT LIKE ''331125%''', n + 1);
    PERFORM pg_temp.multiply('figure_open', 'scope NOT LIKE ''331125%''', n + 1);
    PERFORM pg_temp.multiply('mediator_records', 'true', n + 1);
    INSERT INTO meta (key, value) VALUES ('bench_county_copies', n::text);
END $$;
DO $$
DECLARE t RECORD;
BEGIN
    FOR t IN SELECT * FROM copy_targets ORDER BY k LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM regions WHERE code = t.code || '000000');
        PERFORM pg_temp.copy_county(t.k, t.code, t.name);
        COMMIT;
        RAISE NOTICE 'county % (%) copied at %', t.code, t.name, clock_timestamp();
    END LOOP;
END $$;

-- New rows take ids after the copies.
DO $$
DECLARE t RECORD;
BEGIN
    FOR t IN SELECT name FROM bench_copy_tables WHERE top > 0 LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), (SELECT MAX(id) FROM %I))',
                       t.name, t.name);
    END LOOP;
END $$;
SELECT count(*) AS cases, clock_timestamp() - :'started'::timestamptz AS took FROM cases;
