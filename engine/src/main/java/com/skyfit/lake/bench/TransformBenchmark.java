package com.skyfit.lake.bench;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.core.TransformRunner;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Measures the evo_sales core transform against the simplest thing that could do its job: a hand-written
 * INSERT .. SELECT of the same columns with plain casts into a table of the same shape (same primary key), no
 * dedupe, no warnings, no change detection. Both read whatever stg_evo.sales_raw holds.
 */
public final class TransformBenchmark {

    /** The baseline: plain casts, the same item and receivable sums, into bench.sales_baseline. */
    static final String BASELINE_INSERT = """
            INSERT INTO bench.sales_baseline (scope, id_sale, id_member, id_prospect, id_branch, id_employee_sale,
                   sale_date, removed, removal_date, total_value, items_count, receivables_count, receivables_total,
                   items, _stg_id, _source_blob, _source_line, _run_id)
            SELECT s.scope, (s.raw ->> 'idSale')::bigint, (s.raw ->> 'idMember')::bigint,
                   (s.raw ->> 'idProspect')::bigint, (s.raw ->> 'idBranch')::bigint,
                   (s.raw ->> 'idEmployeeSale')::bigint, (s.raw ->> 'saleDate')::timestamp,
                   coalesce((s.raw ->> 'removed')::boolean, false), (s.raw ->> 'removalDate')::timestamp,
                   (SELECT sum((i ->> 'saleValue')::numeric) FROM jsonb_array_elements(s.raw -> 'saleItens') i),
                   jsonb_array_length(s.raw -> 'saleItens'), jsonb_array_length(s.raw -> 'receivables'),
                   (SELECT sum((r ->> 'ammount')::numeric) FROM jsonb_array_elements(s.raw -> 'receivables') r),
                   s.raw -> 'saleItens', s.stg_id, s.blob_path, s.line_no, s.run_id
            FROM stg_evo.sales_raw s
            WHERE s.validation_status <> 'invalid'
            """;

    /**
     * rows: staging rows measured; (c) the transform, (d) the baseline; transformRatio = (c rows/s) / (d rows/s),
     * so 1.0 means the transform keeps the baseline's pace.
     */
    public record Result(long rows, double transformSeconds, double transformRowsPerSecond, double baselineSeconds,
            double baselineRowsPerSecond, double transformRatio, TransformResult transform) {}

    public Result run(Database db) {
        try {
            long rows = stagedRows(db);
            double baselineSeconds = baseline(db);
            TransformResult transform = new TransformRunner(db).run(CoreTables.EVO_SALES, true);
            double transformRps = rows / transform.seconds();
            double baselineRps = rows / baselineSeconds;
            return new Result(rows, transform.seconds(), transformRps, baselineSeconds, baselineRps,
                    transformRps / baselineRps, transform);
        } catch (SQLException e) {
            throw new IllegalStateException("Transform benchmark failed: " + e.getMessage(), e);
        }
    }

    /** Counting also reads the table once, so neither measurement pays for a cold cache alone. */
    private static long stagedRows(Database db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM stg_evo.sales_raw WHERE validation_status <> 'invalid'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double baseline(Database db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("CREATE SCHEMA IF NOT EXISTS bench");
            st.execute("DROP TABLE IF EXISTS bench.sales_baseline");
            st.execute("CREATE TABLE bench.sales_baseline (LIKE core.evo_sales INCLUDING ALL)");
            c.commit();
            long started = System.nanoTime();
            st.execute(BASELINE_INSERT);
            c.commit();
            return (System.nanoTime() - started) / 1e9;
        }
    }
}
