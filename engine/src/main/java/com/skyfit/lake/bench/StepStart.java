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
 * What a core step starts from, kept so the step can be measured again from the very same state:
 * <ul>
 *   <li>the rows of every table it writes, copied into {@code bench.core_<table>_before} (nothing copied when
 *       empty);</li>
 *   <li>how far its {@code ops.transform_state} row had consumed staging;</li>
 *   <li>the validation flags of its staging rows past that point
 *       ({@code bench.<schema>_<staging table>_flags_before}): the step flags rows, and a row it flagged invalid is
 *       not read again, so a round after it would read fewer.</li>
 * </ul>
 * {@link #restore()} empties those tables and copies the rows back, sets the state row and the flags back, and
 * analyses the tables it gave rows back, so the next round is the first one again: the same batch over the same
 * stored rows. A full refresh would not be: it recomputes in place a table two steps write (a member's contracts and
 * the canceled-contracts endpoint), and it does not read rows an earlier round flagged invalid.
 *
 * <p>Untimed: capture before the first round, restore before each later one, close when done. Not set back: the
 * counts each round adds to {@code ops.runs} (a benchmark's runs show them once per round) and the columns of the
 * state row the next round overwrites, and the column statistics of an emptied table (its size is forgotten by
 * TRUNCATE, as before its first load; what ANALYZE learnt of its columns stays).
 */
public final class StepStart implements AutoCloseable {
    private final Database db;
    private final CoreTable step;
    private final long consumed;
    /** Written table -> its copy, or null when it was empty. */
    private final Map<String, String> copies;
    private final String flags;

    private StepStart(Database db, CoreTable step, long consumed, Map<String, String> copies, String flags) {
        this.db = db;
        this.step = step;
        this.consumed = consumed;
        this.copies = copies;
        this.flags = flags;
    }

    /** Captures the step's starting state; changes nothing of it. */
    public static StepStart capture(Database db, CoreTable step) throws SQLException {
        Map<String, String> copies = new LinkedHashMap<>();
        String flags = "bench." + step.stagingTable().replace('.', '_') + "_flags_before";
        List<String> made = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS bench");
            long consumed;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT last_stg_id FROM ops.transform_state WHERE core_table = ?")) {
                ps.setString(1, step.qualifiedName());
                try (ResultSet rs = ps.executeQuery()) {
                    consumed = rs.next() ? rs.getLong(1) : 0;
                }
            }
            try {
                for (String table : step.writtenTables()) {
                    if (!table.startsWith("core.")) {
                        throw new IllegalArgumentException(step.qualifiedName() + " writes " + table
                                + ", outside the core schema: its copy's name would not be its own");
                    }
                    String copy = "bench." + table.replace('.', '_') + "_before";
                    boolean empty;
                    try (ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table + ")")) {
                        rs.next();
                        empty = rs.getBoolean(1);
                    }
                    if (empty) {
                        copies.put(table, null);
                    } else {
                        st.execute("DROP TABLE IF EXISTS " + copy);
                        made.add(copy);
                        // never vacuumed: autovacuum would otherwise work on it while a round is timed
                        st.execute("CREATE UNLOGGED TABLE " + copy + " WITH (autovacuum_enabled = off) "
                                + "AS SELECT * FROM " + table);
                        copies.put(table, copy);
                    }
                }
                st.execute("DROP TABLE IF EXISTS " + flags);
                made.add(flags);
                st.execute("CREATE UNLOGGED TABLE " + flags + " WITH (autovacuum_enabled = off) AS "
                        + "SELECT stg_id, validation_status, error_message FROM " + step.stagingTable()
                        + " WHERE validation_status <> 'valid' AND stg_id > " + consumed);
                st.execute("CREATE UNIQUE INDEX ON " + flags + " (stg_id)");
            } catch (SQLException | RuntimeException e) {
                for (String t : made) {
                    try {
                        st.execute("DROP TABLE IF EXISTS " + t);
                    } catch (SQLException dropFailed) {
                        e.addSuppressed(dropFailed);
                    }
                }
                throw e;
            }
            return new StepStart(db, step, consumed, copies, flags);
        }
    }

    /** The tables the step writes, its state row and its staging rows' flags as they were captured. */
    public void restore() throws SQLException {
        String staging = step.stagingTable();
        boolean reflagged;
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("TRUNCATE " + String.join(", ", copies.keySet()));
                for (Map.Entry<String, String> e : copies.entrySet()) {
                    if (e.getValue() != null) {
                        st.execute("INSERT INTO " + e.getKey() + " SELECT * FROM " + e.getValue());
                    }
                }
                // the flags past the captured point as they were: a transform only ever flags a row (never sets
                // one back to 'valid'), so every row to put back is flagged now, and the partial index on
                // validation_status finds them
                reflagged = st.executeUpdate("UPDATE " + staging + " s SET (validation_status, error_message) = "
                        + "(SELECT coalesce(max(f.validation_status), 'valid'), max(f.error_message) FROM " + flags
                        + " f WHERE f.stg_id = s.stg_id) WHERE s.validation_status <> 'valid' AND s.stg_id > "
                        + consumed + " AND NOT EXISTS (SELECT 1 FROM " + flags + " f WHERE f.stg_id = s.stg_id "
                        + "AND f.validation_status = s.validation_status "
                        + "AND f.error_message IS NOT DISTINCT FROM s.error_message)") > 0;
                long flagged = count(st, "SELECT count(*) FROM " + staging + " s WHERE s.validation_status <> 'valid' "
                        + "AND s.stg_id > " + consumed);
                long captured = count(st, "SELECT count(*) FROM " + flags);
                if (flagged != captured) {
                    throw new IllegalStateException(staging + " has " + flagged + " flagged rows past staging id "
                            + consumed + " after the restore, where " + captured + " were captured");
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
                // a table given rows back is analysed, as the bench had analysed it before the first round; an
                // emptied one is left as TRUNCATE leaves it, never vacuumed as far as the planner knows, as a table
                // is before its first load
                for (Map.Entry<String, String> e : copies.entrySet()) {
                    if (e.getValue() != null) {
                        st.execute("VACUUM (ANALYZE) " + e.getKey());
                    }
                }
                if (reflagged) {
                    st.execute("VACUUM (ANALYZE) " + staging);
                }
            }
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The tables the step writes, with what each held at the capture (null: empty). */
    public Map<String, String> copies() {
        return java.util.Collections.unmodifiableMap(copies);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            for (String copy : copies.values()) {
                if (copy != null) {
                    st.execute("DROP TABLE IF EXISTS " + copy);
                }
            }
            st.execute("DROP TABLE IF EXISTS " + flags);
        }
    }
}
