package com.skyfit.lake.control;

import com.skyfit.lake.bronze.BronzePart;
import com.skyfit.lake.bronze.BronzePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bronze file ledger, ops.bronze_files: one row per part (invariant 7), and the only class with SQL
 * on that table. The writer records what it committed; the loader records what it loaded or why it
 * could not. Either may come first, because a part is visible (and its blob event fired) before the
 * writer records it: so every write fills what is missing and none erases what the other side wrote.
 *
 * <p>Statuses: 'written' (waiting for a load, also after a transient failure: the next batch picks it
 * up), 'loaded', 'failed' (permanent: corrupt, missing, too large), 'pruned' (loaded once, its staging rows
 * since dropped by staging retention; only an explicit load of every part brings it back). 'loaded' is never downgraded: a
 * part's rows and its 'loaded' commit together, so a later failure of a twin or a forced reload
 * changes nothing that is true.
 *
 * <p>Methods taking a {@link Connection} run inside the caller's transaction; the others use their own.
 */
public final class FileLedger {
    private static final int MAX_MESSAGE = 2000;

    /**
     * Fills what the loader could not know; never touches status, load counts or attempts. A row the
     * writer already recorded has all four writer columns, so a repeated record changes nothing.
     */
    private static final String RECORD_WRITTEN = """
            INSERT INTO ops.bronze_files AS f (blob_path, source, scope, entity, run_id, window_start, window_end,
                                               records, bytes, sha256, written_at, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), 'written')
            ON CONFLICT (blob_path) DO UPDATE SET
                run_id = coalesce(f.run_id, EXCLUDED.run_id),
                window_start = coalesce(f.window_start, EXCLUDED.window_start),
                window_end = coalesce(f.window_end, EXCLUDED.window_end),
                records = coalesce(f.records, EXCLUDED.records),
                bytes = coalesce(f.bytes, EXCLUDED.bytes),
                sha256 = coalesce(f.sha256, EXCLUDED.sha256),
                written_at = coalesce(f.written_at, EXCLUDED.written_at)
            WHERE f.records IS NULL OR f.bytes IS NULL OR f.sha256 IS NULL OR f.written_at IS NULL""";

    private static final String LOADED = """
            INSERT INTO ops.bronze_files AS f (blob_path, source, scope, entity, run_id, status, loaded_at,
                                               staging_rows, invalid_rows, attempts, error_message)
            VALUES (?, ?, ?, ?, ?, 'loaded', now(), ?, ?, 1, NULL)
            ON CONFLICT (blob_path) DO UPDATE SET status = 'loaded', loaded_at = now(),
                staging_rows = EXCLUDED.staging_rows, invalid_rows = EXCLUDED.invalid_rows,
                attempts = f.attempts + 1, error_message = NULL, pruned_at = NULL""";

    private static final String FAILED = """
            INSERT INTO ops.bronze_files AS f (blob_path, source, scope, entity, run_id, status, attempts, error_message)
            VALUES (?, ?, ?, ?, ?, 'failed', 1, ?)
            ON CONFLICT (blob_path) DO UPDATE SET status = 'failed', attempts = f.attempts + 1,
                error_message = EXCLUDED.error_message
            WHERE f.status <> 'loaded'""";

    private static final String RETRY_LATER = """
            INSERT INTO ops.bronze_files AS f (blob_path, source, scope, entity, run_id, status, attempts, error_message)
            VALUES (?, ?, ?, ?, ?, 'written', 1, ?)
            ON CONFLICT (blob_path) DO UPDATE SET status = 'written', attempts = f.attempts + 1,
                error_message = EXCLUDED.error_message
            WHERE f.status <> 'loaded'""";

    private static final String PARTS = "SELECT blob_path, records, bytes, sha256 FROM ops.bronze_files WHERE run_id = ?";

    private final Database database;
    private final PgRetry retry;

    public FileLedger(Database database) {
        this(database, new PgRetry(List.of()));
    }

    /** The writer's records and reads ({@link #recordWritten}, {@link #partsOf}) ride out transient failures. */
    public FileLedger(Database database, PgRetry retry) {
        this.database = database;
        this.retry = retry;
    }

    /**
     * Records a committed part, or fills the columns a row created first by the loader lacks (window,
     * counts, bytes, sha256). Returns false when the row already had all of them: a part is immutable,
     * so its first record is the true one.
     */
    public boolean recordWritten(BronzePath path, BronzePart part, Instant windowStart, Instant windowEnd)
            throws SQLException {
        return retry.call("recording bronze part " + path.path(), () -> {
            try (Connection c = database.connection()) {
                return recordWritten(c, path, part, windowStart, windowEnd);
            }
        });
    }

    public boolean recordWritten(Connection c, BronzePath path, BronzePart part, Instant windowStart,
            Instant windowEnd) throws SQLException {
        if (!path.path().equals(part.path())) {
            throw new IllegalArgumentException("part " + part.path() + " is not at " + path.path());
        }
        try (PreparedStatement st = c.prepareStatement(RECORD_WRITTEN)) {
            bindPart(st, path);
            setTimestamp(st, 6, windowStart);
            setTimestamp(st, 7, windowEnd);
            st.setLong(8, part.records());
            st.setLong(9, part.bytes());
            st.setString(10, part.sha256());
            return st.executeUpdate() == 1;
        }
    }

    /** Every part of a run, ordered by path (and so by part number within an entity). */
    public List<BronzePart> partsOf(String runId) throws SQLException {
        return retry.call("bronze parts of run " + runId, () -> parts(PARTS + " ORDER BY blob_path", runId, false, null,
                null));
    }

    /** The parts of one date window of a run, ordered by path. */
    public List<BronzePart> partsOfWindow(String runId, Instant windowStart, Instant windowEnd) throws SQLException {
        return parts(PARTS + " AND window_start IS NOT DISTINCT FROM ? AND window_end IS NOT DISTINCT FROM ?"
                + " ORDER BY blob_path", runId, true, windowStart, windowEnd);
    }

    /**
     * Parts waiting for a load ('written', including those a transient failure sent back), of the runs of
     * one batch, or of every run when batchId is null.
     */
    public List<String> unloaded(String batchId) {
        if (batchId == null) {
            return database.query("SELECT blob_path FROM ops.bronze_files WHERE status = 'written' ORDER BY blob_path",
                    ps -> {}, rs -> rs.getString(1));
        }
        return database.query("""
                SELECT f.blob_path FROM ops.bronze_files f JOIN ops.runs r USING (run_id)
                WHERE r.batch_id = ? AND f.status = 'written' ORDER BY f.blob_path""",
                ps -> ps.setString(1, batchId), rs -> rs.getString(1));
    }

    /** Every part of the runs of one batch, whatever its status (a forced reload of a batch). */
    public List<String> partsOfBatch(String batchId) {
        return database.query("""
                SELECT f.blob_path FROM ops.bronze_files f JOIN ops.runs r USING (run_id)
                WHERE r.batch_id = ? ORDER BY f.blob_path""", ps -> ps.setString(1, batchId),
                rs -> rs.getString(1));
    }

    /** Parts that failed for good, newest first, for status and /api/runs. */
    public List<OpsQueries.FailedFile> failed(int limit) {
        return database.query("""
                SELECT blob_path, source, scope, entity, run_id, attempts, error_message FROM ops.bronze_files
                WHERE status = 'failed' ORDER BY written_at DESC NULLS LAST, blob_path LIMIT ?""",
                ps -> ps.setInt(1, limit), rs -> new OpsQueries.FailedFile(rs.getString(1), rs.getString(2),
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6),
                        ErrorText.forDisplay(rs.getString(7))));
    }

    public long failedCount() {
        return database.queryFirst("SELECT count(*) FROM ops.bronze_files WHERE status = 'failed'", ps -> {},
                rs -> rs.getLong(1)).orElse(0L);
    }

    /**
     * Serializes every load and every failure mark of the same part (at-least-once blob events, twin
     * batches) until the caller's transaction ends; sorted, so two batches never deadlock.
     */
    public void lock(Connection c, Collection<String> paths) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            for (String p : paths.stream().sorted().toList()) {
                ps.setString(1, p);
                ps.executeQuery().close();
            }
        }
    }

    /**
     * What the ledger says of a part: its status, and whether it was ever loaded. Rows are only ever committed
     * together with the mark that sets loaded_at, so a part never loaded has no rows in staging; a part the ledger
     * has no row for has an unknown history (see {@link #mayHaveRows}).
     */
    public record PartState(String status, boolean everLoaded) {}

    /** The ledger's rows of the given parts, by path; a part without one is absent. */
    public Map<String, PartState> states(Connection c, List<String> paths) throws SQLException {
        Map<String, PartState> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT blob_path, status, loaded_at IS NOT NULL FROM ops.bronze_files WHERE blob_path = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", paths.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new PartState(rs.getString(2), rs.getBoolean(3)));
                }
            }
        }
        return out;
    }

    /** Whether a part may have rows in staging: ever loaded, or not on the ledger at all. */
    public static boolean mayHaveRows(Map<String, PartState> states, String path) {
        PartState s = states.get(path);
        return s == null || s.everLoaded();
    }

    /** A part the writer never recorded (copied in by hand, a lost ledger write) gets its row from the path. */
    public void markLoaded(Connection c, BronzePath part, long rows, long invalid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOADED)) {
            bindPart(ps, part);
            ps.setLong(6, rows);
            ps.setLong(7, invalid);
            ps.executeUpdate();
        }
    }

    /** A permanent failure, with the reason. Call it under {@link #lock}; a 'loaded' row stays loaded. */
    public void markFailed(Connection c, BronzePath part, String reason) throws SQLException {
        mark(c, FAILED, part, reason);
    }

    /**
     * A transient failure: the part stays (or goes back to) 'written' with the reason and one more attempt,
     * so the next batch loads it again. Call it under {@link #lock}; a 'loaded' row stays loaded.
     */
    public void markRetryLater(Connection c, BronzePath part, String reason) throws SQLException {
        mark(c, RETRY_LATER, part, reason);
    }

    private static void mark(Connection c, String sql, BronzePath part, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindPart(ps, part);
            ps.setString(6, truncate(reason));
            ps.executeUpdate();
        }
    }

    /**
     * The parts of one source entity whose path's ingestion date lies in [from, to), by what they say: pending
     * ('written' or 'failed'), loaded (with the staging rows they loaded), of a run still running.
     */
    public record DateRangeFiles(long pending, long loaded, long stagingRows, long ofRunningRuns) {}

    public DateRangeFiles filesIngested(Connection c, String source, String entity, LocalDate from, LocalDate to)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FILTER (WHERE f.status IN ('written', 'failed')),
                       count(*) FILTER (WHERE f.status = 'loaded'),
                       coalesce(sum(f.staging_rows) FILTER (WHERE f.status = 'loaded'), 0),
                       count(*) FILTER (WHERE r.status = 'running')
                FROM ops.bronze_files f LEFT JOIN ops.runs r USING (run_id)
                WHERE f.source = ? AND f.entity = ?
                  AND ops.staging_ingestion_date(f.blob_path) >= ? AND ops.staging_ingestion_date(f.blob_path) < ?""")) {
            bindRange(ps, source, entity, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DateRangeFiles(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
    }

    /**
     * Loaded parts whose staging rows retention dropped become 'pruned': still in bronze, no longer in staging, so
     * {@code skyfit load --all-runs} loads them again (a reload marks them 'loaded'). Returns how many.
     */
    public int markPruned(Connection c, String source, String entity, LocalDate from, LocalDate to)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.bronze_files SET status = 'pruned', pruned_at = now()
                WHERE source = ? AND entity = ? AND status = 'loaded'
                  AND ops.staging_ingestion_date(blob_path) >= ? AND ops.staging_ingestion_date(blob_path) < ?""")) {
            bindRange(ps, source, entity, from, to);
            return ps.executeUpdate();
        }
    }

    /** Parts of the entity whose staging rows retention dropped and no load has brought back. */
    public static long prunedCount(Connection c, String source, String entity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM ops.bronze_files WHERE source = ? AND entity = ? AND status = 'pruned'")) {
            ps.setString(1, source);
            ps.setString(2, entity);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Parts whose staging rows are in staging now ('loaded'): what a load of every part can skip without a look. */
    public java.util.Set<String> loadedPaths() {
        return new java.util.HashSet<>(database.query("SELECT blob_path FROM ops.bronze_files WHERE status = 'loaded'",
                ps -> {}, rs -> rs.getString(1)));
    }

    /** Parts of every source whose staging rows retention dropped and no load has brought back. */
    public long prunedCount() {
        return database.queryFirst("SELECT count(*) FROM ops.bronze_files WHERE status = 'pruned'", ps -> {},
                rs -> rs.getLong(1)).orElse(0L);
    }

    private static void bindRange(PreparedStatement ps, String source, String entity, LocalDate from, LocalDate to)
            throws SQLException {
        ps.setString(1, source);
        ps.setString(2, entity);
        ps.setObject(3, from);
        ps.setObject(4, to);
    }

    /** Messages go into a text column: no NUL, bounded length. */
    public static String truncate(String s) {
        if (s == null) {
            return null;
        }
        String clean = s.replace('\0', '?');
        return clean.length() <= MAX_MESSAGE ? clean : clean.substring(0, MAX_MESSAGE) + "...";
    }

    private List<BronzePart> parts(String sql, String runId, boolean window, Instant windowStart, Instant windowEnd)
            throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, runId);
            if (window) {
                setTimestamp(st, 2, windowStart);
                setTimestamp(st, 3, windowEnd);
            }
            List<BronzePart> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new BronzePart(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4)));
                }
            }
            return out;
        }
    }

    private static void bindPart(PreparedStatement ps, BronzePath part) throws SQLException {
        ps.setString(1, part.path());
        ps.setString(2, part.source());
        ps.setString(3, part.scope());
        ps.setString(4, part.entity());
        ps.setString(5, part.runId());
    }

    private static void setTimestamp(PreparedStatement st, int index, Instant value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            st.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }
}
