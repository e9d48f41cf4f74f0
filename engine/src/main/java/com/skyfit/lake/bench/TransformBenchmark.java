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
 * Measures the evo_sales core transform (the sales and their evo_sale_items) against the simplest thing that could
 * do its job: hand-written INSERT .. SELECTs of the same columns with plain casts into tables of the same shape
 * ({@link EvoBaselines#SALES}), no dedupe, no warnings, no change detection. Both read whatever
 * stg_evo.sales_raw holds.
 */
public final class TransformBenchmark {

    /**
     * rows: staging rows measured; (c) the transform, (d) the baseline; transformRatio = (c rows/s) / (d rows/s),
     * so 1.0 means the transform keeps the baseline's pace.
     */
    public record Result(long rows, double transformSeconds, double transformRowsPerSecond, double baselineSeconds,
            double baselineRowsPerSecond, double transformRatio, TransformResult transform) {}

    public Result run(Database db) {
        try {
            long rows = stagedRows(db);
            double baselineSeconds = baseline(db, rows);
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

    /** The sales and their items, as the transform writes them, by {@link EvoBaselines#SALES}. */
    private static double baseline(Database db, long rows) throws SQLException {
        EvoBaselines.SALES.prepare(db);
        long started = System.nanoTime();
        EvoBaselines.SALES.run(db, rows);
        return (System.nanoTime() - started) / 1e9;
    }
}
