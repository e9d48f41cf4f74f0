package com.skyfit.lake.orchestrations;

/** Output of a successful {@link IngestOrchestration}. */
public record IngestSummary(
        String batchId,
        String source,
        int windowsTotal,
        int windowsDone,
        long records,
        long bronzeParts,
        long partsLoadedDirectly,
        TransformSummary transform) {}
