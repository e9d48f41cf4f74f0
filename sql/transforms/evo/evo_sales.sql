-- core.evo_sales from stg_evo.sales_raw: one row per (scope, id_sale), the version ingested last.
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/evo/evo_sales.sql
--   COMMIT;
-- Returns one row per run of the winning staging rows:
--   run_id, candidates, inserted, updated, unchanged, deleted (removed sales written), warned (rows flagged).
--
-- fields     every staging row in range once (invalid rows excluded): each field as text, then typed by
--            the safe ops.try_* casts; a value that does not cast becomes NULL.
-- problems   rows with a present value that did not cast; flagged updates them in staging to 'warning'
--            with the field and value in error_message ('invalid' when idSale itself is unusable, since no
--            core row can hold it). The core row is still written, with that field NULL.
-- repeated   keys that occur more than once in this batch with their newest stg_id: a sale has no update
--            time, so the row ingested last wins. Usually few, so each "is it the newest" test is a probe
--            into a small hash table.
-- inserted   new keys, plain INSERT; updated: stored keys, only when a column changed and the incoming row is
--            not older than the stored one, so an unchanged row costs no write (see the note at inserted on
--            why this table does not use INSERT .. ON CONFLICT).
WITH fields AS MATERIALIZED (
    SELECT t.stg_ctid, t.stg_id, t.scope, t.blob_path, t.line_no, t.run_id,
           t.id_sale_text, t.id_member_text, t.id_prospect_text, t.id_branch_text, t.id_employee_sale_text,
           t.sale_date_text, t.removed_text, t.removal_date_text,
           ops.try_bigint(t.id_sale_text) AS id_sale,
           ops.try_bigint(t.id_member_text) AS id_member,
           ops.try_bigint(t.id_prospect_text) AS id_prospect,
           ops.try_bigint(t.id_branch_text) AS id_branch,
           ops.try_bigint(t.id_employee_sale_text) AS id_employee_sale,
           ops.try_timestamp(t.sale_date_text) AS sale_date,
           ops.try_boolean(t.removed_text) AS removed,
           ops.try_timestamp(t.removal_date_text) AS removal_date,
           t.items,
           jsonb_typeof(t.items) AS items_type,
           jsonb_typeof(t.receivables) AS receivables_type,
           CASE jsonb_typeof(t.items) WHEN 'array' THEN jsonb_array_length(t.items) END AS items_count,
           CASE jsonb_typeof(t.receivables) WHEN 'array' THEN jsonb_array_length(t.receivables) END AS receivables_count,
           -- NaN when any value is not a number (see ops.json_numeric_or_nan): one pass over the items, no re-check
           (SELECT sum(ops.json_numeric_or_nan(i -> 'saleValue'))
            FROM jsonb_array_elements(CASE jsonb_typeof(t.items) WHEN 'array' THEN t.items END) i) AS items_sum,
           (SELECT sum(ops.json_numeric_or_nan(r -> 'ammount'))
            FROM jsonb_array_elements(CASE jsonb_typeof(t.receivables) WHEN 'array' THEN t.receivables END) r)
               AS receivables_sum
    FROM (
        SELECT s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,
               nullif(s.raw ->> 'idSale', '') AS id_sale_text,
               nullif(s.raw ->> 'idMember', '') AS id_member_text,
               nullif(s.raw ->> 'idProspect', '') AS id_prospect_text,
               nullif(s.raw ->> 'idBranch', '') AS id_branch_text,
               nullif(s.raw ->> 'idEmployeeSale', '') AS id_employee_sale_text,
               nullif(s.raw ->> 'saleDate', '') AS sale_date_text,
               nullif(s.raw ->> 'removed', '') AS removed_text,
               nullif(s.raw ->> 'removalDate', '') AS removal_date_text,
               s.raw -> 'saleItens' AS items,
               s.raw -> 'receivables' AS receivables
        FROM stg_evo.sales_raw s
        WHERE s.stg_id > current_setting('skyfit.from_stg_id')::bigint
          AND s.stg_id <= current_setting('skyfit.to_stg_id')::bigint
          AND s.validation_status <> 'invalid'
        -- OFFSET 0 keeps each extracted value a column, taken from raw once: without it PostgreSQL would
        -- repeat every ->> inside each inlined cast and copy the item arrays out of raw once per use.
        OFFSET 0
    ) t
),
problems AS (
    SELECT f.stg_ctid, f.id_sale IS NULL AS unusable,
           concat_ws('; ',
               CASE WHEN f.id_sale IS NULL THEN 'idSale missing or not an integer: ' || coalesce(f.id_sale_text, 'null') END,
               CASE WHEN f.id_member IS NULL AND f.id_member_text IS NOT NULL THEN 'idMember not an integer: ' || f.id_member_text END,
               CASE WHEN f.id_prospect IS NULL AND f.id_prospect_text IS NOT NULL THEN 'idProspect not an integer: ' || f.id_prospect_text END,
               CASE WHEN f.id_branch IS NULL AND f.id_branch_text IS NOT NULL THEN 'idBranch not an integer: ' || f.id_branch_text END,
               CASE WHEN f.id_employee_sale IS NULL AND f.id_employee_sale_text IS NOT NULL THEN 'idEmployeeSale not an integer: ' || f.id_employee_sale_text END,
               CASE WHEN f.sale_date IS NULL AND f.sale_date_text IS NOT NULL THEN 'saleDate not a date-time: ' || f.sale_date_text END,
               CASE WHEN f.removed IS NULL AND f.removed_text IS NOT NULL THEN 'removed not a boolean: ' || f.removed_text END,
               CASE WHEN f.removal_date IS NULL AND f.removal_date_text IS NOT NULL THEN 'removalDate not a date-time: ' || f.removal_date_text END,
               CASE WHEN f.items_type NOT IN ('array', 'null') THEN 'saleItens not an array' END,
               CASE WHEN f.items_sum = 'NaN' THEN 'saleItens[].saleValue not a number: '
                   || (SELECT string_agg(i ->> 'saleValue', ', ') FROM jsonb_array_elements(f.items) i
                       WHERE ops.json_numeric_or_nan(i -> 'saleValue') = 'NaN') END,
               CASE WHEN f.receivables_type NOT IN ('array', 'null') THEN 'receivables not an array' END,
               CASE WHEN f.receivables_sum = 'NaN' THEN 'receivables[].ammount not a number' END
           ) AS message
    FROM fields f
    -- every present text must have become a typed value; NaN sums mark an item that was no number
    WHERE num_nonnulls(f.id_sale_text, f.id_member_text, f.id_prospect_text, f.id_branch_text, f.id_employee_sale_text,
                       f.sale_date_text, f.removed_text, f.removal_date_text)
          <> num_nonnulls(f.id_sale, f.id_member, f.id_prospect, f.id_branch, f.id_employee_sale,
                          f.sale_date, f.removed, f.removal_date)
       OR f.id_sale IS NULL
       OR f.items_sum = 'NaN' OR f.receivables_sum = 'NaN'
       OR f.items_type NOT IN ('array', 'null') OR f.receivables_type NOT IN ('array', 'null')
),
flagged AS (
    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan that
    -- fetches just the flagged rows, where a plain join could scan the whole staging table.
    UPDATE stg_evo.sales_raw s
    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
        error_message = p.message
    FROM problems p
    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
      AND s.ctid = p.stg_ctid
    RETURNING s.run_id
),
-- Keys that occur more than once in this batch (overlapping windows, re-scans), with their newest row.
-- Usually few, so "is this row the newest of its key" below is a probe into a small hash table.
repeated AS (
    SELECT f.scope, f.id_sale, max(f.stg_id) AS newest_stg_id
    FROM fields f
    WHERE f.id_sale IS NOT NULL
    GROUP BY f.scope, f.id_sale
    HAVING count(*) > 1
),
-- New keys are inserted; stored keys are updated only when a column changed and the incoming row is not
-- older. Two statements instead of INSERT .. ON CONFLICT because this table takes millions of rows and
-- speculative insertion costs about 15% more per row than a plain insert; TransformRunner runs one
-- transform per table at a time (it locks the table's ops.transform_state row), so no key can appear
-- between the check and the insert.
inserted AS (
    INSERT INTO core.evo_sales (scope, id_sale, id_member, id_prospect, id_branch, id_employee_sale, sale_date,
                                removed, removal_date, total_value, items_count, receivables_count,
                                receivables_total, items, _stg_id, _source_blob, _source_line, _run_id, _updated_at)
    SELECT l.scope, l.id_sale, l.id_member, l.id_prospect, l.id_branch, l.id_employee_sale, l.sale_date,
           coalesce(l.removed, false), l.removal_date, nullif(l.items_sum, 'NaN'), l.items_count, l.receivables_count,
           nullif(l.receivables_sum, 'NaN'), l.items, l.stg_id, l.blob_path, l.line_no, l.run_id, now()
    FROM fields l
    WHERE l.id_sale IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM repeated r
                      WHERE r.scope = l.scope AND r.id_sale = l.id_sale AND r.newest_stg_id > l.stg_id)
      AND NOT EXISTS (SELECT 1 FROM core.evo_sales c WHERE c.scope = l.scope AND c.id_sale = l.id_sale)
    RETURNING _run_id AS run_id, removed
),
updated AS (
    UPDATE core.evo_sales c
    SET id_member = l.id_member, id_prospect = l.id_prospect, id_branch = l.id_branch,
        id_employee_sale = l.id_employee_sale, sale_date = l.sale_date, removed = coalesce(l.removed, false),
        removal_date = l.removal_date, total_value = nullif(l.items_sum, 'NaN'),
        items_count = l.items_count,
        receivables_count = l.receivables_count, receivables_total = nullif(l.receivables_sum, 'NaN'), items = l.items,
        _stg_id = l.stg_id, _source_blob = l.blob_path, _source_line = l.line_no, _run_id = l.run_id,
        _updated_at = now()
    FROM fields l
    WHERE c.scope = l.scope AND c.id_sale = l.id_sale
      AND NOT EXISTS (SELECT 1 FROM repeated r
                      WHERE r.scope = l.scope AND r.id_sale = l.id_sale AND r.newest_stg_id > l.stg_id)
      AND l.stg_id >= c._stg_id
      AND (c.id_member, c.id_prospect, c.id_branch, c.id_employee_sale, c.sale_date, c.removed, c.removal_date,
           c.total_value, c.items_count, c.receivables_count, c.receivables_total, c.items)
          IS DISTINCT FROM
          (l.id_member, l.id_prospect, l.id_branch, l.id_employee_sale, l.sale_date, coalesce(l.removed, false),
           l.removal_date, nullif(l.items_sum, 'NaN'), l.items_count, l.receivables_count, nullif(l.receivables_sum, 'NaN'), l.items)
    RETURNING c._run_id AS run_id, c.removed
),
candidates AS (
    SELECT l.run_id, count(*) AS n
    FROM fields l
    WHERE l.id_sale IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM repeated r
                      WHERE r.scope = l.scope AND r.id_sale = l.id_sale AND r.newest_stg_id > l.stg_id)
    GROUP BY l.run_id
),
written AS (
    SELECT run_id, count(*) FILTER (WHERE is_insert) AS inserted, count(*) FILTER (WHERE NOT is_insert) AS updated,
           count(*) FILTER (WHERE removed) AS deleted
    FROM (SELECT run_id, removed, true AS is_insert FROM inserted
          UNION ALL
          SELECT run_id, removed, false FROM updated) w
    GROUP BY run_id
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
