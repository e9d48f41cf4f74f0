package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pool and the schema check, against a real PostgreSQL. */
class DatabasePoolIT {

    @Test
    void everyStatementReusesThePoolsFewConnections() throws Exception {
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        s.put("SKYFIT_PG_POOL_SIZE", "3");
        try (Database db = Database.open(Settings.of(s))) {
            Set<Integer> backends = ConcurrentHashMap.newKeySet();
            AtomicInteger most = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(6);
            try {
                java.util.List<Future<?>> work = new java.util.ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    work.add(threads.submit(() -> {
                        backends.add(db.queryFirst("SELECT pg_backend_pid()", ps -> {}, rs -> rs.getInt(1)).orElseThrow());
                        int open = countSessions(s, db);
                        most.accumulateAndGet(open, Math::max);
                    }));
                }
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(backends).as("server processes that answered 60 statements").hasSizeLessThanOrEqualTo(3);
            assertThat(most.get()).as("sessions of this pool open at once").isBetween(1, 3);
        }
    }

    private static int countSessions(Map<String, String> s, Database db) {
        // counted over a connection of its own, outside the pool
        try (Connection c = DriverManager.getConnection(s.get("SKYFIT_PG_URL"), s.get("SKYFIT_PG_USER"), s.get("SKYFIT_PG_PASSWORD"));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND application_name = 'skyfit-data-lake'")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aServerBehindTheBuildIsRefusedNamingTheMigrateCommandAndMigrateCatchesItUp() {
        Settings settings = Settings.of(TestPostgres.newEmptyDatabaseSettings());
        assertThatThrownBy(() -> Database.open(settings)).isInstanceOf(Database.SchemaBehindException.class)
                .hasMessageContaining("./skyfit migrate").hasMessageContaining("never migrated");
        try (Database db = Database.connect(settings)) {
            assertThat(db.schemaVersion()).isNull();
            assertThat(db.migrate()).isPositive();
            assertThat(db.migrate()).isZero();
            assertThat(db.schemaVersion()).isNotNull();
        }
        try (Database db = Database.open(settings)) {
            db.requireCurrentSchema();
            // open never migrates a server: the history table is exactly what migrate left
            assertThat(db.queryFirst("SELECT count(*) FROM ops.flyway_schema_history", ps -> {}, rs -> rs.getLong(1)))
                    .isPresent();
        }
    }
}
