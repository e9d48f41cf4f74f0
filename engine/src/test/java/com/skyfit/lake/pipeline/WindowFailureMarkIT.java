package com.skyfit.lake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.WindowLedger;
import com.skyfit.lake.source.RecordSink;
import com.skyfit.lake.testing.TestPostgres;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A window that fails while PostgreSQL is down reports its own error, not the ledger's. */
class WindowFailureMarkIT {
    @TempDir
    Path bronzeDir;

    Database real;
    final AtomicBoolean down = new AtomicBoolean();

    @BeforeEach
    void start() {
        real = TestPostgres.newDatabase();
    }

    @AfterEach
    void stop() {
        real.close();
    }

    /** The real database, refusing every new connection (SQLSTATE 08001) while {@code down} is set. */
    private Database switchable() {
        DataSource ds = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        throw new SQLException("Connection refused (simulated)", "08001");
                    }
                    try {
                        return method.invoke(real.dataSource(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Database(ds, "switchable", null);
    }

    /** A source that breaks, and takes the database down with it, in the middle of its read. */
    private final class BreakingSource implements SourceConnector {
        @Override
        public String name() {
            return "breaking";
        }

        @Override
        public List<String> scopes() {
            return List.of("main");
        }

        @Override
        public List<String> entities() {
            return List.of("things");
        }

        @Override
        public boolean supportsUpdatedFilter(String entity) {
            return false;
        }

        @Override
        public Duration overlap() {
            return Duration.ZERO;
        }

        @Override
        public Extracted extract(String scope, String entity, Instant updatedSince, Instant updatedUntil,
                RecordSink sink) throws IOException {
            down.set(true);
            throw new IOException("the source broke mid-read");
        }
    }

    @Test
    void theExtractsOwnErrorSurfacesWhenTheWindowCannotBeMarkedFailed() {
        Settings settings = Settings.of(Map.of("SKYFIT_PG_RETRY_SECONDS", "0.01,0.01"));
        Database db = switchable();
        try (DefaultIngestEngine engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Map.of("breaking", new BreakingSource()), Clock.systemUTC(), false)) {
            RunPlan plan = engine.plan(new PlanRequest("batch-db-down", "breaking", null, null, "full", "manual", null,
                    null));

            assertThatThrownBy(() -> engine.extract(plan.windows().get(0)))
                    .isInstanceOf(DefaultIngestEngine.ExtractException.class)
                    .hasMessageContaining("the source broke mid-read")
                    .satisfies(e -> assertThat(e.getCause().getSuppressed()).isNotEmpty());

            down.set(false);
            assertThat(new WindowLedger(real, engine.runs()).windows(plan.runIds().get(0))).singleElement()
                    .satisfies(w -> assertThat(w.status()).as("left as it was; completion fails the run").isEqualTo("running"));
        }
    }
}
