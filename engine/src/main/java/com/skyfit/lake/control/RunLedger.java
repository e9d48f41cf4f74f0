package com.skyfit.lake.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The run ledger (ops.runs; the windows of each run are in {@link WindowLedger}). Every run has a row that
 * says what happened, how many rows, how long, who triggered it and why it failed (invariant 7). Range bounds
 * use -infinity / infinity for "from the beginning" / "until now".
 */
public final class RunLedger {
    private final Database db;
    private final PgRetry retry;

    public RunLedger(Database db) {
        this(db, new PgRetry(List.of()));
    }

    /** Ledger writes are retried on transient PostgreSQL failures, on the loader's schedule. */
    public RunLedger(Database db, PgRetry retry) {
        this.db = db;
        this.retry = retry;
    }

    /** A run as the ledger holds it; rangeStart / rangeEnd null for open bounds. */
    public record Run(String runId, String batchId, String source, String scope, String entity, String status,
            String loadType, String triggeredBy, Instant startedAt, Instant watermarkStart, LocalDate backfillFrom,
            LocalDate backfillTo, long rowsExtracted, String errorMessage, Instant rangeStart, Instant rangeEnd) {}

    /** Runs the work in one transaction, again from the start if PostgreSQL fails transiently. */
    public <T> T transaction(String what, Database.TransactionWork<T> work) {
        return retrying(what, () -> db.inTransaction(work));
    }

    /** Runs repeatable ledger work (a read, one idempotent statement), again if PostgreSQL fails transiently. */
    public <T> T retrying(String what, java.util.function.Supplier<T> work) {
        try {
            return retry.call(what, work::get);
        } catch (SQLException e) {
            throw new Database.DatabaseException(what, e);
        }
    }

    int write(String what, String sql, Database.Binder binder) {
        return retrying(what, () -> db.execute(sql, binder));
    }

    public void openRun(Connection c, String runId, String batchId, String source, String scope, String entity,
            String loadType, String triggeredBy, Instant watermarkStart, LocalDate backfillFrom, LocalDate backfillTo,
            Instant rangeStart, Instant rangeEnd) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, load_type, triggered_by,
                                      watermark_start, backfill_from, backfill_to, range_start, range_end)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, """ + WindowLedger.bound(rangeStart, "-infinity") + ", "
                + WindowLedger.bound(rangeEnd, "infinity") + ")")) {
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
            int i = 11;
            if (rangeStart != null) {
                ps.setTimestamp(i++, Timestamp.from(rangeStart));
            }
            if (rangeEnd != null) {
                ps.setTimestamp(i, Timestamp.from(rangeEnd));
            }
            ps.executeUpdate();
        }
    }

    /**
     * Closes the runs of this entity still 'running' under another batch: the caller has just taken the entity's
     * lease, so their owner is gone. Their watermark never moved; their parts are loaded by the next batch.
     */
    public int abandonOthers(Connection c, String source, String scope, String entity, String batchId, String why)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.runs SET status = 'failed', completed_at = now(),
                       duration_seconds = extract(epoch FROM now() - started_at), error_message = ?
                WHERE source = ? AND scope = ? AND entity = ? AND status = 'running' AND batch_id IS DISTINCT FROM ?""")) {
            ps.setString(1, truncate(why, 2000));
            ps.setString(2, source);
            ps.setString(3, scope);
            ps.setString(4, entity);
            ps.setString(5, batchId);
            return ps.executeUpdate();
        }
    }

    /**
     * Closes every run still 'running' whose batch no longer holds its entity's lease (the lease was given back or
     * another batch took it): such a run can never complete. A run whose batch still holds the lease is left alone
     * however old its heartbeat: whether a stale lease is dead is for the next plan of that entity to decide
     * ({@link RunLeases#take}), with the timeout of the lease's kind of owner.
     */
    public int abandonOrphans() {
        return write("close abandoned runs", """
                UPDATE ops.runs r SET status = 'failed', completed_at = now(),
                       duration_seconds = extract(epoch FROM now() - r.started_at),
                       error_message = 'abandoned: its batch no longer holds the lease of its entity; '
                                       || 'the next run of this entity reads its windows again'
                WHERE r.status = 'running'
                  AND NOT EXISTS (SELECT 1 FROM ops.run_leases l
                                  WHERE l.source = r.source AND l.scope = r.scope AND l.entity = r.entity
                                    AND l.batch_id = r.batch_id)""", ps -> {});
    }

    /** Re-attaches an unfinished run to a new batch (a resumed backfill) and marks it running again. */
    public void resumeRun(Connection c, String runId, String batchId, String triggeredBy) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.runs SET batch_id = ?, status = 'running', triggered_by = ?, error_message = NULL,
                       error_detail = NULL, completed_at = NULL
                WHERE run_id = ?""")) {
            ps.setString(1, batchId);
            ps.setString(2, triggeredBy);
            ps.setString(3, runId);
            ps.executeUpdate();
        }
    }

    /** The newest backfill run over the same range that did not succeed, if any: it is resumed, not redone. */
    public Optional<Run> unfinishedBackfill(Connection c, String source, String scope, String entity, LocalDate from,
            LocalDate to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RUN_COLUMNS + """
                 WHERE source = ? AND scope = ? AND entity = ? AND load_type = 'backfill'
                  AND backfill_from = ? AND backfill_to = ? AND status <> 'success'
                ORDER BY started_at DESC LIMIT 1""")) {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            ps.setObject(4, from);
            ps.setObject(5, to);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(run(rs)) : Optional.empty();
            }
        }
    }

    /**
     * True when no full load of the entity succeeded within the period (re-scans are recorded as full loads),
     * measured on the database's clock, as the ledger's times are.
     */
    public boolean noFullLoadWithin(Connection c, String source, String scope, String entity, java.time.Duration period)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT NOT EXISTS (SELECT 1 FROM ops.runs
                 WHERE source = ? AND scope = ? AND entity = ? AND load_type = 'full' AND status = 'success'
                   AND started_at > now() - make_interval(secs => ?))""")) {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            ps.setLong(4, period.toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The batch's run of the entity, if it has one, after taking the batch's advisory lock until the caller's
     * transaction ends: two plans of one batch at the same time open each entity once.
     */
    public Optional<String> runOfBatch(Connection c, String batchId, String source, String scope, String entity)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('plan ' || ?))")) {
            ps.setString(1, batchId);
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT run_id FROM ops.runs WHERE batch_id = ? AND source = ? AND scope = ? AND entity = ?
                ORDER BY started_at LIMIT 1""")) {
            ps.setString(1, batchId);
            ps.setString(2, source);
            ps.setString(3, scope);
            ps.setString(4, entity);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public List<Run> runsOfBatch(String batchId) {
        return retrying("runs of batch " + batchId, () -> db.query(RUN_COLUMNS
                + " WHERE batch_id = ? ORDER BY source, scope, entity", ps -> ps.setString(1, batchId), RunLedger::run));
    }

    public Optional<Run> run(String runId) {
        return retrying("run " + runId, () -> db.queryFirst(RUN_COLUMNS + " WHERE run_id = ?",
                ps -> ps.setString(1, runId), RunLedger::run));
    }

    /** Adds a transform's counts to a run, inside the transform's own transaction (counted exactly once). */
    public static void addTransformCounts(Connection c, String runId, long inserted, long updated, long unchanged,
            long deleted) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.runs SET rows_inserted = rows_inserted + ?, rows_updated = rows_updated + ?,
                       rows_unchanged = rows_unchanged + ?, rows_deleted = rows_deleted + ?
                WHERE run_id = ?""")) {
            ps.setLong(1, inserted);
            ps.setLong(2, updated);
            ps.setLong(3, unchanged);
            ps.setLong(4, deleted);
            ps.setString(5, runId);
            ps.executeUpdate();
        }
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

    /** Marks a run failed inside the caller's transaction (a run refused or fenced off at planning or completion). */
    public void fail(Connection c, String runId, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE ops.runs SET status = 'failed', completed_at = now(), error_message = ?,
                       duration_seconds = extract(epoch FROM now() - started_at)
                WHERE run_id = ? AND status <> 'success'""")) {
            ps.setString(1, truncate(message, 2000));
            ps.setString(2, runId);
            ps.executeUpdate();
        }
    }

    public void fail(String runId, String message, String detail) {
        write("fail run " + runId, """
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
                   watermark_start, backfill_from, backfill_to, rows_extracted, error_message,
                   CASE WHEN isfinite(range_start) THEN range_start END, CASE WHEN isfinite(range_end) THEN range_end END
            FROM ops.runs""";

    private static Run run(ResultSet rs) throws SQLException {
        return new Run(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), instant(rs, 9), instant(rs, 10),
                rs.getObject(11, LocalDate.class), rs.getObject(12, LocalDate.class), rs.getLong(13), rs.getString(14),
                instant(rs, 15), instant(rs, 16));
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
