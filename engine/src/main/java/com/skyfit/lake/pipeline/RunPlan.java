package com.skyfit.lake.pipeline;

import java.util.List;

/**
 * The runs (one per scope and entity) and the windows still to extract, in order. A timed plan (triggered by the
 * scheduler) opens no run for an entity another live batch holds: skipped names each such scope/entity with its
 * owner, so the orchestration and its log can say why the entity was not read this time.
 */
public record RunPlan(String batchId, List<String> runIds, List<WindowTask> windows, List<String> skipped) {
    public RunPlan {
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }

    public RunPlan(String batchId, List<String> runIds, List<WindowTask> windows) {
        this(batchId, runIds, windows, List.of());
    }
}
