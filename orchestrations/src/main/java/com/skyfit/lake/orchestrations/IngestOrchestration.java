package com.skyfit.lake.orchestrations;

import com.microsoft.durabletask.CompositeTaskFailedException;
import com.microsoft.durabletask.RetryPolicy;
import com.microsoft.durabletask.TaskFailedException;
import com.microsoft.durabletask.TaskOptions;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationContext;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.pipeline.WindowTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One ingest batch of one source, start to finish:
 *
 * <pre>
 *   PlanRun -> ExtractWindow x N (each in an ExtractOneWindow sub-orchestration, at most maxParallelWindows in
 *           flight; grouped into ExtractWindowsChunk sub-orchestrations when N > chunkSize) -> wait for the blob trigger (CountUnloadedParts every poll, until zero or the
 *           deadline) -> LoadParts for leftovers -> TransformCore -> CompleteRun
 *   any failure -> FailRun (watermarks untouched) and the orchestration fails with the reason
 * </pre>
 *
 * Deterministic: no I/O, clock, randomness or settings here; time comes from {@code getCurrentInstant()}
 * and every tunable from the input.
 */
public final class IngestOrchestration implements TaskOrchestration {

    static final RetryPolicy PLAN_RETRY = new RetryPolicy(3, Duration.ofSeconds(10)).setBackoffCoefficient(2.0);
    static final RetryPolicy COUNT_RETRY = new RetryPolicy(3, Duration.ofSeconds(5)).setBackoffCoefficient(2.0);
    static final RetryPolicy LOAD_RETRY = new RetryPolicy(3, Duration.ofSeconds(30)).setBackoffCoefficient(2.0);
    static final RetryPolicy TRANSFORM_RETRY = new RetryPolicy(3, Duration.ofMinutes(1)).setBackoffCoefficient(2.0);
    /** Completing and failing only touch ops rows; they must not be lost to a brief database hiccup. */
    static final RetryPolicy COMPLETE_RETRY = new RetryPolicy(5, Duration.ofSeconds(10)).setBackoffCoefficient(2.0);
    static final RetryPolicy FAIL_RETRY = new RetryPolicy(5, Duration.ofSeconds(10)).setBackoffCoefficient(2.0);

    @Override
    public void run(TaskOrchestrationContext ctx) {
        ctx.complete(execute(ctx));
    }

    /** The orchestration's output on success; throws {@link IngestFailure} after recording a failure. */
    public IngestSummary execute(TaskOrchestrationContext ctx) {
        IngestInput in = ctx.getInput(IngestInput.class);
        String batchId = in.batchId() != null ? in.batchId() : ctx.getInstanceId();
        Progress progress = new Progress(Progress.PLANNING, 0, 0, 0);
        ctx.setCustomStatus(progress);
        try {
            RunPlan plan = ctx.callActivity(Names.PLAN_RUN, withBatch(in, batchId).planRequest(),
                    new TaskOptions(PLAN_RETRY), RunPlan.class).await();
            List<WindowTask> windows = plan.windows() == null ? List.of() : plan.windows();

            progress = new Progress(Progress.EXTRACTING, 0, windows.size(), 0);
            ctx.setCustomStatus(progress);
            ExtractTotals extracted = extract(ctx, in, batchId, windows);
            progress = new Progress(Progress.WAITING_FOR_LOAD, extracted.windowsDone(), windows.size(), extracted.records());
            ctx.setCustomStatus(progress);

            long loadedDirectly = awaitLoads(ctx, in, batchId, progress);

            progress = progress.phase(Progress.TRANSFORMING);
            ctx.setCustomStatus(progress);
            TransformSummary transform = ctx.callActivity(Names.TRANSFORM_CORE, batchId,
                    new TaskOptions(TRANSFORM_RETRY), TransformSummary.class).await();

            progress = progress.phase(Progress.COMPLETING);
            ctx.setCustomStatus(progress);
            ctx.callActivity(Names.COMPLETE_RUN, batchId, new TaskOptions(COMPLETE_RETRY)).await();

            ctx.setCustomStatus(progress.phase(Progress.DONE));
            return new IngestSummary(batchId, in.source(), windows.size(), extracted.windowsDone(),
                    extracted.records(), extracted.parts(), loadedDirectly, transform);
        } catch (TaskFailedException e) {
            throw recordFailure(ctx, batchId, progress, IngestFailure.of(e));
        } catch (CompositeTaskFailedException e) {
            throw recordFailure(ctx, batchId, progress, IngestFailure.of(e));
        } catch (IngestFailure e) {
            throw recordFailure(ctx, batchId, progress, e);
        }
    }

    /** Inline when the plan is small; otherwise one chunk sub-orchestration at a time, so the cap holds overall. */
    private static ExtractTotals extract(TaskOrchestrationContext ctx, IngestInput in, String batchId, List<WindowTask> windows) {
        int total = windows.size();
        int maxParallel = in.effectiveMaxParallel();
        int chunkSize = in.effectiveChunkSize();
        if (total <= chunkSize) {
            return WindowFanOut.extract(ctx, batchId, windows, 0, maxParallel,
                    t -> ctx.setCustomStatus(new Progress(Progress.EXTRACTING, t.windowsDone(), total, t.records())));
        }
        ExtractTotals totals = ExtractTotals.zero();
        for (int start = 0, chunk = 0; start < total; start += chunkSize, chunk++) {
            List<WindowTask> slice = new ArrayList<>(windows.subList(start, Math.min(total, start + chunkSize)));
            ChunkInput chunkInput = new ChunkInput(batchId, chunk, start, slice, maxParallel);
            ExtractTotals done = ctx.callSubOrchestrator(Names.EXTRACT_WINDOWS_CHUNK, chunkInput,
                    chunkInstanceId(batchId, chunk), ExtractTotals.class).await();
            totals = totals.plus(done);
            ctx.setCustomStatus(new Progress(Progress.EXTRACTING, totals.windowsDone(), total, totals.records()));
        }
        return totals;
    }

    /** Batch ids are unique per run, so chunk instances of two runs never collide. */
    static String chunkInstanceId(String batchId, int chunk) {
        return batchId + ":chunk-" + chunk;
    }

    /**
     * The blob trigger loads parts as they land. Wait for it, counting what is left, until nothing is
     * or the deadline passes; then load the leftovers through the same idempotent loader, so a run
     * finishes even where blob events never arrive. Returns how many parts were loaded that way.
     */
    private static long awaitLoads(TaskOrchestrationContext ctx, IngestInput in, String batchId, Progress progress) {
        TaskOptions countOptions = new TaskOptions(COUNT_RETRY);
        Instant deadline = ctx.getCurrentInstant().plusSeconds(Math.max(0, in.loadWaitSeconds()));
        Duration poll = Duration.ofSeconds(in.effectivePollSeconds());
        int unloaded = ctx.callActivity(Names.COUNT_UNLOADED_PARTS, batchId, countOptions, Integer.class).await();
        while (unloaded > 0 && ctx.getCurrentInstant().isBefore(deadline)) {
            Duration left = Duration.between(ctx.getCurrentInstant(), deadline);
            ctx.createTimer(left.compareTo(poll) < 0 ? left : poll).await();
            unloaded = ctx.callActivity(Names.COUNT_UNLOADED_PARTS, batchId, countOptions, Integer.class).await();
        }
        if (unloaded == 0) {
            return 0;
        }
        ctx.setCustomStatus(progress.phase(Progress.LOADING));
        LoadSummary loaded = ctx.callActivity(Names.LOAD_PARTS, batchId, new TaskOptions(LOAD_RETRY), LoadSummary.class).await();
        return loaded.filesLoaded();
    }

    /** Marks the batch failed in ops (watermarks stay) and hands back the failure to throw. */
    private static IngestFailure recordFailure(TaskOrchestrationContext ctx, String batchId, Progress progress,
            IngestFailure failure) {
        ctx.setCustomStatus(progress.phase(Progress.FAILED));
        try {
            ctx.callActivity(Names.FAIL_RUN, new FailRequest(batchId, failure.getMessage(), failure.detail()),
                    new TaskOptions(FAIL_RETRY)).await();
            return failure;
        } catch (TaskFailedException e) {
            return new IngestFailure(failure.getMessage() + " (recording the failure in ops also failed: "
                    + IngestFailure.of(e).getMessage() + ")", failure.detail());
        }
    }

    private static IngestInput withBatch(IngestInput in, String batchId) {
        return new IngestInput(batchId, in.source(), in.loadType(), in.triggeredBy(), in.from(), in.to(), in.scopes(),
                in.entities(), in.maxParallelWindows(), in.chunkSize(), in.loadWaitSeconds(), in.loadPollSeconds());
    }
}
