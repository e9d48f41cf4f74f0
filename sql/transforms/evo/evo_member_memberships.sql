-- core.evo_member_memberships from stg_evo.member_memberships_raw: one row per (scope, id_member, id_member_membership), the version read last:
-- the highest (read_at, run_id, blob_path, line_no).
-- Contracts of /api/v2/membermembership (canceled ones, with cancelReason). evo_members.sql
-- writes the same rows from every member's memberships[]: each contract as it is now, refreshed
-- by the full re-scan, the only read that sees a status change. Neither input has an update
-- time, so both keep the newest observation by read time (the part's write time), then lineage
-- (run, part, line), the order of every EVO version: whichever was read last is the contract's
-- state, a re-scan of members updates a status, and a part loaded late never undoes a newer
-- read. Only this endpoint sends cancelReason; the members' read never clears it. A contract a
-- newer member read no longer lists is flagged is_deleted, only when that member carries
-- memberships[] and only if the members' read wrote the row: a contract this endpoint wrote
-- (canceled ones, which members leave out) is never flagged by a member read. This step runs
-- first in a batch. Keyed by member and contract (idMemberMembership is unique in a
-- scope; the member is in the key because a member's contracts are its child rows). The two
-- steps never run at once, and a full refresh of either recomputes this table in place.
--
-- Generated from the table's declaration (engine/src/main/java/com/skyfit/lake/core/, see CoreTables);
-- edit that, then `./skyfit sql --write` rewrites this file (a test fails while it is out of date).
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SET LOCAL work_mem = '1GB';  -- as the runner does: the staging-id lookups below stay hashed
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/evo/evo_member_memberships.sql
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
           t.id_member, t.id_member_membership, t.id_membership, t.id_sale, t.plan_name, t.id_branch,
               t.register_date, t.start_date, t.end_date, t.cancel_date, t.membership_status, t.value_next_month,
               t.cancel_reason,
           coalesce((false), false) AS is_deleted,
           CASE WHEN num_nonnulls(t.id_member_text, t.id_member_membership_text, t.id_membership_text, t.id_sale_text,
               t.id_branch_text, t.register_date_text, t.start_date_text, t.end_date_text, t.cancel_date_text,
               t.value_next_month_text)
           <> num_nonnulls(t.id_member, t.id_member_membership, t.id_membership, t.id_sale, t.id_branch,
               t.register_date, t.start_date, t.end_date, t.cancel_date, t.value_next_month)
                  OR t.id_member IS NULL
                  OR t.id_member_membership IS NULL
           THEN concat_ws('; ',
               CASE WHEN t.id_member IS NULL THEN 'idMember missing or not an integer: ' || coalesce(t.id_member_text, 'null') END,
               CASE WHEN t.id_member_membership IS NULL THEN 'idMemberMembership missing or not an integer: ' || coalesce(t.id_member_membership_text, 'null') END,
               CASE WHEN t.id_membership IS NULL AND t.id_membership_text IS NOT NULL THEN 'idMembership not an integer: ' || t.id_membership_text END,
               CASE WHEN t.id_sale IS NULL AND t.id_sale_text IS NOT NULL THEN 'idSale not an integer: ' || t.id_sale_text END,
               CASE WHEN t.id_branch IS NULL AND t.id_branch_text IS NOT NULL THEN 'idBranch not an integer: ' || t.id_branch_text END,
               CASE WHEN t.register_date IS NULL AND t.register_date_text IS NOT NULL THEN 'registerDate not a date-time: ' || t.register_date_text END,
               CASE WHEN t.start_date IS NULL AND t.start_date_text IS NOT NULL THEN 'startDate not a date-time: ' || t.start_date_text END,
               CASE WHEN t.end_date IS NULL AND t.end_date_text IS NOT NULL THEN 'endDate not a date-time: ' || t.end_date_text END,
               CASE WHEN t.cancel_date IS NULL AND t.cancel_date_text IS NOT NULL THEN 'cancelDate not a date-time: ' || t.cancel_date_text END,
               CASE WHEN t.value_next_month IS NULL AND t.value_next_month_text IS NOT NULL THEN 'valueNextMonth not a number: ' || t.value_next_month_text END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.blob_path, e.line_no, e.run_id, e.read_at,
               e.id_member_text, ops.try_bigint(e.id_member_text) AS id_member,
               e.id_member_membership_text, ops.try_bigint(e.id_member_membership_text) AS id_member_membership,
               e.id_membership_text, ops.try_bigint(e.id_membership_text) AS id_membership,
               e.id_sale_text, ops.try_bigint(e.id_sale_text) AS id_sale,
               e.plan_name,
               e.id_branch_text, ops.try_bigint(e.id_branch_text) AS id_branch,
               e.register_date_text, ops.try_timestamp(e.register_date_text) AS register_date,
               e.start_date_text, ops.try_timestamp(e.start_date_text) AS start_date,
               e.end_date_text, ops.try_timestamp(e.end_date_text) AS end_date,
               e.cancel_date_text, ops.try_timestamp(e.cancel_date_text) AS cancel_date,
               e.membership_status,
               e.value_next_month_text, ops.try_numeric(e.value_next_month_text) AS value_next_month,
               e.cancel_reason
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, blob_path, line_no, run_id, read_at,
                   nullif(raw ->> 'idMember', '') AS id_member_text,
                   nullif(raw ->> 'idMemberMembership', '') AS id_member_membership_text,
                   nullif(raw ->> 'idMembership', '') AS id_membership_text,
                   nullif(raw ->> 'idSale', '') AS id_sale_text,
                   nullif(raw ->> 'name', '') AS plan_name,
                   nullif(raw ->> 'idBranch', '') AS id_branch_text,
                   nullif(raw ->> 'registerDate', '') AS register_date_text,
                   nullif(raw ->> 'startDate', '') AS start_date_text,
                   nullif(raw ->> 'endDate', '') AS end_date_text,
                   nullif(raw ->> 'cancelDate', '') AS cancel_date_text,
                   nullif(raw ->> 'membershipStatus', '') AS membership_status,
                   nullif(raw ->> 'valueNextMonth', '') AS value_next_month_text,
                   nullif(raw ->> 'cancelReason', '') AS cancel_reason
            FROM (
                -- raw #> '{}' is raw itself, decompressed once: a large raw is stored compressed, and each read
                -- below would otherwise decompress it again.
                -- read_at: when the line was read, its part's write time (see version order below).
                SELECT s.tableoid AS stg_table, s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
                       b.written_at AS read_at, s.raw #> '{}' AS raw
                FROM stg_evo.member_memberships_raw s
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
    SELECT f.stg_table, f.stg_ctid, f.id_member IS NULL OR f.id_member_membership IS NULL AS unusable, f.problem AS message
    FROM fields f
    WHERE f.problem IS NOT NULL
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan
    -- that fetches just the flagged rows, where a plain join could scan the whole staging table. A
    -- partitioned staging table repeats addresses across its partitions: tableoid names the partition.
    UPDATE stg_evo.member_memberships_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.tableoid = p.stg_table AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
-- In the statement's snapshot, so the rows inserted below do not count.
target AS (SELECT NOT EXISTS (SELECT 1 FROM core.evo_member_memberships) AS empty),
-- The batch's keys the table already holds: at most one probe of the primary key per row, whatever the table's
-- size (a scalar subquery is never planned as a join that reads every stored key). The steps below that
-- compare with stored rows run only when there is one. Nothing when the table was empty.
-- A key that sorts after the greatest key stored, (scope, key) together (the primary key's last entry,
-- read once per statement), cannot be stored: its probe is skipped. In the last scope of a table keyed
-- by time or by an id the source counts up, new keys are mostly past it; other rows are probed.
stored AS MATERIALIZED (
    SELECT l.stg_id, l.scope, l.id_member, l.id_member_membership
    FROM fields l
    WHERE l.id_member IS NOT NULL AND l.id_member_membership IS NOT NULL
      AND NOT (SELECT empty FROM target)
      AND (l.scope, l.id_member, l.id_member_membership) <= (SELECT c.scope, c.id_member, c.id_member_membership FROM core.evo_member_memberships c
         ORDER BY c.scope DESC, c.id_member DESC, c.id_member_membership DESC LIMIT 1)
      AND (SELECT true FROM core.evo_member_memberships c WHERE c.scope = l.scope AND c.id_member = l.id_member AND c.id_member_membership = l.id_member_membership LIMIT 1)
),
-- Keys that occur more than once in this batch, then the versions of each that are not its newest
-- (superseded): the rows the steps below leave out. Usually none: then the second scan of the batch is
-- skipped, and "is this row the newest of its key" below is a probe of an empty hash table by staging id
-- (a staging line's id is its own: the loader assigns it). PostgreSQL never plans NOT IN over a
-- subquery as a join, which could sort the whole batch to merge it; it hashes the subquery while its
-- estimate fits in work_mem (TransformRunner's 1 GB: tens of millions of ids).
repeated_keys AS (
    SELECT scope, id_member, id_member_membership
    FROM fields
    WHERE id_member IS NOT NULL AND id_member_membership IS NOT NULL
    GROUP BY scope, id_member, id_member_membership HAVING count(*) > 1
),
superseded AS (
    SELECT v.stg_id
    FROM (SELECT f.stg_id, row_number() OVER (PARTITION BY f.scope, f.id_member, f.id_member_membership
                                            ORDER BY f.read_at DESC NULLS LAST, f.run_id COLLATE "C" DESC, f.blob_path COLLATE "C" DESC, f.line_no DESC) AS version_rank
          FROM fields f
          WHERE EXISTS (SELECT 1 FROM repeated_keys)
            AND (f.scope, f.id_member, f.id_member_membership) IN (SELECT scope, id_member, id_member_membership FROM repeated_keys)) v
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
    INSERT INTO core.evo_member_memberships (scope, id_member, id_member_membership, id_membership,
        id_sale, plan_name, id_branch, register_date, start_date, end_date, cancel_date,
        membership_status, value_next_month, cancel_reason, is_deleted, _stg_id, _source_blob,
        _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id_member, l.id_member_membership, l.id_membership, l.id_sale, l.plan_name,
        l.id_branch, l.register_date, l.start_date, l.end_date, l.cancel_date, l.membership_status,
        l.value_next_month, l.cancel_reason, l.is_deleted, l.stg_id, l.blob_path, l.line_no, l.run_id,
        l.read_at, now()
    FROM fields l
    WHERE l.id_member IS NOT NULL
      AND l.id_member_membership IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (SELECT empty FROM target)
    RETURNING _run_id AS run_id, false AS deleted
),
inserted AS (
    INSERT INTO core.evo_member_memberships (scope, id_member, id_member_membership, id_membership,
        id_sale, plan_name, id_branch, register_date, start_date, end_date, cancel_date,
        membership_status, value_next_month, cancel_reason, is_deleted, _stg_id, _source_blob,
        _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id_member, l.id_member_membership, l.id_membership, l.id_sale, l.plan_name,
        l.id_branch, l.register_date, l.start_date, l.end_date, l.cancel_date, l.membership_status,
        l.value_next_month, l.cancel_reason, l.is_deleted, l.stg_id, l.blob_path, l.line_no, l.run_id,
        l.read_at, now()
    FROM fields l
    WHERE l.id_member IS NOT NULL
      AND l.id_member_membership IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored)
      AND NOT (SELECT empty FROM target)
    RETURNING _run_id AS run_id, false AS deleted
),
updated AS (
    UPDATE core.evo_member_memberships c
    SET id_membership = l.id_membership, id_sale = l.id_sale, plan_name = l.plan_name,
        id_branch = l.id_branch, register_date = l.register_date, start_date = l.start_date,
        end_date = l.end_date, cancel_date = l.cancel_date, membership_status = l.membership_status,
        value_next_month = l.value_next_month, cancel_reason = l.cancel_reason, is_deleted = l.is_deleted,
        _stg_id = l.stg_id, _source_blob = l.blob_path, _source_line = l.line_no, _run_id = l.run_id,
        _read_at = l.read_at, _updated_at = now()
    FROM fields l
    WHERE c.scope = l.scope AND c.id_member = l.id_member AND c.id_member_membership = l.id_member_membership
      AND l.id_member IS NOT NULL
      AND l.id_member_membership IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)
          >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND (c.id_membership, c.id_sale, c.plan_name, c.id_branch, c.register_date, c.start_date,
        c.end_date, c.cancel_date, c.membership_status, c.value_next_month, c.cancel_reason, c.is_deleted)
        IS DISTINCT FROM
        (l.id_membership, l.id_sale, l.plan_name, l.id_branch, l.register_date, l.start_date, l.end_date,
        l.cancel_date, l.membership_status, l.value_next_month, l.cancel_reason, l.is_deleted)
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id_member = ANY (ARRAY(SELECT DISTINCT s.id_member FROM stored s ORDER BY 1)))
    RETURNING c._run_id AS run_id, false AS deleted
),
-- A forced reload gives a bronze part's lines new staging ids. A core row whose version came from such a
-- line (same part and line: the same data) is pointed at the line's new staging row, unless the
-- update above rewrites it anyway (two writes of one row in one statement are not allowed).
repointed AS (
    UPDATE core.evo_member_memberships c
    SET _stg_id = l.stg_id
    FROM fields l
    WHERE c.scope = l.scope AND c.id_member = l.id_member AND c.id_member_membership = l.id_member_membership
      AND c._source_blob = l.blob_path AND c._source_line = l.line_no AND c._stg_id <> l.stg_id
      AND NOT EXISTS (SELECT 1 FROM fields w
                      WHERE w.scope = c.scope AND w.id_member = c.id_member AND w.id_member_membership = c.id_member_membership
                        AND w.id_member IS NOT NULL
                        AND w.id_member_membership IS NOT NULL
                        AND w.stg_id NOT IN (SELECT stg_id FROM superseded)
                        AND (coalesce(w.read_at, '-infinity'), w.run_id COLLATE "C", w.blob_path COLLATE "C", w.line_no)
                            >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                        AND (c.id_membership, c.id_sale, c.plan_name, c.id_branch, c.register_date, c.start_date,
                            c.end_date, c.cancel_date, c.membership_status, c.value_next_month, c.cancel_reason, c.is_deleted)
                            IS DISTINCT FROM
                            (w.id_membership, w.id_sale, w.plan_name, w.id_branch, w.register_date, w.start_date, w.end_date,
                            w.cancel_date, w.membership_status, w.value_next_month, w.cancel_reason, w.is_deleted))
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id_member = ANY (ARRAY(SELECT DISTINCT s.id_member FROM stored s ORDER BY 1)))
    RETURNING 1
),
candidates AS (
    SELECT l.run_id, count(*) AS n
    FROM fields l
    WHERE l.id_member IS NOT NULL
      AND l.id_member_membership IS NOT NULL
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
