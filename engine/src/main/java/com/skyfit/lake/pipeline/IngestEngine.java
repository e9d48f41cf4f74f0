package com.skyfit.lake.pipeline;

import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.staging.LoadResult;
import java.util.List;

/**
 * The one engine behind every trigger and command (invariant 9). The Function App's activities and the
 * CLI call exactly these steps; each is idempotent, and each takes and returns small values only.
 *
 * <pre>
 *   plan  ->  extract (one per window, in parallel)  ->  load (bronze parts -> staging)
 *         ->  transform (staging -> core)  ->  completeBatch (ledger, watermarks)   | failBatch on any error
 * </pre>
 */
public interface IngestEngine {

    /**
     * Opens the runs of a batch in ops.runs and returns the windows still to extract (resumes unfinished ones).
     * Each run takes its entity's lease; an entity a live run owns gets a failed run that names the owner.
     */
    RunPlan plan(PlanRequest request);

    /** Extracts one window into bronze parts; records the window and the parts in ops. */
    ExtractResult extract(WindowTask window);

    /** Loads bronze parts into staging (idempotent: loaded parts are skipped unless forced). */
    LoadResult load(List<String> parts, boolean force);

    /**
     * Bronze parts the batch wrote that are not yet loaded (for the orchestrator's wait-then-fallback);
     * with a null batch, every unloaded part of any run (what an interrupted run left behind).
     */
    List<String> unloadedParts(String batchId);

    /** Runs the core transforms of the entities the batch touched (all when batchId is null). */
    List<TransformResult> transform(String batchId, boolean fullRefresh);

    /** Marks the batch's runs successful, records counts and advances watermarks. */
    void completeBatch(String batchId);

    /** The runs of a batch as the ledger holds them: status, and the reason of a failed one. */
    List<com.skyfit.lake.control.RunLedger.Run> runsOfBatch(String batchId);

    /** Marks the batch's unfinished runs failed with the reason; watermarks stay where they were. */
    void failBatch(String batchId, String message, String detail);
}
