package com.skyfit.lake.control;

import com.skyfit.lake.bronze.BronzePart;
import com.skyfit.lake.bronze.BronzePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The bronze file ledger, ops.bronze_files: one row per committed part (invariant 7). Recording is
 * idempotent, so a retried extract or a repeated blob event never doubles a row.
 */
public final class FileLedger {
    private static final String INSERT = """
            INSERT INTO ops.bronze_files (blob_path, source, scope, entity, run_id, window_start, window_end,
                                          records, bytes, sha256, written_at, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), 'written')
            ON CONFLICT (blob_path) DO NOTHING""";
    private static final String SELECT = "SELECT blob_path, records, bytes, sha256 FROM ops.bronze_files WHERE run_id = ?";

    private final Database database;

    public FileLedger(Database database) {
        this.database = database;
    }

    /**
     * Records a committed part. Returns false when the path was already on the ledger (the first row stays:
     * a part is immutable, so its first record is the true one).
     */
    public boolean recordWritten(BronzePath path, BronzePart part, Instant windowStart, Instant windowEnd)
            throws SQLException {
        if (!path.path().equals(part.path())) {
            throw new IllegalArgumentException("part " + part.path() + " is not at " + path.path());
        }
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(INSERT)) {
            st.setString(1, path.path());
            st.setString(2, path.source());
            st.setString(3, path.scope());
            st.setString(4, path.entity());
            st.setString(5, path.runId());
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
        return query(SELECT + " ORDER BY blob_path", runId, null, null);
    }

    /** The parts of one date window of a run, ordered by path. */
    public List<BronzePart> partsOfWindow(String runId, Instant windowStart, Instant windowEnd) throws SQLException {
        return query(SELECT + " AND window_start IS NOT DISTINCT FROM ? AND window_end IS NOT DISTINCT FROM ?"
                + " ORDER BY blob_path", runId, windowStart, windowEnd);
    }

    private List<BronzePart> query(String sql, String runId, Instant windowStart, Instant windowEnd) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, runId);
            if (sql.contains("window_start")) {
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

    private static void setTimestamp(PreparedStatement st, int index, Instant value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            st.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }
}
