-- core.pd_users from stg_pipedrive.users_raw (API v1): one row per (scope, id), the newest version.
-- Users are deactivated, never deleted: active_flag becomes is_active, and the deleted count is always 0.
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/pipedrive/pd_users.sql
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
           ops.try_bigint(t.role_id_text) AS role_id,
           ops.try_boolean(t.is_admin_text) AS is_admin,
           ops.try_boolean(t.is_active_text) AS is_active,
           ops.try_timestamptz(t.last_login_text) AS last_login,
           ops.try_timestamptz(t.add_time_text) AS add_time,
           ops.try_timestamptz(t.update_time_text) AS update_time
    FROM (
        SELECT s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
               nullif(s.raw ->> 'id', '') AS id_text,
               nullif(s.raw ->> 'name', '') AS name,
               nullif(s.raw ->> 'email', '') AS email,
               nullif(s.raw ->> 'phone', '') AS phone,
               nullif(s.raw ->> 'default_currency', '') AS default_currency,
               nullif(s.raw ->> 'locale', '') AS locale,
               nullif(s.raw ->> 'timezone_name', '') AS timezone_name,
               nullif(s.raw ->> 'role_id', '') AS role_id_text,
               nullif(s.raw ->> 'is_admin', '') AS is_admin_text,
               nullif(s.raw ->> 'active_flag', '') AS is_active_text,
               nullif(s.raw ->> 'last_login', '') AS last_login_text,
               nullif(s.raw ->> 'created', '') AS add_time_text,
               nullif(s.raw ->> 'modified', '') AS update_time_text
        FROM stg_pipedrive.users_raw s
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
               CASE WHEN f.role_id IS NULL AND f.role_id_text IS NOT NULL THEN 'role_id not an integer: ' || f.role_id_text END,
               CASE WHEN f.is_admin IS NULL AND f.is_admin_text IS NOT NULL THEN 'is_admin not a boolean: ' || f.is_admin_text END,
               CASE WHEN f.is_active IS NULL AND f.is_active_text IS NOT NULL THEN 'active_flag not a boolean: ' || f.is_active_text END,
               CASE WHEN f.last_login IS NULL AND f.last_login_text IS NOT NULL THEN 'last_login not a date-time: ' || f.last_login_text END,
               CASE WHEN f.add_time IS NULL AND f.add_time_text IS NOT NULL THEN 'created not a date-time: ' || f.add_time_text END,
               CASE WHEN f.update_time IS NULL AND f.update_time_text IS NOT NULL THEN 'modified not a date-time: ' || f.update_time_text END
           ) AS message
    FROM fields f
    -- every present text must have become a typed value
    WHERE f.id IS NULL
       OR num_nonnulls(f.id_text, f.role_id_text, f.is_admin_text, f.is_active_text, f.last_login_text,
                       f.add_time_text, f.update_time_text)
          <> num_nonnulls(f.id, f.role_id, f.is_admin, f.is_active, f.last_login, f.add_time, f.update_time)
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan that
    -- fetches just the flagged rows, where a plain join could scan the whole staging table.
    UPDATE stg_pipedrive.users_raw s
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
    INSERT INTO core.pd_users AS c (
        scope, id, name, email, phone, default_currency, locale, timezone_name, role_id, is_admin, is_active,
        last_login, add_time, update_time,
        _stg_id, _source_blob, _source_line, _run_id, _updated_at)
    SELECT l.scope,
           l.id,
           l.name,
           l.email,
           l.phone,
           l.default_currency,
           l.locale,
           l.timezone_name,
           l.role_id,
           l.is_admin,
           l.is_active,
           l.last_login,
           l.add_time,
           l.update_time,
           l.stg_id, l.blob_path, l.line_no, l.run_id, now()
    FROM latest l
    ON CONFLICT (scope, id) DO UPDATE
    SET name = excluded.name,
        email = excluded.email,
        phone = excluded.phone,
        default_currency = excluded.default_currency,
        locale = excluded.locale,
        timezone_name = excluded.timezone_name,
        role_id = excluded.role_id,
        is_admin = excluded.is_admin,
        is_active = excluded.is_active,
        last_login = excluded.last_login,
        add_time = excluded.add_time,
        update_time = excluded.update_time,
        _stg_id = excluded._stg_id,
        _source_blob = excluded._source_blob,
        _source_line = excluded._source_line,
        _run_id = excluded._run_id,
        _updated_at = excluded._updated_at
    WHERE (coalesce(excluded.update_time, '-infinity'), excluded._stg_id)
          >= (coalesce(c.update_time, '-infinity'), c._stg_id)
      AND (c.name, c.email, c.phone, c.default_currency, c.locale, c.timezone_name, c.role_id, c.is_admin,
           c.is_active, c.last_login, c.add_time, c.update_time)
          IS DISTINCT FROM
          (excluded.name, excluded.email, excluded.phone, excluded.default_currency, excluded.locale,
           excluded.timezone_name, excluded.role_id, excluded.is_admin, excluded.is_active, excluded.last_login,
           excluded.add_time, excluded.update_time)
    RETURNING c._run_id AS run_id, (c.xmax = 0) AS inserted, false AS deleted
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
