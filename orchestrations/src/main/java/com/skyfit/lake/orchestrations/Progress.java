package com.skyfit.lake.orchestrations;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The custom status of a running ingest: where it stands, as the portal's run history shows it. Once a
 * window or run has failed, it also names the failed runs and the first error; skipped names the entities a timed
 * plan left to the live batch that holds them (null when none).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Progress(String phase, int windowsDone, int windowsTotal, long records, Integer windowsFailed,
        List<String> failedRuns, String firstError, List<String> skipped) {
    public static final String PLANNING = "planning";
    public static final String EXTRACTING = "extracting";
    public static final String WAITING_FOR_LOAD = "waiting-for-load";
    public static final String LOADING = "loading";
    public static final String TRANSFORMING = "transforming";
    public static final String COMPLETING = "completing";
    public static final String DONE = "done";
    /** Done, but some runs failed: their windows and watermarks wait for the next run. */
    public static final String DONE_WITH_FAILURES = "done-with-failed-runs";
    public static final String FAILED = "failed";

    public Progress(String phase, int windowsDone, int windowsTotal, long records) {
        this(phase, windowsDone, windowsTotal, records, null, null, null, null);
    }

    public Progress(String phase, int windowsDone, int windowsTotal, long records, Integer windowsFailed,
            List<String> failedRuns, String firstError) {
        this(phase, windowsDone, windowsTotal, records, windowsFailed, failedRuns, firstError, null);
    }

    /** The same progress, naming the entities the plan skipped (none: null, so the status leaves them out). */
    public Progress skipped(List<String> entities) {
        return new Progress(phase, windowsDone, windowsTotal, records, windowsFailed, failedRuns, firstError,
                entities == null || entities.isEmpty() ? null : capped(entities));
    }

    /** Progress of the extract phase, with the failures so far when there are any. */
    public static Progress extracting(ExtractTotals t, int total) {
        return new Progress(EXTRACTING, t.windowsDone(), total, t.records(), t.windowsFailed() > 0 ? t.windowsFailed() : null,
                null, clip(t.firstError()));
    }

    public Progress phase(String next) {
        return new Progress(next, windowsDone, windowsTotal, records, windowsFailed, failedRuns, firstError, skipped);
    }

    /** Durable caps a custom status near 16 KB: the first runs and the head of the error are enough to act on. */
    static final int MAX_RUNS_SHOWN = 20;
    static final int MAX_ERROR_CHARS = 2_000;

    public Progress failedRuns(List<String> runs, String error) {
        return new Progress(phase, windowsDone, windowsTotal, records, windowsFailed, capped(runs), clip(error),
                skipped);
    }

    private static List<String> capped(List<String> items) {
        return items == null || items.size() <= MAX_RUNS_SHOWN ? items
                : java.util.stream.Stream.concat(items.stream().limit(MAX_RUNS_SHOWN),
                        java.util.stream.Stream.of("... and " + (items.size() - MAX_RUNS_SHOWN) + " more")).toList();
    }

    static String clip(String text) {
        return text == null || text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "...";
    }
}
