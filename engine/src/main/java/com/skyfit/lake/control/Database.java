package com.skyfit.lake.control;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analytical PostgreSQL: either the server named by SKYFIT_PG_URL, or an embedded PostgreSQL 17
 * whose data directory persists under {SKYFIT_HOME}/pg so that a second run sees the first run's data.
 * The schema is always brought up to date with Flyway from sql/migrations.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final DataSource dataSource;
    private final String description;
    private final AutoCloseable owned;

    public Database(DataSource dataSource, String description, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.description = description;
        this.owned = owned;
    }

    /** Connects as the settings say and migrates the schema. */
    public static Database open(Settings settings) {
        Optional<String> url = settings.optional(Settings.PG_URL);
        Database db;
        if (url.isPresent()) {
            db = external(url.get(), settings.string(Settings.PG_USER, null),
                    settings.optionalSecret(Settings.PG_PASSWORD).orElse(null));
        } else {
            db = embedded(settings.home().resolve("pg"), settings.bool("SKYFIT_PG_FSYNC", true));
        }
        db.migrate();
        return db;
    }

    public static Database external(String url, String user, Secret password) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new SettingsException(Settings.PG_URL,
                    "must be a JDBC URL such as jdbc:postgresql://host:5432/db (got a value of another form)");
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password.reveal());
        }
        ds.setApplicationName("skyfit-data-lake");
        ds.setReWriteBatchedInserts(true);
        return new Database(ds, "PostgreSQL at " + url.replaceAll("password=[^&]*", "password=***"), null);
    }

    /** A throwaway embedded PostgreSQL (benchmarks): fast, and allowed to lose its data on a crash. */
    public static Database embedded(Path folder) {
        return embedded(folder, false);
    }

    /**
     * Starts (or reuses the data of) an embedded PostgreSQL 17 under the given folder. A durable one keeps
     * fsync, synchronous commit and full page writes on: its data survives a crash of the machine.
     */
    public static Database embedded(Path folder, boolean durable) {
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
            DataSource ds = pg.getPostgresDatabase();
            return new Database(ds, "embedded PostgreSQL 17 at " + data + " (port " + pg.getPort() + ")", pg);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL under " + folder
                    + " (set SKYFIT_PG_URL to use an existing server): " + e.getMessage(), e);
        }
    }

    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:sql/migrations")
                .schemas("ops")
                .createSchemas(true)
                .load()
                .migrate();
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Binds the parameters of a prepared statement. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs one statement in its own auto-committed connection; returns the update count. */
    public int execute(String sql, Binder binder) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException(sql, e);
        }
    }

    public <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new DatabaseException(sql, e);
        }
    }

    public <T> Optional<T> queryFirst(String sql, Binder binder, RowMapper<T> mapper) {
        List<T> rows = query(sql, binder, mapper);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(TransactionWork<T> work) {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseException("transaction", e);
        }
    }

    /** A failed statement; the message carries the SQLSTATE, never connection secrets. */
    public static final class DatabaseException extends RuntimeException {
        public DatabaseException(String what, SQLException cause) {
            super("Database error (SQLSTATE " + cause.getSQLState() + ") in " + summary(what) + ": " + cause.getMessage(), cause);
        }

        private static String summary(String sql) {
            String oneLine = sql.replaceAll("\\s+", " ").trim();
            return oneLine.length() > 120 ? oneLine.substring(0, 120) + "..." : oneLine;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                LOG.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.getMessage());
            }
        }
    }
}
