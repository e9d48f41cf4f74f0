package com.skyfit.lake.bench;

import com.skyfit.lake.control.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A core transform's same-run baseline: the simplest statement that could fill the table, a hand-written
 * {@code INSERT .. SELECT} of the same columns with plain casts from the same staging rows into
 * {@code bench.<table>_baseline}, a copy of the core table with its keys and indexes (LIKE .. INCLUDING ALL).
 * No dedupe, no warnings, no change detection, no lineage ordering: what the generated transform does beyond
 * that is what the ratio prices. It runs with the transform's work_mem, so neither gets more memory.
 *
 * @param table  the core table (without schema), e.g. evo_entries
 * @param insert the INSERT into bench.{table}_baseline, reading every valid row of the staging table
 */
public record CoreBaseline(String table, String insert) {

    public String baselineTable() {
        return "bench." + table + "_baseline";
    }

    /** Not timed: an empty copy of the core table. */
    public void prepare(Database db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS bench");
            st.execute("DROP TABLE IF EXISTS " + baselineTable());
            st.execute("CREATE TABLE " + baselineTable() + " (LIKE core." + table + " INCLUDING ALL)");
        }
    }

    /** The timed part; fails unless it wrote exactly the rows the transform consumed. */
    public long run(Database db, long expectedRows) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                st.execute("SET LOCAL work_mem = '1GB'");
                long rows = st.executeUpdate(insert);
                c.commit();
                if (rows != expectedRows) {
                    throw new IllegalStateException("baseline of " + table + " wrote " + rows + " rows, the transform "
                            + "consumed " + expectedRows);
                }
                return rows;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }
}
