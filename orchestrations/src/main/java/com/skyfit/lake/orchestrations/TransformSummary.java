package com.skyfit.lake.orchestrations;

import com.skyfit.lake.core.TransformResult;
import java.util.List;

/** Counts of a TransformCore activity, summed over the core tables it ran. */
public record TransformSummary(int tables, long inserted, long updated, long unchanged, long deleted, long warned) {

    public static TransformSummary of(List<TransformResult> results) {
        long ins = 0, upd = 0, unch = 0, del = 0, warn = 0;
        for (TransformResult r : results) {
            ins += r.inserted();
            upd += r.updated();
            unch += r.unchanged();
            del += r.deleted();
            warn += r.warned();
        }
        return new TransformSummary(results.size(), ins, upd, unch, del, warn);
    }
}
