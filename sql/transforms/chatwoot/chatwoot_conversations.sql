-- core.chatwoot_conversations from stg_chatwoot.conversations_raw: one row per (scope, conversation id), the
-- newest version. A staging row is one row of the Chatwoot analytics view, its columns as JSON keys; both the
-- view's names (conversation_id, conversation_created_at, conversation_updated_at) and the table's own
-- (id, created_at, updated_at) are read. status and priority arrive as Chatwoot's integer codes (or already
-- as words) and are stored as words. Deletions are decided by chatwoot_id_listings.sql, not here: a version
-- read from the source proves the conversation exists, so writing it clears any deleted mark.
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/chatwoot/chatwoot_conversations.sql
--   COMMIT;
-- Returns one row per run of the winning staging rows:
--   run_id, candidates, inserted, updated, unchanged, deleted (always 0 here), warned (rows flagged).
--
-- fields     every staging row in range once (invalid rows excluded): each field as text, then typed by
--            the safe ops.try_* casts; a value that does not cast becomes NULL.
-- problems   rows with a present value that did not cast (or a status / priority code outside Chatwoot's);
--            flagged marks them 'warning' in staging with the field and value ('invalid' when the id is
--            unusable). The core row is still written, with that field NULL.
-- latest     one version per (scope, id): the newest greatest(updated_at, last_activity_at), then the newest
--            staging row.
-- upserted   insert, or update only when a column changed and the incoming version is not older than the
--            stored one, so the overlap's re-read rows cost no write and count as unchanged.
WITH fields AS MATERIALIZED (
    SELECT t.*,
           ops.try_bigint(t.id_text) AS id,
           ops.try_bigint(t.account_id_text) AS account_id,
           ops.try_bigint(t.inbox_id_text) AS inbox_id,
           ops.try_bigint(t.display_id_text) AS display_id,
           CASE t.status_text WHEN '0' THEN 'open' WHEN '1' THEN 'resolved' WHEN '2' THEN 'pending'
               WHEN '3' THEN 'snoozed' WHEN 'open' THEN 'open' WHEN 'resolved' THEN 'resolved'
               WHEN 'pending' THEN 'pending' WHEN 'snoozed' THEN 'snoozed' END AS status,
           CASE t.priority_text WHEN '0' THEN 'low' WHEN '1' THEN 'medium' WHEN '2' THEN 'high'
               WHEN '3' THEN 'urgent' WHEN 'low' THEN 'low' WHEN 'medium' THEN 'medium' WHEN 'high' THEN 'high'
               WHEN 'urgent' THEN 'urgent' END AS priority,
           ops.try_bigint(t.assignee_id_text) AS assignee_id,
           ops.try_bigint(t.team_id_text) AS team_id,
           ops.try_bigint(t.contact_id_text) AS contact_id,
           ops.try_timestamptz(t.created_at_text) AS created_at,
           ops.try_timestamptz(t.updated_at_text) AS updated_at,
           ops.try_timestamptz(t.last_activity_at_text) AS last_activity_at,
           ops.try_timestamptz(t.waiting_since_text) AS waiting_since,
           ops.try_timestamptz(t.first_reply_created_at_text) AS first_reply_created_at
    FROM (
        SELECT s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
               coalesce(nullif(s.raw ->> 'conversation_id', ''), nullif(s.raw ->> 'id', '')) AS id_text,
               nullif(s.raw ->> 'account_id', '') AS account_id_text,
               nullif(s.raw ->> 'inbox_id', '') AS inbox_id_text,
               nullif(s.raw ->> 'display_id', '') AS display_id_text,
               nullif(s.raw ->> 'uuid', '') AS uuid,
               nullif(s.raw ->> 'status', '') AS status_text,
               nullif(s.raw ->> 'priority', '') AS priority_text,
               nullif(s.raw ->> 'assignee_id', '') AS assignee_id_text,
               nullif(s.raw ->> 'team_id', '') AS team_id_text,
               nullif(s.raw ->> 'contact_id', '') AS contact_id_text,
               coalesce(nullif(s.raw ->> 'conversation_created_at', ''), nullif(s.raw ->> 'created_at', '')) AS created_at_text,
               coalesce(nullif(s.raw ->> 'conversation_updated_at', ''), nullif(s.raw ->> 'updated_at', '')) AS updated_at_text,
               nullif(s.raw ->> 'last_activity_at', '') AS last_activity_at_text,
               nullif(s.raw ->> 'waiting_since', '') AS waiting_since_text,
               nullif(s.raw ->> 'first_reply_created_at', '') AS first_reply_created_at_text,
               CASE jsonb_typeof(s.raw -> 'additional_attributes') WHEN 'object' THEN s.raw -> 'additional_attributes' END AS additional_attributes,
               CASE jsonb_typeof(s.raw -> 'custom_attributes') WHEN 'object' THEN s.raw -> 'custom_attributes' END AS custom_attributes,
               coalesce(ARRAY(SELECT btrim(l) FROM unnest(string_to_array(s.raw ->> 'cached_label_list', ',')) l
                              WHERE btrim(l) <> '' ORDER BY 1), '{}') AS labels
        FROM stg_chatwoot.conversations_raw s
        WHERE s.stg_id > current_setting('skyfit.from_stg_id')::bigint
          AND s.stg_id <= current_setting('skyfit.to_stg_id')::bigint
          AND s.validation_status <> 'invalid'
        OFFSET 0  -- keeps each extracted text a column, evaluated once, instead of repeated inside every inlined cast
    ) t
),
problems AS (
    SELECT f.stg_ctid, f.id IS NULL AS unusable,
           concat_ws('; ',
               CASE WHEN f.id IS NULL THEN 'conversation_id missing or not an integer: ' || coalesce(f.id_text, 'null') END,
               CASE WHEN f.account_id IS NULL AND f.account_id_text IS NOT NULL THEN 'account_id not an integer: ' || f.account_id_text END,
               CASE WHEN f.inbox_id IS NULL AND f.inbox_id_text IS NOT NULL THEN 'inbox_id not an integer: ' || f.inbox_id_text END,
               CASE WHEN f.display_id IS NULL AND f.display_id_text IS NOT NULL THEN 'display_id not an integer: ' || f.display_id_text END,
               CASE WHEN f.status IS NULL AND f.status_text IS NOT NULL THEN 'status not a Chatwoot status (0-3): ' || f.status_text END,
               CASE WHEN f.priority IS NULL AND f.priority_text IS NOT NULL THEN 'priority not a Chatwoot priority (0-3): ' || f.priority_text END,
               CASE WHEN f.assignee_id IS NULL AND f.assignee_id_text IS NOT NULL THEN 'assignee_id not an integer: ' || f.assignee_id_text END,
               CASE WHEN f.team_id IS NULL AND f.team_id_text IS NOT NULL THEN 'team_id not an integer: ' || f.team_id_text END,
               CASE WHEN f.contact_id IS NULL AND f.contact_id_text IS NOT NULL THEN 'contact_id not an integer: ' || f.contact_id_text END,
               CASE WHEN f.created_at IS NULL AND f.created_at_text IS NOT NULL THEN 'created_at not a date-time: ' || f.created_at_text END,
               CASE WHEN f.updated_at IS NULL AND f.updated_at_text IS NOT NULL THEN 'updated_at not a date-time: ' || f.updated_at_text END,
               CASE WHEN f.last_activity_at IS NULL AND f.last_activity_at_text IS NOT NULL THEN 'last_activity_at not a date-time: ' || f.last_activity_at_text END,
               CASE WHEN f.waiting_since IS NULL AND f.waiting_since_text IS NOT NULL THEN 'waiting_since not a date-time: ' || f.waiting_since_text END,
               CASE WHEN f.first_reply_created_at IS NULL AND f.first_reply_created_at_text IS NOT NULL THEN 'first_reply_created_at not a date-time: ' || f.first_reply_created_at_text END
           ) AS message
    FROM fields f
    -- every present text must have become a typed value
    WHERE f.id IS NULL
       OR num_nonnulls(f.id_text, f.account_id_text, f.inbox_id_text, f.display_id_text, f.status_text,
                       f.priority_text, f.assignee_id_text, f.team_id_text, f.contact_id_text, f.created_at_text,
                       f.updated_at_text, f.last_activity_at_text, f.waiting_since_text,
                       f.first_reply_created_at_text)
          <> num_nonnulls(f.id, f.account_id, f.inbox_id, f.display_id, f.status, f.priority, f.assignee_id,
                          f.team_id, f.contact_id, f.created_at, f.updated_at, f.last_activity_at, f.waiting_since,
                          f.first_reply_created_at)
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan that
    -- fetches just the flagged rows, where a plain join could scan the whole staging table.
    UPDATE stg_chatwoot.conversations_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
latest AS (
    SELECT DISTINCT ON (f.scope, f.id) f.*, greatest(f.updated_at, f.last_activity_at) AS source_changed_at
    FROM fields f
    WHERE f.id IS NOT NULL
    ORDER BY f.scope, f.id, greatest(f.updated_at, f.last_activity_at) DESC NULLS LAST, f.stg_id DESC
),
upserted AS (
    INSERT INTO core.chatwoot_conversations AS c (
        scope, id, account_id, inbox_id, display_id, uuid, status, priority, assignee_id, team_id, contact_id,
        created_at, updated_at, last_activity_at, waiting_since, first_reply_created_at, source_changed_at,
        additional_attributes, custom_attributes, labels, is_deleted, deleted_at, deleted_run_id,
        _stg_id, _source_blob, _source_line, _run_id, _updated_at)
    SELECT l.scope,
           l.id,
           l.account_id,
           l.inbox_id,
           l.display_id,
           l.uuid,
           l.status,
           l.priority,
           l.assignee_id,
           l.team_id,
           l.contact_id,
           l.created_at,
           l.updated_at,
           l.last_activity_at,
           l.waiting_since,
           l.first_reply_created_at,
           l.source_changed_at,
           l.additional_attributes,
           l.custom_attributes,
           l.labels,
           false, NULL, NULL,
           l.stg_id, l.blob_path, l.line_no, l.run_id, now()
    FROM latest l
    ON CONFLICT (scope, id) DO UPDATE
    SET account_id = excluded.account_id,
        inbox_id = excluded.inbox_id,
        display_id = excluded.display_id,
        uuid = excluded.uuid,
        status = excluded.status,
        priority = excluded.priority,
        assignee_id = excluded.assignee_id,
        team_id = excluded.team_id,
        contact_id = excluded.contact_id,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        last_activity_at = excluded.last_activity_at,
        waiting_since = excluded.waiting_since,
        first_reply_created_at = excluded.first_reply_created_at,
        source_changed_at = excluded.source_changed_at,
        additional_attributes = excluded.additional_attributes,
        custom_attributes = excluded.custom_attributes,
        labels = excluded.labels,
        is_deleted = excluded.is_deleted,
        deleted_at = excluded.deleted_at,
        deleted_run_id = excluded.deleted_run_id,
        _stg_id = excluded._stg_id,
        _source_blob = excluded._source_blob,
        _source_line = excluded._source_line,
        _run_id = excluded._run_id,
        _updated_at = excluded._updated_at
    WHERE (coalesce(excluded.source_changed_at, '-infinity'), excluded._stg_id)
          >= (coalesce(c.source_changed_at, '-infinity'), c._stg_id)
      AND (c.account_id, c.inbox_id, c.display_id, c.uuid, c.status, c.priority, c.assignee_id, c.team_id,
           c.contact_id, c.created_at, c.updated_at, c.last_activity_at, c.waiting_since, c.first_reply_created_at,
           c.additional_attributes, c.custom_attributes, c.labels, c.is_deleted)
          IS DISTINCT FROM
          (excluded.account_id, excluded.inbox_id, excluded.display_id, excluded.uuid, excluded.status,
           excluded.priority, excluded.assignee_id, excluded.team_id, excluded.contact_id, excluded.created_at,
           excluded.updated_at, excluded.last_activity_at, excluded.waiting_since, excluded.first_reply_created_at,
           excluded.additional_attributes, excluded.custom_attributes, excluded.labels, excluded.is_deleted)
    RETURNING c._run_id AS run_id, (c.xmax = 0) AS inserted
),
candidates AS (SELECT run_id, count(*) AS n FROM latest GROUP BY run_id),
written AS (
    SELECT run_id, count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
    FROM upserted GROUP BY run_id
),
warned AS (SELECT run_id, count(*) AS n FROM flagged GROUP BY run_id)
SELECT run_id,
       coalesce(c.n, 0) AS candidates,
       coalesce(w.inserted, 0) AS inserted,
       coalesce(w.updated, 0) AS updated,
       coalesce(c.n, 0) - coalesce(w.inserted, 0) - coalesce(w.updated, 0) AS unchanged,
       0::bigint AS deleted,
       coalesce(x.n, 0) AS warned
FROM candidates c
FULL JOIN written w USING (run_id)
FULL JOIN warned x USING (run_id)
ORDER BY run_id;
