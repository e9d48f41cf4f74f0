-- Control plane: the run ledger, date windows, bronze file ledger and watermarks.
-- Every run, window and bronze file has a row here (invariant 7). Secrets never do (invariant 10).
CREATE SCHEMA IF NOT EXISTS ops;

CREATE TABLE ops.runs (
    run_id            text PRIMARY KEY,
    batch_id          text,                    -- one CLI command / orchestration instance groups many runs
    source            text NOT NULL,
    scope             text NOT NULL,
    entity            text NOT NULL,
    started_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    status            text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'failed')),
    load_type         text NOT NULL CHECK (load_type IN ('incremental', 'full', 'backfill')),
    triggered_by      text NOT NULL CHECK (triggered_by IN ('manual', 'scheduler', 'api')),
    watermark_start   timestamptz,
    watermark_end     timestamptz,
    backfill_from     date,
    backfill_to       date,
    rows_extracted    bigint NOT NULL DEFAULT 0,
    bronze_files      integer NOT NULL DEFAULT 0,
    rows_staged       bigint NOT NULL DEFAULT 0,
    rows_inserted     bigint NOT NULL DEFAULT 0,
    rows_updated      bigint NOT NULL DEFAULT 0,
    rows_unchanged    bigint NOT NULL DEFAULT 0,
    rows_deleted      bigint NOT NULL DEFAULT 0,
    duration_seconds  numeric(12, 3),
    error_message     text,
    error_detail      text
);
CREATE INDEX runs_entity_idx ON ops.runs (source, scope, entity, started_at DESC);
CREATE INDEX runs_batch_idx ON ops.runs (batch_id);

CREATE TABLE ops.windows (
    run_id          text NOT NULL REFERENCES ops.runs (run_id),
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'extracted', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    window_index    integer NOT NULL DEFAULT 0,
    records         bigint NOT NULL DEFAULT 0,
    bronze_files    integer NOT NULL DEFAULT 0,
    max_cursor      timestamptz,               -- highest update time seen: the watermark candidate
    started_at      timestamptz,
    completed_at    timestamptz,
    error_message   text,
    PRIMARY KEY (run_id, window_start, window_end)
);

CREATE TABLE ops.bronze_files (
    blob_path       text PRIMARY KEY,
    source          text NOT NULL,
    scope           text NOT NULL,
    entity          text NOT NULL,
    run_id          text,
    window_start    timestamptz,
    window_end      timestamptz,
    records         bigint,
    bytes           bigint,
    sha256          text,
    written_at      timestamptz,
    loaded_at       timestamptz,
    staging_rows    bigint,
    invalid_rows    bigint NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'written' CHECK (status IN ('written', 'loaded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    error_message   text
);
CREATE INDEX bronze_files_status_idx ON ops.bronze_files (status);
CREATE INDEX bronze_files_run_idx ON ops.bronze_files (run_id);

CREATE TABLE ops.watermarks (
    source          text NOT NULL,
    scope           text NOT NULL,
    entity          text NOT NULL,
    watermark       timestamptz,
    cursor_value    text,
    run_id          text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, scope, entity)
);

-- How far each core table has consumed its staging table (staging row ids are monotonic).
CREATE TABLE ops.transform_state (
    core_table        text PRIMARY KEY,
    last_stg_id       bigint NOT NULL DEFAULT 0,
    last_run_at       timestamptz,
    rows_inserted     bigint NOT NULL DEFAULT 0,
    rows_updated      bigint NOT NULL DEFAULT 0,
    rows_unchanged    bigint NOT NULL DEFAULT 0,
    rows_warned       bigint NOT NULL DEFAULT 0
);
