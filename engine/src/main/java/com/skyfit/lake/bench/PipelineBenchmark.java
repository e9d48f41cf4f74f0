package com.skyfit.lake.bench;

import com.skyfit.lake.bronze.BronzePath;
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
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * The batch is completed afterwards like any run's, so the database is left as {@code skyfit run} would leave it,
 * except that the batch's runs in {@code ops.runs} show the core counts once per round.
 * Any failed window, part or transform fails the benchmark: a number over incomplete work means nothing.
 */
public final class PipelineBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineBenchmark.class);
    private final DefaultIngestEngine engine;
    private final String source;
    private final int workers;
    private final LoaderOptions loader;
    private final Path scratch;
    private final Map<String, CoreBaseline> coreBaselines;
    private final Consumer<Stage> progress;
    private final int rounds;
    private final Extras extras;
    /** Cleared when a page cache step fails midway: the rest of the run keeps the cache, and says so once. */
    private boolean manageCache;

    /**
     * What the withers below change: tests keep the copies, the command line stops its simulator and drops caches
     * or warms memory ({@code warm} null: not).
     */
    private record Extras(boolean keepCopies, Runnable extracted, boolean dropPageCache, WarmMemory warm) {}

    /**
     * @param loader        the loader's options (the engine's): the baseline opens as many COPY streams as the loader
     *                      does for each entity
     * @param coreBaselines hand-written baselines by core table name (e.g. evo_entries)
     * @param progress      told each stage as it is measured (its fastest round)
     * @param rounds        how often each staging and core step and each baseline run, a step and its baseline
     *                      alternating; the fastest counts
     */
    public PipelineBenchmark(DefaultIngestEngine engine, String source, int workers, LoaderOptions loader, Path scratch,
            Map<String, CoreBaseline> coreBaselines, Consumer<Stage> progress, int rounds) {
        this(engine, source, workers, loader, scratch, coreBaselines, progress, rounds,
                new Extras(false, () -> { }, false, null));
    }

    private PipelineBenchmark(DefaultIngestEngine engine, String source, int workers, LoaderOptions loader,
            Path scratch, Map<String, CoreBaseline> coreBaselines, Consumer<Stage> progress, int rounds,
            Extras extras) {
        this.extras = extras;
        this.manageCache = extras.dropPageCache() || extras.warm() != null;
        this.engine = engine;
        this.source = source;
        this.workers = Math.max(1, workers);
        this.loader = loader;
        this.scratch = scratch;
        this.coreBaselines = Map.copyOf(coreBaselines);
        this.progress = progress;
        this.rounds = Math.max(1, rounds);
    }

    /**
     * The same benchmark, leaving the baselines' tables in the {@code bench} schema for inspection (tests compare
     * them with what the lake wrote). Otherwise each is dropped once measured: at the larger sizes the copies hold
     * gigabytes of page cache while the later steps are measured.
     */
    public PipelineBenchmark keepingCopies() {
        return with(new Extras(true, extras.extracted(), extras.dropPageCache(), extras.warm()));
    }

    /**
     * The same benchmark, calling {@code then} once every window is extracted and before staging is measured: the
     * caller stops the source's simulator there, so its memory is not the machine's while the lake's steps run.
     */
    public PipelineBenchmark whenExtracted(Runnable then) {
        return with(new Extras(extras.keepCopies(), then, extras.dropPageCache(), extras.warm()));
    }

    /**
     * The same benchmark, starting each core step and each core baseline from the same page cache: written back and
     * dropped, then the step's staging table read back in ({@link PageCache}; needs root on Linux, see
     * {@link PageCache#tryDrop()}). Staging steps are left as they are: the loader reads compressed bronze and its
     * baseline the uncompressed lines, and a cold start would charge the baseline five times the reads.
     */
    public PipelineBenchmark droppingPageCacheBeforeCoreSteps() {
        return with(new Extras(extras.keepCopies(), extras.extracted(), true, null));
    }

    /**
     * The same benchmark, starting every staging and core step and every baseline in warm memory: dirty pages written
     * back, then the free memory touched ({@link WarmMemory#touchFree()}), and before a core step or its baseline the
     * step's staging table read in. Nothing is dropped: dropping hands the memory back to a host that reclaims free
     * memory, and the next step pays to touch it again. Instead of {@link #droppingPageCacheBeforeCoreSteps()}.
     */
    public PipelineBenchmark warmingMemoryBeforeSteps(WarmMemory warm) {
        return with(new Extras(extras.keepCopies(), extras.extracted(), false, java.util.Objects.requireNonNull(warm)));
    }

    private PipelineBenchmark with(Extras changed) {
        return new PipelineBenchmark(engine, source, workers, loader, scratch, coreBaselines, progress, rounds,
                changed);
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
            extras.extracted().run();

            List<Stage> staging = new ArrayList<>();
            List<Stage> stagingBaselines = new ArrayList<>();
            Map<String, Long> stagedRows = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> e : parts.entrySet()) {
                String entity = e.getKey();
                String table = "stg_" + source + "." + entity + "_raw";
                CopyBaseline baseline = null;
                List<Stage> loads = new ArrayList<>();
                List<Stage> copies = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    boolean again = round > 0;
                    if (again) {
                        sql("TRUNCATE " + table); // the same first load once more: the ledger's 'loaded' is forced
                    }
                    beforeStaging();
                    loads.add(Stage.measure("staging", entity, () -> load(e.getValue(), again)));
                    LOG.debug("round {} staging {}: {} s", round + 1, entity, loads.get(round).seconds());
                    vacuum(table);
                    if (baseline == null) {
                        baseline = CopyBaseline.prepare(engine.database(), engine.store(), e.getValue(), table,
                                streams(e.getValue(), loader), scratch);
                    } else {
                        baseline.recreateTable();
                    }
                    beforeStaging();
                    copies.add(Stage.measure("staging_baseline", entity, baseline::copy));
                    LOG.debug("round {} staging_baseline {}: {} s", round + 1, entity, copies.get(round).seconds());
                    if (extras.keepCopies()) {
                        vacuum(baseline.plainTable());
                    } else {
                        baseline.dropTable(); // before the next round's timed load: no autovacuum of it on that clock
                    }
                }
                baseline.deleteFiles();
                staging.add(told(fastest(loads)));
                stagingBaselines.add(told(fastest(copies)));
                stagedRows.put(entity, staging.get(staging.size() - 1).records());
            }

            List<Stage> core = new ArrayList<>();
            List<Stage> coreBaselineStages = new ArrayList<>();
            List<Stage> indexesAfterStages = new ArrayList<>();
            TransformRunner transforms = new TransformRunner(engine.database());
            for (CoreTable table : CoreTables.forSource(source)) {
                if (!stagedRows.containsKey(table.entity())) {
                    continue;
                }
                long rows = stagedRows.get(table.entity());
                CoreBaseline baseline = coreBaselines.get(table.name());
                List<Stage> runs = new ArrayList<>();
                List<Stage> baselineRuns = new ArrayList<>();
                List<Stage> indexesAfterRuns = new ArrayList<>();
                List<RoundWork> work = new ArrayList<>();
                // Every round of a core step is the first one again: before each later round the tables it writes,
                // its state row and its staging rows' flags are set back to what they were (StepStart). A full
                // refresh would not be the same work everywhere: it recomputes in place a table two steps write,
                // and skips the rows an earlier round flagged invalid. Each round must do the first one's work.
                try (StepStart start = rounds > 1 ? StepStart.capture(engine.database(), table) : null) {
                    for (int round = 0; round < rounds; round++) {
                        if (round > 0) {
                            start.restore();
                        }
                        settle(table.stagingTable());
                        List<TransformResult> result = new ArrayList<>(1);
                        runs.add(Stage.measure("core", table.name(),
                                () -> transform(transforms, table, rows, result)));
                        LOG.debug("round {} core {}: {} s", round + 1, table.name(), runs.get(round).seconds());
                        work.add(new RoundWork(result.get(0), rowsWrittenByLastRun(table)));
                        sameWork(work);
                        vacuum(table.qualifiedName());
                        for (var child : table.children()) {
                            vacuum(child.qualifiedName());
                        }
                        if (baseline != null) {
                            // what the transform wrote: a record staged twice (a sale read by its date and by its
                            // removal date) is one row, as in the baseline
                            long written = engine.database().queryFirst("SELECT count(*) FROM " + table.qualifiedName(),
                                    ps -> {}, rs -> rs.getLong(1)).orElseThrow();
                            // beside the target: the same statement with the transform's index work on a first load
                            // (as the transform does it: only from a batch of BULK_LOAD_ROWS). The two baselines take
                            // turns going first, so neither always starts after the other's writes; the plain one's
                            // copy is the one kept when asked.
                            boolean indexesAfter = rows >= TransformRunner.BULK_LOAD_ROWS;
                            if (round % 2 == 0) {
                                measureIndexesAfter(baseline, table, written, indexesAfter, indexesAfterRuns);
                            }
                            baseline.prepare(engine.database());
                            settle(table.stagingTable());
                            baselineRuns.add(Stage.measure("core_baseline", table.name(),
                                    () -> baseline.run(engine.database(), written)));
                            LOG.debug("round {} core_baseline {}: {} s", round + 1, table.name(),
                                    baselineRuns.get(round).seconds());
                            if (extras.keepCopies()) {
                                for (String t : baseline.tables()) {
                                    vacuum(t);
                                }
                            } else {
                                baseline.discard(engine.database());
                            }
                            if (round % 2 == 1) {
                                measureIndexesAfter(baseline, table, written, indexesAfter, indexesAfterRuns);
                            }
                        }
                    }
                }
                core.add(told(fastest(runs)));
                if (baseline != null) {
                    coreBaselineStages.add(told(fastest(baselineRuns)));
                    indexesAfterStages.add(told(fastest(indexesAfterRuns)));
                }
            }
            engine.completeBatch(plan.batchId());
            return new PipelineResult(size, extract, staging, stagingBaselines, core, coreBaselineStages,
                    indexesAfterStages, entityOfTables());
        } catch (Exception | Error e) {
            engine.failBatch(plan.batchId(), "benchmark failed: " + e.getMessage(), null);
            throw e;
        }
    }

    private void measureIndexesAfter(CoreBaseline baseline, CoreTable table, long written, boolean indexesAfter,
            List<Stage> runs) throws Exception {
        CoreBaseline copy = baseline.renamed("_idx_after");
        copy.prepare(engine.database());
        settle(table.stagingTable());
        runs.add(Stage.measure("core_idx_after", table.name(),
                () -> copy.run(engine.database(), written, indexesAfter)));
        copy.discard(engine.database());
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

    /**
     * The COPY streams the loader opens for an entity's parts: one per batch ({@link StagingLoader#batchCount}), at
     * most {@link LoaderOptions#parallelism()} at once. One part is one stream; two or more on two connections, two.
     */
    static int streams(List<String> parts, LoaderOptions loader) {
        int batches = StagingLoader.batchCount(parts.stream().map(BronzePath::parse).toList(), loader);
        return Math.max(1, Math.min(loader.parallelism(), batches));
    }

    private static long transform(TransformRunner transforms, CoreTable table, long rows,
            List<TransformResult> results) {
        TransformResult r = transforms.run(table, false);
        results.add(r);
        if (r.candidates() == 0 && rows > 0) {
            throw new IllegalStateException(table.qualifiedName() + " consumed none of " + rows + " staging rows");
        }
        return rows;
    }

    /** What a round of a core step did: its counts, and the rows it wrote in each table it writes. */
    record RoundWork(TransformResult result, Map<String, Long> written) {}

    /**
     * Each round of a core step must do the first round's work: the same rows inserted, updated, left unchanged,
     * deleted and flagged, and the same rows written in each table it writes (its children's too, which its counts
     * leave out). Otherwise its rounds measured different loads, and the fastest means nothing.
     */
    static void sameWork(List<RoundWork> rounds) {
        RoundWork first = rounds.get(0);
        RoundWork last = rounds.get(rounds.size() - 1);
        if (!counts(first.result()).equals(counts(last.result())) || !first.written().equals(last.written())) {
            throw new IllegalStateException("round " + rounds.size() + " of " + first.result().coreTable()
                    + " did other work than round 1 (candidates, inserted, updated, unchanged, deleted, warned; rows "
                    + "written by table): " + counts(last.result()) + " " + last.written() + " against "
                    + counts(first.result()) + " " + first.written());
        }
    }

    private static List<Long> counts(TransformResult r) {
        return List.of(r.candidates(), r.inserted(), r.updated(), r.unchanged(), r.deleted(), r.warned());
    }

    /**
     * Rows of each table the step writes that its last run wrote: every insert, update and delete flag of a
     * transform sets {@code _updated_at} to its transaction's start, the {@code last_run_at} it saves in
     * {@code ops.transform_state} (all but repointing a row at a reloaded line, which no first load does). Untimed.
     */
    private Map<String, Long> rowsWrittenByLastRun(CoreTable table) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String t : table.writtenTables()) {
            out.put(t, engine.database().queryFirst("SELECT count(*) FROM " + t + " WHERE _updated_at = "
                    + "(SELECT last_run_at FROM ops.transform_state WHERE core_table = ?)",
                    ps -> ps.setString(1, table.qualifiedName()), rs -> rs.getLong(1)).orElseThrow());
        }
        return out;
    }

    /** The fastest of a step's runs: other work on the machine only ever adds time. Its heap: the highest seen. */
    static Stage fastest(List<Stage> runs) {
        Stage best = runs.stream().min(java.util.Comparator.comparingDouble(Stage::seconds)).orElseThrow();
        long heap = runs.stream().mapToLong(Stage::peakHeapBytes).max().orElse(0);
        return new Stage(best.name(), best.entity(), best.records(), best.seconds(), heap);
    }

    /**
     * Untimed between steps: sets hint bits and the visibility map, and gathers statistics, as autovacuum would
     * soon after; so autovacuum does not land on the next step's clock, and both sides of a ratio see the same.
     */
    private void vacuum(String table) throws SQLException {
        sql("VACUUM (ANALYZE) " + table);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = engine.database().connection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private long load(List<String> parts, boolean force) {
        LoadResult r = engine.load(parts, force);
        if (r.filesFailed() > 0 || r.filesSkipped() > 0) {
            throw new IllegalStateException("benchmark load went wrong: " + r.files().stream()
                    .filter(f -> !f.status().equals("loaded")).limit(5).toList());
        }
        return r.rowsLoaded();
    }

    /**
     * Before a staging load or its baseline: a checkpoint and, with the page cache managed, the dirty pages written
     * back (the input, bronze parts, stays cached: both sides read it the same way), then, when warming, the free
     * memory touched.
     */
    private void beforeStaging() {
        checkpoint();
        managedCache(PageCache::writeBack);
    }

    /**
     * Before a core step or its baseline: a checkpoint, and the page cache as {@link PageCache} says (dropped, or
     * written back and the free memory touched), then the step's staging table read in.
     */
    private void settle(String stagingTable) throws Exception {
        checkpoint();
        if (managedCache(extras.warm() != null ? PageCache::writeBack : PageCache::drop)) {
            PageCache.warm(engine.database(), stagingTable);
        }
    }

    /**
     * A page cache step, when the cache is managed, then the free memory touched when warming: false when the cache
     * is not managed, or a drop failed (then never again). A failed warming fails the benchmark: a run warmed at one
     * size and not at the other would compare the two regimes, not the sizes.
     */
    private boolean managedCache(CacheStep step) {
        if (!manageCache) {
            return false;
        }
        try {
            step.run();
            if (extras.warm() != null) {
                extras.warm().touchFree();
            }
            return true;
        } catch (java.io.IOException e) {
            if (extras.warm() != null) {
                throw new java.io.UncheckedIOException("warming memory before a step failed: " + e.getMessage(), e);
            }
            manageCache = false;
            LOG.warn("page cache kept from here on: {}", e.getMessage());
            return false;
        }
    }

    @FunctionalInterface
    private interface CacheStep {
        void run() throws java.io.IOException;
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
