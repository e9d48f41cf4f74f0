package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.Database;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When an incremental run reads its entity whole instead. An API that lists no deleted records (Pipedrive persons,
 * organizations, activities) hides its deletes from every filtered read; an unfiltered read that completes is the
 * listing whose missing keys are the deletes ({@link com.skyfit.lake.core.MissingRows}). Due when the entity's
 * last successful unfiltered read is older than the source's reconcile period, or there never was one.
 */
final class Reconciliation {
    private final Database db;

    Reconciliation(Database db) {
        this.db = db;
    }

    boolean due(SourceConnector source, String scope, String entity, Instant now) {
        Duration every = source.reconcileEvery(entity);
        if (every == null) {
            return false;
        }
        if (every.isZero()) {
            return true; // every run; also no race with a read that completed within the planner's second
        }
        Optional<Instant> last = lastCompleteRead(source.name(), scope, entity);
        return last.isEmpty() || !last.get().plus(every).isAfter(now);
    }

    /** When the entity's last successful unfiltered read (every window unbounded) completed. */
    Optional<Instant> lastCompleteRead(String source, String scope, String entity) {
        return db.queryFirst("""
                SELECT max(r.completed_at) FROM ops.runs r
                WHERE r.source = ? AND r.scope = ? AND r.entity = ? AND r.status = 'success'
                  AND EXISTS (SELECT 1 FROM ops.windows w WHERE w.run_id = r.run_id)
                  AND NOT EXISTS (SELECT 1 FROM ops.windows w WHERE w.run_id = r.run_id
                                  AND (w.window_start <> '-infinity' OR w.window_end <> 'infinity'))""",
                ps -> {
                    ps.setString(1, source);
                    ps.setString(2, scope);
                    ps.setString(3, entity);
                }, rs -> {
                    Timestamp t = rs.getTimestamp(1);
                    return t == null ? null : t.toInstant();
                });
    }
}
