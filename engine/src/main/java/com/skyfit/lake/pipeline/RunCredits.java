package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.core.RunCredit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Credits a batch's transform counts to the batch's own runs: rows extracted by a run of this batch count to
 * it; rows a dead run left behind (extracted, maybe loaded, never transformed) count to this batch's run of the
 * same source, scope and entity, which finished the job. Rows of any other run keep their extracting run.
 */
final class RunCredits implements RunCredit {
    private final RunLedger runs;
    private final Map<String, String> byEntity = new HashMap<>();
    private final Map<String, String> cache = new HashMap<>();

    RunCredits(RunLedger runs, List<RunLedger.Run> batchRuns) {
        this.runs = runs;
        for (RunLedger.Run r : batchRuns) {
            if (r.status().equals("running")) {
                byEntity.put(key(r), r.runId());
                cache.put(r.runId(), r.runId());
            }
        }
    }

    @Override
    public synchronized String creditedRun(String stagingRunId) {
        return cache.computeIfAbsent(stagingRunId, id -> runs.run(id).map(r -> byEntity.getOrDefault(key(r), id))
                .orElse(id));
    }

    private static String key(RunLedger.Run r) {
        return r.source() + "\u0000" + r.scope() + "\u0000" + r.entity();
    }
}
