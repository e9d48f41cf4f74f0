package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.LeaseHeartbeat;
import com.skyfit.lake.control.LeaseOwner;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.staging.LoadResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a whole batch in-process, the way the ingest orchestration does in the Function App:
 * plan, extract every window (scopes in parallel, each with its own rate limiter; at most
 * {@code workers} windows at once), load what the batch wrote (plus any part an earlier, interrupted
 * run left unloaded), transform, complete. A window that fails fails its run only; the others go on.
 * The batch's leases name this process, so a later process on this host sees at once when it was killed.
 */
public final class BatchRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);

    /** Progress callbacks for a terminal progress bar or log lines. */
    public interface Listener {
        default void planned(RunPlan plan) {}

        default void windowDone(WindowTask task, ExtractResult result, Throwable error) {}

        default void phase(String name) {}

        default void loaded(LoadResult result, double seconds) {}

        default void transformed(List<TransformResult> results) {}

        Listener NONE = new Listener() {};
    }

    /** What a batch did. */
    public record Outcome(String batchId, RunPlan plan, long recordsExtracted, int windowsFailed, LoadResult load,
            List<TransformResult> transforms, Throwable error) {}

    private final DefaultIngestEngine engine;

    public BatchRunner(DefaultIngestEngine engine) {
        this.engine = engine;
    }

    public Outcome run(PlanRequest request, int workers, Listener listener) {
        RunPlan plan = engine.plan(request, LeaseOwner.currentProcess());
        listener.planned(plan);
        String batchId = plan.batchId();
        // This process owns the batch's leases for its whole length: the heartbeat runs through every phase.
        try (LeaseHeartbeat.Handle alive = engine.keepAlive(batchId)) {
            listener.phase("extract");
            AtomicLong records = new AtomicLong();
            int failed = extractAll(plan, Math.max(1, workers), listener, records);
            listener.phase("load");
            List<String> parts = new ArrayList<>(engine.unloadedParts(batchId));
            for (String p : engine.unloadedParts(null)) {
                if (!parts.contains(p)) {
                    parts.add(p);
                }
            }
            long loadStart = System.nanoTime();
            LoadResult load = engine.load(parts, false);
            listener.loaded(load, (System.nanoTime() - loadStart) / 1e9);
            listener.phase("transform");
            List<TransformResult> transforms = engine.transform(batchId, false);
            listener.transformed(transforms);
            listener.phase("complete");
            engine.completeBatch(batchId);
            return new Outcome(batchId, plan, records.get(), failed, load, transforms, null);
        } catch (RuntimeException e) {
            LOG.error("batch {} failed: {}", batchId, e.getMessage());
            engine.failBatch(batchId, e.getMessage(), stackOf(e));
            return new Outcome(batchId, plan, 0, 0, LoadResult.empty(), List.of(), e);
        }
    }

    private int extractAll(RunPlan plan, int workers, Listener listener, AtomicLong records) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(workers, plan.windows().size())));
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (WindowTask t : interleaveScopes(plan.windows())) {
                futures.add(pool.submit(() -> {
                    try {
                        ExtractResult r = engine.extract(t);
                        records.addAndGet(r.records());
                        listener.windowDone(t, r, null);
                        return true;
                    } catch (RuntimeException e) {
                        LOG.warn("{}", e.getMessage());
                        listener.windowDone(t, null, e);
                        return false;
                    }
                }));
            }
            int failed = 0;
            for (Future<Boolean> f : futures) {
                if (!f.get()) {
                    failed++;
                }
            }
            return failed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while extracting", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("extract failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Round-robin over scopes, so every scope (each with its own API budget) progresses at once. */
    static List<WindowTask> interleaveScopes(List<WindowTask> tasks) {
        Map<String, List<WindowTask>> byScope = new LinkedHashMap<>();
        for (WindowTask t : tasks) {
            byScope.computeIfAbsent(t.scope(), k -> new ArrayList<>()).add(t);
        }
        List<WindowTask> out = new ArrayList<>();
        for (int i = 0; out.size() < tasks.size(); i++) {
            for (List<WindowTask> lane : byScope.values()) {
                if (i < lane.size()) {
                    out.add(lane.get(i));
                }
            }
        }
        return out;
    }

    static String stackOf(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        String s = w.toString();
        return s.length() > 8000 ? s.substring(0, 8000) : s;
    }
}
