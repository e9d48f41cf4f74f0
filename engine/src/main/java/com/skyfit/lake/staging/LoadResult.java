package com.skyfit.lake.staging;

import java.util.List;

/** Outcome of loading bronze parts into staging. */
public record LoadResult(long filesLoaded, long filesSkipped, long filesFailed, long rowsLoaded, long rowsInvalid,
        List<FileOutcome> files) {

    /** status: loaded, skipped (already loaded), failed (with error). */
    public record FileOutcome(String path, String status, long rows, long invalidRows, String error) {}

    public static LoadResult empty() {
        return new LoadResult(0, 0, 0, 0, 0, List.of());
    }
}
