package com.skyfit.lake.core;

import java.util.List;

/**
 * Outcome of one core transform. perRun attributes the counts to the run whose staging row won
 * (so ops.runs can show inserted / updated / unchanged for every run).
 */
public record TransformResult(String coreTable, long candidates, long inserted, long updated, long unchanged,
        long deleted, long warned, double seconds, List<RunCounts> perRun) {

    public record RunCounts(String runId, long candidates, long inserted, long updated, long unchanged, long deleted) {}
}
