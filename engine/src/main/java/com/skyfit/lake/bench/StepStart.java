package com.skyfit.lake.bench;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.core.CoreTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a core step starts from, kept so the step can be measured again from the very same state: the rows of every
 * table it writes (copied into {@code bench.<table>_before}, or remembered as empty) and how far its
 * {@code ops.transform_state} row had consumed staging. Restoring empties those tables, copies the rows back,
 * sets the state row back and analyses the tables, so the next round is the same batch as the first: a first load
 * again, with the same rows already stored by other steps. Needed where a full refresh would be another load: a
 * table two steps write (a member's contracts and the canceled-contracts endpoint) is recomputed in place by a
 * refresh, not emptied.
 *
 * <p>Untimed: capture before the first round, restore before each later one, close when done. What the step adds to
 * {@code ops.runs}' counts is added again by each round, as with a refresh round; staging flags are set again to the
 * same values.
 */
final class StepStart implements AutoCloseable {
    private final Database db;
    private final CoreTable step;
    private final long consumed;
    /** Written table -> its copy, or null when it was empty. */
    private final Map<String, String> copies;

    private StepStart(Database db, CoreTable step, long consumed, Map<String, String> copies) {
        this.db = db;
        this.step = step;
        this.consumed = consumed;
        this.copies = copies;
    }

    static StepStart capture(Database db, CoreTable step) throws SQLException {
        Map<String, String> copies = new LinkedHashMap<>();
        long consumed;
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS bench");
            for (String table : step.writtenTables()) {
                String copy = "bench." + table.substring(table.indexOf('.') + 1) + "_before";
                st.execute("DROP TABLE IF EXISTS " + copy);
                boolean empty;
                try (ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table + ")")) {
                    rs.next();
                    empty = rs.getBoolean(1);
                }
                if (empty) {
                    copies.put(table, null);
                } else {
                    st.execute("CREATE UNLOGGED TABLE " + copy + " AS SELECT * FROM " + table);
                    copies.put(table, copy);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT last_stg_id FROM ops.transform_state WHERE core_table = ?")) {
                ps.setString(1, step.qualifiedName());
                try (ResultSet rs = ps.executeQuery()) {
                    consumed = rs.next() ? rs.getLong(1) : 0;
                }
            }
        }
        return new StepStart(db, step, consumed, copies);
    }

    /** The tables the step writes, and its state row, as they were captured; then analysed. */
    void restore() throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("TRUNCATE " + String.join(", ", copies.keySet()));
                for (Map.Entry<String, String> e : copies.entrySet()) {
                    if (e.getValue() != null) {
                        st.execute("INSERT INTO " + e.getKey() + " SELECT * FROM " + e.getValue());
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE ops.transform_state SET last_stg_id = ? WHERE core_table = ?")) {
                    ps.setLong(1, consumed);
                    ps.setString(2, step.qualifiedName());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                for (String table : copies.keySet()) {
                    st.execute("VACUUM (ANALYZE) " + table);
                }
            }
        }
    }

    /** The tables it captured as empty and those it copied: for tests. */
    List<String> copiedTables() {
        List<String> out = new ArrayList<>();
        copies.forEach((table, copy) -> {
            if (copy != null) {
                out.add(table);
            }
        });
        return out;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            for (String copy : copies.values()) {
                if (copy != null) {
                    st.execute("DROP TABLE IF EXISTS " + copy);
                }
            }
        }
    }
}
