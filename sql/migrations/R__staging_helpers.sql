-- Helpers every source's migration calls; re-applied by Flyway whenever this file changes (CREATE OR REPLACE).
--
-- The rule for migrations (docs/architecture.md, "Adding a source"): one versioned migration per source holds
-- its staging and core tables, calling these helpers; a V file is never edited after it lands. Flyway runs the
-- repeatable files after the versioned ones, so on a new database a V file sees a helper as V002 first defined
-- it: change a helper here only in ways the existing V files do not depend on, or add a new helper beside it.

-- Staging: every bronze line as JSONB with its lineage. One table per source entity, same shape.
-- (blob_path, line_no) names a line; the loader keeps it unique: per part, under the part's advisory lock, it
-- deletes what an earlier load left and copies in the same transaction that marks the ledger (V066). There is no
-- unique B-tree over it: on small lines such an index cost about a third of the COPY, and a BRIN index over
-- blob_path (COPY appends a part's lines together) finds a part's rows for that delete at almost no cost.
-- stg_id is monotonic, so a core transform can consume "everything since" cheaply (BRIN index).
CREATE OR REPLACE FUNCTION ops.create_staging_table(p_schema text, p_entity text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', p_schema);
    EXECUTE format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.%2$I (
            stg_id            bigint GENERATED ALWAYS AS IDENTITY,
            scope             text NOT NULL,
            blob_path         text NOT NULL,
            line_no           integer NOT NULL,
            run_id            text NOT NULL,
            ingested_at       timestamptz NOT NULL DEFAULT now(),
            raw               jsonb NOT NULL,
            validation_status text NOT NULL DEFAULT 'valid'
                              CHECK (validation_status IN ('valid', 'invalid', 'warning')),
            error_message     text
        )$ddl$, p_schema, p_entity || '_raw');
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING brin (stg_id)',
                   p_entity || '_raw_stg_id_brin', p_schema, p_entity || '_raw');
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING brin (blob_path) WITH (pages_per_range = 32, '
                   || 'autosummarize = on)', p_entity || '_raw_part_brin', p_schema, p_entity || '_raw');
    -- Only the few problem rows are indexed, so `skyfit status` finds them without scanning millions.
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I (validation_status) WHERE validation_status <> ''valid''',
                   p_entity || '_raw_problems_idx', p_schema, p_entity || '_raw');
END
$fn$;

-- Partitioned staging (first defined in V065): see that migration for why it exists.
-- The date in a bronze path (bronze/{source}/scope=/entity=/ingestion_date=YYYY-MM-DD/...); NULL when there is
-- none or it is no date.
CREATE OR REPLACE FUNCTION ops.staging_ingestion_date(p_blob_path text) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    RETURN substring(p_blob_path FROM '/ingestion_date=(\d{4}-\d{2}-\d{2})/')::date;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
    RETURN NULL;
END
$fn$;

-- Loaders take this lock shared for the length of their transaction, retention exclusive: a partition a load
-- is writing into is never dropped under it.
CREATE OR REPLACE FUNCTION ops.staging_retention_key(p_schema text, p_table text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT hashtextextended('staging retention ' || p_schema || '.' || p_table, 0)
$fn$;

-- A staging table partitioned by ingestion month. Same columns and indexes as ops.create_staging_table, plus
-- ingestion_date (a function of blob_path). Rows inserted without ingestion_date (by hand, by older tools) land in the
-- 'undated' default partition, which retention never drops. An existing plain staging table is converted in
-- place: its rows move into month partitions with their stg_id, so ops.transform_state and core lineage stay
-- valid, and the identity continues after the highest id it had handed out.
CREATE OR REPLACE FUNCTION ops.create_partitioned_staging_table(p_schema text, p_entity text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    v_table text := p_entity || '_raw';
    v_old text := p_entity || '_raw_unpartitioned';
    v_kind "char";
    v_last bigint;
    v_month date;
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', p_schema);
    SELECT c.relkind INTO v_kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = p_schema AND c.relname = v_table;
    IF v_kind = 'p' THEN
        RETURN;
    ELSIF v_kind = 'r' THEN
        EXECUTE format('LOCK TABLE %I.%I IN ACCESS EXCLUSIVE MODE', p_schema, v_table);
        EXECUTE format('ALTER TABLE %I.%I RENAME TO %I', p_schema, v_table, v_old);
        -- index and constraint names are unique per schema: free the ones the new table takes
        IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = format('%I.%I', p_schema, v_old)::regclass
                   AND conname = v_table || '_line_uq') THEN
            EXECUTE format('ALTER TABLE %I.%I RENAME CONSTRAINT %I TO %I', p_schema, v_old, v_table || '_line_uq',
                           v_old || '_line_uq');
        END IF;
        EXECUTE format('ALTER INDEX IF EXISTS %I.%I RENAME TO %I', p_schema, v_table || '_part_brin',
                       v_old || '_part_brin');
        EXECUTE format('ALTER INDEX IF EXISTS %I.%I RENAME TO %I', p_schema, v_table || '_stg_id_brin',
                       v_old || '_stg_id_brin');
        EXECUTE format('ALTER INDEX IF EXISTS %I.%I RENAME TO %I', p_schema, v_table || '_problems_idx',
                       v_old || '_problems_idx');
    ELSIF v_kind IS NOT NULL THEN
        RAISE EXCEPTION '%.% exists and is not a table (relkind %)', p_schema, v_table, v_kind;
    END IF;

    EXECUTE format($ddl$
        CREATE TABLE %1$I.%2$I (
            stg_id            bigint GENERATED ALWAYS AS IDENTITY,
            scope             text NOT NULL,
            blob_path         text NOT NULL,
            line_no           integer NOT NULL,
            run_id            text NOT NULL,
            ingestion_date    date,
            ingested_at       timestamptz NOT NULL DEFAULT now(),
            raw               jsonb NOT NULL,
            validation_status text NOT NULL DEFAULT 'valid'
                              CHECK (validation_status IN ('valid', 'invalid', 'warning')),
            error_message     text
        ) PARTITION BY RANGE (ingestion_date)$ddl$, p_schema, v_table);
    EXECUTE format('CREATE INDEX %I ON %I.%I USING brin (stg_id)', v_table || '_stg_id_brin', p_schema, v_table);
    EXECUTE format('CREATE INDEX %I ON %I.%I USING brin (blob_path) WITH (pages_per_range = 32, autosummarize = on)',
                   v_table || '_part_brin', p_schema, v_table);
    EXECUTE format('CREATE INDEX %I ON %I.%I (validation_status) WHERE validation_status <> ''valid''',
                   v_table || '_problems_idx', p_schema, v_table);
    -- The CHECK lets PostgreSQL attach a month partition without scanning this one.
    EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I (CONSTRAINT %I CHECK (ingestion_date IS NULL)) DEFAULT',
                   p_schema, v_table || '_undated', p_schema, v_table, v_table || '_undated_ck');

    IF v_kind = 'r' THEN
        FOR v_month IN EXECUTE format('SELECT DISTINCT date_trunc(''month'', ops.staging_ingestion_date(blob_path))::date'
                                      || ' FROM %I.%I WHERE ops.staging_ingestion_date(blob_path) IS NOT NULL',
                                      p_schema, v_old)
        LOOP
            PERFORM ops.ensure_staging_partition(p_schema, p_entity, v_month);
        END LOOP;
        EXECUTE format($move$
            INSERT INTO %1$I.%2$I (stg_id, scope, blob_path, line_no, run_id, ingestion_date, ingested_at, raw,
                                   validation_status, error_message)
            OVERRIDING SYSTEM VALUE
            SELECT stg_id, scope, blob_path, line_no, run_id, ops.staging_ingestion_date(blob_path), ingested_at, raw,
                   validation_status, error_message
            FROM %1$I.%3$I ORDER BY stg_id$move$, p_schema, v_table, v_old);
        EXECUTE format('SELECT greatest(pg_sequence_last_value(pg_get_serial_sequence(%L, ''stg_id'')::regclass),'
                       || ' (SELECT max(stg_id) FROM %I.%I))', quote_ident(p_schema) || '.' || quote_ident(v_old),
                       p_schema, v_old)
            INTO v_last;
        IF v_last IS NOT NULL THEN
            PERFORM setval(pg_get_serial_sequence(quote_ident(p_schema) || '.' || quote_ident(v_table), 'stg_id'),
                           v_last);
        END IF;
        EXECUTE format('DROP TABLE %I.%I', p_schema, v_old);
    END IF;
END
$fn$;

-- The month partition of a partitioned staging table that holds p_day, created when missing; returns its name.
-- Created standalone, then attached: ATTACH takes a lock on the parent that COPYs in flight do not conflict
-- with (CREATE .. PARTITION OF would wait for all of them and hold every new one). Two loaders asking for the
-- same month at once: the second waits on the advisory lock, then finds the partition. SECURITY DEFINER: the
-- app's role reads and writes rows but owns no tables (infra/sql/grant-app-role.sql).
CREATE OR REPLACE FUNCTION ops.ensure_staging_partition(p_schema text, p_entity text, p_day date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_table text := p_entity || '_raw';
    v_from date := date_trunc('month', p_day)::date;
    v_name text := p_entity || '_raw_p' || to_char(p_day, 'YYYYMM');
BEGIN
    IF p_schema NOT LIKE 'stg\_%' OR p_day IS NULL THEN
        RAISE EXCEPTION 'not a staging partition: %.% for %', p_schema, v_table, p_day;
    END IF;
    -- catalog reads through a query, not to_regclass: each statement's fresh snapshot sees a partition another
    -- transaction committed while this one waited
    IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = p_schema AND c.relname = v_name) THEN
        RETURN v_name;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('staging partition ' || p_schema || '.' || v_table, 0));
    IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = p_schema AND c.relname = v_name) THEN
        RETURN v_name;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE'
                       || ' INCLUDING COMPRESSION)', p_schema, v_name, p_schema, v_table);
        EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)', p_schema, v_table,
                       p_schema, v_name, v_from, (v_from + interval '1 month')::date);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL; -- created meanwhile by a process that does not take the advisory lock: the month exists all the same
    END;
    RETURN v_name;
END
$fn$;

-- Called by the loader inside its load transaction, before it touches the staging table: holds retention off
-- until the load commits and makes sure the months of p_days have their partitions.
CREATE OR REPLACE FUNCTION ops.lock_staging_partitions(p_schema text, p_entity text, p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    v_month date;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(ops.staging_retention_key(p_schema, p_entity || '_raw'));
    FOR v_month IN SELECT DISTINCT date_trunc('month', d)::date FROM unnest(p_days) d WHERE d IS NOT NULL ORDER BY 1
    LOOP
        PERFORM ops.ensure_staging_partition(p_schema, p_entity, v_month);
    END LOOP;
END
$fn$;

-- Drops one month partition of a partitioned staging table (retention decides which, under its exclusive lock).
CREATE OR REPLACE FUNCTION ops.drop_staging_partition(p_schema text, p_partition text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    IF p_schema NOT LIKE 'stg\_%' OR p_partition !~ '_raw_p\d{6}$' OR NOT EXISTS (
            SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = p_schema AND c.relname = p_partition AND c.relispartition) THEN
        RAISE EXCEPTION 'not a month partition of a staging table: %.%', p_schema, p_partition;
    END IF;
    EXECUTE format('DROP TABLE %I.%I', p_schema, p_partition);
END
$fn$;

-- Summarises the BRIN index over blob_path of a staging table (plain), or of its partitions holding p_days and
-- its undated one (partitioned), up to each table's last page; returns the ranges summarised. The loader calls it
-- outside its load transaction before a reload deletes rows: unsummarised pages match every BRIN lookup.
-- SECURITY DEFINER: summarising needs the index's owner (or MAINTAIN); the app's role owns no tables.
CREATE OR REPLACE FUNCTION ops.summarize_staging_part_index(p_schema text, p_table text, p_days date[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_index regclass;
    v_ranges integer := 0;
BEGIN
    IF p_schema NOT LIKE 'stg\_%' THEN
        RAISE EXCEPTION 'not a staging schema: %', p_schema;
    END IF;
    FOR v_index IN
        SELECT i.indexrelid::regclass
        FROM pg_class t
        JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_index i ON i.indrelid = t.oid
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_am am ON am.oid = ic.relam
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
        WHERE n.nspname = p_schema AND t.relkind = 'r' AND am.amname = 'brin' AND a.attname = 'blob_path'
          AND (t.relname = p_table OR t.relname = p_table || '_undated'
               OR t.relname IN (SELECT p_table || '_p' || to_char(d, 'YYYYMM') FROM unnest(p_days) d))
    LOOP
        v_ranges := v_ranges + brin_summarize_new_values(v_index);
    END LOOP;
    RETURN v_ranges;
END
$fn$;

-- Summarises the BRIN index over stg_id of a staging table, or of each of its partitions; returns the ranges
-- summarised. A transform reading a large batch in slices calls it first: each slice finds its rows through that
-- index, and every range loaded since the table's last VACUUM would match every slice. SECURITY DEFINER, as above;
-- not for PUBLIC: the app's role has it through infra/sql/grant-app-role.sql (EXECUTE on ops' functions).
CREATE OR REPLACE FUNCTION ops.summarize_staging_id_index(p_schema text, p_table text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_table regclass;
    v_index regclass;
    v_ranges integer := 0;
BEGIN
    SELECT c.oid INTO v_table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = p_schema AND c.relname = p_table AND c.relkind IN ('r', 'p') AND NOT c.relispartition;
    IF p_schema NOT LIKE 'stg\_%' OR p_table !~ '_raw$' OR v_table IS NULL THEN
        RAISE EXCEPTION 'not a staging table: %.%', p_schema, p_table;
    END IF;
    FOR v_index IN
        SELECT i.indexrelid::regclass
        FROM pg_partition_tree(v_table) p
        JOIN pg_index i ON i.indrelid = p.relid
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_am am ON am.oid = ic.relam
        JOIN pg_attribute a ON a.attrelid = p.relid AND a.attnum = i.indkey[0]
        WHERE p.isleaf AND am.amname = 'brin' AND i.indnatts = 1 AND a.attname = 'stg_id'
        ORDER BY 1
    LOOP
        v_ranges := v_ranges + brin_summarize_new_values(v_index);
    END LOOP;
    RETURN v_ranges;
END
$fn$;
REVOKE EXECUTE ON FUNCTION ops.summarize_staging_id_index(text, text) FROM PUBLIC;
