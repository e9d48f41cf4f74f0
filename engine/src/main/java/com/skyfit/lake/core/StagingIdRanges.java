package com.skyfit.lake.core;

import com.skyfit.lake.control.PgRetry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch transformed in slices finds each slice's staging rows through the stg_id BRIN index of the staging table
 * (of each partition). Page ranges loaded since the table's last VACUUM are not summarised yet, and a BRIN scan reads
 * every unsummarised range: each slice would read all the pages loaded since. So before the slices their ranges are
 * summarised, the work VACUUM would do, once, by ops.summarize_staging_id_index (SECURITY DEFINER: the app's role
 * owns no table). When another session holds the table (a VACUUM) for longer than ShortLockWait.LOCK_WAIT, the
 * slices read the unsummarised pages too: the same rows, more reads, and a warning.
 */
final class StagingIdRanges {
    private static final Logger LOG = LoggerFactory.getLogger(StagingIdRanges.class);

    private StagingIdRanges() {
    }

    /** Summarises the new full page ranges of the table's stg_id BRIN indexes; returns how many it summarised. */
    static long summarize(Connection c, String stagingTable) throws SQLException {
        String[] name = stagingTable.split("\\.", 2);
        long[] ranges = {0};
        boolean done = ShortLockWait.tryRun(c, st -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT ops.summarize_staging_id_index(?, ?)")) {
                ps.setString(1, name[0]);
                ps.setString(2, name[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ranges[0] = rs.getLong(1);
                }
            }
        }, PgRetry::lockWaitRanOut);
        if (!done) {
            LOG.warn("{}: another session holds the table; its new staging pages were not summarised before a batch "
                    + "read in slices, each slice reads them all", stagingTable);
        }
        return ranges[0];
    }
}
