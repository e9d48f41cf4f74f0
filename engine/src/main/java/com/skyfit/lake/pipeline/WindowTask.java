package com.skyfit.lake.pipeline;

/**
 * One unit of extract work: one date window of one entity of one scope, inside a run.
 * Small and serializable (strings and numbers only): it travels as a Durable activity input.
 * Window bounds are ISO-8601 instants; windowStart is null for "from the beginning".
 */
public record WindowTask(
        String batchId,
        String runId,
        String source,
        String scope,
        String entity,
        String loadType,
        String windowStart,
        String windowEnd,
        String ingestionDate) {}
