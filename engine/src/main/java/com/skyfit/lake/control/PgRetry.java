package com.skyfit.lake.control;

import com.skyfit.lake.config.Settings;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides what a PostgreSQL failure means. A transient failure (connection lost,
 * server shutting down, read-only replica during failover, serialization/deadlock, too many
 * connections) retries the whole unit of work on a schedule; bad input is the data's fault and
 * goes to the caller's line-checking path; everything else fails at once.
 */
public final class PgRetry {
    private static final Logger LOG = LoggerFactory.getLogger(PgRetry.class);

    public static final List<Duration> DEFAULT_SCHEDULE = List.of(
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(240));

    /** What a failure means for the unit of work that raised it. */
    public enum Kind {
        /** Try the same work again later: the server or the network will recover. */
        TRANSIENT,
        /** The data cannot be stored as sent (malformed JSON, bad encoding): check it line by line. */
        BAD_INPUT,
        /** Retrying changes nothing (missing table, permission, syntax): fail now with the reason. */
        PERMANENT
    }

    /** Exact SQLSTATEs; checked before {@link #BY_CLASS}. */
    private static final Map<String, Kind> BY_STATE = Map.ofEntries(
            Map.entry("57P01", Kind.TRANSIENT),   // admin_shutdown
            Map.entry("57P02", Kind.TRANSIENT),   // crash_shutdown
            Map.entry("57P03", Kind.TRANSIENT),   // cannot_connect_now (starting up, recovery)
            Map.entry("25006", Kind.TRANSIENT),   // read_only_sql_transaction: writes hit a replica during failover
            Map.entry("40001", Kind.TRANSIENT),   // serialization_failure
            Map.entry("40P01", Kind.TRANSIENT),   // deadlock_detected
            Map.entry("53300", Kind.TRANSIENT),   // too_many_connections
            Map.entry("22P02", Kind.BAD_INPUT),   // invalid input syntax for type json
            Map.entry("22P04", Kind.BAD_INPUT),   // bad COPY file format (stray delimiter, carriage return)
            Map.entry("22P05", Kind.BAD_INPUT),   // untranslatable character (\u0000 in jsonb)
            Map.entry("22021", Kind.BAD_INPUT),   // invalid byte sequence for encoding UTF8
            Map.entry("22025", Kind.BAD_INPUT),   // invalid escape sequence
            Map.entry("22003", Kind.BAD_INPUT),   // numeric value out of range
            Map.entry("54000", Kind.BAD_INPUT));  // value too large (a jsonb over the size limit)

    /** SQLSTATE classes (first two characters). */
    private static final Map<String, Kind> BY_CLASS = Map.of(
            "08", Kind.TRANSIENT);                 // connection exception

    private final List<Duration> schedule;

    public PgRetry(List<Duration> schedule) {
        this.schedule = List.copyOf(schedule);
    }

    public static PgRetry fromSettings(Settings settings) {
        return new PgRetry(settings.secondsList(Settings.PG_RETRY_SECONDS, DEFAULT_SCHEDULE));
    }

    public List<Duration> schedule() {
        return schedule;
    }

    public static Kind classify(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return Kind.PERMANENT;
        }
        Kind exact = BY_STATE.get(sqlState);
        if (exact != null) {
            return exact;
        }
        return BY_CLASS.getOrDefault(sqlState.substring(0, 2), Kind.PERMANENT);
    }

    /**
     * Classifies by the first SQLSTATE found along the cause chain. A {@link java.sql.SQLTransientException}
     * anywhere on it is transient whatever its state: the pool's "no connection within the timeout"
     * (SQLTransientConnectionException) has no SQLSTATE and only says the pool was busy.
     */
    public static Kind classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientException) {
                return Kind.TRANSIENT;
            }
        }
        return sqlState(failure).map(PgRetry::classify).orElse(Kind.PERMANENT);
    }

    /** lock_not_available (55P03) anywhere along the cause chain: a lock wait ran out under lock_timeout. */
    public static boolean lockWaitRanOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException se && "55P03".equals(se.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public static Optional<String> sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException se && se.getSQLState() != null) {
                return Optional.of(se.getSQLState());
            }
        }
        return Optional.empty();
    }

    /**
     * Runs the work, retrying it whole on transient failures, once per entry of the schedule.
     * The work must be safe to repeat (its own transaction, rolled back on failure).
     */
    public <T> T call(String what, CheckedSupplier<T> work) throws SQLException {
        return call(what, failure -> false, work);
    }

    /** As above, also retrying the failures the caller knows may pass (e.g. a storage read that broke). */
    public <T> T call(String what, java.util.function.Predicate<Throwable> alsoTransient, CheckedSupplier<T> work)
            throws SQLException {
        RetryPolicy<T> policy = RetryPolicy.<T>builder()
                .handleIf(failure -> alsoTransient.test(failure) || classify(failure) == Kind.TRANSIENT)
                .withMaxRetries(schedule.size())
                .withDelayFn(ctx -> schedule.isEmpty() ? Duration.ZERO
                        : schedule.get(Math.min(Math.max(ctx.getAttemptCount(), 1), schedule.size()) - 1))
                .onRetryScheduled(e -> LOG.warn("{} failed (SQLSTATE {}: {}); retry {} of {} in {} s", what,
                        sqlState(e.getLastException()).orElse("none"), firstLine(e.getLastException()),
                        e.getAttemptCount(), schedule.size(), e.getDelay().toMillis() / 1000.0))
                .build();
        try {
            return Failsafe.with(policy).get(work);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof SQLException se) {
                throw se;
            }
            throw e;
        }
    }

    private static String firstLine(Throwable t) {
        String m = t == null || t.getMessage() == null ? "" : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
