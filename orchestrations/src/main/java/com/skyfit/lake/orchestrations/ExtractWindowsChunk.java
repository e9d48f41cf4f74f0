package com.skyfit.lake.orchestrations;

import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationContext;

/**
 * Extracts one slice of a large plan, so that the parent's history holds one event pair per chunk
 * instead of one per window. Failed windows are counted in its output, with the first one's reason.
 */
public final class ExtractWindowsChunk implements TaskOrchestration {

    @Override
    public void run(TaskOrchestrationContext ctx) {
        ctx.complete(execute(ctx));
    }

    public ExtractTotals execute(TaskOrchestrationContext ctx) {
        ChunkInput in = ctx.getInput(ChunkInput.class);
        int total = in.windows().size();
        int maxParallel = in.maxParallelWindows() > 0 ? in.maxParallelWindows() : IngestInput.DEFAULT_MAX_PARALLEL_WINDOWS;
        ctx.setCustomStatus(new Progress(Progress.EXTRACTING, 0, total, 0));
        return WindowFanOut.extract(ctx, in.batchId(), in.windows(), in.firstWindowIndex(), maxParallel,
                t -> ctx.setCustomStatus(Progress.extracting(t, total)));
    }
}
