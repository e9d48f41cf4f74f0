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
 *           flight; grouped into ExtractWindowsChunk sub-orchestrations when N > chunkSize) -> wait for the blob
 *           trigger (CountUnloadedParts every poll, until zero or the deadline) -> LoadParts for leftovers
 *           -> TransformCore -> CompleteRun
 * </pre>
 *
 * The failure policy is the command line's (one engine, one behaviour): a window that fails for good fails
 * only its run; the other windows finish, their parts load, core is transformed and CompleteRun succeeds
 * every run whose windows all succeeded, failing the others with their reason (their watermarks stay). The
 * output and custom status name the failed runs and the first error; when every run failed the orchestration
 * fails with that text. A failure of a step of the whole batch (plan, load, transform, complete) after its
 * retries -> FailRun and the orchestration fails with the reason.
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

    /**
     * The orchestration's output when the batch finished, also when some of its runs failed (they are named
     * in it). Throws {@link IngestFailure} when every run failed, or a step of the whole batch (plan, load,
     * transform, complete) failed after its retries.
     */
    public IngestSummary execute(TaskOrchestrationContext ctx) {
        IngestInput in = ctx.getInput(IngestInput.class);
        String batchId = in.batchId() != null ? in.batchId() : ctx.getInstanceId();
        Progress progress = new Progress(Progress.PLANNING, 0, 0, 0);
        ctx.setCustomStatus(progress);
        IngestSummary summary;
        try {
            RunPlan plan = ctx.callActivity(Names.PLAN_RUN, withBatch(in, batchId).planRequest(),
                    new TaskOptions(PLAN_RETRY), RunPlan.class).await();
            List<WindowTask> windows = plan.windows() == null ? List.of() : plan.windows();
            // entities a timed plan left to the live batch that holds them: named, not failed
            List<String> skipped = plan.skipped();

            progress = new Progress(Progress.EXTRACTING, 0, windows.size(), 0).skipped(skipped);
            ctx.setCustomStatus(progress);
            ExtractTotals extracted = extract(ctx, in, batchId, windows, skipped);
            // a failed window fails only its run: what the others wrote is loaded, transformed and completed
            progress = Progress.extracting(extracted, windows.size()).skipped(skipped).phase(Progress.WAITING_FOR_LOAD);
            ctx.setCustomStatus(progress);

            long loadedDirectly = awaitLoads(ctx, in, batchId, progress);

            progress = progress.phase(Progress.TRANSFORMING);
            ctx.setCustomStatus(progress);
            TransformSummary transform = ctx.callActivity(Names.TRANSFORM_CORE, batchId,
                    new TaskOptions(TRANSFORM_RETRY), TransformSummary.class).await();

            progress = progress.phase(Progress.COMPLETING);
            ctx.setCustomStatus(progress);
            BatchOutcome outcome = ctx.callActivity(Names.COMPLETE_RUN, batchId, new TaskOptions(COMPLETE_RETRY),
                    BatchOutcome.class).await();
            if (outcome == null) {
                outcome = new BatchOutcome(batchId, 0, List.of(), null);
            }

            String firstError = extracted.firstError() != null ? extracted.firstError() : outcome.firstError();
            List<String> failedRuns = outcome.failed();
            progress = progress.failedRuns(failedRuns.isEmpty() ? null : failedRuns, firstError)
                    .phase(failedRuns.isEmpty() ? Progress.DONE : Progress.DONE_WITH_FAILURES);
            summary = new IngestSummary(batchId, in.source(), windows.size(), extracted.windowsDone(),
                    extracted.records(), extracted.parts(), loadedDirectly, transform, outcome.runs(),
                    extracted.windowsFailed(), failedRuns, firstError, skipped);
        } catch (TaskFailedException e) {
            throw recordFailure(ctx, batchId, progress, IngestFailure.of(e));
        } catch (CompositeTaskFailedException e) {
            throw recordFailure(ctx, batchId, progress, IngestFailure.of(e));
        } catch (IngestFailure e) {
            throw recordFailure(ctx, batchId, progress, e);
        }
        if (summary.runs() > 0 && summary.failedRuns().size() == summary.runs()) {
            // the ledger already failed every run with its reason: nothing left for FailRun to record
            ctx.setCustomStatus(progress.phase(Progress.FAILED));
            throw new IngestFailure("Every run of batch " + batchId + " failed (" + summary.runs() + "): "
                    + String.join(", ", summary.failedRuns()) + ". First error: " + summary.firstError(), null);
        }
        ctx.setCustomStatus(progress);
        return summary;
    }

    /** Inline when the plan is small; otherwise one chunk sub-orchestration at a time, so the cap holds overall. */
    private static ExtractTotals extract(TaskOrchestrationContext ctx, IngestInput in, String batchId,
            List<WindowTask> windows, List<String> skipped) {
        int total = windows.size();
        int maxParallel = in.effectiveMaxParallel();
        int chunkSize = in.effectiveChunkSize();
        if (total <= chunkSize) {
            return WindowFanOut.extract(ctx, batchId, windows, 0, maxParallel,
                    t -> ctx.setCustomStatus(Progress.extracting(t, total).skipped(skipped)));
        }
        ExtractTotals totals = ExtractTotals.zero();
        for (int start = 0, chunk = 0; start < total; start += chunkSize, chunk++) {
            List<WindowTask> slice = new ArrayList<>(windows.subList(start, Math.min(total, start + chunkSize)));
            ChunkInput chunkInput = new ChunkInput(batchId, chunk, start, slice, maxParallel);
            ExtractTotals done = ctx.callSubOrchestrator(Names.EXTRACT_WINDOWS_CHUNK, chunkInput,
                    chunkInstanceId(batchId, chunk), ExtractTotals.class).await();
            totals = totals.plus(done);
            ctx.setCustomStatus(Progress.extracting(totals, total).skipped(skipped));
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
