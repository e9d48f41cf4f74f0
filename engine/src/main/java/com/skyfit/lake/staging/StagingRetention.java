package com.skyfit.lake.staging;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.ErrorText;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.control.PgRetry;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of partitioned staging tables: drops whole month partitions whose every ingestion date is older than
 * the retention, once nothing in them is still needed. A partition goes only when every bronze part of its
 * months is loaded (none 'written' or 'failed'), no run of those parts is still running (a run's completion may
 * still read its staging rows), every core table that reads the staging table has transformed past its last row,
 * and it holds exactly the rows its parts loaded (nothing that only staging has). DROP, not DELETE: the space
 * returns at once, with no dead rows for vacuum. The parts become 'pruned' in ops.bronze_files and the drop is
 * recorded in ops.staging_retention; bronze keeps every part, so {@code skyfit load --all-runs} rebuilds the
 * partition with the same rows.
 *
 * <p>Each partition is decided and dropped in one transaction that holds the table's retention lock
 * exclusively, which every load into the table holds shared (ops.lock_staging_partitions): no load is writing
 * into a partition while it is judged, and none starts before it is gone. A lock not granted within
 * {@link #LOCK_WAIT} (long loads, a transform) leaves the partition for the next time.
 */
public final class StagingRetention {
    private static final Logger LOG = LoggerFactory.getLogger(StagingRetention.class);

    /** Days of ingestion kept in partitioned staging tables; 0 keeps everything. */
    public static final String RETENTION_DAYS = "SKYFIT_STAGING_RETENTION_DAYS";
    static final java.time.Duration LOCK_WAIT = java.time.Duration.ofSeconds(10);

    /** What retention did with one partition: dropped, or kept and why. */
    public record Outcome(String stagingTable, String partition, LocalDate from, LocalDate to, boolean dropped,
            String reason, long files, long rows, long bytes) {}

    private final Database db;
    private final FileLedger ledger;
    private final Function<String, List<String>> readers;
    private final java.time.Duration lockWait;

    /**
     * @param readers the core tables ("core.evo_sales") that transform a staging table ("stg_evo.sales_raw"): its
     *                rows may go only when all of them have consumed them
     */
    public StagingRetention(Database db, Function<String, List<String>> readers) {
        this(db, readers, LOCK_WAIT);
    }

    StagingRetention(Database db, Function<String, List<String>> readers, java.time.Duration lockWait) {
        this.db = db;
        this.ledger = new FileLedger(db);
        this.readers = readers;
        this.lockWait = lockWait;
    }

    /** The retention setting: 0 (the default) keeps everything; a wrong value stops start-up naming it. */
    public static int days(Settings settings) {
        return settings.integer(RETENTION_DAYS, 0, 0, 36_500);
    }

    /**
     * Judges every month partition whose months all lie more than {@code days} before {@code today}; drops those
     * nothing needs. Partitions not old enough are not listed.
     */
    public List<Outcome> prune(int days, LocalDate today, String droppedBy) {
        if (days <= 0) {
            return List.of();
        }
        LocalDate keepFrom = today.minusDays(days);
        List<Outcome> out = new ArrayList<>();
        for (Partition p : partitions()) {
            if (p.to().isAfter(keepFrom)) {
                continue;
            }
            Outcome o;
            try {
                // judged first without the lock, so a month that stays anyway never waits for loads in flight
                o = db.inTransaction(c -> judge(c, p, days, droppedBy, false));
                if (o == null) {
                    o = db.inTransaction(c -> judge(c, p, days, droppedBy, true));
                }
            } catch (RuntimeException e) {
                o = p.kept(PgRetry.lockWaitRanOut(e) ? "loads or a transform of " + p.stagingTable() + " held it longer than "
                        + lockWait.toSeconds() + " s; next time" : "could not be judged: "
                        + ErrorText.forDisplay(e.getMessage()), 0, 0);
            }
            if (o.dropped()) {
                LOG.info("staging retention dropped {} (ingestion dates {} to {}): {} parts, {} rows, {} bytes;"
                        + " its parts are 'pruned' in ops.bronze_files, `skyfit load --all-runs` brings them back",
                        o.partition(), o.from(), o.to().minusDays(1), o.files(), o.rows(), o.bytes());
            } else {
                LOG.info("staging retention keeps {}: {}", o.partition(), o.reason());
            }
            out.add(o);
        }
        return out;
    }

    record Partition(String schema, String parent, String name, LocalDate from, LocalDate to) {
        String stagingTable() {
            return schema + "." + parent;
        }

        String qualified() {
            return StagingTable.quote(schema) + "." + StagingTable.quote(name);
        }

        String source() {
            return schema.substring("stg_".length());
        }

        String entity() {
            return parent.substring(0, parent.length() - "_raw".length());
        }

        Outcome kept(String why, long files, long rows) {
            return new Outcome(stagingTable(), schema + "." + name, from, to, false, why, files, rows, 0);
        }
    }

    /** The month partitions of every partitioned staging table, oldest first. */
    List<Partition> partitions() {
        return db.query("""
                SELECT n.nspname, parent.relname, c.relname, to_date(substring(c.relname FROM '_p(\\d{6})$'), 'YYYYMM')
                FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                JOIN pg_class parent ON parent.oid = i.inhparent
                JOIN pg_namespace n ON n.oid = parent.relnamespace
                WHERE n.nspname LIKE 'stg\\_%' AND parent.relkind = 'p' AND parent.relname LIKE '%\\_raw'
                  AND c.relname ~ '_raw_p\\d{6}$'
                ORDER BY 4, 1, 2""", ps -> {}, rs -> {
                    LocalDate from = rs.getObject(4, LocalDate.class);
                    return new Partition(rs.getString(1), rs.getString(2), rs.getString(3), from, from.plusMonths(1));
                });
    }

    /**
     * Why the partition stays; or, when nothing needs it: null without {@code drop}, else the drop's outcome after
     * dropping it under the table's exclusive retention lock.
     */
    private Outcome judge(Connection c, Partition p, int days, String droppedBy, boolean drop) throws SQLException {
        if (drop) {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = " + lockWait.toMillis());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_advisory_xact_lock(ops.staging_retention_key(?, ?))")) {
                ps.setString(1, p.schema());
                ps.setString(2, p.parent());
                ps.executeQuery().close();
            }
        }
        FileLedger.DateRangeFiles files = ledger.filesIngested(c, p.source(), p.entity(), p.from(), p.to());
        if (files.pending() > 0) {
            return p.kept(files.pending() + " of its bronze parts are not loaded (written or failed)", files.loaded(),
                    files.stagingRows());
        }
        if (files.ofRunningRuns() > 0) {
            return p.kept("a run of its parts is still running", files.loaded(), files.stagingRows());
        }
        if (files.loaded() == 0) {
            return p.kept("no loaded bronze part on the ledger: its rows could not be loaded again", 0, 0);
        }
        String untransformed = untransformed(c, p);
        if (untransformed != null) {
            return p.kept(untransformed, files.loaded(), files.stagingRows());
        }
        if (!drop) {
            return null;
        }
        long rows = count(c, "SELECT count(*) FROM " + p.qualified());
        if (rows != files.stagingRows()) {
            return p.kept("it holds " + rows + " rows, its loaded parts " + files.stagingRows()
                    + ": rows not from a loaded part could not be loaded again", files.loaded(), rows);
        }
        long bytes = count(c, "SELECT pg_total_relation_size('" + p.qualified().replace("'", "''") + "')");
        try (PreparedStatement ps = c.prepareStatement("SELECT ops.drop_staging_partition(?, ?)")) {
            ps.setString(1, p.schema());
            ps.setString(2, p.name());
            ps.executeQuery().close();
        }
        int pruned = ledger.markPruned(c, p.source(), p.entity(), p.from(), p.to());
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.staging_retention (staging_table, partition_name, range_start, range_end, files,
                                                   rows_dropped, bytes_dropped, retention_days, dropped_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, p.stagingTable());
            ps.setString(2, p.schema() + "." + p.name());
            ps.setObject(3, p.from());
            ps.setObject(4, p.to());
            ps.setInt(5, pruned);
            ps.setLong(6, rows);
            ps.setLong(7, bytes);
            ps.setInt(8, days);
            ps.setString(9, droppedBy);
            ps.executeUpdate();
        }
        return new Outcome(p.stagingTable(), p.schema() + "." + p.name(), p.from(), p.to(), true, "dropped", pruned,
                rows, bytes);
    }

    /** Why some core table may still need the partition's rows, or null when every reader is past them. */
    private String untransformed(Connection c, Partition p) throws SQLException {
        List<String> tables = readers.apply(p.stagingTable());
        if (tables.isEmpty()) {
            return "no core table reads " + p.stagingTable() + " yet";
        }
        long consumed = Long.MAX_VALUE;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT core_table, last_stg_id FROM ops.transform_state WHERE core_table = ANY (?)")) {
            Array names = c.createArrayOf("text", tables.toArray());
            ps.setArray(1, names);
            List<String> seen = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen.add(rs.getString(1));
                    consumed = Math.min(consumed, rs.getLong(2));
                }
            }
            List<String> never = tables.stream().filter(t -> !seen.contains(t)).toList();
            if (!never.isEmpty()) {
                return never.get(0) + " has never been transformed";
            }
        }
        // BRIN on stg_id: only the block ranges that may hold a newer id are read
        if (count(c, "SELECT count(*) FROM (SELECT 1 FROM " + p.qualified() + " WHERE stg_id > " + consumed
                + " LIMIT 1) x") > 0) {
            return "some of its rows are not transformed into core yet";
        }
        return null;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
