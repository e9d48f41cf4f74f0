package com.skyfit.lake.staging;

import java.util.List;

/** Outcome of loading bronze parts into staging. */
public record LoadResult(long filesLoaded, long filesSkipped, long filesFailed, long rowsLoaded, long rowsInvalid,
        List<FileOutcome> files) {

    /** How the error of a part that a transient failure sent back to 'written' ends: the next load tries again. */
    public static final String POSTPONED = " (transient: the next load tries again)";

    /** status: loaded, skipped (already loaded), failed (with error). */
    public record FileOutcome(String path, String status, long rows, long invalidRows, String error) {
        /** Failed only for now: the part is 'written' again and a later load (or delivery) can succeed. */
        public boolean postponed() {
            return "failed".equals(status) && error != null && error.endsWith(POSTPONED);
        }
    }

    public static LoadResult empty() {
        return new LoadResult(0, 0, 0, 0, 0, List.of());
    }
}
