package com.skyfit.lake.functions;

import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.IngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.pipeline.WindowTask;
import com.skyfit.lake.staging.LoadResult;
import java.util.ArrayList;
import java.util.List;

/** An engine that records each call and answers with canned values (adapter tests only). */
final class FakeEngine implements IngestEngine {
    final List<String> calls = new ArrayList<>();
    List<String> unloaded = List.of();
    LoadResult loadResult = LoadResult.empty();

    @Override
    public RunPlan plan(PlanRequest request) {
        calls.add("plan " + request);
        return new RunPlan(request.batchId(), List.of("run-1"), List.of(new WindowTask(request.batchId(), "run-1",
                request.source(), "commercial", "deals", request.loadType(), null, "2026-03-01T00:00:00Z", "2026-03-01")));
    }

    @Override
    public ExtractResult extract(WindowTask window) {
        calls.add("extract " + window);
        return new ExtractResult(window.runId(), window.scope(), window.entity(), window.windowStart(), window.windowEnd(),
                3, List.of("bronze/pipedrive/part.jsonl.gz"), null);
    }

    @Override
    public LoadResult load(List<String> parts, boolean force) {
        calls.add("load " + parts + " force=" + force);
        return loadResult;
    }

    @Override
    public List<String> unloadedParts(String batchId) {
        calls.add("unloadedParts " + batchId);
        return unloaded;
    }

    @Override
    public List<TransformResult> transform(String batchId, boolean fullRefresh) {
        calls.add("transform " + batchId + " full=" + fullRefresh);
        return List.of(new TransformResult("core.deals", 4, 2, 1, 1, 0, 0, 0.1, List.of()),
                new TransformResult("core.persons", 1, 1, 0, 0, 0, 1, 0.1, List.of()));
    }

    @Override
    public void completeBatch(String batchId) {
        calls.add("completeBatch " + batchId);
    }

    /** The ledger after completeBatch: one successful run unless a test says otherwise. */
    List<RunLedger.Run> runs = List.of(run("run-1", "success", null));

    static RunLedger.Run run(String id, String status, String error) {
        return new RunLedger.Run(id, "b", "pipedrive", "commercial", "deals", status, "incremental", "scheduler",
                java.time.Instant.parse("2026-03-01T00:00:00Z"), null, null, null, 3, error, null, null);
    }

    @Override
    public List<RunLedger.Run> runsOfBatch(String batchId) {
        calls.add("runsOfBatch " + batchId);
        return runs;
    }

    @Override
    public void failBatch(String batchId, String message, String detail) {
        calls.add("failBatch " + batchId + " " + message + " | " + detail);
    }
}
