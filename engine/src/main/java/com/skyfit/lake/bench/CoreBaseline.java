package com.skyfit.lake.bench;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.core.BulkLoadIndexes;
import com.skyfit.lake.core.TransformRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A core transform's same-run baseline: the simplest statement that could fill the table, a hand-written
 * {@code INSERT .. SELECT} of the same columns with plain casts from the same staging rows into
 * {@code bench.<table>_baseline}, a copy of the core table with its keys and indexes (LIKE .. INCLUDING ALL).
 * No dedupe, no warnings, no change detection, no lineage ordering: what the generated transform does beyond
 * that is what the ratio prices. It runs with the transform's work_mem, so neither gets more memory. The target's
 * baseline keeps its indexes as a plain statement does; measured beside it, the same statement loading without
 * the secondary indexes and building them after, the index work the transform does on a large first load.
 *
 * <p>A table whose transform also writes child tables (a sale's items) has a plain INSERT per child too, run in
 * the same timed transaction, so both sides do the same work.
 *
 * @param table        the core table (without schema), e.g. evo_entries
 * @param insert       the INSERT into bench.{table}_baseline, reading every valid row of the staging table
 * @param childInserts by child table (without schema): the INSERT into bench.{child}_baseline
 */
public record CoreBaseline(String table, String insert, Map<String, String> childInserts, String suffix) {

    public CoreBaseline {
        childInserts = Map.copyOf(childInserts);
    }

    public CoreBaseline(String table, String insert, Map<String, String> childInserts) {
        this(table, insert, childInserts, "");
    }

    public CoreBaseline(String table, String insert) {
        this(table, insert, Map.of());
    }

    /** The same statements writing copies of their own, bench.{table}_baseline{suffix}: two baselines side by side. */
    public CoreBaseline renamed(String newSuffix) {
        List<String> names = new ArrayList<>(List.of(table));
        names.addAll(childInserts.keySet());
        String sql = insert;
        Map<String, String> children = new java.util.HashMap<>(childInserts);
        for (String t : names) {
            String from = "bench." + t + "_baseline" + suffix + " ";
            String to = "bench." + t + "_baseline" + newSuffix + " ";
            sql = sql.replace(from, to);
            children.replaceAll((k, v) -> v.replace(from, to));
        }
        if (!sql.contains("bench." + table + "_baseline" + newSuffix + " ")) {
            throw new IllegalStateException("the baseline of " + table + " does not insert into " + baselineTable());
        }
        return new CoreBaseline(table, sql, children, newSuffix);
    }

    public String baselineTable() {
        return baselineOf(table);
    }

    private String baselineOf(String table) {
        return "bench." + table + "_baseline" + suffix;
    }

    /** The baseline's tables (schema-qualified): the table's copy and its children's. */
    public List<String> tables() {
        List<String> out = new ArrayList<>(List.of(baselineOf(table)));
        new TreeSet<>(childInserts.keySet()).forEach(c -> out.add(baselineOf(c)));
        return out;
    }

    /** Not timed: empty copies of the core table and its children. */
    public void prepare(Database db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS bench");
            List<String> tables = new ArrayList<>(List.of(table));
            tables.addAll(new TreeSet<>(childInserts.keySet()));
            for (String t : tables) {
                st.execute("DROP TABLE IF EXISTS " + baselineOf(t));
                st.execute("CREATE TABLE " + baselineOf(t) + " (LIKE core." + t + " INCLUDING ALL)");
            }
        }
    }

    /** Not timed: drops the copies once measured (they would only hold memory while later steps run). */
    public void discard(Database db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            for (String t : tables()) {
                st.execute("DROP TABLE IF EXISTS " + t);
            }
        }
    }

    /** The timed part; fails unless it wrote exactly as many rows as the transform. */
    public long run(Database db, long expectedRows) throws SQLException {
        return run(db, expectedRows, false);
    }

    /**
     * The timed part; with indexesAfter, the copies' secondary indexes are dropped first and built again after the
     * inserts, in the same timed transaction, as the transform does on a large first load (BulkLoadIndexes).
     */
    public long run(Database db, long expectedRows, boolean indexesAfter) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                st.execute("SET LOCAL work_mem = '" + TransformRunner.WORK_MEM + "'");
                st.execute("SET LOCAL maintenance_work_mem = '" + TransformRunner.WORK_MEM + "'");
                List<BulkLoadIndexes.Index> dropped = indexesAfter ? BulkLoadIndexes.dropFromEmpty(c, tables())
                        : List.of();
                long rows = st.executeUpdate(insert);
                for (String child : new TreeSet<>(childInserts.keySet())) {
                    st.executeUpdate(childInserts.get(child));
                }
                BulkLoadIndexes.rebuild(c, dropped);
                c.commit();
                if (rows != expectedRows) {
                    throw new IllegalStateException("baseline of " + table + " wrote " + rows + " rows, the transform "
                            + "wrote " + expectedRows);
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
