package com.skyfit.lake.bench;

import com.skyfit.lake.control.LeaseHeartbeat;
import com.skyfit.lake.control.LeaseOwner;
import com.skyfit.lake.core.CoreTable;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.core.TransformRunner;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.pipeline.WindowTask;
import com.skyfit.lake.staging.LoadResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One size of the pipeline benchmark of a source: the engine's own full run, phase by phase, each phase timed
 * per entity, with the same-run baselines beside staging and core.
 *
 * <ol>
 *   <li>extract: the engine plans a full run of the source and extracts every window (the real extractor against
 *       whatever API the engine's settings point at), {@code workers} windows at once;</li>
 *   <li>staging, per entity: the engine's loader over the entity's parts, then {@link CopyBaseline} over the same
 *       lines with as many COPY streams as the loader;</li>
 *   <li>core, per table: the table's transform ({@link TransformRunner}), then, for tables with a
 *       {@link CoreBaseline}, the hand-written INSERT .. SELECT over the same staging rows.</li>
 * </ol>
 * The batch is completed afterwards like any run's, so the database is left as {@code skyfit run} would leave it.
 * Any failed window, part or transform fails the benchmark: a number over incomplete work means nothing.
 */
public final class PipelineBenchmark {
    private final DefaultIngestEngine engine;
    private final String source;
    private final int workers;
    private final int copyStreams;
    private final Path scratch;
    private final Map<String, CoreBaseline> coreBaselines;
    private final Consumer<Stage> progress;

    /**
     * @param copyStreams   the loader's COPY streams (its parallelism): the baseline opens as many
     * @param coreBaselines hand-written baselines by core table name (e.g. evo_entries)
     * @param progress      told each stage as it is measured
     */
    public PipelineBenchmark(DefaultIngestEngine engine, String source, int workers, int copyStreams, Path scratch,
            Map<String, CoreBaseline> coreBaselines, Consumer<Stage> progress) {
        this.engine = engine;
        this.source = source;
        this.workers = Math.max(1, workers);
        this.copyStreams = copyStreams;
        this.scratch = scratch;
        this.coreBaselines = Map.copyOf(coreBaselines);
        this.progress = progress;
    }

    private Stage told(Stage s) {
        progress.accept(s);
        return s;
    }

    public PipelineResult run(long size) throws Exception {
        RunPlan plan = engine.plan(new PlanRequest(null, source, null, null, "full", "manual", null, null),
                LeaseOwner.currentProcess());
        try (LeaseHeartbeat.Handle alive = engine.keepAlive(plan.batchId())) {
            Map<String, List<String>> parts = new LinkedHashMap<>();
            Stage extract = told(Stage.measure("extract", "all", () -> extractAll(plan, parts)));

            List<Stage> staging = new ArrayList<>();
            List<Stage> stagingBaselines = new ArrayList<>();
            Map<String, Long> stagedRows = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> e : parts.entrySet()) {
                String entity = e.getKey();
                checkpoint();
                Stage loaded = told(Stage.measure("staging", entity, () -> load(e.getValue())));
                staging.add(loaded);
                stagedRows.put(entity, loaded.records());
                String table = "stg_" + source + "." + entity + "_raw";
                CopyBaseline baseline = CopyBaseline.prepare(engine.database(), engine.store(), e.getValue(), table,
                        copyStreams, scratch);
                checkpoint();
                stagingBaselines.add(told(Stage.measure("staging_baseline", entity, baseline::copy)));
                baseline.deleteFiles();
            }

            // The first reader of freshly loaded rows sets their hint bits and dirties every page: read once here,
            // untimed, so neither the transform nor its baseline pays that alone.
            for (String entity : stagedRows.keySet()) {
                readOnce("stg_" + source + "." + entity + "_raw");
            }
            List<Stage> core = new ArrayList<>();
            List<Stage> coreBaselineStages = new ArrayList<>();
            TransformRunner transforms = new TransformRunner(engine.database());
            for (CoreTable table : CoreTables.forSource(source)) {
                if (!stagedRows.containsKey(table.entity())) {
                    continue;
                }
                checkpoint();
                long rows = stagedRows.get(table.entity());
                Stage done = Stage.measure("core", table.name(), () -> {
                    TransformResult r = transforms.run(table, false);
                    if (r.candidates() == 0 && rows > 0) {
                        throw new IllegalStateException(table.qualifiedName() + " consumed none of " + rows
                                + " staging rows");
                    }
                    return rows;
                });
                core.add(told(done));
                CoreBaseline baseline = coreBaselines.get(table.name());
                if (baseline != null) {
                    baseline.prepare(engine.database());
                    checkpoint();
                    coreBaselineStages.add(told(Stage.measure("core_baseline", table.name(),
                            () -> baseline.run(engine.database(), rows))));
                }
            }
            engine.completeBatch(plan.batchId());
            return new PipelineResult(size, extract, staging, stagingBaselines, core, coreBaselineStages,
                    entityOfTables());
        } catch (Exception | Error e) {
            engine.failBatch(plan.batchId(), "benchmark failed: " + e.getMessage(), null);
            throw e;
        }
    }

    private Map<String, String> entityOfTables() {
        Map<String, String> out = new LinkedHashMap<>();
        CoreTables.forSource(source).forEach(t -> out.put(t.name(), t.entity()));
        return out;
    }

    /** Every window, {@code workers} at once; the parts each entity's windows wrote, by entity. */
    private long extractAll(RunPlan plan, Map<String, List<String>> partsByEntity) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "bench-extract");
            t.setDaemon(true);
            return t;
        });
        try {
            AtomicLong records = new AtomicLong();
            List<Future<ExtractResult>> futures = new ArrayList<>();
            for (WindowTask w : plan.windows()) {
                futures.add(pool.submit(() -> engine.extract(w)));
            }
            List<ExtractResult> results = new ArrayList<>();
            for (Future<ExtractResult> f : futures) {
                results.add(f.get()); // a failed window fails the benchmark
            }
            for (ExtractResult r : results) {
                records.addAndGet(r.records());
                partsByEntity.computeIfAbsent(r.entity(), k -> new ArrayList<>()).addAll(r.parts());
            }
            return records.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private long load(List<String> parts) {
        LoadResult r = engine.load(parts, false);
        if (r.filesFailed() > 0 || r.filesSkipped() > 0) {
            throw new IllegalStateException("benchmark load went wrong: " + r.files().stream()
                    .filter(f -> !f.status().equals("loaded")).limit(5).toList());
        }
        return r.rowsLoaded();
    }

    private void readOnce(String table) throws SQLException {
        try (Connection c = engine.database().connection(); Statement st = c.createStatement()) {
            st.execute("SELECT count(*) FROM " + table);
        }
    }

    /** A checkpoint left over from the previous phase would otherwise land in the next one's timing. */
    private void checkpoint() {
        try (Connection c = engine.database().connection(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            // needs superuser or pg_checkpoint; without it the numbers are just noisier
        }
    }
}
