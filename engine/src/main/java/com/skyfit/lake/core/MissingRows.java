package com.skyfit.lake.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes found by absence. A complete read is a run whose windows are all unbounded (no update-time filter: the
 * whole list as the source holds it now) and that completes: every window extracted, every part loaded. Its
 * staging rows are then exactly what the source listed, and a key core holds live for the scope that the read
 * does not have was deleted at the source: the row is flagged (is_deleted, deleted_by_run, deleted_at), never
 * removed. Runs in the transaction that marks the run successful, so a failed or partial read never deletes and
 * a crash before that commit leaves nothing half flagged.
 *
 * <p>Safe by construction: a window with a bound (an incremental read from a watermark, a backfill window) makes
 * the run not complete; a staging row of the read whose key is unknown (an unparsable record) might be any key,
 * so the read flags nothing, and neither does a read that listed nothing at all; a row whose stored version came
 * from a run started later was seen after this read and stays (that matters when a full refresh replays the
 * reads; run ids sort only by the second they start in). A record that comes back is live again through the
 * transform, whose update writes its is_deleted from the record and clears deleted_by_run and deleted_at.
 */
public final class MissingRows {
    private static final Logger LOG = LoggerFactory.getLogger(MissingRows.class);

    private MissingRows() {}

    /**
     * After a run's checks passed and before its success commits: flags what its complete read no longer has and
     * adds the count to the run's rows_deleted. Zero when the table does not flag missing rows or the read was not
     * complete.
     */
    public static long afterRun(Connection c, String source, String entity, String scope, String runId)
            throws SQLException {
        Optional<CoreTable> table = CoreTables.find(source, entity);
        if (table.isEmpty() || !table.get().flagsMissing() || !isCompleteRead(c, runId)) {
            return 0;
        }
        long flagged = flag(c, table.get(), scope, runId);
        if (flagged > 0) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE ops.runs SET rows_deleted = rows_deleted + ? WHERE run_id = ?")) {
                ps.setLong(1, flagged);
                ps.setString(2, runId);
                ps.executeUpdate();
            }
            LOG.info("{} scope '{}': {} row(s) the complete read of run {} no longer has flagged deleted",
                    table.get().qualifiedName(), scope, flagged, runId);
        }
        return Math.max(flagged, 0);
    }

    /** True when the run has windows and every one of them read without an update-time bound. */
    static boolean isCompleteRead(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) > 0 AND bool_and(window_start = '-infinity' "
                + "AND window_end = 'infinity') FROM ops.windows WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Flags the table's live rows of the scope that the run's staging rows do not hold; -1 (and nothing flagged)
     * when a staging row of the run has no usable key, or the run has none.
     */
    static long flag(Connection c, CoreTable t, String scope, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(unknownKeysSql(t))) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    LOG.warn("{} scope '{}': run {} read {} record(s) without a usable key, so its read cannot tell "
                            + "which rows are gone; nothing flagged deleted", t.qualifiedName(), scope, runId,
                            rs.getLong(1));
                    return -1;
                }
                if (rs.getLong(2) == 0) {
                    // A list that comes back empty is far more often a token that lost its view than a company
                    // that deleted everything; flagging the whole table on it would swing every total.
                    LOG.warn("{} scope '{}': the complete read of run {} listed nothing; nothing flagged deleted",
                            t.qualifiedName(), scope, runId);
                    return -1;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(flagSql(t))) {
            ps.setString(1, runId);
            ps.setString(2, runId);
            ps.setString(3, scope);
            ps.setString(4, runId);
            return ps.executeUpdate();
        }
    }

    /**
     * After a full refresh rebuilt the table from staging: the flags of every successful complete read, in run
     * order, so core is again what bronze says (invariant 1). A row a later run saw keeps the version that run
     * wrote, which the later-run rule leaves alone.
     */
    static void replay(Connection c, CoreTable t) throws SQLException {
        List<String[]> reads = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT r.run_id, r.scope FROM ops.runs r
                WHERE r.source = ? AND r.entity = ? AND r.status = 'success'
                  AND EXISTS (SELECT 1 FROM ops.windows w WHERE w.run_id = r.run_id)
                  AND NOT EXISTS (SELECT 1 FROM ops.windows w WHERE w.run_id = r.run_id
                                  AND (w.window_start <> '-infinity' OR w.window_end <> 'infinity'))
                ORDER BY r.started_at, r.run_id""")) {
            ps.setString(1, t.source());
            ps.setString(2, t.entity());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reads.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        for (String[] r : reads) {
            flag(c, t, r[1], r[0]);
        }
    }

    /** The run's staging rows, found by its parts (through the staging table's BRIN index over blob_path). */
    private static String runRows(CoreTable t) {
        return "SELECT s.raw, s.validation_status FROM " + t.stagingTable() + " s\n"
                + "WHERE s.blob_path = ANY (ARRAY(SELECT f.blob_path FROM ops.bronze_files f WHERE f.run_id = ?))";
    }

    private static String keyValue(Column k) {
        return k.isCast() ? k.type().cast(k.read()) : k.read();
    }

    static String unknownKeysSql(CoreTable t) {
        String nullKey = t.key().stream().map(k -> keyValue(k) + " IS NULL").collect(Collectors.joining(" OR "));
        return "SELECT count(*) FILTER (WHERE x.validation_status = 'invalid' OR " + nullKey + "), count(*)\n"
                + "FROM (" + runRows(t) + ") x";
    }

    static String flagSql(CoreTable t) {
        String keys = t.key().stream().map(k -> keyValue(k) + " AS " + k.name()).collect(Collectors.joining(", "));
        String join = t.key().stream().map(k -> "seen." + k.name() + " = c." + k.name())
                .collect(Collectors.joining(" AND "));
        String deleted = t.deletedColumn();
        return "WITH seen AS MATERIALIZED (\n    SELECT " + keys + " FROM (" + runRows(t).replace("\n", "\n    ")
                + ") x\n)\n"
                + "UPDATE " + t.qualifiedName() + " c\n"
                + "SET " + deleted + " = true, deleted_by_run = ?, deleted_at = now(), _updated_at = now()\n"
                + "WHERE c.scope = ? AND c." + deleted + " IS NOT TRUE\n"
                + "  AND NOT EXISTS (SELECT 1 FROM ops.runs this JOIN ops.runs later ON later.run_id = c._run_id\n"
                + "                  WHERE this.run_id = ? AND later.started_at > this.started_at)\n"
                + "  AND NOT EXISTS (SELECT 1 FROM seen WHERE " + join + ")";
    }
}
