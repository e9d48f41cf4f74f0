-- Helpers every source's migration calls; re-applied by Flyway whenever this file changes (CREATE OR REPLACE).
--
-- The rule for migrations (docs/architecture.md, "Adding a source"): one versioned migration per source holds
-- its staging and core tables, calling these helpers; a V file is never edited after it lands. Flyway runs the
-- repeatable files after the versioned ones, so on a new database a V file sees a helper as V002 first defined
-- it: change a helper here only in ways the existing V files do not depend on, or add a new helper beside it.

-- Staging: every bronze line as JSONB with its lineage. One table per source entity, same shape.
-- (blob_path, line_no) is the natural key: loading a part twice can never double a row.
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
            error_message     text,
            CONSTRAINT %3$I UNIQUE (blob_path, line_no)
        )$ddl$, p_schema, p_entity || '_raw', p_entity || '_raw_line_uq');
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING brin (stg_id)',
                   p_entity || '_raw_stg_id_brin', p_schema, p_entity || '_raw');
    -- Only the few problem rows are indexed, so `skyfit status` finds them without scanning millions.
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I (validation_status) WHERE validation_status <> ''valid''',
                   p_entity || '_raw_problems_idx', p_schema, p_entity || '_raw');
END
$fn$;
