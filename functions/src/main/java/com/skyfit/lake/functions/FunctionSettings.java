package com.skyfit.lake.functions;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SourceKeys;

/**
 * The settings only the Function App reads (the engine reads its own). Every key is listed in
 * local.settings.json.example and docs/settings.md.
 */
public final class FunctionSettings {
    public static final String TASK_HUB = "SKYFIT_TASK_HUB";
    public static final String BRONZE_CONTAINER = "SKYFIT_BRONZE_CONTAINER";
    public static final String STORAGE = "SKYFIT_STORAGE";
    public static final String BACKFILL_MAX_DAYS = "SKYFIT_BACKFILL_MAX_DAYS";
    public static final String LOAD_WAIT_MINUTES = "SKYFIT_LOAD_WAIT_MINUTES";
    public static final String LOAD_POLL_SECONDS = "SKYFIT_LOAD_POLL_SECONDS";
    public static final String WINDOWS_PER_CHUNK = "SKYFIT_WINDOWS_PER_CHUNK";
    public static final String HEALTH_STALE_HOURS = "SKYFIT_HEALTH_STALE_HOURS";

    private FunctionSettings() {}

    /** e.g. PIPEDRIVE_MAX_PARALLEL_WINDOWS: extract activities in flight at once for one source. */
    public static String maxParallelKey(String source) {
        return SourceKeys.of(source).maxParallelWindows();
    }

    /** e.g. PIPEDRIVE_SCOPES: the scopes a scheduled run covers (empty: all the source has). */
    public static String scopesKey(String source) {
        return SourceKeys.of(source).scopes();
    }

    /** e.g. EVO_RESCAN_SCHEDULE: when the source's full re-scan timer starts a full load (absent: never). */
    public static String rescanScheduleKey(String source) {
        return SourceKeys.of(source).key("RESCAN_SCHEDULE");
    }

    /** e.g. EVO_RESCAN_ENTITIES: the entities a timed re-scan reads (absent: all the source has). */
    public static String rescanEntitiesKey(String source) {
        return SourceKeys.of(source).key("RESCAN_ENTITIES");
    }

    public static int maxParallel(Settings s, String source) {
        return s.integer(maxParallelKey(source), 4, 1, 64);
    }

    public static int backfillMaxDays(Settings s) {
        return s.integer(BACKFILL_MAX_DAYS, 366, 1, 36_600);
    }

    public static long loadWaitSeconds(Settings s) {
        return s.longValue(LOAD_WAIT_MINUTES, 10, 0, 24 * 60) * 60;
    }

    public static long loadPollSeconds(Settings s) {
        return s.longValue(LOAD_POLL_SECONDS, 30, 1, 3600);
    }

    public static int windowsPerChunk(Settings s) {
        return s.integer(WINDOWS_PER_CHUNK, 50, 1, 1000);
    }

    public static int healthStaleHours(Settings s) {
        return s.integer(HEALTH_STALE_HOURS, 26, 1, 24 * 365);
    }
}
