package com.skyfit.lake.orchestrations;

/** The custom status of a running ingest: where it stands, as the portal's run history shows it. */
public record Progress(String phase, int windowsDone, int windowsTotal, long records) {
    public static final String PLANNING = "planning";
    public static final String EXTRACTING = "extracting";
    public static final String WAITING_FOR_LOAD = "waiting-for-load";
    public static final String LOADING = "loading";
    public static final String TRANSFORMING = "transforming";
    public static final String COMPLETING = "completing";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    public Progress phase(String next) {
        return new Progress(next, windowsDone, windowsTotal, records);
    }
}
