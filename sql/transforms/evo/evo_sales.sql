-- core.evo_sales from stg_evo.sales_raw: one row per (scope, id_sale), the version read last:
-- the highest (read_at, run_id, blob_path, line_no).
-- A sale has no update time: the version read last wins. Its value is the sum of its items'
-- saleValue; the items stay as sent in items and become rows of evo_sale_items. A removed sale
-- comes back with removed = true and removalDate (saleDate unchanged).
-- A deleted record keeps its row with removed = true.
-- core.evo_sale_items: one row per element of saleItens, keyed by the parent's key and id_sale_item.
--
-- Generated from the table's declaration (engine/src/main/java/com/skyfit/lake/core/, see CoreTables);
-- edit that, then `./skyfit sql --write` rewrites this file (a test fails while it is out of date).
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SET LOCAL work_mem = '1GB';  -- as the runner does: the staging-id lookups below stay hashed
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/evo/evo_sales.sql
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
           t.id_sale, t.id_member, t.id_prospect, t.id_branch, t.id_employee_sale, t.sale_date,
               t.removal_date, t.items,
           coalesce(t.removed, false) AS removed,
           t.items_count AS items_count,
           nullif(t.total_value, 'NaN') AS total_value,
           t.receivables_count AS receivables_count,
           nullif(t.receivables_total, 'NaN') AS receivables_total,
           CASE WHEN num_nonnulls(t.id_sale_text, t.id_member_text, t.id_prospect_text, t.id_branch_text,
               t.id_employee_sale_text, t.sale_date_text, t.removed_text, t.removal_date_text)
           <> num_nonnulls(t.id_sale, t.id_member, t.id_prospect, t.id_branch, t.id_employee_sale, t.sale_date,
               t.removed, t.removal_date)
                  OR t.id_sale IS NULL
                  OR t.items_type NOT IN ('array', 'null')
                  OR t.total_value = 'NaN'
                  OR t.receivables_type NOT IN ('array', 'null')
                  OR t.receivables_total = 'NaN'
           THEN concat_ws('; ',
               CASE WHEN t.id_sale IS NULL THEN 'idSale missing or not an integer: ' || coalesce(t.id_sale_text, 'null') END,
               CASE WHEN t.id_member IS NULL AND t.id_member_text IS NOT NULL THEN 'idMember not an integer: ' || t.id_member_text END,
               CASE WHEN t.id_prospect IS NULL AND t.id_prospect_text IS NOT NULL THEN 'idProspect not an integer: ' || t.id_prospect_text END,
               CASE WHEN t.id_branch IS NULL AND t.id_branch_text IS NOT NULL THEN 'idBranch not an integer: ' || t.id_branch_text END,
               CASE WHEN t.id_employee_sale IS NULL AND t.id_employee_sale_text IS NOT NULL THEN 'idEmployeeSale not an integer: ' || t.id_employee_sale_text END,
               CASE WHEN t.sale_date IS NULL AND t.sale_date_text IS NOT NULL THEN 'saleDate not a date-time: ' || t.sale_date_text END,
               CASE WHEN t.removed IS NULL AND t.removed_text IS NOT NULL THEN 'removed not a boolean: ' || t.removed_text END,
               CASE WHEN t.removal_date IS NULL AND t.removal_date_text IS NOT NULL THEN 'removalDate not a date-time: ' || t.removal_date_text END,
               CASE WHEN t.items_type NOT IN ('array', 'null') THEN 'saleItens not an array' END,
               CASE WHEN t.total_value = 'NaN' THEN 'saleItens[].saleValue not a number: '
               || (SELECT string_agg(i ->> 'saleValue', ', ') FROM jsonb_array_elements(t.items) i
                   WHERE ops.json_numeric_or_nan(i -> 'saleValue') = 'NaN') END,
               CASE WHEN t.receivables_type NOT IN ('array', 'null') THEN 'receivables not an array' END,
               CASE WHEN t.receivables_total = 'NaN' THEN 'receivables[].ammount not a number: '
               || (SELECT string_agg(i ->> 'ammount', ', ') FROM jsonb_array_elements(t.receivables) i
                   WHERE ops.json_numeric_or_nan(i -> 'ammount') = 'NaN') END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.blob_path, e.line_no, e.run_id, e.read_at,
               e.id_sale_text, ops.try_bigint(e.id_sale_text) AS id_sale,
               e.id_member_text, ops.try_bigint(e.id_member_text) AS id_member,
               e.id_prospect_text, ops.try_bigint(e.id_prospect_text) AS id_prospect,
               e.id_branch_text, ops.try_bigint(e.id_branch_text) AS id_branch,
               e.id_employee_sale_text, ops.try_bigint(e.id_employee_sale_text) AS id_employee_sale,
               e.sale_date_text, ops.try_timestamp(e.sale_date_text) AS sale_date,
               e.removed_text, ops.try_boolean(e.removed_text) AS removed,
               e.removal_date_text, ops.try_timestamp(e.removal_date_text) AS removal_date,
               e.items,
               jsonb_typeof(e.items) AS items_type,
               e.items_count,
               CASE WHEN e.items_count <= 3 THEN
                        CASE WHEN num_nonnulls(e.total_value_0, e.total_value_1, e.total_value_2) > 0
                             THEN coalesce(e.total_value_0, 0) + coalesce(e.total_value_1, 0) + coalesce(e.total_value_2, 0) END
                    WHEN e.items_count > 3 THEN
                        (SELECT sum(ops.json_numeric_or_nan(i -> 'saleValue')) FROM jsonb_array_elements(e.items) i)
               END AS total_value,
               e.receivables,
               jsonb_typeof(e.receivables) AS receivables_type,
               e.receivables_count,
               CASE WHEN e.receivables_count <= 3 THEN
                        CASE WHEN num_nonnulls(e.receivables_total_0, e.receivables_total_1, e.receivables_total_2) > 0
                             THEN coalesce(e.receivables_total_0, 0) + coalesce(e.receivables_total_1, 0) + coalesce(e.receivables_total_2, 0) END
                    WHEN e.receivables_count > 3 THEN
                        (SELECT sum(ops.json_numeric_or_nan(i -> 'ammount')) FROM jsonb_array_elements(e.receivables) i)
               END AS receivables_total
        FROM (
            SELECT j.*,
                   CASE jsonb_typeof(j.items) WHEN 'array' THEN jsonb_array_length(j.items) END AS items_count,
                   ops.json_numeric_or_nan(j.items -> 0 -> 'saleValue') AS total_value_0,
                   ops.json_numeric_or_nan(j.items -> 1 -> 'saleValue') AS total_value_1,
                   ops.json_numeric_or_nan(j.items -> 2 -> 'saleValue') AS total_value_2,
                   CASE jsonb_typeof(j.receivables) WHEN 'array' THEN jsonb_array_length(j.receivables) END AS receivables_count,
                   ops.json_numeric_or_nan(j.receivables -> 0 -> 'ammount') AS receivables_total_0,
                   ops.json_numeric_or_nan(j.receivables -> 1 -> 'ammount') AS receivables_total_1,
                   ops.json_numeric_or_nan(j.receivables -> 2 -> 'ammount') AS receivables_total_2
            FROM (
                SELECT stg_table, stg_ctid, stg_id, scope, blob_path, line_no, run_id, read_at,
                       nullif(raw ->> 'idSale', '') AS id_sale_text,
                       nullif(raw ->> 'idMember', '') AS id_member_text,
                       nullif(raw ->> 'idProspect', '') AS id_prospect_text,
                       nullif(raw ->> 'idBranch', '') AS id_branch_text,
                       nullif(raw ->> 'idEmployeeSale', '') AS id_employee_sale_text,
                       nullif(raw ->> 'saleDate', '') AS sale_date_text,
                       nullif(raw ->> 'removed', '') AS removed_text,
                       nullif(raw ->> 'removalDate', '') AS removal_date_text,
                       raw -> 'saleItens' AS items,
                       raw -> 'receivables' AS receivables
                FROM (
                    -- raw #> '{}' is raw itself, decompressed once: a large raw is stored compressed, and each read
                    -- below would otherwise decompress it again.
                    -- read_at: when the line was read, its part's write time (see version order below).
                    SELECT s.tableoid AS stg_table, s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
                           b.written_at AS read_at, s.raw #> '{}' AS raw
                    FROM stg_evo.sales_raw s
                    LEFT JOIN ops.bronze_files b ON b.blob_path = s.blob_path
                    WHERE s.stg_id > current_setting('skyfit.from_stg_id')::bigint
                      AND s.stg_id <= current_setting('skyfit.to_stg_id')::bigint
                      AND s.validation_status <> 'invalid'
                    OFFSET 0
                ) d
                OFFSET 0
            ) j
            OFFSET 0
        ) e
        OFFSET 0
    ) t
),
evo_sale_items_elements AS MATERIALIZED (
    SELECT t.stg_table, t.stg_ctid, t.stg_id, t.scope, t.id_sale, t.blob_path, t.line_no, t.run_id, t.read_at, t.element_position,
           t.id_sale_item, t.description, t.quantity, t.item_value, t.sale_value, t.discount,
               t.id_membership, t.id_product, t.id_service,
           CASE WHEN num_nonnulls(t.id_sale_item_text, t.quantity_text, t.item_value_text, t.sale_value_text,
               t.discount_text, t.id_membership_text, t.id_product_text, t.id_service_text)
           <> num_nonnulls(t.id_sale_item, t.quantity, t.item_value, t.sale_value, t.discount, t.id_membership,
               t.id_product, t.id_service)
                  OR t.id_sale_item IS NULL
           THEN concat_ws('; ',
               CASE WHEN t.id_sale_item IS NULL THEN 'saleItens[].idSaleItem missing or not an integer: ' || coalesce(t.id_sale_item_text, 'null') END,
               CASE WHEN t.quantity IS NULL AND t.quantity_text IS NOT NULL THEN 'saleItens[].quantity not a number: ' || t.quantity_text END,
               CASE WHEN t.item_value IS NULL AND t.item_value_text IS NOT NULL THEN 'saleItens[].itemValue not a number: ' || t.item_value_text END,
               CASE WHEN t.sale_value IS NULL AND t.sale_value_text IS NOT NULL THEN 'saleItens[].saleValue not a number: ' || t.sale_value_text END,
               CASE WHEN t.discount IS NULL AND t.discount_text IS NOT NULL THEN 'saleItens[].discount not a number: ' || t.discount_text END,
               CASE WHEN t.id_membership IS NULL AND t.id_membership_text IS NOT NULL THEN 'saleItens[].idMembership not an integer: ' || t.id_membership_text END,
               CASE WHEN t.id_product IS NULL AND t.id_product_text IS NOT NULL THEN 'saleItens[].idProduct not an integer: ' || t.id_product_text END,
               CASE WHEN t.id_service IS NULL AND t.id_service_text IS NOT NULL THEN 'saleItens[].idService not an integer: ' || t.id_service_text END)
           END AS problem
    FROM (
        SELECT e.stg_table, e.stg_ctid, e.stg_id, e.scope, e.id_sale, e.blob_path, e.line_no, e.run_id, e.read_at, e.element_position,
               e.id_sale_item_text, ops.try_bigint(e.id_sale_item_text) AS id_sale_item,
               e.description,
               e.quantity_text, ops.try_numeric(e.quantity_text) AS quantity,
               e.item_value_text, ops.try_numeric(e.item_value_text) AS item_value,
               e.sale_value_text, ops.try_numeric(e.sale_value_text) AS sale_value,
               e.discount_text, ops.try_numeric(e.discount_text) AS discount,
               e.id_membership_text, ops.try_bigint(e.id_membership_text) AS id_membership,
               e.id_product_text, ops.try_bigint(e.id_product_text) AS id_product,
               e.id_service_text, ops.try_bigint(e.id_service_text) AS id_service
        FROM (
            SELECT stg_table, stg_ctid, stg_id, scope, id_sale, blob_path, line_no, run_id, read_at, element_position,
                   nullif(raw ->> 'idSaleItem', '') AS id_sale_item_text,
                   nullif(raw ->> 'description', '') AS description,
                   nullif(raw ->> 'quantity', '') AS quantity_text,
                   nullif(raw ->> 'itemValue', '') AS item_value_text,
                   nullif(raw ->> 'saleValue', '') AS sale_value_text,
                   nullif(raw ->> 'discount', '') AS discount_text,
                   nullif(raw ->> 'idMembership', '') AS id_membership_text,
                   nullif(raw ->> 'idProduct', '') AS id_product_text,
                   nullif(raw ->> 'idService', '') AS id_service_text
            FROM fields f
            CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(f.items) WHEN 'array' THEN f.items END)
                WITH ORDINALITY AS el(raw, element_position)
            WHERE f.id_sale IS NOT NULL
            OFFSET 0
        ) e
        OFFSET 0
    ) t
),
problems AS (
    SELECT p.stg_table, p.stg_ctid, bool_or(p.unusable) AS unusable,
           string_agg(p.message, '; ' ORDER BY p.rank) AS message
    FROM (
        SELECT f.stg_table, f.stg_ctid, f.id_sale IS NULL AS unusable, f.problem AS message, 0 AS rank
        FROM fields f
        WHERE f.problem IS NOT NULL
        UNION ALL
        SELECT x.stg_table, x.stg_ctid, false, x.problem, 1 FROM evo_sale_items_elements x WHERE x.problem IS NOT NULL
    ) p
    GROUP BY p.stg_table, p.stg_ctid
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan
    -- that fetches just the flagged rows, where a plain join could scan the whole staging table. A
    -- partitioned staging table repeats addresses across its partitions: tableoid names the partition.
    UPDATE stg_evo.sales_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.tableoid = p.stg_table AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
-- In the statement's snapshot, so the rows inserted below do not count.
target AS (SELECT NOT EXISTS (SELECT 1 FROM core.evo_sales) AS empty),
-- The batch's keys the table already holds: at most one probe of the primary key per row, whatever the table's
-- size (a lateral subquery with LIMIT is never planned as a join that reads every stored key), and per
-- staging row whether the stored version is newer (the children follow only a version that is not).
-- The steps below that compare with stored rows run only when there is one. Nothing when the table
-- was empty.
-- A key that sorts after the greatest key stored, (scope, key) together (the primary key's last entry,
-- read once per statement), cannot be stored: its probe is skipped. In the last scope of a table keyed
-- by time or by an id the source counts up, new keys are mostly past it; other rows are probed.
stored AS MATERIALIZED (
    SELECT l.stg_id, l.scope, l.id_sale, p.newer
    FROM fields l
    CROSS JOIN LATERAL (SELECT ((coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                                > (coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)) IS TRUE AS newer
                        FROM core.evo_sales c WHERE c.scope = l.scope AND c.id_sale = l.id_sale LIMIT 1) p
    WHERE l.id_sale IS NOT NULL
      AND NOT (SELECT empty FROM target)
      AND (l.scope, l.id_sale) <= (SELECT c.scope, c.id_sale FROM core.evo_sales c
         ORDER BY c.scope DESC, c.id_sale DESC LIMIT 1)
),
-- Keys that occur more than once in this batch, then the versions of each that are not its newest
-- (superseded): the rows the steps below leave out. Usually none: then the second scan of the batch is
-- skipped, and "is this row the newest of its key" below is a probe of an empty hash table by staging id
-- (a staging line's id is its own: the loader assigns it). PostgreSQL never plans NOT IN over a
-- subquery as a join, which could sort the whole batch to merge it; it hashes the subquery while its
-- estimate fits in work_mem (TransformRunner's 1 GB: tens of millions of ids).
repeated_keys AS (
    SELECT scope, id_sale
    FROM fields
    WHERE id_sale IS NOT NULL
    GROUP BY scope, id_sale HAVING count(*) > 1
),
superseded AS (
    SELECT v.stg_id
    FROM (SELECT f.stg_id, row_number() OVER (PARTITION BY f.scope, f.id_sale
                                            ORDER BY f.read_at DESC NULLS LAST, f.run_id COLLATE "C" DESC, f.blob_path COLLATE "C" DESC, f.line_no DESC) AS version_rank
          FROM fields f
          WHERE EXISTS (SELECT 1 FROM repeated_keys)
            AND (f.scope, f.id_sale) IN (SELECT scope, id_sale FROM repeated_keys)) v
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
    INSERT INTO core.evo_sales (scope, id_sale, id_member, id_prospect, id_branch, id_employee_sale,
        sale_date, removed, removal_date, items, items_count, total_value, receivables_count,
        receivables_total, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id_sale, l.id_member, l.id_prospect, l.id_branch, l.id_employee_sale, l.sale_date,
        l.removed, l.removal_date, l.items, l.items_count, l.total_value, l.receivables_count,
        l.receivables_total, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id_sale IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (SELECT empty FROM target)
    RETURNING _run_id AS run_id, removed AS deleted
),
inserted AS (
    INSERT INTO core.evo_sales (scope, id_sale, id_member, id_prospect, id_branch, id_employee_sale,
        sale_date, removed, removal_date, items, items_count, total_value, receivables_count,
        receivables_total, _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at)
    SELECT l.scope, l.id_sale, l.id_member, l.id_prospect, l.id_branch, l.id_employee_sale, l.sale_date,
        l.removed, l.removal_date, l.items, l.items_count, l.total_value, l.receivables_count,
        l.receivables_total, l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()
    FROM fields l
    WHERE l.id_sale IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored)
      AND NOT (SELECT empty FROM target)
    RETURNING _run_id AS run_id, removed AS deleted
),
updated AS (
    UPDATE core.evo_sales c
    SET id_member = l.id_member, id_prospect = l.id_prospect, id_branch = l.id_branch,
        id_employee_sale = l.id_employee_sale, sale_date = l.sale_date, removed = l.removed,
        removal_date = l.removal_date, items = l.items, items_count = l.items_count,
        total_value = l.total_value, receivables_count = l.receivables_count,
        receivables_total = l.receivables_total, _stg_id = l.stg_id, _source_blob = l.blob_path,
        _source_line = l.line_no, _run_id = l.run_id, _read_at = l.read_at, _updated_at = now()
    FROM fields l
    WHERE c.scope = l.scope AND c.id_sale = l.id_sale
      AND l.id_sale IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND (coalesce(l.read_at, '-infinity'), l.run_id COLLATE "C", l.blob_path COLLATE "C", l.line_no)
          >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND (c.id_member, c.id_prospect, c.id_branch, c.id_employee_sale, c.sale_date, c.removed,
        c.removal_date, c.items, c.items_count, c.total_value, c.receivables_count, c.receivables_total)
        IS DISTINCT FROM
        (l.id_member, l.id_prospect, l.id_branch, l.id_employee_sale, l.sale_date, l.removed,
        l.removal_date, l.items, l.items_count, l.total_value, l.receivables_count, l.receivables_total)
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id_sale = ANY (ARRAY(SELECT DISTINCT s.id_sale FROM stored s ORDER BY 1)))
    RETURNING c._run_id AS run_id, c.removed AS deleted
),
-- A forced reload gives a bronze part's lines new staging ids. A core row whose version came from such a
-- line (same part and line: the same data) is pointed at the line's new staging row, unless the
-- update above rewrites it anyway (two writes of one row in one statement are not allowed).
repointed AS (
    UPDATE core.evo_sales c
    SET _stg_id = l.stg_id
    FROM fields l
    WHERE c.scope = l.scope AND c.id_sale = l.id_sale
      AND c._source_blob = l.blob_path AND c._source_line = l.line_no AND c._stg_id <> l.stg_id
      AND NOT EXISTS (SELECT 1 FROM fields w
                      WHERE w.scope = c.scope AND w.id_sale = c.id_sale
                        AND w.id_sale IS NOT NULL
                        AND w.stg_id NOT IN (SELECT stg_id FROM superseded)
                        AND (coalesce(w.read_at, '-infinity'), w.run_id COLLATE "C", w.blob_path COLLATE "C", w.line_no)
                            >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
                        AND (c.id_member, c.id_prospect, c.id_branch, c.id_employee_sale, c.sale_date, c.removed,
                            c.removal_date, c.items, c.items_count, c.total_value, c.receivables_count, c.receivables_total)
                            IS DISTINCT FROM
                            (w.id_member, w.id_prospect, w.id_branch, w.id_employee_sale, w.sale_date, w.removed,
                            w.removal_date, w.items, w.items_count, w.total_value, w.receivables_count, w.receivables_total))
      AND EXISTS (SELECT 1 FROM stored)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT s.scope FROM stored s))
           AND c.id_sale = ANY (ARRAY(SELECT DISTINCT s.id_sale FROM stored s ORDER BY 1)))
    RETURNING 1
),
-- The parent versions children follow: newest of the batch, and not older than core's (stored noted
-- which stored versions are newer, in the probe it makes anyway); key_stored: core holds the key;
-- _listed: the version carries the child array (a record without it, or with null, says nothing of
-- its children). Both looked up in stored by staging id, hashed (a join could sort the batch).
accepted AS (
    SELECT l.stg_id, l.scope, l.id_sale, l.run_id, l.blob_path, l.line_no, l.read_at,
           l.stg_id IN (SELECT stg_id FROM stored) AS key_stored, jsonb_typeof(l.items) = 'array' AS evo_sale_items_listed
    FROM fields l
    WHERE l.id_sale IS NOT NULL
      AND l.stg_id NOT IN (SELECT stg_id FROM superseded)
      AND l.stg_id NOT IN (SELECT stg_id FROM stored WHERE newer)
),
-- In the statement's snapshot: whether core.evo_sale_items was empty when the statement began;
-- empty_at_start: it was when the batch began (TransformRunner sets skyfit.empty_at_start before
-- its first slice; unset, as when run by hand: not).
evo_sale_items_target AS (
    SELECT NOT EXISTS (SELECT 1 FROM core.evo_sale_items) AS empty,
           coalesce('core.evo_sale_items' = ANY (string_to_array(current_setting('skyfit.empty_at_start', true), ',')), false)
               AS empty_at_start
),
-- Elements that are new for certain: the child table was empty when the statement began, or when the
-- batch began and the parent key is not stored (the earlier slices wrote each child row with its
-- parent). Inserted plainly (no conflict check); the upsert takes the rest.
evo_sale_items_inserted AS (
    INSERT INTO core.evo_sale_items (scope, id_sale, id_sale_item, description, quantity, item_value,
        sale_value, discount, id_membership, id_product, id_service, is_deleted, _stg_id, _source_blob,
        _source_line, _run_id, _read_at, _updated_at)
    SELECT DISTINCT ON (x.stg_id, x.id_sale_item) x.scope, x.id_sale, x.id_sale_item, x.description,
        x.quantity, x.item_value, x.sale_value, x.discount, x.id_membership, x.id_product, x.id_service,
        false, x.stg_id, x.blob_path, x.line_no, x.run_id, x.read_at, now()
    FROM evo_sale_items_elements x
    WHERE (SELECT empty OR empty_at_start FROM evo_sale_items_target)
      AND x.stg_id IN (SELECT a.stg_id FROM accepted a
                       WHERE (SELECT empty FROM evo_sale_items_target) OR ((SELECT empty_at_start FROM evo_sale_items_target) AND NOT a.key_stored))
      AND x.id_sale_item IS NOT NULL
    ORDER BY x.stg_id, x.id_sale_item, x.element_position DESC
    RETURNING 1
),
-- A repeated element key keeps its last element. A child row names the parent version that last
-- confirmed it: it is rewritten when it changed or that version is another (or a reloaded) row.
evo_sale_items_upserted AS (
    INSERT INTO core.evo_sale_items AS c (scope, id_sale, id_sale_item, description, quantity, item_value,
        sale_value, discount, id_membership, id_product, id_service, is_deleted, _stg_id, _source_blob,
        _source_line, _run_id, _read_at, _updated_at)
    SELECT DISTINCT ON (x.stg_id, x.id_sale_item) x.scope, x.id_sale, x.id_sale_item, x.description,
        x.quantity, x.item_value, x.sale_value, x.discount, x.id_membership, x.id_product, x.id_service,
        false, x.stg_id, x.blob_path, x.line_no, x.run_id, x.read_at, now()
    FROM evo_sale_items_elements x
    WHERE NOT (SELECT empty FROM evo_sale_items_target)
      AND x.stg_id IN (SELECT a.stg_id FROM accepted a
                       WHERE NOT ((SELECT empty FROM evo_sale_items_target) OR ((SELECT empty_at_start FROM evo_sale_items_target) AND NOT a.key_stored)))
      AND x.id_sale_item IS NOT NULL
    ORDER BY x.stg_id, x.id_sale_item, x.element_position DESC
    ON CONFLICT (scope, id_sale, id_sale_item) DO UPDATE
    SET description = excluded.description, quantity = excluded.quantity, item_value = excluded.item_value,
        sale_value = excluded.sale_value, discount = excluded.discount,
        id_membership = excluded.id_membership, id_product = excluded.id_product,
        id_service = excluded.id_service, is_deleted = excluded.is_deleted, _stg_id = excluded._stg_id,
        _source_blob = excluded._source_blob, _source_line = excluded._source_line,
        _run_id = excluded._run_id, _read_at = excluded._read_at, _updated_at = excluded._updated_at
    WHERE ((c.description, c.quantity, c.item_value, c.sale_value, c.discount, c.id_membership, c.id_product,
         c.id_service, c.is_deleted)
           IS DISTINCT FROM (excluded.description, excluded.quantity, excluded.item_value, excluded.sale_value, excluded.discount,
         excluded.id_membership, excluded.id_product, excluded.id_service, excluded.is_deleted)
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
evo_sale_items_removed AS (
    UPDATE core.evo_sale_items c
    SET is_deleted = true, _stg_id = a.stg_id, _source_blob = a.blob_path, _source_line = a.line_no,
        _run_id = a.run_id, _read_at = a.read_at, _updated_at = now()
    FROM accepted a
    WHERE c.scope = a.scope AND c.id_sale = a.id_sale AND a.evo_sale_items_listed
      AND (NOT c.is_deleted
           OR (c._stg_id, c._source_blob, c._source_line, c._run_id)
              IS DISTINCT FROM (a.stg_id, a.blob_path, a.line_no, a.run_id))
      AND (coalesce(a.read_at, '-infinity'), a.run_id COLLATE "C", a.blob_path COLLATE "C", a.line_no)
              >= (coalesce(c._read_at, '-infinity'), c._run_id COLLATE "C", c._source_blob COLLATE "C", c._source_line)
      AND NOT EXISTS (SELECT 1 FROM evo_sale_items_elements x WHERE x.stg_id = a.stg_id AND x.id_sale_item = c.id_sale_item)
      AND NOT (SELECT empty FROM evo_sale_items_target)
      AND (c.scope = ANY (ARRAY(SELECT DISTINCT k.scope FROM accepted k WHERE k.evo_sale_items_listed AND (k.key_stored OR NOT (SELECT empty_at_start FROM evo_sale_items_target))))
           AND c.id_sale = ANY (ARRAY(SELECT DISTINCT k.id_sale FROM accepted k WHERE k.evo_sale_items_listed AND (k.key_stored OR NOT (SELECT empty_at_start FROM evo_sale_items_target)) ORDER BY 1)))
      AND (NOT (SELECT empty_at_start FROM evo_sale_items_target) OR EXISTS (SELECT 1 FROM stored))
    RETURNING 1
),
candidates AS (
    SELECT l.run_id, count(*) AS n
    FROM fields l
    WHERE l.id_sale IS NOT NULL
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
