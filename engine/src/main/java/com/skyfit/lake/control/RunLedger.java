package com.skyfit.lake.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run ledger (ops.runs) and the date windows of each run (ops.windows). Every run and window has
 * a row that says what happened, how many rows, how long, who triggered it and why it failed
 * (invariant 7). Window bounds use -infinity / infinity for "from the beginning" / "until now".
 */
public final class RunLedger {
    private final Database db;

    public RunLedger(Database db) {
        this.db = db;
    }

    /** A run as the ledger holds it. */
    public record Run(String runId, String batchId, String source, String scope, String entity, String status,
            String loadType, String triggeredBy, Instant startedAt, Instant watermarkStart, LocalDate backfillFrom,
            LocalDate backfillTo, long rowsExtracted, String errorMessage) {}

    /** A window of a run. start/end are null for open bounds; cursorValue is the export cursor after it, if any. */
    public record Window(String runId, int index, Instant start, Instant end, String status, int attempts,
            long records, Instant maxCursor, String cursorValue) {}

    public void openRun(String runId, String batchId, String source, String scope, String entity, String loadType,
            String triggeredBy, Instant watermarkStart, LocalDate backfillFrom, LocalDate backfillTo) {
        db.execute("""
                INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, load_type, triggered_by,
                                      watermark_start, backfill_from, backfill_to)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", ps -> {
            ps.setString(1, runId);
            ps.setString(2, batchId);
            ps.setString(3, source);
            ps.setString(4, scope);
            ps.setString(5, entity);
            ps.setString(6, loadType);
            ps.setString(7, triggeredBy);
            setInstant(ps, 8, watermarkStart);
            ps.setObject(9, backfillFrom);
            ps.setObject(10, backfillTo);
        });
    }

    /**
     * Marks runs of this source / scope / entity that are still 'running' after {@code staleAfter} as failed:
     * their process ended before completing (a killed command, a lost host). Their watermark never moved.
     */
    public int abandonStale(String source, String scope, String entity, java.time.Duration staleAfter) {
        return db.execute("""
                UPDATE ops.runs SET status = 'failed', completed_at = now(),
                       duration_seconds = extract(epoch FROM now() - started_at),
                       error_message = 'abandoned: still running after ' || ? || ' minutes; the process ended before completing'
                WHERE source = ? AND scope = ? AND entity = ? AND status = 'running'
                  AND started_at <= now() - make_interval(mins => ?)""", ps -> {
            ps.setLong(1, staleAfter.toMinutes());
            ps.setString(2, source);
            ps.setString(3, scope);
            ps.setString(4, entity);
            ps.setInt(5, (int) staleAfter.toMinutes());
        });
    }

    /** Re-attaches an unfinished run to a new batch (a resumed backfill) and marks it running again. */
    public void resumeRun(String runId, String batchId, String triggeredBy) {
        db.execute("""
                UPDATE ops.runs SET batch_id = ?, status = 'running', triggered_by = ?, error_message = NULL,
                       error_detail = NULL, completed_at = NULL
                WHERE run_id = ?""", ps -> {
            ps.setString(1, batchId);
            ps.setString(2, triggeredBy);
            ps.setString(3, runId);
        });
    }

    /** The newest backfill run over the same range that did not succeed, if any: it is resumed, not redone. */
    public Optional<String> unfinishedBackfill(String source, String scope, String entity, LocalDate from, LocalDate to) {
        return db.queryFirst("""
                SELECT run_id FROM ops.runs
                WHERE source = ? AND scope = ? AND entity = ? AND load_type = 'backfill'
                  AND backfill_from = ? AND backfill_to = ? AND status <> 'success'
                ORDER BY started_at DESC LIMIT 1""", ps -> {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            ps.setObject(4, from);
            ps.setObject(5, to);
        }, rs -> rs.getString(1));
    }

    public void addWindow(String runId, int index, Instant start, Instant end) {
        db.execute("""
                INSERT INTO ops.windows (run_id, window_index, window_start, window_end)
                VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""", ps -> {
            ps.setString(1, runId);
            ps.setInt(2, index);
            ps.setTimestamp(3, start == null ? null : Timestamp.from(start));
            ps.setTimestamp(4, end == null ? null : Timestamp.from(end));
            if (start == null) {
                ps.setObject(3, "-infinity", Types.OTHER);
            }
            if (end == null) {
                ps.setObject(4, "infinity", Types.OTHER);
            }
        });
    }

    public List<Window> windows(String runId) {
        return db.query("""
                SELECT run_id, window_index,
                       CASE WHEN isfinite(window_start) THEN window_start END,
                       CASE WHEN isfinite(window_end) THEN window_end END,
                       status, attempts, records, max_cursor, cursor_value
                FROM ops.windows WHERE run_id = ? ORDER BY window_index""", ps -> ps.setString(1, runId),
                rs -> new Window(rs.getString(1), rs.getInt(2), instant(rs, 3), instant(rs, 4), rs.getString(5),
                        rs.getInt(6), rs.getLong(7), instant(rs, 8), rs.getString(9)));
    }

    public void windowStarted(String runId, Instant start, Instant end) {
        updateWindow("status = 'running', attempts = attempts + 1, started_at = now(), error_message = NULL",
                runId, start, end, ps -> {});
    }

    public void windowExtracted(String runId, Instant start, Instant end, long records, int files, Instant maxCursor) {
        windowExtracted(runId, start, end, records, files, maxCursor, null);
    }

    /** As above, with the export cursor that continues after the window (a candidate until the run succeeds). */
    public void windowExtracted(String runId, Instant start, Instant end, long records, int files, Instant maxCursor,
            String cursorValue) {
        updateWindow("status = 'extracted', completed_at = now(), records = ?, bronze_files = ?, max_cursor = ?, "
                + "cursor_value = ?", runId, start, end, ps -> {
                    ps.setLong(1, records);
                    ps.setInt(2, files);
                    setInstant(ps, 3, maxCursor);
                    ps.setString(4, cursorValue);
                });
        db.execute("""
                UPDATE ops.runs r SET rows_extracted = w.records, bronze_files = w.files
                FROM (SELECT sum(records) AS records, sum(bronze_files) AS files FROM ops.windows WHERE run_id = ?) w
                WHERE r.run_id = ?""", ps -> {
            ps.setString(1, runId);
            ps.setString(2, runId);
        });
    }

    public void windowFailed(String runId, Instant start, Instant end, String message) {
        updateWindow("status = 'failed', completed_at = now(), error_message = ?", runId, start, end,
                ps -> ps.setString(1, message));
    }

    private void updateWindow(String set, String runId, Instant start, Instant end, Database.Binder extra) {
        int offset = set.chars().filter(ch -> ch == '?').map(x -> 1).sum();
        db.execute("UPDATE ops.windows SET " + set + " WHERE run_id = ? AND window_start = "
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

    private static String bound(Instant value, String open) {
        return value == null ? "'" + open + "'::timestamptz" : "?";
    }

    public List<Run> runsOfBatch(String batchId) {
        return db.query(RUN_COLUMNS + " WHERE batch_id = ? ORDER BY source, scope, entity", ps -> ps.setString(1, batchId),
                RunLedger::run);
    }

    public Optional<Run> run(String runId) {
        return db.queryFirst(RUN_COLUMNS + " WHERE run_id = ?", ps -> ps.setString(1, runId), RunLedger::run);
    }

    public void addTransformCounts(String runId, long inserted, long updated, long unchanged, long deleted) {
        db.execute("""
                UPDATE ops.runs SET rows_inserted = rows_inserted + ?, rows_updated = rows_updated + ?,
                       rows_unchanged = rows_unchanged + ?, rows_deleted = rows_deleted + ?
                WHERE run_id = ?""", ps -> {
            ps.setLong(1, inserted);
            ps.setLong(2, updated);
            ps.setLong(3, unchanged);
            ps.setLong(4, deleted);
            ps.setString(5, runId);
        });
    }

    /** Marks a run successful; staged rows are counted from the file ledger. */
    public void complete(Connection c, String runId, Instant watermarkEnd) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.runs SET status = 'success', completed_at = now(), watermark_end = ?,
                       rows_staged = coalesce((SELECT sum(staging_rows) FROM ops.bronze_files f WHERE f.run_id = ?), 0),
                       duration_seconds = extract(epoch FROM now() - started_at),
                       error_message = NULL, error_detail = NULL
                WHERE run_id = ?""")) {
            setInstant(ps, 1, watermarkEnd);
            ps.setString(2, runId);
            ps.setString(3, runId);
            ps.executeUpdate();
        }
    }

    public void fail(String runId, String message, String detail) {
        db.execute("""
                UPDATE ops.runs SET status = 'failed', completed_at = now(), error_message = ?, error_detail = ?,
                       rows_staged = coalesce((SELECT sum(staging_rows) FROM ops.bronze_files f WHERE f.run_id = ?), 0),
                       duration_seconds = extract(epoch FROM now() - started_at)
                WHERE run_id = ? AND status <> 'success'""", ps -> {
            ps.setString(1, truncate(message, 2000));
            ps.setString(2, truncate(detail, 20000));
            ps.setString(3, runId);
            ps.setString(4, runId);
        });
    }

    private static final String RUN_COLUMNS = """
            SELECT run_id, batch_id, source, scope, entity, status, load_type, triggered_by, started_at,
                   watermark_start, backfill_from, backfill_to, rows_extracted, error_message
            FROM ops.runs""";

    private static Run run(ResultSet rs) throws SQLException {
        return new Run(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), instant(rs, 9), instant(rs, 10),
                rs.getObject(11, LocalDate.class), rs.getObject(12, LocalDate.class), rs.getLong(13), rs.getString(14));
    }

    static Instant instant(ResultSet rs, int col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    static void setInstant(PreparedStatement ps, int i, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setTimestamp(i, Timestamp.from(value));
        }
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
