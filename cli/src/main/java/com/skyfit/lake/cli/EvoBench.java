package com.skyfit.lake.cli;

import com.skyfit.lake.bench.EvoBaselines;
import com.skyfit.lake.bench.MachineMemory;
import com.skyfit.lake.bench.PageCache;
import com.skyfit.lake.bench.PipelineBenchmark;
import com.skyfit.lake.bench.PipelineReport;
import com.skyfit.lake.bench.PipelineResult;
import com.skyfit.lake.bench.RateCheck;
import com.skyfit.lake.bench.ReloadProjection;
import com.skyfit.lake.bench.WarmMemory;
import com.skyfit.lake.bronze.BronzeStores;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.simulator.EvoRequestStats;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.source.PgRequestGate;
import com.skyfit.lake.staging.LoaderOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code skyfit bench --source evo}: the simulated EVO API (rate limit off) -> bronze -> staging -> core through the
 * engine's own full run, for each size asked, in a fresh embedded PostgreSQL per size; then the extraction check
 * against the simulator with its rate limit on; then the report with its targets ({@link PipelineReport}).
 *
 * <p>The simulator serves one key ({@value #SCOPE}) whose branches share the size; members, sales and prospects
 * follow the entries in production's proportions (the simulator's defaults). For the sizes it runs in a child JVM
 * ({@link SimulatorProcess}), so each stage's heap is the lake's; the small extraction check keeps it in this JVM,
 * where its request counters are read.
 */
final class EvoBench {
    static final String SCOPE = "gym";
    /** The simulator's days end the day before yesterday: the full run's last windows are empty, as in production. */
    private static final int DAYS_BEFORE_TODAY = 2;
    /**
     * The pipeline sizes' simulator runs in a JVM of its own (so the heap measured is the lake's), with room to keep
     * generated days for their next pages instead of generating them again for every page.
     */
    private static final int SIMULATOR_CACHE_MB = 256;
    private static final int SIMULATOR_HEAP_MB = 1024;
    /** "Rate limit off": the client's budget far above anything the machine can send. */
    private static final String UNLIMITED_PER_MINUTE = "100000";

    /** What to run. */
    record Options(List<Long> sizes, int days, int branches, int workers, int ratePerMinute, long seed, int rounds,
            boolean dropPageCache, boolean warmMemory) {}

    private final Settings base;
    private final Path dir;
    private final Options options;
    private final PrintStream out;
    /** Why the page cache is kept; empty when it is dropped before each core step. */
    private Optional<String> cacheKeptBecause = Optional.of("not asked");
    /** The free memory touched before each step when asked and possible; null otherwise. */
    private WarmMemory warm;
    /** The kernel's pageout agents paused while memory is warmed; null otherwise. */
    private MachineMemory.Paused pageout;

    EvoBench(Settings base, Path dir, Options options, PrintStream out) {
        this.base = base;
        this.dir = dir;
        this.options = options;
        this.out = out;
    }

    PipelineReport run() throws Exception {
        int streams = LoaderOptions.fromSettings(base).parallelism();
        out.printf("bench evo: sizes %s entries, %,d a day (%d days at the first size), %d branches, one key; "
                        + "JVM max heap %d MB (./skyfit runs java -Xmx1g unless SKYFIT_JAVA_OPTS says otherwise), "
                        + "%d cores, loader COPY streams %d, extract workers %d%n", options.sizes(),
                options.sizes().get(0) / options.days(), options.days(), options.branches(),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(), streams,
                options.workers());
        MachineMemory machine = new MachineMemory();
        machine.describe().forEach(line -> out.println("bench evo: " + line));
        if (options.warmMemory()) {
            Optional<String> not = WarmMemory.unavailable(dir);
            if (not.isEmpty()) {
                warm = WarmMemory.open(dir.resolve("warm-memory.bin"));
                pageout = machine.pausePageout();
                if (!pageout.paused().isEmpty()) {
                    out.println("bench evo: the kernel's pageout agents paused until the bench ends: "
                            + pageout.paused());
                }
                pageout.failed().forEach(why -> out.println("bench evo: could not pause " + why));
            }
            out.println("bench evo: memory " + not.map(why -> "not warmed: " + why).orElse(
                    "warmed before each staging and core step and its baseline, untimed: dirty pages written back, "
                            + "the free memory touched and kept as clean page cache, a core step's staging rows read "
                            + "in; nothing dropped"));
        } else if (options.dropPageCache()) {
            cacheKeptBecause = PageCache.tryDrop();
            out.println("bench evo: page cache " + cacheKeptBecause.map(why -> "kept: " + why).orElse(
                    "written back and dropped before each core step and its baseline, the step's staging rows read "
                            + "back in; written back before each staging step and its baseline"));
        } else {
            out.println("bench evo: page cache kept (--drop-page-cache drops it before each core step and its "
                    + "baseline)");
        }
        List<PipelineResult> results = new ArrayList<>();
        try {
            for (long size : options.sizes()) {
                out.printf("bench evo: size %,d over %d days: extract, staging and core with their baselines%n", size,
                        daysFor(size));
                results.add(runSize(size));
            }
        } finally {
            if (pageout != null) {
                pageout.close();
            }
            if (warm != null) {
                out.printf("bench evo: warming touched %,d MB of free memory in %d passes, %.1f s, untimed%n",
                        warm.touchedBytes() >> 20, warm.passes(), warm.seconds());
                try {
                    warm.close();
                } catch (java.io.IOException e) {
                    out.println("bench evo: could not delete " + warm.file() + ": " + e.getMessage());
                }
            }
        }
        RateCheck rate = null;
        if (options.ratePerMinute() > 0) {
            out.printf("bench evo: extraction against the simulator limited to %d requests/min per key...%n",
                    options.ratePerMinute());
            rate = rateCheck(options.ratePerMinute());
        }
        PipelineReport report = new PipelineReport(results, rate, ReloadProjection.PRODUCTION);
        report.lines().forEach(out::println);
        return report;
    }

    private boolean dropPageCache() {
        return cacheKeptBecause.isEmpty();
    }

    /**
     * A larger size covers more days at the same entries a day, as production grows: by days, not by busier days.
     * So parts, windows and pages keep their size, and the scale check compares what volume alone costs.
     */
    int daysFor(long size) {
        return (int) Math.max(1, Math.round((double) options.days() * size / options.sizes().get(0)));
    }

    private PipelineResult runSize(long size) throws Exception {
        Path home = ScratchFolder.recreate(dir.resolve("size-" + size));
        int days = daysFor(size);
        try (SimulatorProcess sim = SimulatorProcess.start(SCOPE, size, lastDay().minusDays(days - 1L), days,
                options.branches(), options.seed(), SIMULATOR_CACHE_MB, SIMULATOR_HEAP_MB)) {
            Settings settings = settings(home, sim.settings()).with("EVO_REQUESTS_PER_MINUTE", UNLIMITED_PER_MINUTE);
            try (DefaultIngestEngine engine = engine(settings)) {
                PipelineBenchmark bench = new PipelineBenchmark(engine, "evo", options.workers(),
                        LoaderOptions.fromSettings(settings), home.resolve("scratch"), EvoBaselines.all(),
                        stage -> out.println("  " + stage.describe()), options.rounds()).whenExtracted(sim::close);
                return (warm != null ? bench.warmingMemoryBeforeSteps(warm)
                        : dropPageCache() ? bench.droppingPageCacheBeforeCoreSteps() : bench).run(size);
            }
        } finally {
            // a 5 M run leaves gigabytes of PostgreSQL and bronze behind
            ScratchFolder.recreate(home);
        }
    }

    /**
     * A small key (a week of entries, about a hundred requests) read by a whole `skyfit run --full` while the
     * simulator enforces the same limit the client keeps.
     */
    private RateCheck rateCheck(int perMinute) throws Exception {
        Path home = ScratchFolder.recreate(dir.resolve("rate"));
        try (EvoSimulator sim = simulator(7_000, 7, 2, perMinute)) {
            Settings settings = settings(home, sim.settings());
            try (DefaultIngestEngine engine = engine(settings)) {
                BatchRunner.Outcome outcome = new BatchRunner(engine).run(new PlanRequest(null, "evo", null, null,
                        "full", "manual", null, null), options.workers(), BatchRunner.Listener.NONE);
                if (outcome.error() != null || outcome.windowsFailed() > 0) {
                    throw new IllegalStateException("the extraction check's run failed: " + (outcome.error() != null
                            ? outcome.error().getMessage() : outcome.windowsFailed() + " windows failed"));
                }
                EvoRequestStats stats = sim.stats(SCOPE);
                return new RateCheck(SCOPE, perMinute, stats.requests(), stats.rateLimited(),
                        stats.requests() < 2 ? 0 : (stats.lastNanos() - stats.firstNanos()) / 1e9,
                        outcome.recordsExtracted());
            }
        } finally {
            ScratchFolder.recreate(home);
        }
    }

    private EvoSimulator simulator(long entries, int days, int branches, int perMinute) {
        return EvoSimulator.builder().scopes(SCOPE).branches(branches).entries(entries).seed(options.seed())
                .days(lastDay().minusDays(days - 1L), days).requestsPerMinute(perMinute).start();
    }

    private static LocalDate lastDay() {
        return LocalDate.now(ZoneOffset.UTC).minusDays(DAYS_BEFORE_TODAY);
    }

    /**
     * The bench's own settings: the loader's and PostgreSQL's tuning from the environment (SKYFIT_LOAD_PARALLELISM
     * and the like), never its database, bronze or sources; the simulator's EVO settings; an embedded PostgreSQL
     * under the size's folder with fsync off, as every benchmark database here.
     */
    private Settings settings(Path home, Map<String, String> simulator) {
        Map<String, String> s = new HashMap<>();
        base.asMap().forEach((k, v) -> {
            if (k.startsWith("SKYFIT_")) {
                s.put(k, v);
            }
        });
        for (String k : List.of(Settings.PG_URL, Settings.PG_USER, Settings.PG_PASSWORD, Settings.BRONZE_URL,
                Settings.STORAGE_CONNECTION_STRING)) {
            s.remove(k);
        }
        s.put(Settings.HOME, home.toString());
        s.put(Settings.PG_FSYNC, "false");
        s.putAll(simulator);
        return Settings.of(s);
    }

    private static DefaultIngestEngine engine(Settings settings) {
        Database db = Database.open(settings);
        try {
            return new DefaultIngestEngine(settings, db, BronzeStores.open(settings),
                    Connectors.configured(settings, new PgRequestGate(db.dataSource())), Clock.systemUTC(), true);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }
}
