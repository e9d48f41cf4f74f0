-- core.pd_deals from stg_pipedrive.deals_raw: one row per (scope, id), the newest version.
-- Both API versions are read: v1 user_id / deleted / top-level custom fields, v2 owner_id / is_deleted /
-- custom_fields. A deleted deal (status 'deleted' or a deleted flag) keeps its row with is_deleted = true.
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/pipedrive/pd_deals.sql
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
           ops.try_numeric(t.value_text) AS value,
           ops.try_bigint(t.stage_id_text) AS stage_id,
           ops.try_bigint(t.pipeline_id_text) AS pipeline_id,
           ops.try_bigint(t.owner_id_text) AS owner_id,
           ops.try_bigint(t.creator_user_id_text) AS creator_user_id,
           ops.try_bigint(t.person_id_text) AS person_id,
           ops.try_bigint(t.org_id_text) AS org_id,
           ops.try_numeric(t.probability_text) AS probability,
           ops.try_date(t.expected_close_date_text) AS expected_close_date,
           ops.try_timestamptz(t.stage_change_time_text) AS stage_change_time,
           ops.try_timestamptz(t.won_time_text) AS won_time,
           ops.try_timestamptz(t.lost_time_text) AS lost_time,
           ops.try_timestamptz(t.close_time_text) AS close_time,
           ops.try_timestamptz(t.add_time_text) AS add_time,
           ops.try_timestamptz(t.update_time_text) AS update_time,
           ops.try_boolean(t.deleted_flag_text) AS deleted_flag
    FROM (
        SELECT s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
               nullif(s.raw ->> 'id', '') AS id_text,
               nullif(s.raw ->> 'title', '') AS title,
               nullif(s.raw ->> 'value', '') AS value_text,
               nullif(s.raw ->> 'currency', '') AS currency,
               nullif(s.raw ->> 'status', '') AS status,
               nullif(s.raw ->> 'stage_id', '') AS stage_id_text,
               nullif(s.raw ->> 'pipeline_id', '') AS pipeline_id_text,
               coalesce(ops.json_ref_text(s.raw -> 'owner_id'), ops.json_ref_text(s.raw -> 'user_id')) AS owner_id_text,
               ops.json_ref_text(s.raw -> 'creator_user_id') AS creator_user_id_text,
               ops.json_ref_text(s.raw -> 'person_id') AS person_id_text,
               ops.json_ref_text(s.raw -> 'org_id') AS org_id_text,
               nullif(s.raw ->> 'probability', '') AS probability_text,
               nullif(s.raw ->> 'expected_close_date', '') AS expected_close_date_text,
               nullif(s.raw ->> 'stage_change_time', '') AS stage_change_time_text,
               nullif(s.raw ->> 'won_time', '') AS won_time_text,
               nullif(s.raw ->> 'lost_time', '') AS lost_time_text,
               nullif(s.raw ->> 'close_time', '') AS close_time_text,
               nullif(s.raw ->> 'lost_reason', '') AS lost_reason,
               nullif(s.raw ->> 'visible_to', '') AS visible_to,
               nullif(s.raw ->> 'add_time', '') AS add_time_text,
               nullif(s.raw ->> 'update_time', '') AS update_time_text,
               coalesce(nullif(s.raw ->> 'is_deleted', ''), nullif(s.raw ->> 'deleted', '')) AS deleted_flag_text,
               CASE jsonb_typeof(s.raw -> 'custom_fields') WHEN 'object' THEN s.raw -> 'custom_fields' ELSE '{}' END
                   || coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(s.raw) e
                                WHERE length(e.key) = 40 AND ltrim(e.key, '0123456789abcdef') = ''), '{}') AS custom_fields
        FROM stg_pipedrive.deals_raw s
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
               CASE WHEN f.value IS NULL AND f.value_text IS NOT NULL THEN 'value not a number: ' || f.value_text END,
               CASE WHEN f.stage_id IS NULL AND f.stage_id_text IS NOT NULL THEN 'stage_id not an integer: ' || f.stage_id_text END,
               CASE WHEN f.pipeline_id IS NULL AND f.pipeline_id_text IS NOT NULL THEN 'pipeline_id not an integer: ' || f.pipeline_id_text END,
               CASE WHEN f.owner_id IS NULL AND f.owner_id_text IS NOT NULL THEN 'owner_id/user_id not an integer: ' || f.owner_id_text END,
               CASE WHEN f.creator_user_id IS NULL AND f.creator_user_id_text IS NOT NULL THEN 'creator_user_id not an integer: ' || f.creator_user_id_text END,
               CASE WHEN f.person_id IS NULL AND f.person_id_text IS NOT NULL THEN 'person_id not an integer: ' || f.person_id_text END,
               CASE WHEN f.org_id IS NULL AND f.org_id_text IS NOT NULL THEN 'org_id not an integer: ' || f.org_id_text END,
               CASE WHEN f.probability IS NULL AND f.probability_text IS NOT NULL THEN 'probability not a number: ' || f.probability_text END,
               CASE WHEN f.expected_close_date IS NULL AND f.expected_close_date_text IS NOT NULL THEN 'expected_close_date not a date: ' || f.expected_close_date_text END,
               CASE WHEN f.stage_change_time IS NULL AND f.stage_change_time_text IS NOT NULL THEN 'stage_change_time not a date-time: ' || f.stage_change_time_text END,
               CASE WHEN f.won_time IS NULL AND f.won_time_text IS NOT NULL THEN 'won_time not a date-time: ' || f.won_time_text END,
               CASE WHEN f.lost_time IS NULL AND f.lost_time_text IS NOT NULL THEN 'lost_time not a date-time: ' || f.lost_time_text END,
               CASE WHEN f.close_time IS NULL AND f.close_time_text IS NOT NULL THEN 'close_time not a date-time: ' || f.close_time_text END,
               CASE WHEN f.add_time IS NULL AND f.add_time_text IS NOT NULL THEN 'add_time not a date-time: ' || f.add_time_text END,
               CASE WHEN f.update_time IS NULL AND f.update_time_text IS NOT NULL THEN 'update_time not a date-time: ' || f.update_time_text END,
               CASE WHEN f.deleted_flag IS NULL AND f.deleted_flag_text IS NOT NULL THEN 'is_deleted/deleted not a boolean: ' || f.deleted_flag_text END
           ) AS message
    FROM fields f
    -- every present text must have become a typed value
    WHERE f.id IS NULL
       OR num_nonnulls(f.id_text, f.value_text, f.stage_id_text, f.pipeline_id_text, f.owner_id_text,
                       f.creator_user_id_text, f.person_id_text, f.org_id_text, f.probability_text,
                       f.expected_close_date_text, f.stage_change_time_text, f.won_time_text, f.lost_time_text,
                       f.close_time_text, f.add_time_text, f.update_time_text, f.deleted_flag_text)
          <> num_nonnulls(f.id, f.value, f.stage_id, f.pipeline_id, f.owner_id, f.creator_user_id, f.person_id,
                          f.org_id, f.probability, f.expected_close_date, f.stage_change_time, f.won_time,
                          f.lost_time, f.close_time, f.add_time, f.update_time, f.deleted_flag)
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan that
    -- fetches just the flagged rows, where a plain join could scan the whole staging table.
    UPDATE stg_pipedrive.deals_raw s
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
    INSERT INTO core.pd_deals AS c (
        scope, id, title, value, currency, status, stage_id, pipeline_id, owner_id, creator_user_id, person_id,
        org_id, probability, expected_close_date, stage_change_time, won_time, lost_time, close_time,
        lost_reason, visible_to, add_time, update_time, is_deleted, custom_fields,
        _stg_id, _source_blob, _source_line, _run_id, _updated_at)
    SELECT l.scope,
           l.id,
           l.title,
           l.value,
           l.currency,
           l.status,
           l.stage_id,
           l.pipeline_id,
           l.owner_id,
           l.creator_user_id,
           l.person_id,
           l.org_id,
           l.probability,
           l.expected_close_date,
           l.stage_change_time,
           l.won_time,
           l.lost_time,
           l.close_time,
           l.lost_reason,
           l.visible_to,
           l.add_time,
           l.update_time,
           l.status = 'deleted' OR coalesce(l.deleted_flag, false) AS is_deleted,
           l.custom_fields,
           l.stg_id, l.blob_path, l.line_no, l.run_id, now()
    FROM latest l
    ON CONFLICT (scope, id) DO UPDATE
    SET title = excluded.title,
        value = excluded.value,
        currency = excluded.currency,
        status = excluded.status,
        stage_id = excluded.stage_id,
        pipeline_id = excluded.pipeline_id,
        owner_id = excluded.owner_id,
        creator_user_id = excluded.creator_user_id,
        person_id = excluded.person_id,
        org_id = excluded.org_id,
        probability = excluded.probability,
        expected_close_date = excluded.expected_close_date,
        stage_change_time = excluded.stage_change_time,
        won_time = excluded.won_time,
        lost_time = excluded.lost_time,
        close_time = excluded.close_time,
        lost_reason = excluded.lost_reason,
        visible_to = excluded.visible_to,
        add_time = excluded.add_time,
        update_time = excluded.update_time,
        is_deleted = excluded.is_deleted,
        custom_fields = excluded.custom_fields,
        _stg_id = excluded._stg_id,
        _source_blob = excluded._source_blob,
        _source_line = excluded._source_line,
        _run_id = excluded._run_id,
        _updated_at = excluded._updated_at
    WHERE (coalesce(excluded.update_time, '-infinity'), excluded._stg_id)
          >= (coalesce(c.update_time, '-infinity'), c._stg_id)
      AND (c.title, c.value, c.currency, c.status, c.stage_id, c.pipeline_id, c.owner_id, c.creator_user_id,
           c.person_id, c.org_id, c.probability, c.expected_close_date, c.stage_change_time, c.won_time,
           c.lost_time, c.close_time, c.lost_reason, c.visible_to, c.add_time, c.update_time, c.is_deleted,
           c.custom_fields)
          IS DISTINCT FROM
          (excluded.title, excluded.value, excluded.currency, excluded.status, excluded.stage_id,
           excluded.pipeline_id, excluded.owner_id, excluded.creator_user_id, excluded.person_id,
           excluded.org_id, excluded.probability, excluded.expected_close_date, excluded.stage_change_time,
           excluded.won_time, excluded.lost_time, excluded.close_time, excluded.lost_reason, excluded.visible_to,
           excluded.add_time, excluded.update_time, excluded.is_deleted, excluded.custom_fields)
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
