package com.skyfit.lake.pipeline;

import java.util.List;

/**
 * What to run: a source, optionally narrowed to scopes and entities; the load type
 * (incremental, full, backfill) and, for a backfill, the inclusive date range (YYYY-MM-DD).
 */
public record PlanRequest(
        String batchId,
        String source,
        List<String> scopes,
        List<String> entities,
        String loadType,
        String triggeredBy,
        String from,
        String to) {}
