package com.skyfit.lake.orchestrations;

import java.util.List;

/**
 * Output of CompleteRun: how many runs the batch had and which of them failed (scope/entity and run id),
 * with the first failure's reason, as the ledger recorded them.
 */
public record BatchOutcome(String batchId, int runs, List<String> failedRuns, String firstError) {

    public boolean allFailed() {
        return runs > 0 && failedRuns != null && failedRuns.size() == runs;
    }

    public List<String> failed() {
        return failedRuns == null ? List.of() : failedRuns;
    }
}
