package com.skyfit.lake.core;

/**
 * Which run a transform credits with the core rows it wrote from a staging row. The staging row names the run
 * that extracted it; when that run died and a later run loads and transforms its parts, the later run did the
 * work and gets the counts.
 */
@FunctionalInterface
public interface RunCredit {
    /**
     * Reads what it needs on the transform's own connection: a second pool connection asked for while the transform
     * holds its first could wait on a pool that only the transform itself would free.
     */
    String creditedRun(java.sql.Connection c, String stagingRunId) throws java.sql.SQLException;

    /** Credit the run that extracted the rows (a transform outside any batch). */
    RunCredit EXTRACTING_RUN = (c, runId) -> runId;
}
