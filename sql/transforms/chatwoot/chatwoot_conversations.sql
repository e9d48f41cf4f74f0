-- core.chatwoot_conversations from stg_chatwoot.conversations_raw: one row per (scope, id), the newest version:
-- the latest source_changed_at, then the highest (read_at, run_id, blob_path, line_no).
-- status and priority arrive as Chatwoot's integer codes (or already as words) and are stored as
-- words; a code Chatwoot does not define is kept as sent. A new message moves only
-- last_activity_at, so versions are ordered by source_changed_at, the later of the two times.
-- Hard deletes are decided by chatwoot_id_listings.sql, not here: a version read from the
-- source proves the conversation exists, so writing it clears any deleted mark.
--
-- Generated from the table's declaration (engine/src/main/java/com/skyfit/lake/core/, see CoreTables);
-- edit that, then `./skyfit sql --write` rewrites this file (a test fails while it is out of date).
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SET LOCAL work_mem = '1GB';  -- as the runner does: the staging-id lookups below stay hashed
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/chatwoot/chatwoot_conversations.sql
--   COMMIT;
-- Returns one row per run of the winning staging rows:
--   run_id, candidates, inserted, updated, unchanged, deleted (rows written as deleted), warned (rows flagged).
--
-- fields     every staging row in range once (invalid rows excluded), typed by the safe ops.try_* casts
--            (a value that does not cast becomes NULL), with, for a row with a problem, its message.
-- problems   rows with a present value that did not cast; flagged marks them 'warning' in staging with
--            the field and value in error_message ('invalid' when the key itself is unusable: no core row
--            can hold it). The core row is still written, with that field NULL.
-- target     whether the table was empty when the statement began (a first load; a full refresh that
--            truncates it):
--            then every winning row is an insert (inserted_first, without the check against stored
--            keys), and the update and candidate steps are skipped.
-- stored     the batch's keys the table already holds: one probe of its primary key per row whose key
--            does not sort after the greatest stored one, so a batch costs the same whatever the
--            table's size; the update and repointing steps run only when there is one.
-- superseded for keys that occur more than once in the batch, every version but the newest. Versions are
--            ordered by lineage, not by load order, so a forced reload never puts an older one on top.
--            read_at is when the line was read: its bronze part's write time in ops.bronze_files (a part
--            without one sorts first), so a resumed run's new reads win over a run that started later.
-- inserted   new keys; updated: stored keys, only when a column changed and the incoming version is not
--            older than the stored one, so an unchanged row costs no write and a late-arriving old
--            version never overwrites a newer one.
-- repointed  core rows whose version came from a reloaded part: their _stg_id follows the new row.
WITH fields AS MATERIALIZED (
    SELECT t.stg_table, t.stg_ctid, t.stg_id, t.scope, t.blob_path, t.line_no, t.run_id, t.read_at,
           t.id, t.account_id, t.inbox_id, t.display_id, t.uuid, t.status, t.priority, t.assignee_id,
               t.team_id, t.contact_id, t.created_at, t.updated_at, t.last_activity_at, t.waiting_since,
               t.first_reply_created_at, t.additional_attributes, t.custom_attributes,
           (greatest(updated_at, last_activity_at)) AS source_changed_at,
           coalesce(t.labels, '{}') AS labels,
           coalesce((false), false) AS is_deleted,
           (NULL::timestamptz) AS deleted_at,
           (NULL::text) AS deleted_run_id,
           CASE WHEN num_nonnulls(t.id_text, t.account_id_text, t.inbox_id_text, t.display_id_text, t.assignee_id_text,
               t.team_id_text, t.contact_id_text, t.created_at_text, t.updated_at_text, t.last_activity_at_text,
               t.waiting_since_text, t.first_reply_created_at_text)
           <> num_nonnulls(t.id, t.account_id, t.inbox_id, t.display_id, t.assignee_id, t.team_id, t.contact_id,
               t.created_at, t.updated_at, t.last_activity_at, t.waiting_since, t.first_reply_created_at)
                  OR t.id IS NULL
           THEN concat_ws('; ',
               CASE WHEN t.id IS NULL THEN 'conversation_id/id missing or not an integer: ' || coalesce(t.id_text, 'null') END,
               CASE WHEN t.account_id IS NULL AND t.account_id_text IS NOT NULL THEN 'account_id not an integer: ' || t.account_id_text END,
               CASE WHEN t.inbox_id IS NULL AND t.inbox_id_text IS NOT NULL THEN 'inbox_id not an integer: ' || t.inbox_id_text END,
               CASE WHEN t.display_id IS NULL AND t.display_id_text IS NOT NULL THEN 'display_id not an integer: ' || t.display_id_text END,
               CASE WHEN t.assignee_id IS NULL AND t.assignee_id_text IS NOT NULL THEN 'assignee_id not an integer: ' || t.assignee_id_text END,
               CASE WHEN t.team_id IS NULL AND t.team_id_text IS NOT NULL THEN 'team_id not an integer: ' || t.team_id_text END,
               CASE WHEN t.contact_id IS NULL AND t.contact_id_text IS NOT NULL THEN 'contact_id not an integer: ' || t.contact_id_text END,
               CASE WHEN t.created_at IS NULL AND t.created_at_text IS NOT NULL THEN 'conversation_created_at/created_at not a date-time: ' || t.created_at_text END,
               CASE WHEN t.updated_at IS NULL AND t.updated_at_text IS NOT NULL THEN 'conversation_updated_at/updated_at not a date-time: ' || t.updated_at_text END,
               CASE WHEN t.last_activity_at IS NULL AND t.last_activity_at_text IS NOT NULL THEN 'last_activity_at not a date-time: ' || t.last_activity_at_text END,
               CASE WHEN t.waiting_since IS NULL AND t.waiting_since_text IS NOT NULL THEN 'waiting_since not a date-time: ' || t.waiting_since_text END,
               CASE WHEN t.first_reply_created_at IS NULL AND t.first_reply_created_at_text IS NOT NULL THEN 'first_reply_created_at not a date-time: ' || t.first_reply_created_at_text END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.blob_path, e.line_no, e.run_id, e.read_at,
               e.id_text, ops.try_bigint(e.id_text) AS id,
               e.account_id_text, ops.try_bigint(e.account_id_text) AS account_id,
               e.inbox_id_text, ops.try_bigint(e.inbox_id_text) AS inbox_id,
               e.display_id_text, ops.try_bigint(e.display_id_text) AS display_id,
               e.uuid,
               e.status,
               e.priority,
               e.assignee_id_text, ops.try_bigint(e.assignee_id_text) AS assignee_id,
               e.team_id_text, ops.try_bigint(e.team_id_text) AS team_id,
               e.contact_id_text, ops.try_bigint(e.contact_id_text) AS contact_id,
               e.created_at_text, ops.try_timestamptz(e.created_at_text) AS created_at,
               e.updated_at_text, ops.try_timestamptz(e.updated_at_text) AS updated_at,
               e.last_activity_at_text, ops.try_timestamptz(e.last_activity_at_text) AS last_activity_at,
               e.waiting_since_text, ops.try_timestamptz(e.waiting_since_text) AS waiting_since,
               e.first_reply_created_at_text, ops.try_timestamptz(e.first_reply_created_at_text) AS first_reply_created_at,
               e.additional_attributes,
               e.custom_attributes,
               e.labels
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, blob_path, line_no, run_id, read_at,
                   coalesce(nullif(raw ->> 'conversation_id', ''), nullif(raw ->> 'id', '')) AS id_text,
                   nullif(raw ->> 'account_id', '') AS account_id_text,
                   nullif(raw ->> 'inbox_id', '') AS inbox_id_text,
                   nullif(raw ->> 'display_id', '') AS display_id_text,
                   nullif(raw ->> 'uuid', '') AS uuid,
                   CASE nullif(raw ->> 'status', '') WHEN '0' THEN 'open' WHEN '1' THEN 'resolved' WHEN '2' THEN 'pending' WHEN '3' THEN 'snoozed' ELSE nullif(raw ->> 'status', '') END AS status,
                   CASE nullif(raw ->> 'priority', '') WHEN '0' THEN 'low' WHEN '1' THEN 'medium' WHEN '2' THEN 'high' WHEN '3' THEN 'urgent' ELSE nullif(raw ->> 'priority', '') END AS priority,
                   nullif(raw ->> 'assignee_id', '') AS assignee_id_text,
                   nullif(raw ->> 'team_id', '') AS team_id_text,
                   nullif(raw ->> 'contact_id', '') AS contact_id_text,
                   coalesce(nullif(raw ->> 'conversation_created_at', ''), nullif(raw ->> 'created_at', '')) AS created_at_text,
                   coalesce(nullif(raw ->> 'conversation_updated_at', ''), nullif(raw ->> 'updated_at', '')) AS updated_at_text,
                   nullif(raw ->> 'last_activity_at', '') AS last_activity_at_text,
                   nullif(raw ->> 'waiting_since', '') AS waiting_since_text,
                   nullif(raw ->> 'first_reply_created_at', '') AS first_reply_created_at_text,
                   CASE jsonb_typeof(raw -> 'additional_attributes') WHEN 'object' THEN raw -> 'additional_attributes' END AS additional_attributes,
                   CASE jsonb_typeof(raw -> 'custom_attributes') WHEN 'object' THEN raw -> 'custom_attributes' END AS custom_attributes,
                   ARRAY(SELECT btrim(l) FROM unnest(string_to_array(raw ->> 'cached_label_list', ',')) l
                         WHERE btrim(l) <> '' ORDER BY 1) AS labels
            FROM (
                -- raw #> '{}' is raw itself, decompressed once: a large raw is stored compressed, and each read
                -- below would otherwise decompress it again.
                -- read_at: when the line was read, its part's write time (see version order below).
                SELECT s.tableoid AS stg_table, s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
                       b.written_at AS read_at, s.raw #> '{}' AS raw
                FROM stg_chatwoot.conversations_raw s
                LEFT JOIN ops.bronze_files b ON b.blob_path = s.blob_path
                WHERE s.stg_id > current_setting('skyfit.from_stg_id')::bigint
                  AND s.stg_id <= current_setting('skyfit.to_stg_id')::bigint
                  AND s.validation_status <> 'invalid'
                OFFSET 0
            ) d
            OFFSET 0
        ) e
        OFFSET 0
    ) t
),
problems AS (
    SELECT f.stg_table, f.stg_ctid, f.id IS NULL AS unusable, f.problem AS message
    FROM fields f
    WHERE f.problem IS NOT NULL
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan
    -- that fetches just the flagged rows, where a plain join could scan the whole staging table. A
    -- partitioned staging table repeats addresses across its partitions: tableoid names the partition.
    UPDATE stg_chatwoot.conversations_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.tableoid = p.stg_table AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
-- In the statement's snapshot, so the rows inserted below do not count.
target AS (SELECT NOT EXISTS (SELECT 1 FROM core.chatwoot_conversations) AS empty),
-- The batch's keys the table already holds: at most one probe of the primary key per row, whatever the table's
-- size (a scalar subquery is never planned as a join that reads every stored key). The steps below that
-- compare with stored rows run only when there is one. Nothing when the table was empty.
-- A key that sorts after the greatest key stored, (scope, key) together (the primary key's last entry,
-- read once per statement), cannot be stored: its probe is skipped. In the last scope of a table keyed
-- by time or by an id the source counts up, new keys are mostly past it; other rows are probed.
stored AS MATERIALIZED (
    SELECT l.stg_id, l.scope, l.id
    FROM fields l
    WHERE l.id IS NOT NULL
      AND NOT (SELECT empty FROM target)
      AND (l.scope, l.id) <= (SELECT c.scope, c.id FROM core.chatwoot_conversations c
         ORDER BY c.scope DESC, c.id DESC LIMIT 1)
      AND (SELECT true FROM core.chatwoot_conversations c WHERE c.scope = l.scope AND c.id = l.id LIMIT 1)
),
-- Keys that occur more than once in this batch, then the versions of each that are not its newest
-- (superseded): the rows the steps below leave out. Usually none: then the second scan of the batch is
-- skipped, and "is this row the newest of its key" below is a probe of an empty hash table by staging id
-- (a staging line's id is its own: the loader assigns it). PostgreSQL never plans NOT IN over a
-- subquery as a join, which could sort the whole batch to merge it; it hashes the subquery while its
-- estimate fits in work_mem (TransformRunner's 1 GB: tens of millions of ids).
repeated_keys AS (
    SELECT scope, id
    FROM fields
    WHERE id IS NOT NULL
    GROUP BY scope, id HAVING count(*) > 1
),
superseded AS (
    SELECT v.stg_id
    FROM (SELECT f.stg_id, row_number() OVER (PARTITION BY f.scope, f.id
                                            ORDER BY f.source_changed_at DESC NULLS LAST, f.read_at DESC NULLS LAST, f.run_id COLLATE "C" DESC, f.blob_path COLLATE "C" DESC, f.line_no DESC) AS version_rank
          FROM fields f
          WHERE EXISTS (SELECT 1 FROM repeated_keys)
            AND (f.scope, f.id) IN (SELECT scope, id FROM repeated_keys)) v
    WHERE v.version_rank > 1
),
-- New keys are inserted; stored keys are updated only when a column changed and the incoming version
-- is not older. Two statements instead of INSERT .. ON CONFLICT: speculative insertion costs about
-- 15% more per row than a plain insert, and TransformRunner runs one transform per table at a time
-- (it locks the table's ops.transform_state row), so no key can appear between check and insert.
-- When the table is empty (a first load; a full refresh that truncates it), every winning row is new:
-- the check against stored keys is skipped. Two inserts each gated by target (a one-time filter:
-- the other one never runs), not one with an OR; otherwise new keys are the rows not in stored (by
-- staging id, hashed as above: an anti-join by key could sort the whole batch to merge it).
inserted_first AS (
    INSERT INTO core.chatwoot_conversations (scope, id, account_id, inbox_id, display_id, uuid, status,
        priority, assignee_id, team_id, contact_id, created_at, updated_at, last_activity_at,
        waiting_since, first_reply_created_at, source_changed_at, additional_attributes,
        custom_attributes, labels, is_deleted, deleted_at, deleted_run_id, _stg_id, _source_blob,
        _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id, l.account_id, l.inbox_id, l.display_id, l.uuid, l.status, l.priority,
        l.assignee_id, l.team_id, l.contact_id, l.created_at, l.updated_at, l.last_activity_at,
        l.waiting_since, l.first_reply_created_at, l.source_changed_at, l.additional_attributes,
        l.custom_attributes, l.labels, l.is_deleted, l.deleted_at, l.deleted_run_id, l.stg_id,
        l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (SELECT empty FROM target)
    RETURNING _run_id AS run_id, false AS deleted
),
inserted AS (
    INSERT INTO core.chatwoot_conversations (scope, id, account_id, inbox_id, display_id, uuid, status,
        priority, assignee_id, team_id, contact_id, created_at, updated_at, last_activity_at,
        waiting_since, first_reply_created_at, source_changed_at, additional_attributes,
        custom_attributes, labels, is_deleted, deleted_at, deleted_run_id, _stg_id, _source_blob,
        _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id, l.account_id, l.inbox_id, l.display_id, l.uuid, l.status, l.priority,
        l.assignee_id, l.team_id, l.contact_id, l.created_at, l.updated_at, l.last_activity_at,
        l.waiting_since, l.first_reply_created_at, l.source_changed_at, l.additional_attributes,
        l.custom_attributes, l.labels, l.is_deleted, l.deleted_at, l.deleted_run_id, l.stg_id,
        l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored)
      AND NOT (SELECT empty FROM target)
    RETURNING _run_id AS run_id, false AS deleted
),
updated AS (
    UPDATE core.chatwoot_conversations c
    SET account_id = l.account_id, inbox_id = l.inbox_id, display_id = l.display_id, uuid = l.uuid,
        status = l.status, priority = l.priority, assignee_id = l.assignee_id, team_id = l.team_id,
        contact_id = l.contact_id, created_at = l.created_at, updated_at = l.updated_at,
        last_activity_at = l.last_activity_at, waiting_since = l.waiting_since,
        first_reply_created_at = l.first_reply_created_at, source_changed_at = l.source_changed_at,
        additional_attributes = l.additional_attributes, custom_attributes = l.custom_attributes,
        labels = l.labels, is_deleted = l.is_deleted, deleted_at = l.deleted_at,
        deleted_run_id = l.deleted_run_id, _stg_id = l.stg_id, _source_blob = l.blob_path,
        _source_line = l.line_no, _run_id = l.run_id, _read_at = l.read_at, _updated_at = now()
    FROM fields l
    WHERE c.scope = l.scope AND c.id = l.id
      AND l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (coalesce(l.source_changed_at, '-infinity'), coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)
          >= (coalesce(c.source_changed_at, '-infinity'), coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND (c.account_id, c.inbox_id, c.display_id, c.uuid, c.status, c.priority, c.assignee_id, c.team_id,
        c.contact_id, c.created_at, c.updated_at, c.last_activity_at, c.waiting_since,
        c.first_reply_created_at, c.source_changed_at, c.additional_attributes, c.custom_attributes,
        c.labels, c.is_deleted, c.deleted_at, c.deleted_run_id)
        IS DISTINCT FROM
        (l.account_id, l.inbox_id, l.display_id, l.uuid, l.status, l.priority, l.assignee_id, l.team_id,
        l.contact_id, l.created_at, l.updated_at, l.last_activity_at, l.waiting_since,
        l.first_reply_created_at, l.source_changed_at, l.additional_attributes, l.custom_attributes,
        l.labels, l.is_deleted, l.deleted_at, l.deleted_run_id)
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id = ANY (ARRAY(SELECT DISTINCT s.id FROM stored s ORDER BY 1)))
    RETURNING c._run_id AS run_id, false AS deleted
),
-- A forced reload gives a bronze part's lines new staging ids. A core row whose version came from such a
-- line (same part and line: the same data) is pointed at the line's new staging row, unless the
-- update above rewrites it anyway (two writes of one row in one statement are not allowed).
repointed AS (
    UPDATE core.chatwoot_conversations c
    SET _stg_id = l.stg_id
    FROM fields l
    WHERE c.scope = l.scope AND c.id = l.id
      AND c._source_blob = l.blob_path AND c._source_line = l.line_no AND c._stg_id <> l.stg_id
      AND NOT EXISTS (SELECT 1 FROM fields w
                      WHERE w.scope = c.scope AND w.id = c.id
                        AND w.id IS NOT NULL
                        AND w.stg_id NOT IN (SELECT stg_id FROM superseded)
                        AND (coalesce(w.source_changed_at, '-infinity'), coalesce(w.read_at, '-infinity'), w.run_id COLLATE "C", w.blob_path COLLATE "C", w.line_no)
                            >= (coalesce(c.source_changed_at, '-infinity'), coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                        AND (c.account_id, c.inbox_id, c.display_id, c.uuid, c.status, c.priority, c.assignee_id, c.team_id,
                            c.contact_id, c.created_at, c.updated_at, c.last_activity_at, c.waiting_since,
                            c.first_reply_created_at, c.source_changed_at, c.additional_attributes, c.custom_attributes,
                            c.labels, c.is_deleted, c.deleted_at, c.deleted_run_id)
                            IS DISTINCT FROM
                            (w.account_id, w.inbox_id, w.display_id, w.uuid, w.status, w.priority, w.assignee_id, w.team_id,
                            w.contact_id, w.created_at, w.updated_at, w.last_activity_at, w.waiting_since,
                            w.first_reply_created_at, w.source_changed_at, w.additional_attributes, w.custom_attributes,
                            w.labels, w.is_deleted, w.deleted_at, w.deleted_run_id))
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id = ANY (ARRAY(SELECT DISTINCT s.id FROM stored s ORDER BY 1)))
    RETURNING 1
),
candidates AS (
    SELECT l.run_id, count(*) AS n
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND NOT (SELECT empty FROM target)
    GROUP BY l.run_id
),
written AS (
    SELECT run_id, sum(inserted)::bigint AS inserted, sum(updated)::bigint AS updated,
           sum(deleted)::bigint AS deleted
    FROM (SELECT run_id, count(*) AS inserted, 0 AS updated, count(*) FILTER (WHERE deleted) AS deleted
          FROM (SELECT * FROM inserted_first UNION ALL SELECT * FROM inserted) i GROUP BY run_id
          UNION ALL
          SELECT run_id, 0, count(*), count(*) FILTER (WHERE deleted) FROM updated GROUP BY run_id) w
    GROUP BY run_id
),
warned AS (SELECT run_id, count(*) AS n FROM flagged GROUP BY run_id)
SELECT run_id,
       CASE WHEN (SELECT empty FROM target) THEN coalesce(w.inserted, 0) ELSE coalesce(c.n, 0) END
           AS candidates,
       coalesce(w.inserted, 0) AS inserted,
       coalesce(w.updated, 0) AS updated,
       CASE WHEN (SELECT empty FROM target) THEN 0
            ELSE coalesce(c.n, 0) - coalesce(w.inserted, 0) - coalesce(w.updated, 0) END AS unchanged,
       coalesce(w.deleted, 0) AS deleted,
       coalesce(x.n, 0) AS warned
FROM candidates c
FULL JOIN written w USING (run_id)
FULL JOIN warned x USING (run_id)
ORDER BY run_id;
