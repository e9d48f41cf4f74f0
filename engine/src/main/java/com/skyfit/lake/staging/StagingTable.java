package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.postgresql.core.Utils;

/** The staging table a bronze part loads into: {@code stg_{source}.{entity}_raw}. */
record StagingTable(String schema, String table) {

    static StagingTable of(BronzePath part) {
        // source and entity come from the path (and so from settings): always quoted as identifiers
        return new StagingTable("stg_" + part.source(), part.entity() + "_raw");
    }

    /** The entity the table stages: its name without "_raw". */
    String entity() {
        return table.substring(0, table.length() - 4);
    }

    String qualified() {
        return quote(schema) + "." + quote(table);
    }

    /** What a load copies into as the table is now: plain or partitioned by ingestion month; null when missing. */
    CopyTarget target(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT relkind FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, qualified());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new CopyTarget(this, "p".equals(rs.getString(1)));
            }
        }
    }

    String missingReason() {
        return "staging table " + schema + "." + table + " does not exist; add a migration calling "
                + "ops.create_staging_table('" + schema + "', '" + entity() + "')";
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }

    static String quote(String identifier) {
        try {
            return Utils.escapeIdentifier(null, identifier).toString();
        } catch (SQLException e) {
            throw new IllegalArgumentException("not a usable SQL identifier: " + identifier, e);
        }
    }
}
