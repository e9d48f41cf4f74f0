-- Staging lines are kept unique by the loader, not by a unique B-tree: per part, under the part's advisory lock,
-- the loader deletes what an earlier load left and copies in the transaction that marks the part loaded in
-- ops.bronze_files, so a reload or a twin delivery never doubles a line (docs/architecture.md, "Staging").
-- The B-tree on (blob_path, line_no[, ingestion_date]) cost about a third of the COPY on small lines (an EVO
-- entry's JSON is about as long as its lineage); a BRIN index over blob_path finds a part's rows for the
-- loader's delete at almost no cost, because COPY appends a part's lines together.
--
-- The helpers that create staging tables are redefined here as well as in R__staging_helpers.sql: on a new
-- database later V files run before the R__ file, and must create tables the new way.

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

-- Every existing staging table (plain, or the parent of a partitioned one; its partitions follow the parent):
-- the unique key goes, the part index comes. Rows, ids and partitions stay as they are.
DO $convert$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT n.nspname AS schema_name, c.relname AS table_name
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname LIKE 'stg\_%' AND c.relname LIKE '%\_raw' AND c.relkind IN ('r', 'p')
               AND NOT c.relispartition
             ORDER BY 1, 2
    LOOP
        EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT IF EXISTS %I', t.schema_name, t.table_name,
                       t.table_name || '_line_uq');
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING brin (blob_path) WITH (pages_per_range = 32, '
                       || 'autosummarize = on)', t.table_name || '_part_brin', t.schema_name, t.table_name);
    END LOOP;
END
$convert$;
