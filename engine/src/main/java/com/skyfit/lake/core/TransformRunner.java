package com.skyfit.lake.core;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.control.PgRetry;
import com.skyfit.lake.control.RunLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the core transforms (one statement per table, generated from its declaration by TransformSql) over the
 * staging rows each table has not consumed yet. One table is one transaction: the core rows, the staging
 * warnings, the table's ops.transform_state row and the counts added to each credited run in ops.runs commit
 * together, so a failed run leaves all of them as they were (invariant 5), a re-run redoes exactly the same rows
 * (invariant 4), and a failure in a later table never loses the counts of the tables already committed.
 */
public final class TransformRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TransformRunner.class);

    /** Set for the transform's transaction only: its hash tables and sorts stay in memory at millions of rows. */
    public static final String WORK_MEM = "1GB";

    /**
     * From a batch spanning this many staging ids (a first load or a full refresh), each table the step writes that
     * is empty when the batch starts is loaded without its secondary indexes, built again once its rows are in (see
     * BulkLoadIndexes). Ids, not rows: the span also counts ids of other scopes and of rows a reload replaced.
     */
    public static final long BULK_LOAD_ROWS = 100_000;

    /**
     * A batch spanning more staging ids than this is transformed in slices of this many ids, one statement each, in
     * the same transaction: the statement's working memory (the batch's typed rows, its repeated-keys hash) then
     * stays that of a slice however large the batch (a first load of 110 M entries included). Each slice is a batch
     * like an incremental run's: the first into an empty table takes the first-load path, the later ones find the
     * keys already stored by probing the primary key, so a slice costs the same whatever the table's size.
     */
    public static final long SLICE_IDS = 500_000;

    private final Database db;
    private final PgRetry retry;
    private final long bulkLoadRows;
    private final long sliceIds;
    private final Map<String, String> sqlByTable = new ConcurrentHashMap<>();

    public TransformRunner(Database db) {
        this(db, new PgRetry(List.of()));
    }

    /** A table's transform that fails transiently (connection lost, deadlock) is rolled back and run again. */
    public TransformRunner(Database db, PgRetry retry) {
        this(db, retry, BULK_LOAD_ROWS);
    }

    TransformRunner(Database db, PgRetry retry, long bulkLoadRows) {
        this(db, retry, bulkLoadRows, SLICE_IDS);
    }

    TransformRunner(Database db, PgRetry retry, long bulkLoadRows, long sliceIds) {
        if (sliceIds < 1) {
            throw new IllegalArgumentException("sliceIds must be at least 1: " + sliceIds);
        }
        this.db = db;
        this.retry = retry;
        this.bulkLoadRows = bulkLoadRows;
        this.sliceIds = sliceIds;
    }

    public List<TransformResult> runAll(Collection<CoreTable> tables, boolean fullRefresh) {
        return runAll(tables, fullRefresh, RunCredit.EXTRACTING_RUN);
    }

    public List<TransformResult> runAll(Collection<CoreTable> tables, boolean fullRefresh, RunCredit credit) {
        List<TransformResult> results = new ArrayList<>();
        for (CoreTable t : tables) {
            try {
                results.add(retry.call("transform of " + t.qualifiedName(), () -> run(t, fullRefresh, credit)));
            } catch (SQLException e) {
                throw new TransformException("Transform of " + t.qualifiedName() + " failed: " + e.getMessage(), e);
            }
        }
        return results;
    }

    public TransformResult run(CoreTable table, boolean fullRefresh) {
        return run(table, fullRefresh, RunCredit.EXTRACTING_RUN);
    }

    /**
     * Transforms the table's new staging rows, or with fullRefresh empties the table and rebuilds it from all of
     * them (in the same transaction, so readers never see it half built).
     */
    public TransformResult run(CoreTable table, boolean fullRefresh, RunCredit credit) {
        String sql = transformSql(table);
        long started = System.nanoTime();
        try (Connection c = db.connection()) {
            summarizeBeforeSlices(c, table, fullRefresh);
            c.setAutoCommit(false);
            try {
                TransformResult result = runInTransaction(c, table, sql, fullRefresh, started, credit);
                c.commit();
                LOG.info("{}: {} candidates, {} inserted, {} updated, {} unchanged, {} deleted, {} warnings in {} s",
                        table.qualifiedName(), result.candidates(), result.inserted(), result.updated(),
                        result.unchanged(), result.deleted(), result.warned(), String.format("%.3f", result.seconds()));
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new TransformException("Transform of " + table.qualifiedName() + " failed and was rolled back ("
                    + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    private TransformResult runInTransaction(Connection c, CoreTable table, String sql, boolean fullRefresh,
            long started, RunCredit credit) throws SQLException {
        long consumed = lockState(c, table);
        if (fullRefresh || consumed == 0) {
            // a table transformed for the first time reads staging from its start, as a full refresh does
            requireStagingWhole(c, table);
        }
        long from = fullRefresh ? 0 : consumed;
        long to = stagedUpTo(c, table);
        if (!fullRefresh && to <= from) {
            return new TransformResult(table.qualifiedName(), 0, 0, 0, 0, 0, 0, secondsSince(started), List.of());
        }
        try (Statement st = c.createStatement()) {
            List<String> emptied = CoreTables.refreshedBy(table);
            if (fullRefresh && !emptied.isEmpty()) {
                st.execute("TRUNCATE " + String.join(", ", emptied));
            }
            st.execute("SET LOCAL work_mem = '" + WORK_MEM + "'");
            st.execute("SET LOCAL maintenance_work_mem = '" + WORK_MEM + "'");
        }
        // a first load or a full refresh only: an incremental batch never drops an index, even of an empty child
        List<BulkLoadIndexes.Index> dropped = (fullRefresh || consumed == 0) && to - from >= bulkLoadRows
                ? BulkLoadIndexes.dropFromEmpty(c, table.writtenTables()) : List.of();
        markEmptyAtStart(c, table.writtenTables());
        List<TransformResult.RunCounts> perRun = new ArrayList<>();
        long warned = 0;
        long lo = from;
        do { // once at least: a full refresh of nothing still runs the statement
            long hi = to - lo > sliceIds ? lo + sliceIds : to;
            warned += runSlice(c, sql, lo, hi, perRun);
            lo = hi;
        } while (lo < to);
        BulkLoadIndexes.rebuild(c, dropped);
        if (!dropped.isEmpty()) {
            LOG.info("{}: loaded into an empty table without its {} secondary indexes, built again after",
                    table.qualifiedName(), dropped.size());
        }
        if (fullRefresh && table.flagsMissing()) {
            MissingRows.replay(c, table); // the deletes found by absence are not in staging: found again here
        }
        TransformResult result = summarize(table, credited(c, perRun, credit), warned, secondsSince(started));
        saveState(c, table, to, result);
        for (TransformResult.RunCounts r : result.perRun()) {
            RunLedger.addTransformCounts(c, r.runId(), r.inserted(), r.updated(), r.unchanged(), r.deleted());
        }
        return result;
    }

    /**
     * Before a batch that will be read in slices, outside its transaction (whose SHARE lock on staging would hold
     * the summary back): the staging table's new BRIN ranges summarised. The span is read without locks, as a
     * guess; the transaction reads it again, and a wrong guess only costs reads.
     */
    private void summarizeBeforeSlices(Connection c, CoreTable table, boolean fullRefresh) throws SQLException {
        long consumed = 0;
        if (!fullRefresh) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT last_stg_id FROM ops.transform_state WHERE core_table = ?")) {
                ps.setString(1, table.qualifiedName());
                try (ResultSet rs = ps.executeQuery()) {
                    consumed = rs.next() ? rs.getLong(1) : 0;
                }
            }
        }
        if (lastStagingId(c, table) - consumed > sliceIds) {
            StagingIdRanges.summarize(c, table.stagingTable());
        }
    }

    /**
     * The tables the step writes that are empty as the batch begins (after a full refresh's TRUNCATE), for the
     * statement: a later slice inserts the children of parent keys core does not hold plainly only when their table
     * was empty at the start (ChildSql), so rows left by anything else always meet the upsert.
     */
    static List<String> markEmptyAtStart(Connection c, List<String> tables) throws SQLException {
        List<String> empty = new ArrayList<>();
        for (String t : tables) {
            if (BulkLoadIndexes.isEmpty(c, t)) {
                empty.add(t);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('skyfit.empty_at_start', ?, true)")) {
            ps.setString(1, String.join(",", empty));
            ps.execute();
        }
        return empty;
    }

    /** One statement over (from, to]: its counts per run added to perRun; returns the staging rows it flagged. */
    private static long runSlice(Connection c, String sql, long from, long to, List<TransformResult.RunCounts> perRun)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT set_config('skyfit.from_stg_id', ?, true), set_config('skyfit.to_stg_id', ?, true)")) {
            ps.setString(1, Long.toString(from));
            ps.setString(2, Long.toString(to));
            ps.execute();
        }
        long warned = 0;
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            try (ResultSet rs = st.executeQuery(bound(sql, from, to))) {
                while (rs.next()) {
                    perRun.add(new TransformResult.RunCounts(rs.getString("run_id"), rs.getLong("candidates"),
                            rs.getLong("inserted"), rs.getLong("updated"), rs.getLong("unchanged"),
                            rs.getLong("deleted")));
                    warned += rs.getLong("warned");
                }
            }
        }
        return warned;
    }

    /** The counts per run the transform credits, merged when several staging runs credit the same one. */
    private static List<TransformResult.RunCounts> credited(Connection c, List<TransformResult.RunCounts> perRun,
            RunCredit credit) throws SQLException {
        Map<String, TransformResult.RunCounts> byRun = new LinkedHashMap<>();
        for (TransformResult.RunCounts r : perRun) {
            String runId = r.runId() == null ? null : credit.creditedRun(c, r.runId());
            byRun.merge(String.valueOf(runId), new TransformResult.RunCounts(runId, r.candidates(), r.inserted(),
                    r.updated(), r.unchanged(), r.deleted()), (a, b) -> new TransformResult.RunCounts(a.runId(),
                    a.candidates() + b.candidates(), a.inserted() + b.inserted(), a.updated() + b.updated(),
                    a.unchanged() + b.unchanged(), a.deleted() + b.deleted()));
        }
        return List.copyOf(byRun.values());
    }

    private static TransformResult summarize(CoreTable table, List<TransformResult.RunCounts> perRun, long warned,
            double seconds) {
        long candidates = 0, inserted = 0, updated = 0, unchanged = 0, deleted = 0;
        for (TransformResult.RunCounts r : perRun) {
            candidates += r.candidates();
            inserted += r.inserted();
            updated += r.updated();
            unchanged += r.unchanged();
            deleted += r.deleted();
        }
        return new TransformResult(table.qualifiedName(), candidates, inserted, updated, unchanged, deleted, warned,
                seconds, List.copyOf(perRun));
    }

    /** A rebuild from staging after staging retention dropped some of its rows would lose their core rows. */
    private static void requireStagingWhole(Connection c, CoreTable table) throws SQLException {
        long pruned = FileLedger.prunedCount(c, table.source(), table.entity());
        if (pruned > 0) {
            throw new TransformException("Cannot rebuild " + table.qualifiedName() + " from " + table.stagingTable()
                    + ": staging retention dropped the rows of " + pruned + " of its bronze parts; load them again "
                    + "first (skyfit load --all-runs)", null);
        }
    }

    /**
     * Creates the table's state row if needed and locks it: one transform per table at a time. A table another
     * step also writes (CoreTables.sharing) locks that step's row too, in name order, so the two never write the
     * same rows at once (their inserts check for a key before inserting it).
     */
    private static long lockState(Connection c, CoreTable table) throws SQLException {
        long consumed = 0;
        for (String step : CoreTables.sharing(table)) {
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO ops.transform_state (core_table) VALUES (?) ON CONFLICT (core_table) DO NOTHING")) {
                ins.setString(1, step);
                ins.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT last_stg_id FROM ops.transform_state WHERE core_table = ? FOR UPDATE")) {
                ps.setString(1, step);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (step.equals(table.qualifiedName())) {
                        consumed = rs.getLong(1);
                    }
                }
            }
        }
        return consumed;
    }

    /**
     * The highest staging row id this run may consume. The SHARE lock waits for loads in progress and holds new
     * ones until commit: without it, a load that drew lower ids but commits later would fall behind the saved
     * last_stg_id and never be transformed. With no load in flight, the identity's last value is exact and costs
     * no scan (ids of rolled-back loads are simply never seen).
     */
    private static long stagedUpTo(Connection c, CoreTable table) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE " + table.stagingTable() + " IN SHARE MODE");
        }
        return lastStagingId(c, table);
    }

    private static long lastStagingId(Connection c, CoreTable table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence(?, 'stg_id')::regclass), 0)")) {
            ps.setString(1, table.stagingTable());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void saveState(Connection c, CoreTable table, long to, TransformResult r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE ops.transform_state SET last_stg_id = ?, "
                + "last_run_at = now(), rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, rows_warned = ? "
                + "WHERE core_table = ?")) {
            ps.setLong(1, to);
            ps.setLong(2, r.inserted());
            ps.setLong(3, r.updated());
            ps.setLong(4, r.unchanged());
            ps.setLong(5, r.warned());
            ps.setString(6, table.qualifiedName());
            ps.executeUpdate();
        }
    }

    static final String FROM_SETTING = "current_setting('skyfit.from_stg_id')::bigint";
    static final String TO_SETTING = "current_setting('skyfit.to_stg_id')::bigint";

    /**
     * The statement with its staging id range written in as numbers. The session settings stay set (a file run by
     * hand reads them), but a bound read from a setting is a function call per staging row, twice: about a third of
     * a second per million rows, more than the scan itself. The numbers are this class's own longs.
     */
    static String bound(String sql, long from, long to) {
        return sql.replace(FROM_SETTING, Long.toString(from)).replace(TO_SETTING, Long.toString(to));
    }

    /** Generated from the table's declaration; the same text as its checked-in file under sql/transforms. */
    private String transformSql(CoreTable table) {
        return sqlByTable.computeIfAbsent(table.qualifiedName(), name -> table.transformSql());
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
