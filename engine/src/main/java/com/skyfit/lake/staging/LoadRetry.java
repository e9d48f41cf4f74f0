package com.skyfit.lake.staging;

import com.skyfit.lake.control.PgRetry;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader's retry: a load transaction is repeated whole, on the configured schedule, after a failure
 * that may pass: a transient PostgreSQL failure as {@link PgRetry} classifies it, or a storage read
 * that failed for a reason other than the part's own bytes. Everything else fails at once.
 */
final class LoadRetry {
    private static final Logger LOG = LoggerFactory.getLogger(LoadRetry.class);

    private final List<Duration> schedule;

    LoadRetry(List<Duration> schedule) {
        this.schedule = List.copyOf(schedule);
    }

    static boolean isTransient(Throwable failure) {
        return failure instanceof BatchTransaction.TransientReadException
                || PgRetry.classify(failure) == PgRetry.Kind.TRANSIENT;
    }

    /** Runs the work (its own transaction, rolled back on failure), retrying it whole on transient failures. */
    <T> T call(String what, CheckedSupplier<T> work) throws SQLException {
        RetryPolicy<T> policy = RetryPolicy.<T>builder()
                .handleIf(LoadRetry::isTransient)
                .withMaxRetries(schedule.size())
                .withDelayFn(ctx -> schedule.isEmpty() ? Duration.ZERO
                        : schedule.get(Math.min(Math.max(ctx.getAttemptCount(), 1), schedule.size()) - 1))
                .onRetryScheduled(e -> LOG.warn("{} failed ({}); retry {} of {} in {} s", what,
                        firstLine(e.getLastException()), e.getAttemptCount(), schedule.size(),
                        e.getDelay().toMillis() / 1000.0))
                .build();
        try {
            return Failsafe.with(policy).get(work);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof SQLException se) {
                throw se;
            }
            if (e.getCause() instanceof InterruptedException ie) {
                // a stop request, not the part's fault: nothing is marked, the next load redoes it
                Thread.currentThread().interrupt();
                throw new StagingLoadException("interrupted while " + what, ie);
            }
            throw e;
        }
    }

    private static String firstLine(Throwable t) {
        String m = t == null || t.getMessage() == null ? "" : t.getMessage();
        String state = PgRetry.sqlState(t).map(s -> "SQLSTATE " + s + ": ").orElse("");
        int nl = m.indexOf('\n');
        return state + (nl < 0 ? m : m.substring(0, nl));
    }
}
