package com.skyfit.lake.pipeline;

import java.util.List;

/** What an extract wrote: paths and counts only, never records (invariant 8). */
public record ExtractResult(
        String runId,
        String scope,
        String entity,
        String windowStart,
        String windowEnd,
        long records,
        List<String> parts,
        String maxCursor) {}
