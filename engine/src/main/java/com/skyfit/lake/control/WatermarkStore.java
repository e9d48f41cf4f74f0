package com.skyfit.lake.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Per source / scope / entity cursor (ops.watermarks). It only moves forward, and only inside the
 * transaction that marks the covering run successful, after its data is in core (invariant 5).
 */
public final class WatermarkStore {
    private final Database db;
    private final PgRetry retry;

    public WatermarkStore(Database db) {
        this(db, new PgRetry(java.util.List.of()));
    }

    /** Reads are retried on transient PostgreSQL failures; {@link #advance} runs in the caller's (retried) transaction. */
    public WatermarkStore(Database db, PgRetry retry) {
        this.db = db;
        this.retry = retry;
    }

    public Optional<Instant> get(String source, String scope, String entity) {
        try {
            return retry.call("watermark of " + source + " " + scope + "/" + entity, () -> read(source, scope, entity));
        } catch (SQLException e) {
            throw new Database.DatabaseException("watermark", e);
        }
    }

    private Optional<Instant> read(String source, String scope, String entity) {
        return db.queryFirst("SELECT watermark FROM ops.watermarks WHERE source = ? AND scope = ? AND entity = ?",
                ps -> {
                    ps.setString(1, source);
                    ps.setString(2, scope);
                    ps.setString(3, entity);
                }, rs -> RunLedger.instant(rs, 1));
    }

    /** Moves the watermark to {@code value} unless it is already later (never backwards). */
    public void advance(Connection c, String source, String scope, String entity, Instant value, String runId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.watermarks (source, scope, entity, watermark, run_id, updated_at)
                VALUES (?, ?, ?, ?, ?, now())
                ON CONFLICT (source, scope, entity) DO UPDATE
                SET watermark = greatest(ops.watermarks.watermark, EXCLUDED.watermark),
                    run_id = EXCLUDED.run_id, updated_at = now()""")) {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            RunLedger.setInstant(ps, 4, value);
            ps.setString(5, runId);
            ps.executeUpdate();
        }
    }

    /** The stored export cursor (an opaque text the source gave), for entities read by one. */
    public Optional<String> cursor(String source, String scope, String entity) {
        try {
            return retry.call("export cursor of " + source + " " + scope + "/" + entity,
                    () -> readCursor(source, scope, entity));
        } catch (SQLException e) {
            throw new Database.DatabaseException("export cursor", e);
        }
    }

    private Optional<String> readCursor(String source, String scope, String entity) {
        return db.queryFirst("SELECT cursor_value FROM ops.watermarks WHERE source = ? AND scope = ? AND entity = ? "
                + "AND cursor_value IS NOT NULL", ps -> {
                    ps.setString(1, source);
                    ps.setString(2, scope);
                    ps.setString(3, entity);
                }, rs -> rs.getString(1));
    }

    /**
     * Stores the export cursor after a run. An opaque cursor has no order to compare, so it is replaced: the caller
     * passes only the cursor of a run whose data is in core, inside the transaction that marks that run successful.
     */
    public void advanceCursor(Connection c, String source, String scope, String entity, String cursor, String runId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.watermarks (source, scope, entity, cursor_value, run_id, updated_at)
                VALUES (?, ?, ?, ?, ?, now())
                ON CONFLICT (source, scope, entity) DO UPDATE
                SET cursor_value = EXCLUDED.cursor_value, run_id = EXCLUDED.run_id, updated_at = now()""")) {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            ps.setString(4, cursor);
            ps.setString(5, runId);
            ps.executeUpdate();
        }
    }
}
