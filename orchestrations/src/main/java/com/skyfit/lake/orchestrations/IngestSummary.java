package com.skyfit.lake.orchestrations;

import java.util.List;

/**
 * Output of a finished {@link IngestOrchestration}. A batch whose runs did not all succeed still finishes
 * (the others are loaded, transformed and completed); failedRuns and firstError then say which and why. skipped
 * names the entities a timed plan left to the live batch that holds them (not failures: that batch reads them).
 */
public record IngestSummary(
        String batchId,
        String source,
        int windowsTotal,
        int windowsDone,
        long records,
        long bronzeParts,
        long partsLoadedDirectly,
        TransformSummary transform,
        int runs,
        int windowsFailed,
        List<String> failedRuns,
        String firstError,
        List<String> skipped) {

    public IngestSummary {
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }

    public IngestSummary(String batchId, String source, int windowsTotal, int windowsDone, long records,
            long bronzeParts, long partsLoadedDirectly, TransformSummary transform, int runs, int windowsFailed,
            List<String> failedRuns, String firstError) {
        this(batchId, source, windowsTotal, windowsDone, records, bronzeParts, partsLoadedDirectly, transform, runs,
                windowsFailed, failedRuns, firstError, List.of());
    }
}
