package com.skyfit.lake.staging;

import com.skyfit.lake.control.PgRetry;
import dev.failsafe.FailsafeException;
import dev.failsafe.function.CheckedSupplier;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The loader's retry: a load transaction is repeated whole, on the configured schedule, after a failure
 * that may pass: a transient PostgreSQL failure as {@link PgRetry} classifies it, or a storage read
 * that failed for a reason other than the part's own bytes. Everything else fails at once.
 */
final class LoadRetry {
    private final PgRetry retry;

    LoadRetry(List<Duration> schedule) {
        this.retry = new PgRetry(schedule);
    }

    /** Runs the work (its own transaction, rolled back on failure), retrying it whole on transient failures. */
    <T> T call(String what, CheckedSupplier<T> work) throws SQLException {
        try {
            return retry.call(what, failure -> failure instanceof BatchTransaction.TransientReadException, work);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof InterruptedException ie) {
                // a stop request, not the part's fault: nothing is marked, the next load redoes it
                Thread.currentThread().interrupt();
                throw new StagingLoadException("interrupted while " + what, ie);
            }
            throw e;
        }
    }
}
