package com.skyfit.lake.pipeline;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When an incremental run reads its entity whole instead. An API that lists no deleted records (Pipedrive persons,
 * organizations, activities) hides its deletes from every filtered read; an unfiltered read that completes is the
 * listing whose missing keys are the deletes ({@link com.skyfit.lake.core.MissingRows}). Due when the entity's
 * last successful unfiltered read is older than the source's reconcile period, or there never was one. Read on the
 * planner's transaction, as the rest of a plan is.
 */
final class Reconciliation {

    boolean due(Connection c, SourceConnector source, String scope, String entity, Instant now) throws SQLException {
        Duration every = source.reconcileEvery(entity);
        if (every == null) {
            return false;
        }
        if (every.isZero()) {
            return true; // every run; also no race with a read that completed within the planner's second
        }
        Optional<Instant> last = lastCompleteRead(c, source.name(), scope, entity);
        return last.isEmpty() || !last.get().plus(every).isAfter(now);
    }

    /** When the entity's last successful unfiltered read (every window unbounded) completed. */
    Optional<Instant> lastCompleteRead(Connection c, String source, String scope, String entity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT max(r.completed_at) FROM ops.runs r
                WHERE r.source = ? AND r.scope = ? AND r.entity = ? AND r.status = 'success'
                  AND EXISTS (SELECT 1 FROM ops.windows w WHERE w.run_id = r.run_id)
                  AND NOT EXISTS (SELECT 1 FROM ops.windows w WHERE w.run_id = r.run_id
                                  AND (w.window_start <> '-infinity' OR w.window_end <> 'infinity'))""")) {
            ps.setString(1, source);
            ps.setString(2, scope);
            ps.setString(3, entity);
            try (ResultSet rs = ps.executeQuery()) {
                Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                return Optional.ofNullable(t).map(Timestamp::toInstant);
            }
        }
    }
}
