package com.skyfit.lake.control;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * One small HikariCP pool per process, so that every engine step reuses a few connections instead of
 * opening a new (TLS) connection per statement. Its size is the process's share of the server's
 * connection limit: instances x SKYFIT_PG_POOL_SIZE must stay below PostgreSQL's max_connections
 * (docs/connection-budget.md). Idle connections are closed after a while: a scaled-in or sleeping worker
 * holds none.
 */
public final class ConnectionPool {
    public static final String POOL_SIZE = "SKYFIT_PG_POOL_SIZE";
    public static final String AUTH = "SKYFIT_PG_AUTH";
    public static final int DEFAULT_POOL_SIZE = 4;
    /**
     * The request gate keeps one connection for good; below three, one activity and one load could not both
     * make progress beside it.
     */
    public static final int MIN_POOL_SIZE = 3;
    /** pgjdbc asks this azure-identity-extensions plugin for a Microsoft Entra token instead of a password. */
    static final String ENTRA_PLUGIN = "com.azure.identity.extensions.jdbc.postgresql.AzurePostgresqlAuthenticationPlugin";

    private ConnectionPool() {}

    public static int size(Settings settings) {
        return settings.integer(POOL_SIZE, DEFAULT_POOL_SIZE, MIN_POOL_SIZE, 100);
    }

    /** The pool configuration for an external server as the settings describe it (not yet connected). */
    static HikariConfig config(Settings settings, String url) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new SettingsException(Settings.PG_URL,
                    "must be a JDBC URL such as jdbc:postgresql://host:5432/db (got a value of another form)");
        }
        HikariConfig c = base(size(settings));
        c.setJdbcUrl(url);
        settings.optional(Settings.PG_USER).ifPresent(c::setUsername);
        String auth = settings.string(AUTH, "password").trim().toLowerCase(Locale.ROOT);
        switch (auth) {
            case "password" -> settings.optionalSecret(Settings.PG_PASSWORD).map(Secret::reveal).ifPresent(c::setPassword);
            case "entra" -> {
                if (settings.optional(Settings.PG_PASSWORD).isPresent()) {
                    throw new SettingsException(AUTH, "is entra, so " + Settings.PG_PASSWORD
                            + " must not be set (the app signs in with its managed identity)");
                }
                if (settings.optional(Settings.PG_USER).isEmpty()) {
                    throw new SettingsException(Settings.PG_USER, "is required with " + AUTH
                            + "=entra: the PostgreSQL role name of the app's managed identity");
                }
                // The token is fetched with DefaultAzureCredential (managed identity in Azure; AZURE_CLIENT_ID picks a
                // user-assigned one). Entra sign-in needs TLS.
                c.addDataSourceProperty("authenticationPluginClassName", ENTRA_PLUGIN);
                if (!url.contains("sslmode=")) {
                    c.addDataSourceProperty("sslmode", "require");
                }
            }
            default -> throw new SettingsException(AUTH, "must be 'password' (the default) or 'entra', got '" + auth + "'");
        }
        return c;
    }

    static DataSource open(Settings settings, String url) {
        return new HikariDataSource(config(settings, url));
    }

    /** A pool over an existing data source (the embedded server's). */
    static DataSource over(DataSource source, int size) {
        HikariConfig c = base(size);
        c.setDataSource(source);
        return new HikariDataSource(c);
    }

    private static HikariConfig base(int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("skyfit-pg");
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(0);
        c.setIdleTimeout(120_000);
        c.setMaxLifetime(30 * 60_000);
        c.setConnectionTimeout(60_000);
        // no connection at construction: a wrong setting surfaces on first use with pgjdbc's own message
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("ApplicationName", "skyfit-data-lake");
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        return c;
    }
}
