-- core.evo_members from stg_evo.members_raw: one row per (scope, id_member), the version read last:
-- the highest (read_at, run_id, blob_path, line_no).
-- membershipStatus (Active / Inactive / Suspended / Canceled), accessBlocked and lastAccessDate
-- change without any date the API filters on: only a full re-scan of members brings them, and
-- the re-scan, read last, wins. Contacts and contracts (memberships[]) become child rows.
-- core.evo_member_memberships is also written by evo_member_memberships.sql (the canceled
-- contracts of /api/v2/membermembership): a contract row keeps the newest observation of both,
-- compared by lineage, so a re-scan of members updates a contract's status and an older member
-- version never overwrites a newer canceled contract. Only that endpoint sends cancelReason:
-- a member's contract never writes it.
-- core.evo_member_contacts: one row per element of contacts, keyed by the parent's key and id_phone.
-- core.evo_member_memberships: one row per element of memberships, keyed by the parent's key and id_member_membership.
--
-- Generated from the table's declaration (engine/src/main/java/com/skyfit/lake/core/, see CoreTables);
-- edit that, then `./skyfit sql --write` rewrites this file (a test fails while it is out of date).
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SET LOCAL work_mem = '1GB';  -- as the runner does: the staging-id lookups below stay hashed
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/evo/evo_members.sql
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
           t.id_member, t.first_name, t.last_name, t.document, t.email, t.gender, t.birth_date,
               t.register_date, t.conversion_date, t.id_branch, t.branch_name, t.access_blocked,
               t.blocked_reason, t.membership_status, t.gympass_id, t.code_totalpass, t.last_access_date,
               t.id_employee_consultant, t.evo_member_contacts_array, t.evo_member_memberships_array,
           CASE WHEN num_nonnulls(t.id_member_text, t.birth_date_text, t.register_date_text, t.conversion_date_text,
               t.id_branch_text, t.access_blocked_text, t.last_access_date_text, t.id_employee_consultant_text)
           <> num_nonnulls(t.id_member, t.birth_date, t.register_date, t.conversion_date, t.id_branch,
               t.access_blocked, t.last_access_date, t.id_employee_consultant)
                  OR t.id_member IS NULL
                  OR t.evo_member_contacts_array_type NOT IN ('array', 'null')
                  OR t.evo_member_memberships_array_type NOT IN ('array', 'null')
           THEN concat_ws('; ',
               CASE WHEN t.id_member IS NULL THEN 'idMember missing or not an integer: ' || coalesce(t.id_member_text, 'null') END,
               CASE WHEN t.birth_date IS NULL AND t.birth_date_text IS NOT NULL THEN 'birthDate not a date: ' || t.birth_date_text END,
               CASE WHEN t.register_date IS NULL AND t.register_date_text IS NOT NULL THEN 'registerDate not a date-time: ' || t.register_date_text END,
               CASE WHEN t.conversion_date IS NULL AND t.conversion_date_text IS NOT NULL THEN 'conversionDate not a date-time: ' || t.conversion_date_text END,
               CASE WHEN t.id_branch IS NULL AND t.id_branch_text IS NOT NULL THEN 'idBranch not an integer: ' || t.id_branch_text END,
               CASE WHEN t.access_blocked IS NULL AND t.access_blocked_text IS NOT NULL THEN 'accessBlocked not a boolean: ' || t.access_blocked_text END,
               CASE WHEN t.last_access_date IS NULL AND t.last_access_date_text IS NOT NULL THEN 'lastAccessDate not a date-time: ' || t.last_access_date_text END,
               CASE WHEN t.id_employee_consultant IS NULL AND t.id_employee_consultant_text IS NOT NULL THEN 'idEmployeeConsultant not an integer: ' || t.id_employee_consultant_text END,
               CASE WHEN t.evo_member_contacts_array_type NOT IN ('array', 'null') THEN 'contacts not an array' END,
               CASE WHEN t.evo_member_memberships_array_type NOT IN ('array', 'null') THEN 'memberships not an array' END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.blob_path, e.line_no, e.run_id, e.read_at,
               e.id_member_text, ops.try_bigint(e.id_member_text) AS id_member,
               e.first_name,
               e.last_name,
               e.document,
               e.email,
               e.gender,
               e.birth_date_text, ops.try_date(e.birth_date_text) AS birth_date,
               e.register_date_text, ops.try_timestamp(e.register_date_text) AS register_date,
               e.conversion_date_text, ops.try_timestamp(e.conversion_date_text) AS conversion_date,
               e.id_branch_text, ops.try_bigint(e.id_branch_text) AS id_branch,
               e.branch_name,
               e.access_blocked_text, ops.try_boolean(e.access_blocked_text) AS access_blocked,
               e.blocked_reason,
               e.membership_status,
               e.gympass_id,
               e.code_totalpass,
               e.last_access_date_text, ops.try_timestamp(e.last_access_date_text) AS last_access_date,
               e.id_employee_consultant_text, ops.try_bigint(e.id_employee_consultant_text) AS id_employee_consultant,
               e.evo_member_contacts_array,
               jsonb_typeof(e.evo_member_contacts_array) AS evo_member_contacts_array_type,
               e.evo_member_memberships_array,
               jsonb_typeof(e.evo_member_memberships_array) AS evo_member_memberships_array_type
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, blob_path, line_no, run_id, read_at,
                   nullif(raw ->> 'idMember', '') AS id_member_text,
                   nullif(raw ->> 'firstName', '') AS first_name,
                   nullif(raw ->> 'lastName', '') AS last_name,
                   nullif(raw ->> 'document', '') AS document,
                   nullif(raw ->> 'email', '') AS email,
                   nullif(raw ->> 'gender', '') AS gender,
                   nullif(raw ->> 'birthDate', '') AS birth_date_text,
                   nullif(raw ->> 'registerDate', '') AS register_date_text,
                   nullif(raw ->> 'conversionDate', '') AS conversion_date_text,
                   nullif(raw ->> 'idBranch', '') AS id_branch_text,
                   nullif(raw ->> 'branchName', '') AS branch_name,
                   nullif(raw ->> 'accessBlocked', '') AS access_blocked_text,
                   nullif(raw ->> 'blockedReason', '') AS blocked_reason,
                   nullif(raw ->> 'membershipStatus', '') AS membership_status,
                   nullif(raw ->> 'gympassId', '') AS gympass_id,
                   nullif(raw ->> 'codeTotalpass', '') AS code_totalpass,
                   nullif(raw ->> 'lastAccessDate', '') AS last_access_date_text,
                   nullif(raw ->> 'idEmployeeConsultant', '') AS id_employee_consultant_text,
                   raw -> 'contacts' AS evo_member_contacts_array,
                   raw -> 'memberships' AS evo_member_memberships_array
            FROM (
                -- raw #> '{}' is raw itself, decompressed once: a large raw is stored compressed, and each read
                -- below would otherwise decompress it again.
                -- read_at: when the line was read, its part's write time (see version order below).
                SELECT s.tableoid AS stg_table, s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
                       b.written_at AS read_at, s.raw #> '{}' AS raw
                FROM stg_evo.members_raw s
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
evo_member_contacts_elements AS MATERIALIZED (
    SELECT t.stg_table, t.stg_ctid, t.stg_id, t.scope, t.id_member, t.blob_path, t.line_no, t.run_id, t.read_at, t.element_position,
           t.id_phone, t.id_contact_type, t.contact_type, t.description, t.ddi,
           CASE WHEN num_nonnulls(t.id_phone_text, t.id_contact_type_text)
           <> num_nonnulls(t.id_phone, t.id_contact_type)
                  OR t.id_phone IS NULL
           THEN concat_ws('; ',
               CASE WHEN t.id_phone IS NULL THEN 'contacts[].idPhone missing or not an integer: ' || coalesce(t.id_phone_text, 'null') END,
               CASE WHEN t.id_contact_type IS NULL AND t.id_contact_type_text IS NOT NULL THEN 'contacts[].idContactType not an integer: ' || t.id_contact_type_text END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.id_member, e.blob_path, e.line_no, e.run_id, e.read_at, e.element_position,
               e.id_phone_text, ops.try_bigint(e.id_phone_text) AS id_phone,
               e.id_contact_type_text, ops.try_integer(e.id_contact_type_text) AS id_contact_type,
               e.contact_type,
               e.description,
               e.ddi
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, id_member, blob_path, line_no, run_id, read_at, element_position,
                   nullif(raw ->> 'idPhone', '') AS id_phone_text,
                   nullif(raw ->> 'idContactType', '') AS id_contact_type_text,
                   nullif(raw ->> 'contactType', '') AS contact_type,
                   nullif(raw ->> 'description', '') AS description,
                   nullif(raw ->> 'ddi', '') AS ddi
            FROM fields f
            CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(f.evo_member_contacts_array) WHEN 'array' THEN f.evo_member_contacts_array END)
                WITH ORDINALITY AS el(raw, element_position)
            WHERE f.id_member IS NOT NULL
            OFFSET 0
        ) e
        OFFSET 0
    ) t
),
evo_member_memberships_elements AS MATERIALIZED (
    SELECT t.stg_table, t.stg_ctid, t.stg_id, t.scope, t.id_member, t.blob_path, t.line_no, t.run_id, t.read_at, t.element_position,
           t.id_member_membership, t.id_membership, t.id_sale, t.plan_name, t.id_branch, t.register_date,
               t.start_date, t.end_date, t.cancel_date, t.membership_status, t.value_next_month,
           CASE WHEN num_nonnulls(t.id_member_membership_text, t.id_membership_text, t.id_sale_text, t.id_branch_text,
               t.register_date_text, t.start_date_text, t.end_date_text, t.cancel_date_text,
               t.value_next_month_text)
           <> num_nonnulls(t.id_member_membership, t.id_membership, t.id_sale, t.id_branch, t.register_date,
               t.start_date, t.end_date, t.cancel_date, t.value_next_month)
                  OR t.id_member_membership IS NULL
           THEN concat_ws('; ',
               CASE WHEN t.id_member_membership IS NULL THEN 'memberships[].idMemberMembership missing or not an integer: ' || coalesce(t.id_member_membership_text, 'null') END,
               CASE WHEN t.id_membership IS NULL AND t.id_membership_text IS NOT NULL THEN 'memberships[].idMembership not an integer: ' || t.id_membership_text END,
               CASE WHEN t.id_sale IS NULL AND t.id_sale_text IS NOT NULL THEN 'memberships[].idSale not an integer: ' || t.id_sale_text END,
               CASE WHEN t.id_branch IS NULL AND t.id_branch_text IS NOT NULL THEN 'memberships[].idBranch not an integer: ' || t.id_branch_text END,
               CASE WHEN t.register_date IS NULL AND t.register_date_text IS NOT NULL THEN 'memberships[].registerDate not a date-time: ' || t.register_date_text END,
               CASE WHEN t.start_date IS NULL AND t.start_date_text IS NOT NULL THEN 'memberships[].startDate not a date-time: ' || t.start_date_text END,
               CASE WHEN t.end_date IS NULL AND t.end_date_text IS NOT NULL THEN 'memberships[].endDate not a date-time: ' || t.end_date_text END,
               CASE WHEN t.cancel_date IS NULL AND t.cancel_date_text IS NOT NULL THEN 'memberships[].cancelDate not a date-time: ' || t.cancel_date_text END,
               CASE WHEN t.value_next_month IS NULL AND t.value_next_month_text IS NOT NULL THEN 'memberships[].valueNextMonth not a number: ' || t.value_next_month_text END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.id_member, e.blob_path, e.line_no, e.run_id, e.read_at, e.element_position,
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
               e.value_next_month_text, ops.try_numeric(e.value_next_month_text) AS value_next_month
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, id_member, blob_path, line_no, run_id, read_at, element_position,
                   nullif(raw ->> 'idMemberMembership', '') AS id_member_membership_text,
                   nullif(raw ->> 'idMembership', '') AS id_membership_text,
                   nullif(raw ->> 'idSale', '') AS id_sale_text,
                   nullif(raw ->> 'name', '') AS plan_name,
                   coalesce(nullif(raw ->> 'idBranch', ''), f.id_branch::text) AS id_branch_text,
                   nullif(raw ->> 'registerDate', '') AS register_date_text,
                   nullif(raw ->> 'startDate', '') AS start_date_text,
                   nullif(raw ->> 'endDate', '') AS end_date_text,
                   nullif(raw ->> 'cancelDate', '') AS cancel_date_text,
                   nullif(raw ->> 'membershipStatus', '') AS membership_status,
                   nullif(raw ->> 'valueNextMonth', '') AS value_next_month_text
            FROM fields f
            CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(f.evo_member_memberships_array) WHEN 'array' THEN f.evo_member_memberships_array END)
                WITH ORDINALITY AS el(raw, element_position)
            WHERE f.id_member IS NOT NULL
            OFFSET 0
        ) e
        OFFSET 0
    ) t
),
problems AS (
    SELECT p.stg_table, p.stg_ctid, bool_or(p.unusable) AS unusable,
           string_agg(p.message, '; ' ORDER BY p.rank) AS message
    FROM (
        SELECT f.stg_table, f.stg_ctid, f.id_member IS NULL AS unusable, f.problem AS message, 0 AS rank
        FROM fields f
        WHERE f.problem IS NOT NULL
        UNION ALL
        SELECT x.stg_table, x.stg_ctid, false, x.problem, 1 FROM evo_member_contacts_elements x WHERE x.problem IS NOT NULL
        UNION ALL
        SELECT x.stg_table, x.stg_ctid, false, x.problem, 2 FROM evo_member_memberships_elements x WHERE x.problem IS NOT NULL
    ) p
    GROUP BY p.stg_table, p.stg_ctid
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan
    -- that fetches just the flagged rows, where a plain join could scan the whole staging table. A
    -- partitioned staging table repeats addresses across its partitions: tableoid names the partition.
    UPDATE stg_evo.members_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.tableoid = p.stg_table AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
-- In the statement's snapshot, so the rows inserted below do not count.
target AS (SELECT NOT EXISTS (SELECT 1 FROM core.evo_members) AS empty),
-- The batch's keys the table already holds: at most one probe of the primary key per row, whatever the table's
-- size (a lateral subquery with LIMIT is never planned as a join that reads every stored key), and per
-- staging row whether the stored version is newer (the children follow only a version that is not).
-- The steps below that compare with stored rows run only when there is one. Nothing when the table
-- was empty.
-- A key that sorts after the greatest key stored, (scope, key) together (the primary key's last entry,
-- read once per statement), cannot be stored: its probe is skipped. In the last scope of a table keyed
-- by time or by an id the source counts up, new keys are mostly past it; other rows are probed.
stored AS MATERIALIZED (
    SELECT l.stg_id, l.scope, l.id_member, p.newer
    FROM fields l
    CROSS JOIN LATERAL (SELECT ((coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                                > (coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)) IS TRUE AS newer
                        FROM core.evo_members c WHERE c.scope = l.scope AND c.id_member = l.id_member LIMIT 1) p
    WHERE l.id_member IS NOT NULL
      AND NOT (SELECT empty FROM target)
      AND (l.scope, l.id_member) <= (SELECT c.scope, c.id_member FROM core.evo_members c
         ORDER BY c.scope DESC, c.id_member DESC LIMIT 1)
),
-- Keys that occur more than once in this batch, then the versions of each that are not its newest
-- (superseded): the rows the steps below leave out. Usually none: then the second scan of the batch is
-- skipped, and "is this row the newest of its key" below is a probe of an empty hash table by staging id
-- (a staging line's id is its own: the loader assigns it). PostgreSQL never plans NOT IN over a
-- subquery as a join, which could sort the whole batch to merge it; it hashes the subquery while its
-- estimate fits in work_mem (TransformRunner's 1 GB: tens of millions of ids).
repeated_keys AS (
    SELECT scope, id_member
    FROM fields
    WHERE id_member IS NOT NULL
    GROUP BY scope, id_member HAVING count(*) > 1
),
superseded AS (
    SELECT v.stg_id
    FROM (SELECT f.stg_id, row_number() OVER (PARTITION BY f.scope, f.id_member
                                            ORDER BY f.read_at DESC NULLS LAST, f.run_id COLLATE "C" DESC, f.blob_path COLLATE "C" DESC, f.line_no DESC) AS version_rank
          FROM fields f
          WHERE EXISTS (SELECT 1 FROM repeated_keys)
            AND (f.scope, f.id_member) IN (SELECT scope, id_member FROM repeated_keys)) v
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
    INSERT INTO core.evo_members (scope, id_member, first_name, last_name, document, email, gender,
        birth_date, register_date, conversion_date, id_branch, branch_name, access_blocked,
        blocked_reason, membership_status, gympass_id, code_totalpass, last_access_date,
        id_employee_consultant, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id_member, l.first_name, l.last_name, l.document, l.email, l.gender, l.birth_date,
        l.register_date, l.conversion_date, l.id_branch, l.branch_name, l.access_blocked,
        l.blocked_reason, l.membership_status, l.gympass_id, l.code_totalpass, l.last_access_date,
        l.id_employee_consultant, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id_member IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (SELECT empty FROM target)
    RETURNING _run_id AS run_id, false AS deleted
),
inserted AS (
    INSERT INTO core.evo_members (scope, id_member, first_name, last_name, document, email, gender,
        birth_date, register_date, conversion_date, id_branch, branch_name, access_blocked,
        blocked_reason, membership_status, gympass_id, code_totalpass, last_access_date,
        id_employee_consultant, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id_member, l.first_name, l.last_name, l.document, l.email, l.gender, l.birth_date,
        l.register_date, l.conversion_date, l.id_branch, l.branch_name, l.access_blocked,
        l.blocked_reason, l.membership_status, l.gympass_id, l.code_totalpass, l.last_access_date,
        l.id_employee_consultant, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id_member IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored)
      AND NOT (SELECT empty FROM target)
    RETURNING _run_id AS run_id, false AS deleted
),
updated AS (
    UPDATE core.evo_members c
    SET first_name = l.first_name, last_name = l.last_name, document = l.document, email = l.email,
        gender = l.gender, birth_date = l.birth_date, register_date = l.register_date,
        conversion_date = l.conversion_date, id_branch = l.id_branch, branch_name = l.branch_name,
        access_blocked = l.access_blocked, blocked_reason = l.blocked_reason,
        membership_status = l.membership_status, gympass_id = l.gympass_id,
        code_totalpass = l.code_totalpass, last_access_date = l.last_access_date,
        id_employee_consultant = l.id_employee_consultant, _stg_id = l.stg_id, _source_blob = l.blob_path,
        _source_line = l.line_no, _run_id = l.run_id, _read_at = l.read_at, _updated_at = now()
    FROM fields l
    WHERE c.scope = l.scope AND c.id_member = l.id_member
      AND l.id_member IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)
          >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND (c.first_name, c.last_name, c.document, c.email, c.gender, c.birth_date, c.register_date,
        c.conversion_date, c.id_branch, c.branch_name, c.access_blocked, c.blocked_reason,
        c.membership_status, c.gympass_id, c.code_totalpass, c.last_access_date, c.id_employee_consultant)
        IS DISTINCT FROM
        (l.first_name, l.last_name, l.document, l.email, l.gender, l.birth_date, l.register_date,
        l.conversion_date, l.id_branch, l.branch_name, l.access_blocked, l.blocked_reason,
        l.membership_status, l.gympass_id, l.code_totalpass, l.last_access_date, l.id_employee_consultant)
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id_member = ANY (ARRAY(SELECT DISTINCT s.id_member FROM stored s ORDER BY 1)))
    RETURNING c._run_id AS run_id, false AS deleted
),
-- A forced reload gives a bronze part's lines new staging ids. A core row whose version came from such a
-- line (same part and line: the same data) is pointed at the line's new staging row, unless the
-- update above rewrites it anyway (two writes of one row in one statement are not allowed).
repointed AS (
    UPDATE core.evo_members c
    SET _stg_id = l.stg_id
    FROM fields l
    WHERE c.scope = l.scope AND c.id_member = l.id_member
      AND c._source_blob = l.blob_path AND c._source_line = l.line_no AND c._stg_id <> l.stg_id
      AND NOT EXISTS (SELECT 1 FROM fields w
                      WHERE w.scope = c.scope AND w.id_member = c.id_member
                        AND w.id_member IS NOT NULL
                        AND w.stg_id NOT IN (SELECT stg_id FROM superseded)
                        AND (coalesce(w.read_at, '-infinity'), w.run_id COLLATE "C", w.blob_path COLLATE "C", w.line_no)
                            >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                        AND (c.first_name, c.last_name, c.document, c.email, c.gender, c.birth_date, c.register_date,
                            c.conversion_date, c.id_branch, c.branch_name, c.access_blocked, c.blocked_reason,
                            c.membership_status, c.gympass_id, c.code_totalpass, c.last_access_date, c.id_employee_consultant)
                            IS DISTINCT FROM
                            (w.first_name, w.last_name, w.document, w.email, w.gender, w.birth_date, w.register_date,
                            w.conversion_date, w.id_branch, w.branch_name, w.access_blocked, w.blocked_reason,
                            w.membership_status, w.gympass_id, w.code_totalpass, w.last_access_date, w.id_employee_consultant))
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id_member = ANY (ARRAY(SELECT DISTINCT s.id_member FROM stored s ORDER BY 1)))
    RETURNING 1
),
-- The parent versions children follow: newest of the batch, and not older than core's (stored noted
-- which stored versions are newer, in the probe it makes anyway); key_stored: core holds the key;
-- _listed: the version carries the child array (a record without it, or with null, says nothing of
-- its children). Both looked up in stored by staging id, hashed (a join could sort the batch).
accepted AS (
    SELECT l.stg_id, l.scope, l.id_member, l.run_id, l.blob_path, l.line_no, l.read_at,
           l.stg_id IN (SELECT stg_id FROM stored) AS key_stored, jsonb_typeof(l.evo_member_contacts_array) = 'array' AS evo_member_contacts_listed, jsonb_typeof(l.evo_member_memberships_array) = 'array' AS evo_member_memberships_listed
    FROM fields l
    WHERE l.id_member IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored WHERE newer)
),
-- In the statement's snapshot: whether core.evo_member_contacts was empty when the statement began;
-- empty_at_start: it was when the batch began (TransformRunner sets skyfit.empty_at_start before
-- its first slice; unset, as when run by hand: not).
evo_member_contacts_target AS (
    SELECT NOT EXISTS (SELECT 1 FROM core.evo_member_contacts) AS empty,
           coalesce('core.evo_member_contacts' = ANY (string_to_array(current_setting('skyfit.empty_at_start', true), ',')), false)
               AS empty_at_start
),
-- Elements that are new for certain: the child table was empty when the statement began, or when the
-- batch began and the parent key is not stored (the earlier slices wrote each child row with its
-- parent). Inserted plainly (no conflict check); the upsert takes the rest.
evo_member_contacts_inserted AS (
    INSERT INTO core.evo_member_contacts (scope, id_member, id_phone, id_contact_type, contact_type,
        description, ddi, is_deleted, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT DISTINCT ON (x.stg_id, x.id_phone) x.scope, x.id_member, x.id_phone, x.id_contact_type,
        x.contact_type, x.description, x.ddi, false, x.stg_id, x.blob_path, x.line_no, x.run_id,
        x.read_at, now()
    FROM evo_member_contacts_elements x
    WHERE (SELECT empty OR empty_at_start FROM evo_member_contacts_target)
      AND x.stg_id IN (SELECT a.stg_id FROM accepted a
                       WHERE (SELECT empty FROM evo_member_contacts_target) OR ((SELECT empty_at_start FROM evo_member_contacts_target) AND NOT a.key_stored))
      AND x.id_phone IS NOT NULL
    ORDER BY x.stg_id, x.id_phone, x.element_position DESC
    RETURNING 1
),
-- A repeated element key keeps its last element. A child row names the parent version that last
-- confirmed it: it is rewritten when it changed or that version is another (or a reloaded) row.
evo_member_contacts_upserted AS (
    INSERT INTO core.evo_member_contacts AS c (scope, id_member, id_phone, id_contact_type, contact_type,
        description, ddi, is_deleted, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT DISTINCT ON (x.stg_id, x.id_phone) x.scope, x.id_member, x.id_phone, x.id_contact_type,
        x.contact_type, x.description, x.ddi, false, x.stg_id, x.blob_path, x.line_no, x.run_id,
        x.read_at, now()
    FROM evo_member_contacts_elements x
    WHERE NOT (SELECT empty FROM evo_member_contacts_target)
      AND x.stg_id IN (SELECT a.stg_id FROM accepted a
                       WHERE NOT ((SELECT empty FROM evo_member_contacts_target) OR ((SELECT empty_at_start FROM evo_member_contacts_target) AND NOT a.key_stored)))
      AND x.id_phone IS NOT NULL
    ORDER BY x.stg_id, x.id_phone, x.element_position DESC
    ON CONFLICT (scope, id_member, id_phone) DO UPDATE
    SET id_contact_type = excluded.id_contact_type, contact_type = excluded.contact_type,
        description = excluded.description, ddi = excluded.ddi, is_deleted = excluded.is_deleted,
        _stg_id = excluded._stg_id, _source_blob = excluded._source_blob,
        _source_line = excluded._source_line, _run_id = excluded._run_id, _read_at = excluded._read_at,
        _updated_at = excluded._updated_at
    WHERE ((c.id_contact_type, c.contact_type, c.description, c.ddi, c.is_deleted)
           IS DISTINCT FROM (excluded.id_contact_type, excluded.contact_type, excluded.description, excluded.ddi,
         excluded.is_deleted)
        OR (c._stg_id, c._source_blob, c._source_line, c._run_id)
           IS DISTINCT FROM (excluded._stg_id, excluded._source_blob, excluded._source_line, excluded._run_id))
      AND (coalesce(excluded._read_at, '-infinity'), excluded._run_id COLLATE "C", excluded._source_blob COLLATE "C", excluded._source_line)
              >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
    RETURNING 1
),
-- Elements the winning version no longer has: deletes are facts, the row stays flagged and names
-- that version.
-- When the table was empty as the batch began, only a stored parent key has rows in it: with none,
-- this step does not run.
evo_member_contacts_removed AS (
    UPDATE core.evo_member_contacts c
    SET is_deleted = true, _stg_id = a.stg_id, _source_blob = a.blob_path, _source_line = a.line_no,
        _run_id = a.run_id, _read_at = a.read_at, _updated_at = now()
    FROM accepted a
    WHERE c.scope = a.scope AND c.id_member = a.id_member AND a.evo_member_contacts_listed
      AND (NOT c.is_deleted
           OR (c._stg_id, c._source_blob, c._source_line, c._run_id)
              IS DISTINCT FROM (a.stg_id, a.blob_path, a.line_no, a.run_id))
      AND (coalesce(a.read_at, '-infinity'), a.run_id COLLATE "C", a.blob_path COLLATE "C", a.line_no)
              >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND NOT EXISTS (SELECT 1 FROM evo_member_contacts_elements x WHERE x.stg_id = a.stg_id AND x.id_phone = c.id_phone)
      AND NOT (SELECT empty FROM evo_member_contacts_target)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT k.scope FROM accepted k WHERE k.evo_member_contacts_listed AND (k.key_stored OR NOT (SELECT empty_at_start FROM evo_member_contacts_target))))
           AND c.id_member = ANY (ARRAY(SELECT DISTINCT k.id_member FROM accepted k WHERE k.evo_member_contacts_listed AND (k.key_stored OR NOT (SELECT empty_at_start FROM evo_member_contacts_target)) ORDER BY 1)))
      AND (NOT (SELECT empty_at_start FROM evo_member_contacts_target) OR EXISTS (SELECT 1 FROM stored))
    RETURNING 1
),
-- A repeated element key keeps its last element. A child row names the parent version that last
-- confirmed it: it is rewritten when it changed or that version is another (or a reloaded) row.
evo_member_memberships_upserted AS (
    INSERT INTO core.evo_member_memberships AS c (scope, id_member, id_member_membership, id_membership,
        id_sale, plan_name, id_branch, register_date, start_date, end_date, cancel_date,
        membership_status, value_next_month, is_deleted, _stg_id, _source_blob, _source_line, _run_id,
        _read_at, _updated_at)
    SELECT DISTINCT ON (x.stg_id, x.id_member_membership) x.scope, x.id_member, x.id_member_membership,
        x.id_membership, x.id_sale, x.plan_name, x.id_branch, x.register_date, x.start_date, x.end_date,
        x.cancel_date, x.membership_status, x.value_next_month, false, x.stg_id, x.blob_path, x.line_no,
        x.run_id, x.read_at, now()
    FROM evo_member_memberships_elements x
    WHERE x.stg_id IN (SELECT stg_id FROM accepted) AND x.id_member_membership IS NOT NULL
    ORDER BY x.stg_id, x.id_member_membership, x.element_position DESC
    ON CONFLICT (scope, id_member, id_member_membership) DO UPDATE
    SET id_membership = excluded.id_membership, id_sale = excluded.id_sale, plan_name = excluded.plan_name,
        id_branch = excluded.id_branch, register_date = excluded.register_date,
        start_date = excluded.start_date, end_date = excluded.end_date,
        cancel_date = excluded.cancel_date, membership_status = excluded.membership_status,
        value_next_month = excluded.value_next_month, is_deleted = excluded.is_deleted,
        _stg_id = excluded._stg_id, _source_blob = excluded._source_blob,
        _source_line = excluded._source_line, _run_id = excluded._run_id, _read_at = excluded._read_at,
        _updated_at = excluded._updated_at
    WHERE ((c.id_membership, c.id_sale, c.plan_name, c.id_branch, c.register_date, c.start_date, c.end_date,
         c.cancel_date, c.membership_status, c.value_next_month, c.is_deleted)
           IS DISTINCT FROM (excluded.id_membership, excluded.id_sale, excluded.plan_name, excluded.id_branch,
         excluded.register_date, excluded.start_date, excluded.end_date, excluded.cancel_date,
         excluded.membership_status, excluded.value_next_month, excluded.is_deleted)
        OR (c._stg_id, c._source_blob, c._source_line, c._run_id)
           IS DISTINCT FROM (excluded._stg_id, excluded._source_blob, excluded._source_line, excluded._run_id))
      AND (coalesce(excluded._read_at, '-infinity'), excluded._run_id COLLATE "C", excluded._source_blob COLLATE "C", excluded._source_line)
              >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
    RETURNING 1
),
-- Elements the winning version no longer has: deletes are facts, the row stays flagged and names
-- that version. Only rows this step wrote (another step writes the table).
evo_member_memberships_removed AS (
    UPDATE core.evo_member_memberships c
    SET is_deleted = true, _stg_id = a.stg_id, _source_blob = a.blob_path, _source_line = a.line_no,
        _run_id = a.run_id, _read_at = a.read_at, _updated_at = now()
    FROM accepted a
    WHERE c.scope = a.scope AND c.id_member = a.id_member AND a.evo_member_memberships_listed
      AND (NOT c.is_deleted
           OR (c._stg_id, c._source_blob, c._source_line, c._run_id)
              IS DISTINCT FROM (a.stg_id, a.blob_path, a.line_no, a.run_id))
      AND (coalesce(a.read_at, '-infinity'), a.run_id COLLATE "C", a.blob_path COLLATE "C", a.line_no)
              >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND NOT EXISTS (SELECT 1 FROM evo_member_memberships_elements x WHERE x.stg_id = a.stg_id AND x.id_member_membership = c.id_member_membership)
      AND EXISTS (SELECT 1 FROM ops.bronze_files f WHERE f.blob_path = c._source_blob AND f.source = 'evo' AND f.entity = 'members')
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT k.scope FROM accepted k WHERE k.evo_member_memberships_listed))
           AND c.id_member = ANY (ARRAY(SELECT DISTINCT k.id_member FROM accepted k WHERE k.evo_member_memberships_listed ORDER BY 1)))
    RETURNING 1
),
candidates AS (
    SELECT l.run_id, count(*) AS n
    FROM fields l
    WHERE l.id_member IS NOT NULL
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
