-- core.pd_activities from stg_pipedrive.activities_raw: one row per (scope, id), the newest version.
-- v1 user_id / busy_flag / active_flag, v2 owner_id / busy / is_deleted: both are read. Empty strings
-- (v1 sends "" for an unset due_time or marked_as_done_time) are absent values, not cast failures.
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/pipedrive/pd_activities.sql
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
           ops.try_boolean(t.done_text) AS done,
           ops.try_date(t.due_date_text) AS due_date,
           ops.try_bigint(t.owner_id_text) AS owner_id,
           ops.try_bigint(t.deal_id_text) AS deal_id,
           ops.try_bigint(t.person_id_text) AS person_id,
           ops.try_bigint(t.org_id_text) AS org_id,
           ops.try_timestamptz(t.marked_as_done_time_text) AS marked_as_done_time,
           ops.try_boolean(t.busy_text) AS busy,
           ops.try_timestamptz(t.add_time_text) AS add_time,
           ops.try_timestamptz(t.update_time_text) AS update_time,
           ops.try_boolean(t.is_deleted_flag_text) AS is_deleted_flag,
           ops.try_boolean(t.active_flag_text) AS active_flag
    FROM (
        SELECT s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
               nullif(s.raw ->> 'id', '') AS id_text,
               nullif(s.raw ->> 'subject', '') AS subject,
               nullif(s.raw ->> 'type', '') AS type,
               nullif(s.raw ->> 'done', '') AS done_text,
               nullif(s.raw ->> 'due_date', '') AS due_date_text,
               nullif(s.raw ->> 'due_time', '') AS due_time,
               nullif(s.raw ->> 'duration', '') AS duration,
               coalesce(ops.json_ref_text(s.raw -> 'owner_id'), ops.json_ref_text(s.raw -> 'user_id')) AS owner_id_text,
               ops.json_ref_text(s.raw -> 'deal_id') AS deal_id_text,
               ops.json_ref_text(s.raw -> 'person_id') AS person_id_text,
               ops.json_ref_text(s.raw -> 'org_id') AS org_id_text,
               nullif(s.raw ->> 'lead_id', '') AS lead_id,
               nullif(s.raw ->> 'marked_as_done_time', '') AS marked_as_done_time_text,
               coalesce(nullif(s.raw ->> 'busy', ''), nullif(s.raw ->> 'busy_flag', '')) AS busy_text,
               nullif(s.raw ->> 'add_time', '') AS add_time_text,
               nullif(s.raw ->> 'update_time', '') AS update_time_text,
               nullif(s.raw ->> 'is_deleted', '') AS is_deleted_flag_text,
               nullif(s.raw ->> 'active_flag', '') AS active_flag_text
        FROM stg_pipedrive.activities_raw s
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
               CASE WHEN f.done IS NULL AND f.done_text IS NOT NULL THEN 'done not a boolean: ' || f.done_text END,
               CASE WHEN f.due_date IS NULL AND f.due_date_text IS NOT NULL THEN 'due_date not a date: ' || f.due_date_text END,
               CASE WHEN f.owner_id IS NULL AND f.owner_id_text IS NOT NULL THEN 'owner_id/user_id not an integer: ' || f.owner_id_text END,
               CASE WHEN f.deal_id IS NULL AND f.deal_id_text IS NOT NULL THEN 'deal_id not an integer: ' || f.deal_id_text END,
               CASE WHEN f.person_id IS NULL AND f.person_id_text IS NOT NULL THEN 'person_id not an integer: ' || f.person_id_text END,
               CASE WHEN f.org_id IS NULL AND f.org_id_text IS NOT NULL THEN 'org_id not an integer: ' || f.org_id_text END,
               CASE WHEN f.marked_as_done_time IS NULL AND f.marked_as_done_time_text IS NOT NULL THEN 'marked_as_done_time not a date-time: ' || f.marked_as_done_time_text END,
               CASE WHEN f.busy IS NULL AND f.busy_text IS NOT NULL THEN 'busy/busy_flag not a boolean: ' || f.busy_text END,
               CASE WHEN f.add_time IS NULL AND f.add_time_text IS NOT NULL THEN 'add_time not a date-time: ' || f.add_time_text END,
               CASE WHEN f.update_time IS NULL AND f.update_time_text IS NOT NULL THEN 'update_time not a date-time: ' || f.update_time_text END,
               CASE WHEN f.is_deleted_flag IS NULL AND f.is_deleted_flag_text IS NOT NULL THEN 'is_deleted not a boolean: ' || f.is_deleted_flag_text END,
               CASE WHEN f.active_flag IS NULL AND f.active_flag_text IS NOT NULL THEN 'active_flag not a boolean: ' || f.active_flag_text END
           ) AS message
    FROM fields f
    -- every present text must have become a typed value
    WHERE f.id IS NULL
       OR num_nonnulls(f.id_text, f.done_text, f.due_date_text, f.owner_id_text, f.deal_id_text,
                       f.person_id_text, f.org_id_text, f.marked_as_done_time_text, f.busy_text, f.add_time_text,
                       f.update_time_text, f.is_deleted_flag_text, f.active_flag_text)
          <> num_nonnulls(f.id, f.done, f.due_date, f.owner_id, f.deal_id, f.person_id, f.org_id,
                          f.marked_as_done_time, f.busy, f.add_time, f.update_time, f.is_deleted_flag,
                          f.active_flag)
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan that
    -- fetches just the flagged rows, where a plain join could scan the whole staging table.
    UPDATE stg_pipedrive.activities_raw s
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
    INSERT INTO core.pd_activities AS c (
        scope, id, subject, type, done, due_date, due_time, duration, owner_id, deal_id, person_id, org_id,
        lead_id, marked_as_done_time, busy, add_time, update_time, is_deleted,
        _stg_id, _source_blob, _source_line, _run_id, _updated_at)
    SELECT l.scope,
           l.id,
           l.subject,
           l.type,
           l.done,
           l.due_date,
           l.due_time,
           l.duration,
           l.owner_id,
           l.deal_id,
           l.person_id,
           l.org_id,
           l.lead_id,
           l.marked_as_done_time,
           l.busy,
           l.add_time,
           l.update_time,
           coalesce(l.is_deleted_flag, NOT l.active_flag, false) AS is_deleted,
           l.stg_id, l.blob_path, l.line_no, l.run_id, now()
    FROM latest l
    ON CONFLICT (scope, id) DO UPDATE
    SET subject = excluded.subject,
        type = excluded.type,
        done = excluded.done,
        due_date = excluded.due_date,
        due_time = excluded.due_time,
        duration = excluded.duration,
        owner_id = excluded.owner_id,
        deal_id = excluded.deal_id,
        person_id = excluded.person_id,
        org_id = excluded.org_id,
        lead_id = excluded.lead_id,
        marked_as_done_time = excluded.marked_as_done_time,
        busy = excluded.busy,
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
      AND (c.subject, c.type, c.done, c.due_date, c.due_time, c.duration, c.owner_id, c.deal_id, c.person_id,
           c.org_id, c.lead_id, c.marked_as_done_time, c.busy, c.add_time, c.update_time, c.is_deleted)
          IS DISTINCT FROM
          (excluded.subject, excluded.type, excluded.done, excluded.due_date, excluded.due_time,
           excluded.duration, excluded.owner_id, excluded.deal_id, excluded.person_id, excluded.org_id,
           excluded.lead_id, excluded.marked_as_done_time, excluded.busy, excluded.add_time,
           excluded.update_time, excluded.is_deleted)
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
