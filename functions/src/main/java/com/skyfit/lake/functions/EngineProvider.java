package com.skyfit.lake.functions;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.OpsQueries;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.IngestEngine;
import java.util.function.Supplier;

/**
 * The one engine (and settings, and ops reader) of this worker process, created on first use from the
 * app settings. Tests replace them with {@link #use}. Functions are static methods the host calls on
 * fresh instances, so process-wide state lives here and nowhere else.
 */
public final class EngineProvider {
    private static Supplier<Settings> settingsSource = Settings::fromEnvironment;
    private static Settings settings;
    private static IngestEngine engine;
    private static Database database;
    private static OpsQueries ops;

    private EngineProvider() {}

    public static synchronized Settings settings() {
        if (settings == null) {
            settings = settingsSource.get();
        }
        return settings;
    }

    public static synchronized IngestEngine engine() {
        if (engine == null) {
            engine = create(settings());
        }
        return engine;
    }

    public static synchronized OpsQueries ops() {
        if (ops == null) {
            // One connection pool per worker: the engine's database when it is the real engine.
            if (engine() instanceof DefaultIngestEngine real) {
                ops = new OpsQueries(real.database());
            } else {
                if (database == null) {
                    database = Database.open(settings());
                }
                ops = new OpsQueries(database);
            }
        }
        return ops;
    }

    /** For tests: run the functions over these settings and this engine (null engine: build the real one). */
    public static synchronized void use(Settings newSettings, IngestEngine newEngine) {
        reset();
        settingsSource = () -> newSettings;
        engine = newEngine;
    }

    /** For tests: read ops tables from this database. */
    public static synchronized void useOps(OpsQueries queries) {
        ops = queries;
    }

    public static synchronized void reset() {
        settingsSource = Settings::fromEnvironment;
        settings = null;
        if (engine instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing a pool on the way out: nothing left to do with the failure
            }
        }
        engine = null;
        ops = null;
        if (database != null) {
            database.close();
            database = null;
        }
    }

    private static IngestEngine create(Settings s) {
        return DefaultIngestEngine.fromSettings(s);
    }
}
