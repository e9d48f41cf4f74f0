package com.skyfit.lake.orchestrations;

import com.microsoft.durabletask.Task;
import com.microsoft.durabletask.TaskFailedException;
import com.microsoft.durabletask.TaskOrchestrationContext;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.WindowTask;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Extracts a list of windows with at most {@code maxParallel} in flight (a sliding window: the next
 * window starts as soon as any one finishes), so the API's rate limit holds however large the plan.
 * Each window runs as a one-activity {@link ExtractOneWindow} sub-orchestration that owns its retry
 * policy: in durabletask 1.4.0 tasks with a RetryPolicy that run side by side lose retry attempts,
 * while a lone awaited task honours its policy. Deterministic: decisions depend only on task outcomes.
 */
final class WindowFanOut {

    private WindowFanOut() {}

    /**
     * Extracts every window; {@code firstIndex} is the position of {@code windows.get(0)} in the whole
     * plan (it names the window instances). A window that fails for good (after its retries) is counted
     * with its reason and the others go on, as in the command line: the ledger then fails only the run
     * that window belongs to, and the rest of the batch is loaded, transformed and completed.
     */
    static ExtractTotals extract(TaskOrchestrationContext ctx, String batchId, List<WindowTask> windows, int firstIndex,
            int maxParallel, Consumer<ExtractTotals> onProgress) {
        Map<Task<ExtractResult>, WindowTask> inFlight = new LinkedHashMap<>();
        int next = 0;
        ExtractTotals totals = ExtractTotals.zero();
        while (true) {
            while (next < windows.size() && inFlight.size() < maxParallel) {
                WindowTask w = windows.get(next);
                inFlight.put(ctx.callSubOrchestrator(Names.EXTRACT_ONE_WINDOW, w,
                        windowInstanceId(batchId, firstIndex + next), ExtractResult.class), w);
                next++;
            }
            if (inFlight.isEmpty()) {
                break;
            }
            TaskFailedException surfaced = null;
            try {
                ctx.anyOf(new ArrayList<Task<?>>(inFlight.keySet())).await();
            } catch (TaskFailedException e) {
                // anyOf fails when the first task to finish failed; the sweep below finds which one
                surfaced = e;
            }
            int before = inFlight.size();
            for (Iterator<Map.Entry<Task<ExtractResult>, WindowTask>> it = inFlight.entrySet().iterator(); it.hasNext();) {
                Map.Entry<Task<ExtractResult>, WindowTask> e = it.next();
                if (!e.getKey().isDone()) {
                    continue;
                }
                it.remove();
                try {
                    ExtractResult r = e.getKey().await();
                    totals = totals.plus(new ExtractTotals(1, r.records(), r.parts() == null ? 0 : r.parts().size(), 0, null));
                } catch (TaskFailedException ex) {
                    totals = totals.plus(ExtractTotals.failed(windowFailure(ex).getMessage()));
                }
            }
            if (surfaced != null && inFlight.size() == before) {
                // never spin on a failure no task owns: stop with what the engine reported
                throw windowFailure(surfaced);
            }
            onProgress.accept(totals);
        }
        return totals;
    }

    /** Unique per batch and stable across replays. */
    static String windowInstanceId(String batchId, int index) {
        return batchId + ":window-" + index;
    }

    /** The window orchestration already failed with a message naming its window: pass it on as is. */
    private static IngestFailure windowFailure(TaskFailedException e) {
        return IngestFailure.passOn(e);
    }

    static String describe(WindowTask w) {
        return Names.EXTRACT_WINDOW + " " + w.source() + "/" + w.scope() + "/" + w.entity()
                + " [" + (w.windowStart() == null ? "beginning" : w.windowStart()) + ", "
                + (w.windowEnd() == null ? "now" : w.windowEnd()) + ")";
    }
}
