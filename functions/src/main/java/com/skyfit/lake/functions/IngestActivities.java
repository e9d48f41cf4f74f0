package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.durabletask.azurefunctions.DurableActivityTrigger;
import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.orchestrations.BatchOutcome;
import com.skyfit.lake.orchestrations.FailRequest;
import com.skyfit.lake.orchestrations.LoadSummary;
import com.skyfit.lake.orchestrations.Names;
import com.skyfit.lake.orchestrations.TransformSummary;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.pipeline.WindowTask;
import com.skyfit.lake.staging.LoadResult;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The activities of the ingest workflow: each one step of the engine, one to one. Inputs arrive as JSON
 * text (see {@link ActivityInput}); outputs are small records of strings and numbers.
 */
public class IngestActivities {

    @FunctionName(Names.PLAN_RUN)
    public RunPlan planRun(@DurableActivityTrigger(name = "request") String request, ExecutionContext context) {
        RunPlan plan = EngineProvider.engine().plan(ActivityInput.read(request, PlanRequest.class));
        for (String skipped : plan.skipped()) {
            context.getLogger().info("Batch " + plan.batchId() + ": " + skipped);
        }
        return plan;
    }

    @FunctionName(Names.EXTRACT_WINDOW)
    public ExtractResult extractWindow(@DurableActivityTrigger(name = "window") String window, ExecutionContext context) {
        return EngineProvider.engine().extract(ActivityInput.read(window, WindowTask.class));
    }

    @FunctionName(Names.COUNT_UNLOADED_PARTS)
    public int countUnloadedParts(@DurableActivityTrigger(name = "batchId") String batchId, ExecutionContext context) {
        return EngineProvider.engine().unloadedParts(ActivityInput.text(batchId)).size();
    }

    /**
     * Loads what the blob trigger has not, through the same idempotent loader. A part that cannot be
     * loaded (corrupt gzip) is marked failed in the ledger with its reason and the rest goes on:
     * CompleteRun then fails only the runs that part belongs to, and leaves their watermarks alone.
     * Transient database failures are retried inside the loader; what still escapes fails the activity.
     */
    @FunctionName(Names.LOAD_PARTS)
    public LoadSummary loadParts(@DurableActivityTrigger(name = "batchId") String batchId, ExecutionContext context) {
        String batch = ActivityInput.text(batchId);
        // The batch's parts, plus any an earlier, failed batch left unloaded (no blob event will come for them).
        java.util.LinkedHashSet<String> parts = new java.util.LinkedHashSet<>(EngineProvider.engine().unloadedParts(batch));
        parts.addAll(EngineProvider.engine().unloadedParts(null));
        if (parts.isEmpty()) {
            return LoadSummary.none();
        }
        LoadResult result = EngineProvider.engine().load(List.copyOf(parts), false);
        if (result.filesFailed() > 0) {
            context.getLogger().warning(result.filesFailed() + " bronze part(s) of batch " + batch
                    + " failed to load: " + failures(result));
        }
        return LoadSummary.of(result);
    }

    @FunctionName(Names.TRANSFORM_CORE)
    public TransformSummary transformCore(@DurableActivityTrigger(name = "batchId") String batchId, ExecutionContext context) {
        return TransformSummary.of(EngineProvider.engine().transform(ActivityInput.text(batchId), false));
    }

    /**
     * Succeeds every run of the batch whose windows and parts all made it, fails the others with their reason
     * (the ledger decides, as in the command line), and reports which failed.
     */
    @FunctionName(Names.COMPLETE_RUN)
    public BatchOutcome completeRun(@DurableActivityTrigger(name = "batchId") String batchId, ExecutionContext context) {
        String batch = ActivityInput.text(batchId);
        EngineProvider.engine().completeBatch(batch);
        List<RunLedger.Run> runs = EngineProvider.engine().runsOfBatch(batch);
        List<RunLedger.Run> failed = runs.stream().filter(r -> !"success".equals(r.status())).toList();
        if (!failed.isEmpty()) {
            context.getLogger().warning(failed.size() + " of " + runs.size() + " runs of batch " + batch + " failed; first: "
                    + failed.get(0).errorMessage());
        }
        return new BatchOutcome(batch, runs.size(),
                failed.stream().map(r -> r.scope() + "/" + r.entity() + " (run " + r.runId() + ")").toList(),
                failed.stream().map(RunLedger.Run::errorMessage).filter(java.util.Objects::nonNull).findFirst().orElse(null));
    }

    @FunctionName(Names.FAIL_RUN)
    public String failRun(@DurableActivityTrigger(name = "failure") String failure, ExecutionContext context) {
        FailRequest f = ActivityInput.read(failure, FailRequest.class);
        EngineProvider.engine().failBatch(f.batchId(), f.message(), f.detail());
        return f.batchId();
    }

    static String failures(LoadResult result) {
        return result.files().stream()
                .filter(f -> "failed".equals(f.status()))
                .limit(3)
                .map(f -> f.path() + " (" + f.error() + ")")
                .collect(Collectors.joining("; "));
    }
}
