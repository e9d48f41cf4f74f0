package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A staging table as one load writes it. A partitioned table (by ingestion month, see
 * ops.create_partitioned_staging_table) also gets each line's ingestion_date, the date in its part's path, and
 * before anything else the load holds retention off and has the months' partitions made
 * ({@link #prepare}), so every line has a partition to go to until the load commits.
 */
record CopyTarget(StagingTable table, boolean partitioned) {
    private static final char D = (char) FastLineEncoder.DELIMITER;

    String fastCopySql() {
        return "COPY " + table.qualified() + " (" + lineage() + ", raw) FROM STDIN "
                + "(FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')";
    }

    String checkedCopySql() {
        return "COPY " + table.qualified() + " (" + lineage() + ", raw, validation_status, error_message) "
                + "FROM STDIN (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')";
    }

    private String lineage() {
        return "scope, blob_path, line_no, run_id" + (partitioned ? ", ingestion_date" : "");
    }

    /** What a row holds before its line number: scope and blob path, each followed by the delimiter. */
    byte[] head(BronzePath part) {
        return (part.scope() + D + part.path() + D).getBytes(StandardCharsets.UTF_8);
    }

    /** What a row holds between its line number and its JSON: the run, and the ingestion date when partitioned. */
    byte[] tail(BronzePath part) {
        return (D + part.runId() + D + (partitioned ? part.ingestionDate() + String.valueOf(D) : ""))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** First in the load's transaction: retention waits for its commit; every month of the parts has a partition. */
    void prepare(Connection c, List<BronzePath> parts) throws SQLException {
        if (!partitioned) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT ops.lock_staging_partitions(?, ?, ?)")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.entity());
            ps.setArray(3, days(c, parts));
            ps.executeQuery().close();
        }
    }

    /** The months' partitions, each made (when missing) and committed by its own statement. */
    void makePartitions(Connection c, List<BronzePath> parts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ops.ensure_staging_partition(?, ?, ?)")) {
            for (Date month : parts.stream().map(p -> Date.valueOf(p.ingestionDate().withDayOfMonth(1))).distinct()
                    .toList()) {
                ps.setString(1, table.schema());
                ps.setString(2, table.entity());
                ps.setDate(3, month);
                ps.executeQuery().close();
            }
        }
    }

    /**
     * Locks the table for writing, by name, after {@link #prepare} (so never before retention's lock, which would let
     * the two wait for each other). A conversion from plain to partitioned that committed while this load waited
     * leaves the name on another table: the load cannot go on with the shape it read before, and starts again
     * (40001, retried as any serialization failure).
     */
    void lockTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE ONLY " + table.qualified() + " IN ROW EXCLUSIVE MODE");
        }
        CopyTarget now = table.target(c);
        if (now == null || now.partitioned() != partitioned) {
            throw new SQLException(table + " changed (" + (partitioned ? "partitioned" : "plain") + " when the load "
                    + "began, " + (now == null ? "gone" : now.partitioned() ? "partitioned" : "plain") + " now); the "
                    + "load starts again", "40001");
        }
    }

    /** Summarises the BRIN index over blob_path of the parts' table (partitions), up to its last page. */
    void summarizePartIndex(Connection c, List<BronzePath> parts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ops.summarize_staging_part_index(?, ?, ?)")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            ps.setArray(3, days(c, parts));
            ps.executeQuery().close();
        }
    }

    /**
     * Removes what an earlier load of the parts left behind (a forced reload; a reload after a failed one), which is
     * what keeps a line from being staged twice: the tables have no unique key over (blob_path, line_no), which cost
     * a third of the COPY on small lines. Found through the BRIN index over blob_path; on a partitioned table only in
     * the parts' months.
     */
    void deleteRows(Connection c, List<BronzePath> parts) throws SQLException {
        if (parts.isEmpty()) {
            return;
        }
        // the undated partition too: rows a load wrote while its table was being converted, or typed in by hand
        String sql = "DELETE FROM " + table.qualified() + " WHERE blob_path = ANY (?)"
                + (partitioned ? " AND (ingestion_date = ANY (?) OR ingestion_date IS NULL)" : "");
        try (Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement(sql)) {
            // through the index whatever the statistics say: a table loaded since its last ANALYZE looks small
            st.execute("SET LOCAL enable_seqscan = off");
            ps.setArray(1, c.createArrayOf("text", parts.stream().map(BronzePath::path).toArray()));
            if (partitioned) {
                ps.setArray(2, days(c, parts));
            }
            ps.executeUpdate();
            st.execute("RESET enable_seqscan");
        }
    }

    /** The parts' ingestion dates, each once, as a SQL date array. */
    private static java.sql.Array days(Connection c, List<BronzePath> parts) throws SQLException {
        return c.createArrayOf("date", parts.stream().map(p -> Date.valueOf(p.ingestionDate())).distinct().toArray());
    }
}
