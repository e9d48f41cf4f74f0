package com.skyfit.lake.cli;

import com.skyfit.lake.control.Database;
import java.io.PrintStream;
import java.util.List;

/** The per scope / entity table a batch prints, read back from the run ledger. */
final class RunReport {
    record Row(String scope, String entity, String status, long extracted, long files, long staged, long inserted,
            long updated, long unchanged, long deleted, double seconds, String error) {}

    private RunReport() {}

    static List<Row> rows(Database db, String batchId) {
        return db.query("""
                SELECT scope, entity, status, rows_extracted, bronze_files, rows_staged, rows_inserted, rows_updated,
                       rows_unchanged, rows_deleted, coalesce(duration_seconds, 0), error_message
                FROM ops.runs WHERE batch_id = ? ORDER BY scope, entity""", ps -> ps.setString(1, batchId),
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getDouble(11),
                        rs.getString(12)));
    }

    static boolean print(Database db, String batchId, PrintStream out) {
        List<Row> rows = rows(db, batchId);
        out.printf("%-12s %-14s %-8s %10s %6s %10s %9s %9s %10s %8s %8s%n", "scope", "entity", "status", "extracted",
                "files", "staged", "inserted", "updated", "unchanged", "deleted", "seconds");
        boolean ok = true;
        for (Row r : rows) {
            out.printf("%-12s %-14s %-8s %10d %6d %10d %9d %9d %10d %8d %8.2f%n", r.scope(), r.entity(), r.status(),
                    r.extracted(), r.files(), r.staged(), r.inserted(), r.updated(), r.unchanged(), r.deleted(),
                    r.seconds());
            if (r.error() != null) {
                out.println("             error: " + r.error());
            }
            ok &= r.status().equals("success");
        }
        return ok;
    }
}
