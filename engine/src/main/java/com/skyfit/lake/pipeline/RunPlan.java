package com.skyfit.lake.pipeline;

import java.util.List;

/** The runs (one per scope and entity) and the windows still to extract, in order. */
public record RunPlan(String batchId, List<String> runIds, List<WindowTask> windows) {}
