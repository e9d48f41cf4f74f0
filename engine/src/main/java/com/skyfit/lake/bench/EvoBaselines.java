package com.skyfit.lake.bench;

import java.util.Map;

/**
 * The hand-written baselines of the EVO core transforms the benchmark compares: entries (the largest table, keyed
 * by a hash of its identifying fields) and sales with their items. Each is what a data engineer would write by
 * hand for a first load: plain casts, no dedupe, no checks. The entry key is the project's own key function, the one
 * the transform calls (ops.evo_entry_key_of), over the fields as sent with a plain cast of the date, where the
 * transform passes the values it has normalised for its columns: the same keys (the simulator's fields come
 * normalised; with raw fields spelled otherwise the keys would differ, so this is a benchmark, not a pattern) in the
 * same index order; the date is parsed once, for the key and the column, as the transform parses it; each row's
 * read time (_read_at) comes from its part's ledger row, as the transform's does. A sale can be staged twice (read
 * by its sale date and again by its removal date): the sales baselines keep its newest version, as the transform does.
 */
public final class EvoBaselines {
    private EvoBaselines() {}

    public static final CoreBaseline ENTRIES = new CoreBaseline("evo_entries", """
            INSERT INTO bench.evo_entries_baseline (scope, entry_key, entry_date, id_member, id_prospect, id_branch,
                   entry_type, device, block_reason, released_by, _stg_id, _source_blob, _source_line, _run_id,
                   _read_at)
            SELECT s.scope,
                   ops.evo_entry_key_of(s.raw ->> 'idBranch', s.raw ->> 'date', s.entry_date, s.raw ->> 'idMember',
                                        s.raw ->> 'idProspect', s.raw ->> 'entryType', s.raw ->> 'device'),
                   s.entry_date, (s.raw ->> 'idMember')::bigint, (s.raw ->> 'idProspect')::bigint,
                   (s.raw ->> 'idBranch')::bigint, s.raw ->> 'entryType', s.raw ->> 'device', s.raw ->> 'blockReason',
                   s.raw ->> 'releasedBy', s.stg_id, s.blob_path, s.line_no, s.run_id, s.written_at
            -- the date parsed once, for the key and the column (OFFSET 0 keeps the cast from being inlined twice)
            FROM (SELECT s.*, (s.raw ->> 'date')::timestamp AS entry_date, f.written_at
                  FROM stg_evo.entries_raw s LEFT JOIN ops.bronze_files f ON f.blob_path = s.blob_path
                  WHERE s.validation_status <> 'invalid' OFFSET 0) s
            """);

    public static final CoreBaseline SALES = new CoreBaseline("evo_sales", """
            INSERT INTO bench.evo_sales_baseline (scope, id_sale, id_member, id_prospect, id_branch, id_employee_sale,
                   sale_date, removed, removal_date, total_value, items_count, receivables_count, receivables_total,
                   items, _stg_id, _source_blob, _source_line, _run_id, _read_at)
            SELECT s.scope, (s.raw ->> 'idSale')::bigint, (s.raw ->> 'idMember')::bigint,
                   (s.raw ->> 'idProspect')::bigint, (s.raw ->> 'idBranch')::bigint,
                   (s.raw ->> 'idEmployeeSale')::bigint, (s.raw ->> 'saleDate')::timestamp,
                   coalesce((s.raw ->> 'removed')::boolean, false), (s.raw ->> 'removalDate')::timestamp,
                   (SELECT sum((i ->> 'saleValue')::numeric) FROM jsonb_array_elements(s.raw -> 'saleItens') i),
                   jsonb_array_length(s.raw -> 'saleItens'), jsonb_array_length(s.raw -> 'receivables'),
                   (SELECT sum((r ->> 'ammount')::numeric) FROM jsonb_array_elements(s.raw -> 'receivables') r),
                   s.raw -> 'saleItens', s.stg_id, s.blob_path, s.line_no, s.run_id, s.written_at
            FROM (SELECT DISTINCT ON (s.scope, (s.raw ->> 'idSale')::bigint) s.*, f.written_at
                  FROM stg_evo.sales_raw s LEFT JOIN ops.bronze_files f ON f.blob_path = s.blob_path
                  WHERE s.validation_status <> 'invalid'
                  ORDER BY s.scope, (s.raw ->> 'idSale')::bigint, f.written_at DESC NULLS LAST, s.run_id DESC,
                           s.blob_path DESC, s.line_no DESC) s
            """, Map.of("evo_sale_items", """
            INSERT INTO bench.evo_sale_items_baseline (scope, id_sale, id_sale_item, description, quantity, item_value,
                   sale_value, discount, id_membership, id_product, id_service, _stg_id, _source_blob, _source_line,
                   _run_id, _read_at)
            SELECT s.scope, (s.raw ->> 'idSale')::bigint, (i ->> 'idSaleItem')::bigint, i ->> 'description',
                   (i ->> 'quantity')::numeric, (i ->> 'itemValue')::numeric, (i ->> 'saleValue')::numeric,
                   (i ->> 'discount')::numeric, (i ->> 'idMembership')::bigint, (i ->> 'idProduct')::bigint,
                   (i ->> 'idService')::bigint, s.stg_id, s.blob_path, s.line_no, s.run_id, s.written_at
            FROM (SELECT DISTINCT ON (s.scope, (s.raw ->> 'idSale')::bigint) s.*, f.written_at
                  FROM stg_evo.sales_raw s LEFT JOIN ops.bronze_files f ON f.blob_path = s.blob_path
                  WHERE s.validation_status <> 'invalid'
                  ORDER BY s.scope, (s.raw ->> 'idSale')::bigint, f.written_at DESC NULLS LAST, s.run_id DESC,
                           s.blob_path DESC, s.line_no DESC) s
                 CROSS JOIN LATERAL jsonb_array_elements(s.raw -> 'saleItens') i
            """));

    /** By core table name, as {@link PipelineBenchmark} takes them. */
    public static Map<String, CoreBaseline> all() {
        return Map.of(ENTRIES.table(), ENTRIES, SALES.table(), SALES);
    }
}
