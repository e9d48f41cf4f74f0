package com.skyfit.lake.control;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI's embedded PostgreSQL 17 (zonky), whose data persists under a folder so that a second command
 * sees the first one's rows. zonky is an optional dependency of the engine: the CLI ships it, the Function
 * App does not (its package carries no PostgreSQL binaries), so this class is touched only when no
 * SKYFIT_PG_URL is set.
 */
final class EmbeddedDatabase {
    private static final String ZONKY = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    private EmbeddedDatabase() {}

    static boolean available() {
        try {
            Class.forName(ZONKY, false, EmbeddedDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Starts (or reuses the data of) an embedded PostgreSQL 17 under the folder. A durable one keeps fsync,
     * synchronous commit and full page writes on: its data survives a crash of the machine. Throwaway ones
     * (benchmarks, the demo) turn them off for speed.
     */
    static Database start(Path folder, int poolSize, boolean durable) {
        if (!available()) {
            throw new SettingsException(Settings.PG_URL, "is required here: this build has no embedded PostgreSQL "
                    + "(only the skyfit command line ships one)");
        }
        try {
            Path data = folder.resolve("data");
            Path work = folder.resolve("work");
            Files.createDirectories(data);
            Files.createDirectories(work);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(work.toFile())
                    .setServerConfig("max_connections", "60")
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off")
                    .setServerConfig("full_page_writes", durable ? "on" : "off")
                    .setServerConfig("max_wal_size", "2GB")
                    .setServerConfig("shared_buffers", "256MB")
                    .start();
            return new Database(ConnectionPool.over(pg.getPostgresDatabase(), poolSize),
                    "embedded PostgreSQL 17 at " + data + " (port " + pg.getPort() + ")", pg);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL under " + folder
                    + " (set SKYFIT_PG_URL to use an existing server): " + e.getMessage(), e);
        }
    }
}
