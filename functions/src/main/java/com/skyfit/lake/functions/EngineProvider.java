package com.skyfit.lake.functions;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.OpsQueries;
import com.skyfit.lake.pipeline.IngestEngine;
import java.lang.reflect.InvocationTargetException;
import java.util.function.Supplier;

/**
 * The one engine (and settings, and ops reader) of this worker process, created on first use from the
 * app settings. Tests replace them with {@link #use}. Functions are static methods the host calls on
 * fresh instances, so process-wide state lives here and nowhere else.
 */
public final class EngineProvider {
    private static final String ENGINE_CLASS = "com.skyfit.lake.pipeline.DefaultIngestEngine";

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
            if (database == null) {
                database = Database.open(settings());
            }
            ops = new OpsQueries(database.dataSource());
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
        engine = null;
        ops = null;
        if (database != null) {
            database.close();
            database = null;
        }
    }

    /** The engine implementation is looked up by name so this adapter depends on the facade only. */
    private static IngestEngine create(Settings s) {
        try {
            return (IngestEngine) Class.forName(ENGINE_CLASS).getMethod("fromSettings", Settings.class).invoke(null, s);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("Could not start the ingest engine: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("The ingest engine " + ENGINE_CLASS + ".fromSettings(Settings) is missing from"
                    + " the classpath", e);
        }
    }
}
