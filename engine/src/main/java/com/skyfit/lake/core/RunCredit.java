package com.skyfit.lake.core;

/**
 * Which run a transform credits with the core rows it wrote from a staging row. The staging row names the run
 * that extracted it; when that run died and a later run loads and transforms its parts, the later run did the
 * work and gets the counts.
 */
@FunctionalInterface
public interface RunCredit {
    String creditedRun(String stagingRunId);

    /** Credit the run that extracted the rows (a transform outside any batch). */
    RunCredit EXTRACTING_RUN = runId -> runId;
}
