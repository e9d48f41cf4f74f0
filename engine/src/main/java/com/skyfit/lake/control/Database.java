package com.skyfit.lake.control;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
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
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analytical PostgreSQL and this process's pool of connections to it: either the server named by
 * SKYFIT_PG_URL, or (CLI only) an embedded PostgreSQL 17 under {SKYFIT_HOME}/pg. Every engine step gets its
 * connections here. Migrations run only where asked: {@code ./skyfit migrate}, or the CLI's own embedded
 * database; otherwise {@link #open} checks that the schema is current and stops with a message naming the
 * command when it is not.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    public static final String MIGRATE_COMMAND = "./skyfit migrate";

    private final DataSource dataSource;
    private final String description;
    private final AutoCloseable owned;

    public Database(DataSource dataSource, String description, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.description = description;
        this.owned = owned;
    }

    /**
     * Connects as the settings say. The embedded database is migrated (it is the CLI's own); a server is
     * only checked: its schema must be current, else this fails naming {@value #MIGRATE_COMMAND}.
     */
    public static Database open(Settings settings) {
        Database db = connect(settings);
        try {
            if (db.owned != null) {
                db.migrate();
            } else {
                db.requireCurrentSchema();
            }
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Connects as the settings say, without touching the schema (what {@code ./skyfit migrate} starts from). */
    public static Database connect(Settings settings) {
        Optional<String> url = settings.optional(Settings.PG_URL);
        if (url.isPresent()) {
            return new Database(ConnectionPool.open(settings, url.get()), describe(url.get()), null);
        }
        return EmbeddedDatabase.start(settings.home().resolve("pg"), ConnectionPool.size(settings),
                settings.bool(Settings.PG_FSYNC, true));
    }

    /** A pooled connection to a server with a password (tests and tools). */
    public static Database external(String url, String user, Secret password) {
        java.util.Map<String, String> s = new java.util.HashMap<>();
        s.put(Settings.PG_URL, url);
        if (user != null) {
            s.put(Settings.PG_USER, user);
        }
        if (password != null) {
            s.put(Settings.PG_PASSWORD, password.reveal());
        }
        return new Database(ConnectionPool.open(Settings.of(s), url), describe(url), null);
    }

    /** A throwaway embedded PostgreSQL (benchmarks): fast, and allowed to lose its data on a crash. */
    public static Database embedded(Path folder) {
        return embedded(folder, false);
    }

    /** An embedded PostgreSQL 17 under the folder; a durable one keeps fsync on (see EmbeddedDatabase). */
    public static Database embedded(Path folder, boolean durable) {
        return EmbeddedDatabase.start(folder, ConnectionPool.DEFAULT_POOL_SIZE, durable);
    }

    private static String describe(String url) {
        return "PostgreSQL at " + com.skyfit.lake.config.Redact.url(url);
    }

    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:sql/migrations")
                .schemas("ops")
                .createSchemas(true)
                // versions are allocated in ranges per line of work (docs/architecture.md): a lower version that
                // appears after a higher one has been applied is a mistake to stop on, never to apply silently
                .outOfOrder(false)
                .load();
    }

    /** Applies every pending migration; returns how many ran. */
    public int migrate() {
        return flyway().migrate().migrationsExecuted;
    }

    /** The schema version the database is at (null when never migrated). */
    public String schemaVersion() {
        MigrationInfo current = flyway().info().current();
        return current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
    }

    /**
     * Fails when this build has migrations the database has not applied. A database ahead of the build
     * (a newer deployment migrated it) passes: migrations only add.
     */
    public void requireCurrentSchema() {
        MigrationInfoService info = flyway().info();
        MigrationInfo[] pending = info.pending();
        if (pending.length > 0) {
            MigrationInfo current = info.current();
            String at = current == null || current.getVersion() == null ? "empty (never migrated)"
                    : "at version " + current.getVersion().getVersion();
            // repeatable migrations (views, functions) have no version: name the newest versioned one
            String needs = java.util.Arrays.stream(pending).map(MigrationInfo::getVersion)
                    .filter(java.util.Objects::nonNull).max(Comparable::compareTo)
                    .map(v -> "version " + v.getVersion()).orElse("its repeatable migrations re-applied");
            throw new SchemaBehindException("The database schema is " + at + " but this build needs "
                    + needs + " (" + pending.length + " migration(s) pending). Run `"
                    + MIGRATE_COMMAND + "` with the same SKYFIT_PG_* settings, then start again.");
        }
    }

    /** The schema is older than the code: a deploy step was skipped. */
    public static final class SchemaBehindException extends IllegalStateException {
        public SchemaBehindException(String message) {
            super(message);
        }
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
        if (dataSource instanceof AutoCloseable pool) {
            try {
                pool.close();
            } catch (Exception e) {
                LOG.warn("Could not close the connection pool cleanly: {}", e.getMessage());
            }
        }
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                LOG.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.getMessage());
            }
        }
    }
}
