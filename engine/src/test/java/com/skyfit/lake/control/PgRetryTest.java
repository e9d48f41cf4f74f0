package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.PgRetry.Kind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PgRetryTest {
    private static final List<Duration> FAST = List.of(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(5));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "08000, TRANSIENT", "08001, TRANSIENT", "08003, TRANSIENT", "08006, TRANSIENT",
        "57P01, TRANSIENT", "57P02, TRANSIENT", "57P03, TRANSIENT", "25006, TRANSIENT",
        "40001, TRANSIENT", "40P01, TRANSIENT", "53300, TRANSIENT",
        "22P02, BAD_INPUT", "22P04, BAD_INPUT", "22P05, BAD_INPUT", "22021, BAD_INPUT",
        "42P01, PERMANENT", "28P01, PERMANENT", "42501, PERMANENT", "23505, PERMANENT", "53100, PERMANENT"
    })
    void everySqlStateHasOneMeaning(String state, Kind kind) {
        assertThat(PgRetry.classify(state)).isEqualTo(kind);
    }

    @Test
    void aFailureWithoutSqlStateIsPermanentAndCausesAreSearched() {
        assertThat(PgRetry.classify((String) null)).isEqualTo(Kind.PERMANENT);
        assertThat(PgRetry.classify(new IllegalStateException("no state"))).isEqualTo(Kind.PERMANENT);
        assertThat(PgRetry.classify(new RuntimeException(new SQLException("gone", "08006")))).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void aBusyPoolIsTransientAndRetried() throws Exception {
        // what HikariCP throws when no connection frees up within its timeout: no SQLSTATE, no cause
        SQLException busy = new java.sql.SQLTransientConnectionException(
                "skyfit - Connection is not available, request timed out after 30000ms.");
        assertThat(PgRetry.classify(busy)).isEqualTo(Kind.TRANSIENT);
        assertThat(PgRetry.classify(new RuntimeException(busy))).isEqualTo(Kind.TRANSIENT);
        assertThat(PgRetry.classify(new java.sql.SQLTransactionRollbackException("rolled back"))).isEqualTo(Kind.TRANSIENT);

        AtomicInteger attempts = new AtomicInteger();
        String out = new PgRetry(FAST).call("test work", () -> {
            if (attempts.incrementAndGet() < 2) {
                throw busy;
            }
            return "done";
        });
        assertThat(out).isEqualTo("done");
    }

    @Test
    void transientFailuresAreRetriedUntilTheWorkSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        String out = new PgRetry(FAST).call("test work", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new SQLException("connection lost", "08006");
            }
            return "done";
        });
        assertThat(out).isEqualTo("done");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void permanentFailuresAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> new PgRetry(FAST).call("test work", () -> {
            attempts.incrementAndGet();
            throw new SQLException("relation does not exist", "42P01");
        })).isInstanceOf(SQLException.class).hasMessageContaining("relation does not exist");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void theLastFailureSurfacesAfterTheScheduleRunsOut() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> new PgRetry(FAST).call("test work", () -> {
            throw new SQLException("read-only " + attempts.incrementAndGet(), "25006");
        })).isInstanceOf(SQLException.class).hasMessage("read-only 4");
        assertThat(attempts).hasValue(4);
    }

    @Test
    void theScheduleComesFromSettings() {
        assertThat(PgRetry.fromSettings(Settings.of(Map.of())).schedule()).isEqualTo(PgRetry.DEFAULT_SCHEDULE);
        assertThat(PgRetry.fromSettings(Settings.of(Map.of(Settings.PG_RETRY_SECONDS, "0.5, 2"))).schedule())
                .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(2));
    }
}
