package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.testing.TestPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ledger writes ride out a PostgreSQL that refuses connections for a moment, as the loader does. */
class RunLedgerRetryIT {
    Database db;
    final AtomicInteger refusals = new AtomicInteger();

    @BeforeEach
    void start() {
        db = TestPostgres.newDatabase();
    }

    @AfterEach
    void stop() {
        db.close();
    }

    /** The real database, except that the next {@code refusals} connections are refused (SQLSTATE 08001). */
    private Database flaky() {
        DataSource real = db.dataSource();
        DataSource ds = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && refusals.getAndDecrement() > 0) {
                        throw new SQLException("Connection refused (simulated)", "08001");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Database(ds, "flaky", null);
    }

    @Test
    void runAndWindowWritesAreRetriedOnTransientFailures() {
        Database flaky = flaky();
        RunLedger ledger = new RunLedger(flaky, new PgRetry(List.of(Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofMillis(10))));
        WindowLedger windows = new WindowLedger(flaky, ledger);
        refusals.set(2);
        ledger.transaction("open", c -> {
            ledger.openRun(c, "r1", "b1", "pipedrive", "commercial", "deals", "full", "manual", null, null, null, null,
                    null);
            windows.addWindow(c, "r1", 0, null, null);
            return null;
        });
        refusals.set(2);
        windows.windowStarted("b1", "r1", null, null);
        refusals.set(3);
        ledger.fail("r1", "stopped for the test", null);

        assertThat(ledger.run("r1").orElseThrow().status()).isEqualTo("failed");
        assertThat(windows.windows("r1")).singleElement().satisfies(w -> assertThat(w.status()).isEqualTo("running"));
    }

    @Test
    void theBronzeWritersLedgerWritesAreRetriedOnTransientFailures(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        FileLedger files = new FileLedger(flaky(), new PgRetry(List.of(Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofMillis(10))));
        com.skyfit.lake.bronze.BronzePath run = new com.skyfit.lake.bronze.BronzePath("pipedrive", "commercial", "deals",
                java.time.LocalDate.of(2026, 3, 1), "r-writer", 0);
        refusals.set(2); // the writer's first read of the run's parts
        java.util.List<com.skyfit.lake.bronze.BronzePart> parts;
        try (com.skyfit.lake.bronze.BronzePartWriter w = com.skyfit.lake.bronze.BronzePartWriter.forWindow(
                new com.skyfit.lake.bronze.LocalBronzeStore(dir), files, run, 0, null, null,
                com.skyfit.lake.bronze.PartLimits.defaults())) {
            w.write("{\"id\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            refusals.set(2); // recording the committed part
            parts = w.finish();
        }
        assertThat(parts).hasSize(1);
        assertThat(files.partsOf("r-writer")).extracting(com.skyfit.lake.bronze.BronzePart::path)
                .containsExactly(parts.get(0).path());
    }

    @Test
    void withoutARetryScheduleTheFailureSurfacesWithItsSqlState() {
        RunLedger ledger = new RunLedger(flaky());
        refusals.set(1);
        assertThatThrownBy(() -> ledger.fail("r1", "x", null)).hasMessageContaining("08001");
    }
}
