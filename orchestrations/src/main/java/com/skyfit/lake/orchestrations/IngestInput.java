package com.skyfit.lake.orchestrations;

import com.skyfit.lake.pipeline.PlanRequest;
import java.util.List;

/**
 * Input of {@link IngestOrchestration}. The starter (timer or HTTP trigger) reads the settings and
 * puts every tunable here, because an orchestrator must not read the environment.
 *
 * @param from               backfill start, YYYY-MM-DD (null unless loadType is backfill)
 * @param to                 backfill end, YYYY-MM-DD, inclusive
 * @param maxParallelWindows extract activities in flight at once for this source (API rate limit)
 * @param chunkSize          windows per ExtractWindowsChunk sub-orchestration when the plan is larger
 * @param loadWaitSeconds    how long to wait for the blob trigger before loading leftovers directly
 * @param loadPollSeconds    how often to count unloaded parts while waiting
 */
public record IngestInput(
        String batchId,
        String source,
        String loadType,
        String triggeredBy,
        String from,
        String to,
        List<String> scopes,
        List<String> entities,
        int maxParallelWindows,
        int chunkSize,
        long loadWaitSeconds,
        long loadPollSeconds) {

    public static final int DEFAULT_MAX_PARALLEL_WINDOWS = 4;
    public static final int DEFAULT_CHUNK_SIZE = 50;
    public static final long DEFAULT_LOAD_POLL_SECONDS = 30;

    public PlanRequest planRequest() {
        return new PlanRequest(batchId, source, scopes, entities, loadType, triggeredBy, from, to);
    }

    public int effectiveMaxParallel() {
        return maxParallelWindows > 0 ? maxParallelWindows : DEFAULT_MAX_PARALLEL_WINDOWS;
    }

    public int effectiveChunkSize() {
        return chunkSize > 0 ? chunkSize : DEFAULT_CHUNK_SIZE;
    }

    public long effectivePollSeconds() {
        return loadPollSeconds > 0 ? loadPollSeconds : DEFAULT_LOAD_POLL_SECONDS;
    }
}
