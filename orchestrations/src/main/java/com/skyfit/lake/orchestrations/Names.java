package com.skyfit.lake.orchestrations;

/**
 * Every orchestrator and activity name, in one place. The Function App registers functions under
 * these names and the orchestrators call them by these names; a rename here renames both.
 */
public final class Names {
    public static final String INGEST = "IngestOrchestration";
    public static final String EXTRACT_WINDOWS_CHUNK = "ExtractWindowsChunk";
    public static final String EXTRACT_ONE_WINDOW = "ExtractOneWindow";

    public static final String PLAN_RUN = "PlanRun";
    public static final String EXTRACT_WINDOW = "ExtractWindow";
    public static final String COUNT_UNLOADED_PARTS = "CountUnloadedParts";
    public static final String LOAD_PARTS = "LoadParts";
    public static final String TRANSFORM_CORE = "TransformCore";
    public static final String COMPLETE_RUN = "CompleteRun";
    public static final String FAIL_RUN = "FailRun";

    private Names() {}
}
