package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.core.Utils;

/** The staging table a bronze part loads into: {@code stg_{source}.{entity}_raw}. */
record StagingTable(String schema, String table) {

    static StagingTable of(BronzePath part) {
        // source and entity come from the path (and so from settings): always quoted as identifiers
        return new StagingTable("stg_" + part.source(), part.entity() + "_raw");
    }

    String qualified() {
        return quote(schema) + "." + quote(table);
    }

    boolean exists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualified());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    String missingReason() {
        return "staging table " + schema + "." + table + " does not exist; add a migration calling "
                + "ops.create_staging_table('" + schema + "', '" + table.substring(0, table.length() - 4) + "')";
    }

    String fastCopySql() {
        return "COPY " + qualified() + " (scope, blob_path, line_no, run_id, raw) FROM STDIN "
                + "(FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')";
    }

    String checkedCopySql() {
        return "COPY " + qualified() + " (scope, blob_path, line_no, run_id, raw, validation_status, error_message) "
                + "FROM STDIN (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')";
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }

    /** Removes what an earlier load (forced reload, crash before the ledger said loaded) left behind. */
    void deleteRows(Connection c, List<String> paths) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + qualified() + " WHERE blob_path = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", paths.toArray()));
            ps.executeUpdate();
        }
    }

    private static String quote(String identifier) {
        try {
            return Utils.escapeIdentifier(null, identifier).toString();
        } catch (SQLException e) {
            throw new IllegalArgumentException("not a usable SQL identifier: " + identifier, e);
        }
    }
}
