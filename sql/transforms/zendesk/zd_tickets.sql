-- core.zd_tickets from stg_zendesk.tickets_raw: one row per (scope, id), the newest version:
-- the latest updated_at, then the highest (read_at, run_id, blob_path, line_no).
-- status is new / open / pending / hold / solved / closed, or deleted for a deleted ticket.
-- A deleted record keeps its row with is_deleted = true.
-- core.zd_ticket_custom_fields: one row per element of custom_fields, keyed by the parent's key and field_id.
--
-- Generated from the table's declaration (engine/src/main/java/com/skyfit/lake/core/, see CoreTables);
-- edit that, then `./skyfit sql --write` rewrites this file (a test fails while it is out of date).
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SET LOCAL work_mem = '1GB';  -- as the runner does: the staging-id lookups below stay hashed
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/zendesk/zd_tickets.sql
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
-- *_elements each array element, typed; accepted: the parent versions the children follow (stored
--            notes whether the stored version is newer). A child table empty when the statement
--            began, or when the batch began (skyfit.empty_at_start) for a parent key not stored,
--            gets its elements inserted plainly; the others are upserted.
WITH fields AS MATERIALIZED (
    SELECT t.stg_table, t.stg_ctid, t.stg_id, t.scope, t.blob_path, t.line_no, t.run_id, t.read_at,
           t.id, t.subject, t.status, t.priority, t.type, t.channel, t.requester_id, t.submitter_id,
               t.assignee_id, t.group_id, t.organization_id, t.brand_id, t.ticket_form_id, t.problem_id,
               t.external_id, t.tags, t.satisfaction_score, t.created_at, t.updated_at, t.due_at,
               t.generated_timestamp, t.zd_ticket_custom_fields_array,
           coalesce((status = 'deleted'), false) AS is_deleted,
           CASE WHEN num_nonnulls(t.id_text, t.requester_id_text, t.submitter_id_text, t.assignee_id_text, t.group_id_text,
               t.organization_id_text, t.brand_id_text, t.ticket_form_id_text, t.problem_id_text,
               t.created_at_text, t.updated_at_text, t.due_at_text, t.generated_timestamp_text)
           <> num_nonnulls(t.id, t.requester_id, t.submitter_id, t.assignee_id, t.group_id, t.organization_id,
               t.brand_id, t.ticket_form_id, t.problem_id, t.created_at, t.updated_at, t.due_at,
               t.generated_timestamp)
                  OR t.id IS NULL
                  OR t.zd_ticket_custom_fields_array_type NOT IN ('array', 'null')
           THEN concat_ws('; ',
               CASE WHEN t.id IS NULL THEN 'id missing or not an integer: ' || coalesce(t.id_text, 'null') END,
               CASE WHEN t.requester_id IS NULL AND t.requester_id_text IS NOT NULL THEN 'requester_id not an integer: ' || t.requester_id_text END,
               CASE WHEN t.submitter_id IS NULL AND t.submitter_id_text IS NOT NULL THEN 'submitter_id not an integer: ' || t.submitter_id_text END,
               CASE WHEN t.assignee_id IS NULL AND t.assignee_id_text IS NOT NULL THEN 'assignee_id not an integer: ' || t.assignee_id_text END,
               CASE WHEN t.group_id IS NULL AND t.group_id_text IS NOT NULL THEN 'group_id not an integer: ' || t.group_id_text END,
               CASE WHEN t.organization_id IS NULL AND t.organization_id_text IS NOT NULL THEN 'organization_id not an integer: ' || t.organization_id_text END,
               CASE WHEN t.brand_id IS NULL AND t.brand_id_text IS NOT NULL THEN 'brand_id not an integer: ' || t.brand_id_text END,
               CASE WHEN t.ticket_form_id IS NULL AND t.ticket_form_id_text IS NOT NULL THEN 'ticket_form_id not an integer: ' || t.ticket_form_id_text END,
               CASE WHEN t.problem_id IS NULL AND t.problem_id_text IS NOT NULL THEN 'problem_id not an integer: ' || t.problem_id_text END,
               CASE WHEN t.created_at IS NULL AND t.created_at_text IS NOT NULL THEN 'created_at not a date-time: ' || t.created_at_text END,
               CASE WHEN t.updated_at IS NULL AND t.updated_at_text IS NOT NULL THEN 'updated_at not a date-time: ' || t.updated_at_text END,
               CASE WHEN t.due_at IS NULL AND t.due_at_text IS NOT NULL THEN 'due_at not a date-time: ' || t.due_at_text END,
               CASE WHEN t.generated_timestamp IS NULL AND t.generated_timestamp_text IS NOT NULL THEN 'generated_timestamp not an integer: ' || t.generated_timestamp_text END,
               CASE WHEN t.zd_ticket_custom_fields_array_type NOT IN ('array', 'null') THEN 'custom_fields not an array' END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.blob_path, e.line_no, e.run_id, e.read_at,
               e.id_text, ops.try_bigint(e.id_text) AS id,
               e.subject,
               e.status,
               e.priority,
               e.type,
               e.channel,
               e.requester_id_text, ops.try_bigint(e.requester_id_text) AS requester_id,
               e.submitter_id_text, ops.try_bigint(e.submitter_id_text) AS submitter_id,
               e.assignee_id_text, ops.try_bigint(e.assignee_id_text) AS assignee_id,
               e.group_id_text, ops.try_bigint(e.group_id_text) AS group_id,
               e.organization_id_text, ops.try_bigint(e.organization_id_text) AS organization_id,
               e.brand_id_text, ops.try_bigint(e.brand_id_text) AS brand_id,
               e.ticket_form_id_text, ops.try_bigint(e.ticket_form_id_text) AS ticket_form_id,
               e.problem_id_text, ops.try_bigint(e.problem_id_text) AS problem_id,
               e.external_id,
               e.tags,
               e.satisfaction_score,
               e.created_at_text, ops.try_timestamptz(e.created_at_text) AS created_at,
               e.updated_at_text, ops.try_timestamptz(e.updated_at_text) AS updated_at,
               e.due_at_text, ops.try_timestamptz(e.due_at_text) AS due_at,
               e.generated_timestamp_text, ops.try_bigint(e.generated_timestamp_text) AS generated_timestamp,
               e.zd_ticket_custom_fields_array,
               jsonb_typeof(e.zd_ticket_custom_fields_array) AS zd_ticket_custom_fields_array_type
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, blob_path, line_no, run_id, read_at,
                   nullif(raw ->> 'id', '') AS id_text,
                   nullif(raw ->> 'subject', '') AS subject,
                   nullif(raw ->> 'status', '') AS status,
                   nullif(raw ->> 'priority', '') AS priority,
                   nullif(raw ->> 'type', '') AS type,
                   nullif(raw -> 'via' ->> 'channel', '') AS channel,
                   nullif(raw ->> 'requester_id', '') AS requester_id_text,
                   nullif(raw ->> 'submitter_id', '') AS submitter_id_text,
                   nullif(raw ->> 'assignee_id', '') AS assignee_id_text,
                   nullif(raw ->> 'group_id', '') AS group_id_text,
                   nullif(raw ->> 'organization_id', '') AS organization_id_text,
                   nullif(raw ->> 'brand_id', '') AS brand_id_text,
                   nullif(raw ->> 'ticket_form_id', '') AS ticket_form_id_text,
                   nullif(raw ->> 'problem_id', '') AS problem_id_text,
                   nullif(raw ->> 'external_id', '') AS external_id,
                   CASE jsonb_typeof(raw -> 'tags') WHEN 'array' THEN raw -> 'tags' END AS tags,
                   nullif(raw -> 'satisfaction_rating' ->> 'score', '') AS satisfaction_score,
                   nullif(raw ->> 'created_at', '') AS created_at_text,
                   nullif(raw ->> 'updated_at', '') AS updated_at_text,
                   nullif(raw ->> 'due_at', '') AS due_at_text,
                   nullif(raw ->> 'generated_timestamp', '') AS generated_timestamp_text,
                   raw -> 'custom_fields' AS zd_ticket_custom_fields_array
            FROM (
                -- raw #> '{}' is raw itself, decompressed once: a large raw is stored compressed, and each read
                -- below would otherwise decompress it again.
                -- read_at: when the line was read, its part's write time (see version order below).
                SELECT s.tableoid AS stg_table, s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
                       b.written_at AS read_at, s.raw #> '{}' AS raw
                FROM stg_zendesk.tickets_raw s
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
zd_ticket_custom_fields_elements AS MATERIALIZED (
    SELECT t.stg_table, t.stg_ctid, t.stg_id, t.scope, t.id, t.blob_path, t.line_no, t.run_id, t.read_at, t.element_position,
           t.field_id, t.value, t.value_json,
           CASE WHEN num_nonnulls(t.field_id_text)
           <> num_nonnulls(t.field_id)
                  OR t.field_id IS NULL
           THEN concat_ws('; ',
               CASE WHEN t.field_id IS NULL THEN 'custom_fields[].id missing or not an integer: ' || coalesce(t.field_id_text, 'null') END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.id, e.blob_path, e.line_no, e.run_id, e.read_at, e.element_position,
               e.field_id_text, ops.try_bigint(e.field_id_text) AS field_id,
               e.value,
               e.value_json
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, id, blob_path, line_no, run_id, read_at, element_position,
                   nullif(raw ->> 'id', '') AS field_id_text,
                   CASE jsonb_typeof(raw -> 'value') WHEN 'array' THEN (raw -> 'value')::text ELSE raw ->> 'value' END AS value,
                   raw -> 'value' AS value_json
            FROM fields f
            CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(f.zd_ticket_custom_fields_array) WHEN 'array' THEN f.zd_ticket_custom_fields_array END)
                WITH ORDINALITY AS el(raw, element_position)
            WHERE f.id IS NOT NULL
            OFFSET 0
        ) e
        OFFSET 0
    ) t
),
problems AS (
    SELECT p.stg_table, p.stg_ctid, bool_or(p.unusable) AS unusable,
           string_agg(p.message, '; ' ORDER BY p.rank) AS message
    FROM (
        SELECT f.stg_table, f.stg_ctid, f.id IS NULL AS unusable, f.problem AS message, 0 AS rank
        FROM fields f
        WHERE f.problem IS NOT NULL
        UNION ALL
        SELECT x.stg_table, x.stg_ctid, false, x.problem, 1 FROM zd_ticket_custom_fields_elements x WHERE x.problem IS NOT NULL
    ) p
    GROUP BY p.stg_table, p.stg_ctid
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan
    -- that fetches just the flagged rows, where a plain join could scan the whole staging table. A
    -- partitioned staging table repeats addresses across its partitions: tableoid names the partition.
    UPDATE stg_zendesk.tickets_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.tableoid = p.stg_table AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
-- In the statement's snapshot, so the rows inserted below do not count.
target AS (SELECT NOT EXISTS (SELECT 1 FROM core.zd_tickets) AS empty),
-- The batch's keys the table already holds: at most one probe of the primary key per row, whatever the table's
-- size (a lateral subquery with LIMIT is never planned as a join that reads every stored key), and per
-- staging row whether the stored version is newer (the children follow only a version that is not).
-- The steps below that compare with stored rows run only when there is one. Nothing when the table
-- was empty.
-- A key that sorts after the greatest key stored, (scope, key) together (the primary key's last entry,
-- read once per statement), cannot be stored: its probe is skipped. In the last scope of a table keyed
-- by time or by an id the source counts up, new keys are mostly past it; other rows are probed.
stored AS MATERIALIZED (
    SELECT l.stg_id, l.scope, l.id, p.newer
    FROM fields l
    CROSS JOIN LATERAL (SELECT ((coalesce(c.updated_at, '-infinity'), coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                                > (coalesce(l.updated_at, '-infinity'), coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)) IS TRUE AS newer
                        FROM core.zd_tickets c WHERE c.scope = l.scope AND c.id = l.id LIMIT 1) p
    WHERE l.id IS NOT NULL
      AND NOT (SELECT empty FROM target)
      AND (l.scope, l.id) <= (SELECT c.scope, c.id FROM core.zd_tickets c
         ORDER BY c.scope DESC, c.id DESC LIMIT 1)
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
                                            ORDER BY f.updated_at DESC NULLS LAST, f.read_at DESC NULLS LAST, f.run_id COLLATE "C" DESC, f.blob_path COLLATE "C" DESC, f.line_no DESC) AS version_rank
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
    INSERT INTO core.zd_tickets (scope, id, subject, status, priority, type, channel, requester_id,
        submitter_id, assignee_id, group_id, organization_id, brand_id, ticket_form_id, problem_id,
        external_id, tags, satisfaction_score, created_at, updated_at, due_at, generated_timestamp,
        is_deleted, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id, l.subject, l.status, l.priority, l.type, l.channel, l.requester_id,
        l.submitter_id, l.assignee_id, l.group_id, l.organization_id, l.brand_id, l.ticket_form_id,
        l.problem_id, l.external_id, l.tags, l.satisfaction_score, l.created_at, l.updated_at, l.due_at,
        l.generated_timestamp, l.is_deleted, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (SELECT empty FROM target)
    RETURNING _run_id AS run_id, is_deleted AS deleted
),
inserted AS (
    INSERT INTO core.zd_tickets (scope, id, subject, status, priority, type, channel, requester_id,
        submitter_id, assignee_id, group_id, organization_id, brand_id, ticket_form_id, problem_id,
        external_id, tags, satisfaction_score, created_at, updated_at, due_at, generated_timestamp,
        is_deleted, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id, l.subject, l.status, l.priority, l.type, l.channel, l.requester_id,
        l.submitter_id, l.assignee_id, l.group_id, l.organization_id, l.brand_id, l.ticket_form_id,
        l.problem_id, l.external_id, l.tags, l.satisfaction_score, l.created_at, l.updated_at, l.due_at,
        l.generated_timestamp, l.is_deleted, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored)
      AND NOT (SELECT empty FROM target)
    RETURNING _run_id AS run_id, is_deleted AS deleted
),
updated AS (
    UPDATE core.zd_tickets c
    SET subject = l.subject, status = l.status, priority = l.priority, type = l.type, channel = l.channel,
        requester_id = l.requester_id, submitter_id = l.submitter_id, assignee_id = l.assignee_id,
        group_id = l.group_id, organization_id = l.organization_id, brand_id = l.brand_id,
        ticket_form_id = l.ticket_form_id, problem_id = l.problem_id, external_id = l.external_id,
        tags = l.tags, satisfaction_score = l.satisfaction_score, created_at = l.created_at,
        updated_at = l.updated_at, due_at = l.due_at, generated_timestamp = l.generated_timestamp,
        is_deleted = l.is_deleted, _stg_id = l.stg_id, _source_blob = l.blob_path,
        _source_line = l.line_no, _run_id = l.run_id, _read_at = l.read_at, _updated_at = now()
    FROM fields l
    WHERE c.scope = l.scope AND c.id = l.id
      AND l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (coalesce(l.updated_at, '-infinity'), coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)
          >= (coalesce(c.updated_at, '-infinity'), coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND (c.subject, c.status, c.priority, c.type, c.channel, c.requester_id, c.submitter_id,
        c.assignee_id, c.group_id, c.organization_id, c.brand_id, c.ticket_form_id, c.problem_id,
        c.external_id, c.tags, c.satisfaction_score, c.created_at, c.updated_at, c.due_at,
        c.generated_timestamp, c.is_deleted)
        IS DISTINCT FROM
        (l.subject, l.status, l.priority, l.type, l.channel, l.requester_id, l.submitter_id,
        l.assignee_id, l.group_id, l.organization_id, l.brand_id, l.ticket_form_id, l.problem_id,
        l.external_id, l.tags, l.satisfaction_score, l.created_at, l.updated_at, l.due_at,
        l.generated_timestamp, l.is_deleted)
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id = ANY (ARRAY(SELECT DISTINCT s.id FROM stored s ORDER BY 1)))
    RETURNING c._run_id AS run_id, c.is_deleted AS deleted
),
-- A forced reload gives a bronze part's lines new staging ids. A core row whose version came from such a
-- line (same part and line: the same data) is pointed at the line's new staging row, unless the
-- update above rewrites it anyway (two writes of one row in one statement are not allowed).
repointed AS (
    UPDATE core.zd_tickets c
    SET _stg_id = l.stg_id
    FROM fields l
    WHERE c.scope = l.scope AND c.id = l.id
      AND c._source_blob = l.blob_path AND c._source_line = l.line_no AND c._stg_id <> l.stg_id
      AND NOT EXISTS (SELECT 1 FROM fields w
                      WHERE w.scope = c.scope AND w.id = c.id
                        AND w.id IS NOT NULL
                        AND w.stg_id NOT IN (SELECT stg_id FROM superseded)
                        AND (coalesce(w.updated_at, '-infinity'), coalesce(w.read_at, '-infinity'), w.run_id COLLATE "C", w.blob_path COLLATE "C", w.line_no)
                            >= (coalesce(c.updated_at, '-infinity'), coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                        AND (c.subject, c.status, c.priority, c.type, c.channel, c.requester_id, c.submitter_id,
                            c.assignee_id, c.group_id, c.organization_id, c.brand_id, c.ticket_form_id, c.problem_id,
                            c.external_id, c.tags, c.satisfaction_score, c.created_at, c.updated_at, c.due_at,
                            c.generated_timestamp, c.is_deleted)
                            IS DISTINCT FROM
                            (w.subject, w.status, w.priority, w.type, w.channel, w.requester_id, w.submitter_id,
                            w.assignee_id, w.group_id, w.organization_id, w.brand_id, w.ticket_form_id, w.problem_id,
                            w.external_id, w.tags, w.satisfaction_score, w.created_at, w.updated_at, w.due_at,
                            w.generated_timestamp, w.is_deleted))
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id = ANY (ARRAY(SELECT DISTINCT s.id FROM stored s ORDER BY 1)))
    RETURNING 1
),
-- The parent versions children follow: newest of the batch, and not older than core's (stored noted
-- which stored versions are newer, in the probe it makes anyway); key_stored: core holds the key;
-- _listed: the version carries the child array (a record without it, or with null, says nothing of
-- its children). Both looked up in stored by staging id, hashed (a join could sort the batch).
accepted AS (
    SELECT l.stg_id, l.scope, l.id, l.run_id, l.blob_path, l.line_no, l.read_at,
           l.stg_id IN (SELECT stg_id FROM stored) AS key_stored, jsonb_typeof(l.zd_ticket_custom_fields_array) = 'array' AS zd_ticket_custom_fields_listed
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored WHERE newer)
),
-- In the statement's snapshot: whether core.zd_ticket_custom_fields was empty when the statement began;
-- empty_at_start: it was when the batch began (TransformRunner sets skyfit.empty_at_start before
-- its first slice; unset, as when run by hand: not).
zd_ticket_custom_fields_target AS (
    SELECT NOT EXISTS (SELECT 1 FROM core.zd_ticket_custom_fields) AS empty,
           coalesce('core.zd_ticket_custom_fields' = ANY (string_to_array(current_setting('skyfit.empty_at_start', true), ',')), false)
               AS empty_at_start
),
-- Elements that are new for certain: the child table was empty when the statement began, or when the
-- batch began and the parent key is not stored (the earlier slices wrote each child row with its
-- parent). Inserted plainly (no conflict check); the upsert takes the rest.
zd_ticket_custom_fields_inserted AS (
    INSERT INTO core.zd_ticket_custom_fields (scope, id, field_id, value, value_json, is_deleted, _stg_id,
        _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT DISTINCT ON (x.stg_id, x.field_id) x.scope, x.id, x.field_id, x.value, x.value_json, false,
        x.stg_id, x.blob_path, x.line_no, x.run_id, x.read_at, now()
    FROM zd_ticket_custom_fields_elements x
    WHERE (SELECT empty OR empty_at_start FROM zd_ticket_custom_fields_target)
      AND x.stg_id IN (SELECT a.stg_id FROM accepted a
                       WHERE (SELECT empty FROM zd_ticket_custom_fields_target) OR ((SELECT empty_at_start FROM zd_ticket_custom_fields_target) AND NOT a.key_stored))
      AND x.field_id IS NOT NULL
    ORDER BY x.stg_id, x.field_id, x.element_position DESC
    RETURNING 1
),
-- A repeated element key keeps its last element. A child row names the parent version that last
-- confirmed it: it is rewritten when it changed or that version is another (or a reloaded) row.
zd_ticket_custom_fields_upserted AS (
    INSERT INTO core.zd_ticket_custom_fields AS c (scope, id, field_id, value, value_json, is_deleted,
        _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT DISTINCT ON (x.stg_id, x.field_id) x.scope, x.id, x.field_id, x.value, x.value_json, false,
        x.stg_id, x.blob_path, x.line_no, x.run_id, x.read_at, now()
    FROM zd_ticket_custom_fields_elements x
    WHERE NOT (SELECT empty FROM zd_ticket_custom_fields_target)
      AND x.stg_id IN (SELECT a.stg_id FROM accepted a
                       WHERE NOT ((SELECT empty FROM zd_ticket_custom_fields_target) OR ((SELECT empty_at_start FROM zd_ticket_custom_fields_target) AND NOT a.key_stored)))
      AND x.field_id IS NOT NULL
    ORDER BY x.stg_id, x.field_id, x.element_position DESC
    ON CONFLICT (scope, id, field_id) DO UPDATE
    SET value = excluded.value, value_json = excluded.value_json, is_deleted = excluded.is_deleted,
        _stg_id = excluded._stg_id, _source_blob = excluded._source_blob,
        _source_line = excluded._source_line, _run_id = excluded._run_id, _read_at = excluded._read_at,
        _updated_at = excluded._updated_at
    WHERE (c.value, c.value_json, c.is_deleted)
          IS DISTINCT FROM (excluded.value, excluded.value_json, excluded.is_deleted)
       OR (c._stg_id, c._source_blob, c._source_line, c._run_id)
          IS DISTINCT FROM (excluded._stg_id, excluded._source_blob, excluded._source_line, excluded._run_id)
    RETURNING 1
),
-- Elements the winning version no longer has: deletes are facts, the row stays flagged and names
-- that version.
-- When the table was empty as the batch began, only a stored parent key has rows in it: with none,
-- this step does not run.
zd_ticket_custom_fields_removed AS (
    UPDATE core.zd_ticket_custom_fields c
    SET is_deleted = true, _stg_id = a.stg_id, _source_blob = a.blob_path, _source_line = a.line_no,
        _run_id = a.run_id, _read_at = a.read_at, _updated_at = now()
    FROM accepted a
    WHERE c.scope = a.scope AND c.id = a.id AND a.zd_ticket_custom_fields_listed
      AND (NOT c.is_deleted
           OR (c._stg_id, c._source_blob, c._source_line, c._run_id)
              IS DISTINCT FROM (a.stg_id, a.blob_path, a.line_no, a.run_id))
      AND NOT EXISTS (SELECT 1 FROM zd_ticket_custom_fields_elements x WHERE x.stg_id = a.stg_id AND x.field_id = c.field_id)
      AND NOT (SELECT empty FROM zd_ticket_custom_fields_target)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT k.scope FROM accepted k WHERE k.zd_ticket_custom_fields_listed AND (k.key_stored OR NOT (SELECT empty_at_start FROM zd_ticket_custom_fields_target))))
           AND c.id = ANY (ARRAY(SELECT DISTINCT k.id FROM accepted k WHERE k.zd_ticket_custom_fields_listed AND (k.key_stored OR NOT (SELECT empty_at_start FROM zd_ticket_custom_fields_target)) ORDER BY 1)))
      AND (NOT (SELECT empty_at_start FROM zd_ticket_custom_fields_target) OR EXISTS (SELECT 1 FROM stored))
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
