package com.skyfit.lake.core;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.function.Predicate;

/**
 * An optional step inside a transform's transaction (dropping indexes, summarising staging ranges) that must not
 * wait long for a lock another session holds: it runs under a savepoint with a short lock_timeout, and when it gives
 * up (the wait ran out, or another failure the caller accepts) everything it did, the setting included, is taken
 * back to the savepoint and the transaction goes on.
 */
final class ShortLockWait {
    /** How long the step waits for a lock before it gives up. */
    static final String LOCK_WAIT = "5s";

    @FunctionalInterface
    interface Step {
        void run(Statement st) throws SQLException;
    }

    private ShortLockWait() {
    }

    /** Runs the step; false (and nothing done) when it failed in a way {@code givesUp} accepts. */
    static boolean tryRun(Connection c, Step step, Predicate<SQLException> givesUp) throws SQLException {
        Savepoint before = c.setSavepoint();
        try (Statement st = c.createStatement()) {
            String wait;
            try (ResultSet rs = st.executeQuery("SELECT current_setting('lock_timeout')")) {
                rs.next();
                wait = rs.getString(1);
            }
            st.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT + "'");
            step.run(st);
            st.execute("SELECT set_config('lock_timeout', '" + wait.replace("'", "''") + "', true)");
            c.releaseSavepoint(before);
            return true;
        } catch (SQLException e) {
            if (!givesUp.test(e)) {
                throw e;
            }
            c.rollback(before); // the setting too: it was set after the savepoint
            return false;
        }
    }
}
