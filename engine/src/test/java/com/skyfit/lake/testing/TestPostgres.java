package com.skyfit.lake.testing;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.control.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A real PostgreSQL for tests: Testcontainers where a Docker engine exists, otherwise an embedded
 * PostgreSQL 17 (zonky). One server per test JVM; every call to {@link #newDatabase()} gets a fresh,
 * migrated database, so test classes never see each other's rows.
 */
public final class TestPostgres {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Server server;

    private TestPostgres() {}

    private record Server(String host, int port, String user, String password) {
        String url(String db) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + db;
        }
    }

    private static synchronized Server server() {
        if (server != null) {
            return server;
        }
        try {
            boolean docker = false;
            try {
                docker = DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable ignored) {
                docker = false;
            }
            if (docker) {
                PostgreSQLContainer<?> c = new PostgreSQLContainer<>("postgres:17-alpine");
                c.start();
                server = new Server(c.getHost(), c.getMappedPort(5432), c.getUsername(), c.getPassword());
                Runtime.getRuntime().addShutdownHook(new Thread(c::stop));
            } else {
                Path dir = Path.of("target", "embedded-pg", ProcessHandle.current().pid() + "").toAbsolutePath();
                Files.createDirectories(dir);
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(dir.toFile())
                        .setDataDirectory(dir.resolve("data"))
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "200")
                        .start();
                server = new Server("localhost", pg.getPort(), "postgres", "postgres");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (Exception ignored) {
                        // the JVM is going away
                    }
                }));
            }
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start a PostgreSQL for tests: " + e.getMessage(), e);
        }
    }

    /** A fresh database on the shared test server, migrated to the current schema. */
    public static Database newDatabase() {
        Server s = server();
        String name = createDatabase(s);
        Database db = Database.external(s.url(name), s.user(), Secret.of(s.password()));
        db.migrate();
        return db;
    }

    /** JDBC URL, user and password of a fresh migrated database (for code that takes settings). */
    public static java.util.Map<String, String> newDatabaseSettings() {
        Server s = server();
        String name = createDatabase(s);
        try (Database db = Database.external(s.url(name), s.user(), Secret.of(s.password()))) {
            db.migrate();
        }
        return java.util.Map.of("SKYFIT_PG_URL", s.url(name), "SKYFIT_PG_USER", s.user(), "SKYFIT_PG_PASSWORD", s.password());
    }

    /** JDBC URL, user and password of a fresh database that was never migrated. */
    public static java.util.Map<String, String> newEmptyDatabaseSettings() {
        Server s = server();
        String name = createDatabase(s);
        return java.util.Map.of("SKYFIT_PG_URL", s.url(name), "SKYFIT_PG_USER", s.user(), "SKYFIT_PG_PASSWORD", s.password());
    }

    private static String createDatabase(Server s) {
        String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = java.sql.DriverManager.getConnection(s.url("postgres"), s.user(), s.password());
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (Exception e) {
            throw new IllegalStateException("Could not create test database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }
}
