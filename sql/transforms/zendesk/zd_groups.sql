-- core.zd_groups from stg_zendesk.groups_raw: one row per (scope, id), the newest version:
-- the latest updated_at, then the highest (read_at, run_id, blob_path, line_no).
-- The whole list every run; a deleted group comes with deleted true.
-- A deleted record keeps its row with is_deleted = true.
--
-- Generated from the table's declaration (engine/src/main/java/com/skyfit/lake/core/, see CoreTables);
-- edit that, then `./skyfit sql --write` rewrites this file (a test fails while it is out of date).
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SET LOCAL work_mem = '1GB';  -- as the runner does: the staging-id lookups below stay hashed
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/zendesk/zd_groups.sql
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
           t.id, t.name, t.description, t.is_public, t.is_default, t.created_at, t.updated_at,
           (coalesce(deleted, false)) AS is_deleted,
           CASE WHEN num_nonnulls(t.id_text, t.is_public_text, t.is_default_text, t.deleted_text, t.created_at_text,
               t.updated_at_text)
           <> num_nonnulls(t.id, t.is_public, t.is_default, t.deleted, t.created_at, t.updated_at)
                  OR t.id IS NULL
           THEN concat_ws('; ',
               CASE WHEN t.id IS NULL THEN 'id missing or not an integer: ' || coalesce(t.id_text, 'null') END,
               CASE WHEN t.is_public IS NULL AND t.is_public_text IS NOT NULL THEN 'is_public not a boolean: ' || t.is_public_text END,
               CASE WHEN t.is_default IS NULL AND t.is_default_text IS NOT NULL THEN 'default not a boolean: ' || t.is_default_text END,
               CASE WHEN t.deleted IS NULL AND t.deleted_text IS NOT NULL THEN 'deleted not a boolean: ' || t.deleted_text END,
               CASE WHEN t.created_at IS NULL AND t.created_at_text IS NOT NULL THEN 'created_at not a date-time: ' || t.created_at_text END,
               CASE WHEN t.updated_at IS NULL AND t.updated_at_text IS NOT NULL THEN 'updated_at not a date-time: ' || t.updated_at_text END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.blob_path, e.line_no, e.run_id, e.read_at,
               e.id_text, ops.try_bigint(e.id_text) AS id,
               e.name,
               e.description,
               e.is_public_text, ops.try_boolean(e.is_public_text) AS is_public,
               e.is_default_text, ops.try_boolean(e.is_default_text) AS is_default,
               e.deleted_text, ops.try_boolean(e.deleted_text) AS deleted,
               e.created_at_text, ops.try_timestamptz(e.created_at_text) AS created_at,
               e.updated_at_text, ops.try_timestamptz(e.updated_at_text) AS updated_at
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, blob_path, line_no, run_id, read_at,
                   nullif(raw ->> 'id', '') AS id_text,
                   nullif(raw ->> 'name', '') AS name,
                   nullif(raw ->> 'description', '') AS description,
                   nullif(raw ->> 'is_public', '') AS is_public_text,
                   nullif(raw ->> 'default', '') AS is_default_text,
                   nullif(raw ->> 'deleted', '') AS deleted_text,
                   nullif(raw ->> 'created_at', '') AS created_at_text,
                   nullif(raw ->> 'updated_at', '') AS updated_at_text
            FROM (
                -- raw #> '{}' is raw itself, decompressed once: a large raw is stored compressed, and each read
                -- below would otherwise decompress it again.
                -- read_at: when the line was read, its part's write time (see version order below).
                SELECT s.tableoid AS stg_table, s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
                       b.written_at AS read_at, s.raw #> '{}' AS raw
                FROM stg_zendesk.groups_raw s
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
    UPDATE stg_zendesk.groups_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.tableoid = p.stg_table AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
-- In the statement's snapshot, so the rows inserted below do not count.
target AS (SELECT NOT EXISTS (SELECT 1 FROM core.zd_groups) AS empty),
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
      AND (l.scope, l.id) <= (SELECT c.scope, c.id FROM core.zd_groups c
         ORDER BY c.scope DESC, c.id DESC LIMIT 1)
      AND (SELECT true FROM core.zd_groups c WHERE c.scope = l.scope AND c.id = l.id LIMIT 1)
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
    INSERT INTO core.zd_groups (scope, id, name, description, is_public, is_default, created_at,
        updated_at, is_deleted, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id, l.name, l.description, l.is_public, l.is_default, l.created_at, l.updated_at,
        l.is_deleted, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (SELECT empty FROM target)
    RETURNING _run_id AS run_id, is_deleted AS deleted
),
inserted AS (
    INSERT INTO core.zd_groups (scope, id, name, description, is_public, is_default, created_at,
        updated_at, is_deleted, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id, l.name, l.description, l.is_public, l.is_default, l.created_at, l.updated_at,
        l.is_deleted, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored)
      AND NOT (SELECT empty FROM target)
    RETURNING _run_id AS run_id, is_deleted AS deleted
),
updated AS (
    UPDATE core.zd_groups c
    SET name = l.name, description = l.description, is_public = l.is_public, is_default = l.is_default,
        created_at = l.created_at, updated_at = l.updated_at, is_deleted = l.is_deleted,
        _stg_id = l.stg_id, _source_blob = l.blob_path, _source_line = l.line_no, _run_id = l.run_id,
        _read_at = l.read_at, _updated_at = now()
    FROM fields l
    WHERE c.scope = l.scope AND c.id = l.id
      AND l.id IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (coalesce(l.updated_at, '-infinity'), coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)
          >= (coalesce(c.updated_at, '-infinity'), coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND (c.name, c.description, c.is_public, c.is_default, c.created_at, c.updated_at, c.is_deleted)
        IS DISTINCT FROM
        (l.name, l.description, l.is_public, l.is_default, l.created_at, l.updated_at, l.is_deleted)
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id = ANY (ARRAY(SELECT DISTINCT s.id FROM stored s ORDER BY 1)))
    RETURNING c._run_id AS run_id, c.is_deleted AS deleted
),
-- A forced reload gives a bronze part's lines new staging ids. A core row whose version came from such a
-- line (same part and line: the same data) is pointed at the line's new staging row, unless the
-- update above rewrites it anyway (two writes of one row in one statement are not allowed).
repointed AS (
    UPDATE core.zd_groups c
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
                        AND (c.name, c.description, c.is_public, c.is_default, c.created_at, c.updated_at, c.is_deleted)
                            IS DISTINCT FROM
                            (w.name, w.description, w.is_public, w.is_default, w.created_at, w.updated_at, w.is_deleted))
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
