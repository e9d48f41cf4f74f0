package com.skyfit.lake.core;

import com.skyfit.lake.control.ErrorText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch transformed in slices finds each slice's staging rows through the stg_id BRIN index of the staging table
 * (of each partition). Page ranges loaded since the table's last VACUUM are not summarised yet, and a BRIN scan reads
 * every unsummarised range: each slice would read all the pages loaded since. So before the transform's transaction
 * their ranges are summarised, the work VACUUM would do, by ops.summarize_staging_id_index (SECURITY DEFINER: the
 * app's role owns no table), in a short transaction of its own (a summary is never taken back anyway). It is only a
 * saving: when it cannot run (another session holds the table for longer than BulkLoadIndexes.LOCK_WAIT, a VACUUM; the
 * function missing) the slices read the unsummarised pages too, the same rows with more reads, and it says so.
 */
final class StagingIdRanges {
    private static final Logger LOG = LoggerFactory.getLogger(StagingIdRanges.class);

    private StagingIdRanges() {
    }

    /**
     * Summarises the new full page ranges of the table's stg_id BRIN indexes, on a connection in autocommit mode
     * (left so); returns how many it summarised, 0 when it could not.
     */
    static long summarize(Connection c, String stagingTable) {
        int dot = stagingTable.indexOf('.');
        if (dot < 1) {
            throw new IllegalArgumentException("not a qualified staging table: " + stagingTable);
        }
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement();
                    PreparedStatement ps = c.prepareStatement("SELECT ops.summarize_staging_id_index(?, ?)")) {
                st.execute("SET LOCAL lock_timeout = '" + BulkLoadIndexes.LOCK_WAIT + "'");
                ps.setString(1, stagingTable.substring(0, dot));
                ps.setString(2, stagingTable.substring(dot + 1));
                long ranges;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ranges = rs.getLong(1);
                }
                c.commit();
                return ranges;
            } catch (SQLException e) {
                c.rollback();
                LOG.warn("{}: its new staging pages were not summarised before a batch read in slices, so each slice "
                        + "reads them all: {}", stagingTable, ErrorText.of(e));
                return 0;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new TransformException("Could not summarise " + stagingTable + ": " + e.getMessage(), e);
        }
    }
}
