package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loader's side of ops.bronze_files. A part the writer never recorded (copied in by hand, or a
 * ledger write lost in a crash) gets its row here, derived from the path, so every loaded or failed
 * part is on the ledger (invariant 7).
 */
final class FileLedger {
    private static final int MAX_MESSAGE = 2000;

    private static final String LOADED = """
            INSERT INTO ops.bronze_files AS f (blob_path, source, scope, entity, run_id, status, loaded_at,
                                               staging_rows, invalid_rows, attempts, error_message)
            VALUES (?, ?, ?, ?, ?, 'loaded', now(), ?, ?, 1, NULL)
            ON CONFLICT (blob_path) DO UPDATE SET status = 'loaded', loaded_at = now(),
                staging_rows = EXCLUDED.staging_rows, invalid_rows = EXCLUDED.invalid_rows,
                attempts = f.attempts + 1, error_message = NULL""";

    private static final String FAILED = """
            INSERT INTO ops.bronze_files AS f (blob_path, source, scope, entity, run_id, status, attempts, error_message)
            VALUES (?, ?, ?, ?, ?, 'failed', 1, ?)
            ON CONFLICT (blob_path) DO UPDATE SET status = 'failed', attempts = f.attempts + 1,
                error_message = EXCLUDED.error_message""";

    /** Serializes concurrent loads of the same part (at-least-once blob events); sorted to avoid deadlocks. */
    static void lock(Connection c, Collection<String> paths) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            for (String p : paths.stream().sorted().toList()) {
                ps.setString(1, p);
                ps.executeQuery().close();
            }
        }
    }

    static Map<String, String> statuses(Connection c, List<String> paths) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT blob_path, status FROM ops.bronze_files WHERE blob_path = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", paths.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Removes what an earlier load (forced reload, crash before the ledger said loaded) left behind. */
    static void deleteRows(Connection c, StagingTable table, List<String> paths) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM " + table.qualified() + " WHERE blob_path = ANY (?)")) {
            Array arr = c.createArrayOf("text", paths.toArray());
            ps.setArray(1, arr);
            ps.executeUpdate();
        }
    }

    static void markLoaded(Connection c, BronzePath part, long rows, long invalid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOADED)) {
            bindPart(ps, part);
            ps.setLong(6, rows);
            ps.setLong(7, invalid);
            ps.executeUpdate();
        }
    }

    static void markFailed(Connection c, BronzePath part, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FAILED)) {
            bindPart(ps, part);
            ps.setString(6, truncate(reason));
            ps.executeUpdate();
        }
    }

    private static void bindPart(PreparedStatement ps, BronzePath part) throws SQLException {
        ps.setString(1, part.path());
        ps.setString(2, part.source());
        ps.setString(3, part.scope());
        ps.setString(4, part.entity());
        ps.setString(5, part.runId());
    }

    static String truncate(String s) {
        if (s == null) {
            return null;
        }
        String clean = s.replace('\0', '?');
        return clean.length() <= MAX_MESSAGE ? clean : clean.substring(0, MAX_MESSAGE) + "...";
    }
}
