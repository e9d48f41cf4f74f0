-- core.pd_stages from stg_pipedrive.stages_raw: one row per (scope, id), the newest version.
-- v1 rotten_flag / rotten_days / active_flag, v2 is_deal_rot_enabled / days_to_rotten / is_deleted.
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/pipedrive/pd_stages.sql
--   COMMIT;
-- Returns one row per run of the winning staging rows:
--   run_id, candidates, inserted, updated, unchanged, deleted (rows written with is_deleted), warned (rows flagged).
--
-- fields     every staging row in range once (invalid rows excluded): each field as text, then typed by
--            the safe ops.try_* casts; a value that does not cast becomes NULL.
-- problems   rows with a present value that did not cast; flagged marks them 'warning' in staging with the
--            field and value in error_message ('invalid' when the id itself is unusable: no core row can
--            hold it). The core row is still written, with that field NULL.
-- latest     one version per (scope, id): the newest update_time, then the newest staging row.
-- upserted   insert, or update only when a column changed and the incoming version is not older than the
--            stored one (update_time, then stg_id), so an unchanged row costs no write and a late-arriving
--            old version never overwrites a newer one. xmax = 0 in RETURNING tells an insert from an update.
WITH fields AS MATERIALIZED (
    SELECT t.*,
           ops.try_bigint(t.id_text) AS id,
           ops.try_bigint(t.pipeline_id_text) AS pipeline_id,
           ops.try_integer(t.order_nr_text) AS order_nr,
           ops.try_integer(t.deal_probability_text) AS deal_probability,
           ops.try_boolean(t.rotten_flag_text) AS rotten_flag,
           ops.try_integer(t.rotten_days_text) AS rotten_days,
           ops.try_timestamptz(t.add_time_text) AS add_time,
           ops.try_timestamptz(t.update_time_text) AS update_time,
           ops.try_boolean(t.is_deleted_flag_text) AS is_deleted_flag,
           ops.try_boolean(t.active_flag_text) AS active_flag
    FROM (
        SELECT s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
               nullif(s.raw ->> 'id', '') AS id_text,
               nullif(s.raw ->> 'pipeline_id', '') AS pipeline_id_text,
               nullif(s.raw ->> 'name', '') AS name,
               nullif(s.raw ->> 'order_nr', '') AS order_nr_text,
               nullif(s.raw ->> 'deal_probability', '') AS deal_probability_text,
               coalesce(nullif(s.raw ->> 'is_deal_rot_enabled', ''), nullif(s.raw ->> 'rotten_flag', '')) AS rotten_flag_text,
               coalesce(nullif(s.raw ->> 'days_to_rotten', ''), nullif(s.raw ->> 'rotten_days', '')) AS rotten_days_text,
               nullif(s.raw ->> 'add_time', '') AS add_time_text,
               nullif(s.raw ->> 'update_time', '') AS update_time_text,
               nullif(s.raw ->> 'is_deleted', '') AS is_deleted_flag_text,
               nullif(s.raw ->> 'active_flag', '') AS active_flag_text
        FROM stg_pipedrive.stages_raw s
        WHERE s.stg_id > current_setting('skyfit.from_stg_id')::bigint
          AND s.stg_id <= current_setting('skyfit.to_stg_id')::bigint
          AND s.validation_status <> 'invalid'
        OFFSET 0  -- keeps each extracted text a column, evaluated once, instead of repeated inside every inlined cast
    ) t
),
problems AS (
    SELECT f.stg_ctid, f.id IS NULL AS unusable,
           concat_ws('; ',
               CASE WHEN f.id IS NULL THEN 'id missing or not an integer: ' || coalesce(f.id_text, 'null') END,
               CASE WHEN f.pipeline_id IS NULL AND f.pipeline_id_text IS NOT NULL THEN 'pipeline_id not an integer: ' || f.pipeline_id_text END,
               CASE WHEN f.order_nr IS NULL AND f.order_nr_text IS NOT NULL THEN 'order_nr not an integer: ' || f.order_nr_text END,
               CASE WHEN f.deal_probability IS NULL AND f.deal_probability_text IS NOT NULL THEN 'deal_probability not an integer: ' || f.deal_probability_text END,
               CASE WHEN f.rotten_flag IS NULL AND f.rotten_flag_text IS NOT NULL THEN 'rotten_flag not a boolean: ' || f.rotten_flag_text END,
               CASE WHEN f.rotten_days IS NULL AND f.rotten_days_text IS NOT NULL THEN 'rotten_days not an integer: ' || f.rotten_days_text END,
               CASE WHEN f.add_time IS NULL AND f.add_time_text IS NOT NULL THEN 'add_time not a date-time: ' || f.add_time_text END,
               CASE WHEN f.update_time IS NULL AND f.update_time_text IS NOT NULL THEN 'update_time not a date-time: ' || f.update_time_text END,
               CASE WHEN f.is_deleted_flag IS NULL AND f.is_deleted_flag_text IS NOT NULL THEN 'is_deleted not a boolean: ' || f.is_deleted_flag_text END,
               CASE WHEN f.active_flag IS NULL AND f.active_flag_text IS NOT NULL THEN 'active_flag not a boolean: ' || f.active_flag_text END
           ) AS message
    FROM fields f
    -- every present text must have become a typed value
    WHERE f.id IS NULL
       OR num_nonnulls(f.id_text, f.pipeline_id_text, f.order_nr_text, f.deal_probability_text,
                       f.rotten_flag_text, f.rotten_days_text, f.add_time_text, f.update_time_text,
                       f.is_deleted_flag_text, f.active_flag_text)
          <> num_nonnulls(f.id, f.pipeline_id, f.order_nr, f.deal_probability, f.rotten_flag, f.rotten_days,
                          f.add_time, f.update_time, f.is_deleted_flag, f.active_flag)
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan that
    -- fetches just the flagged rows, where a plain join could scan the whole staging table.
    UPDATE stg_pipedrive.stages_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
latest AS (
    SELECT DISTINCT ON (f.scope, f.id) f.*
    FROM fields f
    WHERE f.id IS NOT NULL
    ORDER BY f.scope, f.id, f.update_time DESC NULLS LAST, f.stg_id DESC
),
upserted AS (
    INSERT INTO core.pd_stages AS c (
        scope, id, pipeline_id, name, order_nr, deal_probability, rotten_flag, rotten_days, add_time,
        update_time, is_deleted,
        _stg_id, _source_blob, _source_line, _run_id, _updated_at)
    SELECT l.scope,
           l.id,
           l.pipeline_id,
           l.name,
           l.order_nr,
           l.deal_probability,
           l.rotten_flag,
           l.rotten_days,
           l.add_time,
           l.update_time,
           coalesce(l.is_deleted_flag, NOT l.active_flag, false) AS is_deleted,
           l.stg_id, l.blob_path, l.line_no, l.run_id, now()
    FROM latest l
    ON CONFLICT (scope, id) DO UPDATE
    SET pipeline_id = excluded.pipeline_id,
        name = excluded.name,
        order_nr = excluded.order_nr,
        deal_probability = excluded.deal_probability,
        rotten_flag = excluded.rotten_flag,
        rotten_days = excluded.rotten_days,
        add_time = excluded.add_time,
        update_time = excluded.update_time,
        is_deleted = excluded.is_deleted,
        _stg_id = excluded._stg_id,
        _source_blob = excluded._source_blob,
        _source_line = excluded._source_line,
        _run_id = excluded._run_id,
        _updated_at = excluded._updated_at
    WHERE (coalesce(excluded.update_time, '-infinity'), excluded._stg_id)
          >= (coalesce(c.update_time, '-infinity'), c._stg_id)
      AND (c.pipeline_id, c.name, c.order_nr, c.deal_probability, c.rotten_flag, c.rotten_days, c.add_time,
           c.update_time, c.is_deleted)
          IS DISTINCT FROM
          (excluded.pipeline_id, excluded.name, excluded.order_nr, excluded.deal_probability,
           excluded.rotten_flag, excluded.rotten_days, excluded.add_time, excluded.update_time,
           excluded.is_deleted)
    RETURNING c._run_id AS run_id, (c.xmax = 0) AS inserted, c.is_deleted AS deleted
),
candidates AS (SELECT run_id, count(*) AS n FROM latest GROUP BY run_id),
written AS (
    SELECT run_id, count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
           count(*) FILTER (WHERE deleted) AS deleted
    FROM upserted GROUP BY run_id
),
warned AS (SELECT run_id, count(*) AS n FROM flagged GROUP BY run_id)
SELECT run_id,
       coalesce(c.n, 0) AS candidates,
       coalesce(w.inserted, 0) AS inserted,
       coalesce(w.updated, 0) AS updated,
       coalesce(c.n, 0) - coalesce(w.inserted, 0) - coalesce(w.updated, 0) AS unchanged,
       coalesce(w.deleted, 0) AS deleted,
       coalesce(x.n, 0) AS warned
FROM candidates c
FULL JOIN written w USING (run_id)
FULL JOIN warned x USING (run_id)
ORDER BY run_id;
