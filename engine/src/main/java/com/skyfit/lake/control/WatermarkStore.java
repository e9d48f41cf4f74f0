package com.skyfit.lake.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Per source / scope / entity state of incremental reads (ops.watermarks): a timestamp (the highest update or event
 * time read), an opaque cursor the source gave (an export cursor, a database watermark with its tie-break), or
 * both. It only moves forward, and only inside the transaction that marks the covering run successful, after its
 * data is in core (invariant 5).
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

    /** Reads inside the caller's transaction, on its connection (a plan holds its lease row meanwhile). */
    public Optional<Instant> get(Connection c, String source, String scope, String entity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT watermark FROM ops.watermarks WHERE source = ? AND scope = ? AND entity = ?")) {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(RunLedger.instant(rs, 1)) : Optional.empty();
            }
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

    /** The stored cursor (an opaque text the source gave, e.g. an export cursor), for entities read by one. */
    public Optional<String> cursor(String source, String scope, String entity) {
        try {
            return retry.call("cursor of " + source + " " + scope + "/" + entity, () -> db.queryFirst(
                    "SELECT cursor_value FROM ops.watermarks WHERE source = ? AND scope = ? AND entity = ? "
                            + "AND cursor_value IS NOT NULL", ps -> {
                                ps.setString(1, source);
                                ps.setString(2, scope);
                                ps.setString(3, entity);
                            }, rs -> rs.getString(1)));
        } catch (SQLException e) {
            throw new Database.DatabaseException("cursor", e);
        }
    }

    /** Moves the watermark to {@code value} unless it is already later (never backwards). */
    public void advance(Connection c, String source, String scope, String entity, Instant value, String runId)
            throws SQLException {
        advance(c, source, scope, entity, value, null, runId);
    }

    /**
     * Moves the timestamp forward (a null or earlier {@code value} leaves it) and, when {@code cursor} is not null,
     * replaces the cursor: an opaque cursor has no order to compare, so the caller passes only the cursor of a run
     * whose data is in core, inside the transaction that marks that run successful.
     */
    public void advance(Connection c, String source, String scope, String entity, Instant value, String cursor,
            String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.watermarks (source, scope, entity, watermark, cursor_value, run_id, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, now())
                ON CONFLICT (source, scope, entity) DO UPDATE
                SET watermark = greatest(ops.watermarks.watermark, EXCLUDED.watermark),
                    cursor_value = coalesce(EXCLUDED.cursor_value, ops.watermarks.cursor_value),
                    run_id = EXCLUDED.run_id, updated_at = now()""")) {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            RunLedger.setInstant(ps, 4, value);
            ps.setString(5, cursor);
            ps.setString(6, runId);
            ps.executeUpdate();
        }
    }
}
