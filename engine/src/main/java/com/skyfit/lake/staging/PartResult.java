package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.staging.LoadResult.FileOutcome;

/** One part's outcome plus the uncompressed bytes read, for progress. */
record PartResult(FileOutcome outcome, long bytes) {

    static PartResult failed(BronzePath part, String reason) {
        return new PartResult(new FileOutcome(part.path(), "failed", 0, 0, FileLedger.truncate(reason)), 0);
    }
}
