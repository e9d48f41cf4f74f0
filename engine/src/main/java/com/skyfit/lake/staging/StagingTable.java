package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The staging table a bronze part loads into: {@code stg_{source}.{entity}_raw}. */
record StagingTable(String schema, String table) {

    static StagingTable of(BronzePath part) {
        // BronzePath only admits [A-Za-z0-9_.-]; quoting keeps '.' and '-' harmless in identifiers
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

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
