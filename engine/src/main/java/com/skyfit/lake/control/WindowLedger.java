package com.skyfit.lake.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The date windows of each run (ops.windows): what each window read, how many records, how often it was tried
 * and why it failed. Bounds use -infinity / infinity for "from the beginning" / "until now". Writes are retried
 * on transient PostgreSQL failures, as the run ledger's are.
 */
public final class WindowLedger {
    private final Database db;
    private final RunLedger runs;

    public WindowLedger(Database db, RunLedger runs) {
        this.db = db;
        this.runs = runs;
    }

    /** A window of a run. start/end are null for open bounds. */
    public record Window(String runId, int index, Instant start, Instant end, String status, int attempts,
            long records, Instant maxCursor) {}

    public void addWindow(Connection c, String runId, int index, Instant start, Instant end) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.windows (run_id, window_index, window_start, window_end)
                VALUES (?, ?, """ + bound(start, "-infinity") + ", " + bound(end, "infinity") + ") ON CONFLICT DO NOTHING")) {
            ps.setString(1, runId);
            ps.setInt(2, index);
            int i = 3;
            if (start != null) {
                ps.setTimestamp(i++, Timestamp.from(start));
            }
            if (end != null) {
                ps.setTimestamp(i, Timestamp.from(end));
            }
            ps.executeUpdate();
        }
    }

    public List<Window> windows(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WINDOW_COLUMNS)) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                List<Window> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(window(rs));
                }
                return out;
            }
        }
    }

    public List<Window> windows(String runId) {
        return runs.retrying("windows of run " + runId, () -> db.query(WINDOW_COLUMNS, ps -> ps.setString(1, runId),
                WindowLedger::window));
    }

    private static final String WINDOW_COLUMNS = """
            SELECT run_id, window_index,
                   CASE WHEN isfinite(window_start) THEN window_start END,
                   CASE WHEN isfinite(window_end) THEN window_end END,
                   status, attempts, records, max_cursor
            FROM ops.windows WHERE run_id = ? ORDER BY window_index""";

    private static Window window(ResultSet rs) throws SQLException {
        return new Window(rs.getString(1), rs.getInt(2), RunLedger.instant(rs, 3), RunLedger.instant(rs, 4), rs.getString(5),
                rs.getInt(6), rs.getLong(7), RunLedger.instant(rs, 8));
    }

    public void windowStarted(String runId, Instant start, Instant end) {
        updateWindow("status = 'running', attempts = attempts + 1, started_at = now(), error_message = NULL",
                runId, start, end, ps -> {});
    }

    public void windowExtracted(String runId, Instant start, Instant end, long records, int files, Instant maxCursor) {
        updateWindow("status = 'extracted', completed_at = now(), records = ?, bronze_files = ?, max_cursor = ?",
                runId, start, end, ps -> {
                    ps.setLong(1, records);
                    ps.setInt(2, files);
                    RunLedger.setInstant(ps, 3, maxCursor);
                });
        runs.write("window counts of run " + runId, """
                UPDATE ops.runs r SET rows_extracted = w.records, bronze_files = w.files
                FROM (SELECT sum(records) AS records, sum(bronze_files) AS files FROM ops.windows WHERE run_id = ?) w
                WHERE r.run_id = ?""", ps -> {
            ps.setString(1, runId);
            ps.setString(2, runId);
        });
    }

    public void windowFailed(String runId, Instant start, Instant end, String message) {
        windowFailed(runId, start, end, message, null);
    }

    /** As above, keeping the failure's stack trace (already free of secrets) for the run's error_detail. */
    public void windowFailed(String runId, Instant start, Instant end, String message, String detail) {
        updateWindow("status = 'failed', completed_at = now(), error_message = ?, error_detail = ?", runId, start, end,
                ps -> {
                    ps.setString(1, message);
                    ps.setString(2, RunLedger.truncate(detail, 20000));
                });
    }

    private void updateWindow(String set, String runId, Instant start, Instant end, Database.Binder extra) {
        int offset = set.chars().filter(ch -> ch == '?').map(x -> 1).sum();
        runs.write("window of run " + runId, "UPDATE ops.windows SET " + set + " WHERE run_id = ? AND window_start = "
                + bound(start, "-infinity") + " AND window_end = " + bound(end, "infinity"), ps -> {
            extra.bind(ps);
            ps.setString(offset + 1, runId);
            int i = offset + 2;
            if (start != null) {
                ps.setTimestamp(i++, Timestamp.from(start));
            }
            if (end != null) {
                ps.setTimestamp(i, Timestamp.from(end));
            }
        });
    }

    static String bound(Instant value, String open) {
        return value == null ? "'" + open + "'::timestamptz" : "?";
    }
}
