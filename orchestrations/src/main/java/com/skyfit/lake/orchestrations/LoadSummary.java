package com.skyfit.lake.orchestrations;

import com.skyfit.lake.staging.LoadResult;

/** Counts of a LoadParts activity; the per-file outcomes stay in ops.bronze_files, not in the history. */
public record LoadSummary(long filesLoaded, long filesSkipped, long filesFailed, long rowsLoaded, long rowsInvalid) {

    public static LoadSummary of(LoadResult r) {
        return new LoadSummary(r.filesLoaded(), r.filesSkipped(), r.filesFailed(), r.rowsLoaded(), r.rowsInvalid());
    }

    public static LoadSummary none() {
        return new LoadSummary(0, 0, 0, 0, 0);
    }
}
