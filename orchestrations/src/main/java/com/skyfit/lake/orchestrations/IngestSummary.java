package com.skyfit.lake.orchestrations;

import java.util.List;

/**
 * Output of a finished {@link IngestOrchestration}. A batch whose runs did not all succeed still finishes
 * (the others are loaded, transformed and completed); failedRuns and firstError then say which and why.
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
        String firstError) {}
