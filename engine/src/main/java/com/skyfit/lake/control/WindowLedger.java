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

    /** A window of a run. start/end are null for open bounds; cursorValue is the export cursor after it, if any. */
    public record Window(String runId, int index, Instant start, Instant end, String status, int attempts,
            long records, Instant maxCursor, String cursorValue) {
        public Window(String runId, int index, Instant start, Instant end, String status, int attempts, long records,
                Instant maxCursor) {
            this(runId, index, start, end, status, attempts, records, maxCursor, null);
        }
    }

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

    /**
     * Sets the extracted windows of a resumed run that own a part the loader failed for good back to pending: their
     * next extract reads the window whole again into new parts (the failed part stays on the ledger, failed), so
     * nothing that part held is lost to the run. Returns how many windows it reopened.
     */
    public int reopenWindowsWithFailedParts(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.windows w SET status = 'pending', error_message = 'a bronze part failed to load; read again'
                WHERE w.run_id = ? AND w.status = 'extracted'
                  AND EXISTS (SELECT 1 FROM ops.bronze_files f WHERE f.run_id = w.run_id AND f.status = 'failed'
                                AND """ + SAME_WINDOW + ")")) {
            ps.setString(1, runId);
            return ps.executeUpdate();
        }
    }

    /**
     * The failed windows of a run that a new batch resumes go back to pending, their failure kept in the message
     * only: what failed them (a refused key, an outage) belongs to the earlier batch, and the new batch reads them
     * again with its own settings.
     */
    public int reopenFailedWindows(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.windows SET status = 'pending', error_detail = NULL,
                       error_message = left('failed in an earlier batch, read again: ' || coalesce(error_message, ''), 2000)
                WHERE run_id = ? AND status = 'failed'""")) {
            ps.setString(1, runId);
            return ps.executeUpdate();
        }
    }

    /**
     * A bronze part (alias f) of the window (alias w): parts record open bounds as null, windows as +-infinity.
     */
    public static final String SAME_WINDOW =
            " f.window_start IS NOT DISTINCT FROM (CASE WHEN isfinite(w.window_start) THEN w.window_start END)"
            + " AND f.window_end IS NOT DISTINCT FROM (CASE WHEN isfinite(w.window_end) THEN w.window_end END) ";

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
                   status, attempts, records, max_cursor, cursor_value
            FROM ops.windows WHERE run_id = ? ORDER BY window_index""";

    private static Window window(ResultSet rs) throws SQLException {
        return new Window(rs.getString(1), rs.getInt(2), RunLedger.instant(rs, 3), RunLedger.instant(rs, 4), rs.getString(5),
                rs.getInt(6), rs.getLong(7), RunLedger.instant(rs, 8), rs.getString(9));
    }

    /*
     * Window writes are fenced: an extracted window is never written again, and only the batch that owns the run
     * writes its windows, so a stale duplicate of an extract (an at-least-once redelivery, or the activity of a batch
     * that lost its entity) cannot set a finished window back to running or failed.
     */

    public void windowStarted(String batchId, String runId, Instant start, Instant end) {
        updateWindow("status = 'running', attempts = w.attempts + 1, started_at = now(), error_message = NULL",
                batchId, runId, start, end, ps -> {});
    }

    public void windowExtracted(String batchId, String runId, Instant start, Instant end, long records, int files,
            Instant maxCursor) {
        windowExtracted(batchId, runId, start, end, records, files, maxCursor, null);
    }

    /** As above, with the export cursor that continues after the window (a candidate until the run succeeds). */
    public void windowExtracted(String batchId, String runId, Instant start, Instant end, long records, int files,
            Instant maxCursor, String cursorValue) {
        updateWindow("status = 'extracted', completed_at = now(), records = ?, bronze_files = ?, max_cursor = ?, "
                + "cursor_value = ?", batchId, runId, start, end, ps -> {
                    ps.setLong(1, records);
                    ps.setInt(2, files);
                    RunLedger.setInstant(ps, 3, maxCursor);
                    ps.setString(4, cursorValue);
                });
        runs.write("window counts of run " + runId, """
                UPDATE ops.runs r SET rows_extracted = w.records, bronze_files = w.files
                FROM (SELECT sum(records) AS records, sum(bronze_files) AS files FROM ops.windows WHERE run_id = ?) w
                WHERE r.run_id = ?""", ps -> {
            ps.setString(1, runId);
            ps.setString(2, runId);
        });
    }

    public void windowFailed(String batchId, String runId, Instant start, Instant end, String message) {
        windowFailed(batchId, runId, start, end, message, null);
    }

    /** As above, keeping the failure's stack trace (already free of secrets) for the run's error_detail. */
    public void windowFailed(String batchId, String runId, Instant start, Instant end, String message, String detail) {
        updateWindow("status = 'failed', completed_at = now(), error_message = ?, error_detail = ?", batchId, runId,
                start, end, ps -> {
                    ps.setString(1, message);
                    ps.setString(2, RunLedger.truncate(detail, 20000));
                });
    }

    private void updateWindow(String set, String batchId, String runId, Instant start, Instant end,
            Database.Binder extra) {
        int offset = set.chars().filter(ch -> ch == '?').map(x -> 1).sum();
        runs.write("window of run " + runId, "UPDATE ops.windows w SET " + set + " FROM ops.runs r"
                + " WHERE r.run_id = w.run_id AND r.batch_id = ? AND w.status <> 'extracted' AND w.run_id = ?"
                + " AND w.window_start = " + bound(start, "-infinity") + " AND w.window_end = " + bound(end, "infinity"),
                ps -> {
            extra.bind(ps);
            ps.setString(offset + 1, batchId);
            ps.setString(offset + 2, runId);
            int i = offset + 3;
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
