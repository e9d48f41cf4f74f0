package com.skyfit.lake.cli;

import com.skyfit.lake.bench.BenchResult;
import com.skyfit.lake.bench.HeapSampler;
import com.skyfit.lake.bench.LoadBenchmark;
import com.skyfit.lake.bench.TransformBenchmark;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.staging.LoaderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Without --source: generate N EVO-sale-like records (about 1 KB each) into bronze and measure, in "
                + "the same run: (a) the loader vs (b) a raw COPY baseline, (c) the core transform vs (d) a hand-written "
                + "INSERT .. SELECT.",
            "With --source evo: the simulated EVO API (rate limit off) -> bronze -> staging -> core through the engine's "
                + "own full run, for N entries plus members, sales and prospects in production's proportions; each "
                + "stage's records/s and peak heap beside its same-run baseline (raw COPY with the loader's streams; "
                + "hand-written INSERT .. SELECT), the projected production reload, an extraction check against the "
                + "simulator's rate limit, and PASS / FAIL per target.",
            "Works in scratch embedded PostgreSQL databases under {SKYFIT_HOME}/bench."})
final class BenchCommand implements Callable<Integer> {
    static final long SALES_DEFAULT_RECORDS = 500_000;
    static final long EVO_DEFAULT_RECORDS = 1_000_000;
    /** The scale check's larger size, as a multiple of the first. */
    static final int SCALE_CHECK_FACTOR = 5;

    @Option(names = "--source", description = "evo: the pipeline benchmark of the EVO source (default: the loader and "
            + "transform benchmark of generated sales).")
    String source;

    @Option(names = "--records", split = ",", description = "Records to generate (default: 500000); with --source evo, "
            + "entries, and a comma-separated list runs each size (default: 1000000).")
    List<Long> records;

    @Option(names = "--scale-check", description = "With --source evo: also run " + SCALE_CHECK_FACTOR
            + " times the size and compare the cost per record.")
    boolean scaleCheck;

    @Option(names = "--days", defaultValue = "30", description = "With --source evo: days the first size's entries "
            + "spread over; larger sizes cover proportionally more days at the same entries a day (default: "
            + "${DEFAULT-VALUE}: about 33,000 entries a day at 1,000,000, so a day's entries fill most of a bronze part "
            + "as a busy production day does).")
    int days;

    @Option(names = "--branches", defaultValue = "10", description = "With --source evo: branches of the key "
            + "(default: ${DEFAULT-VALUE}).")
    int branches;

    @Option(names = "--workers", defaultValue = "4", description = "With --source evo: windows extracted at once "
            + "(default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--rate-limit", defaultValue = "120", description = "With --source evo: requests per minute of the "
            + "extraction check, on the simulator and the client alike; 0 skips it (default: ${DEFAULT-VALUE}).")
    int rateLimit;

    @Option(names = "--rounds", defaultValue = "2", description = "With --source evo: runs of each staging and core "
            + "step and each baseline, a step and its baseline alternating; each round of a core step starts from the "
            + "state its first did, and the fastest of each counts (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--drop-page-cache", description = "With --source evo: before each core step and its baseline, "
            + "write the operating system's page cache back, drop it and read the step's staging rows back in, so both "
            + "start from the same memory whatever the steps before them wrote; before each staging step and its "
            + "baseline, write it back only. It drops the cache of the whole "
            + "machine (every other program's too), so it is off unless asked; it needs root on Linux, and the bench "
            + "says when it could not.")
    boolean dropPageCache;

    @Option(names = "--warm-memory", description = "With --source evo: before each staging and core step and its "
            + "baseline, untimed, write the page cache back and touch the machine's free memory (a sparse file read "
            + "into the page cache, no disk I/O, deleted at the end), so every step at every size runs in memory the "
            + "machine has touched before. On a virtual machine whose host reclaims free memory, the first touch of a "
            + "page costs tens of microseconds, and a larger size would pay it where the smaller one does not (see "
            + "docs/benchmark.md for what each way measures). While it runs, a kernel agent paging idle page cache "
            + "out (DAMON pageout) is paused, as root, and started again at the end. Linux only; not with "
            + "--drop-page-cache (a drop frees the memory again).")
    boolean warmMemory;

    @Option(names = "--seed", defaultValue = "42", description = "With --source evo: data seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Settings settings = CliSettings.load();
        if (source == null) {
            return sales(settings);
        }
        if (!source.equals("evo")) {
            throw new IllegalArgumentException("--source " + source + " has no benchmark; known: evo");
        }
        if (warmMemory && dropPageCache) {
            throw new IllegalArgumentException("--warm-memory and --drop-page-cache cannot be combined: a drop frees "
                    + "the memory the warming touched");
        }
        List<Long> sizes = new ArrayList<>(records == null ? List.of(EVO_DEFAULT_RECORDS) : records);
        if (sizes.stream().anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("--records must be positive: " + sizes);
        }
        sizes.sort(Long::compare);
        if (scaleCheck) {
            sizes.add(sizes.get(sizes.size() - 1) * SCALE_CHECK_FACTOR);
        }
        Path dir = ScratchFolder.recreate(settings.home().resolve("bench"));
        new EvoBench(settings, dir, new EvoBench.Options(List.copyOf(sizes), days, branches, workers, rateLimit, seed, rounds,
                dropPageCache, warmMemory),
                System.out).run();
        return 0;
    }

    private int sales(Settings settings) throws Exception {
        int records = (int) (this.records == null ? SALES_DEFAULT_RECORDS : this.records.get(0));
        Path dir = ScratchFolder.recreate(settings.home().resolve("bench"));
        System.out.printf("bench: %,d records, JVM max heap %d MB, %d cores%n", records,
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        try (Database db = Database.embedded(dir.resolve("pg"))) {
            db.migrate();
            LoadBenchmark load = new LoadBenchmark(db, new LocalBronzeStore(dir.resolve("store")), dir.resolve("scratch"),
                    LoaderOptions.fromSettings(settings));
            BenchResult l = load.runLoad(records);
            System.out.println("(a) " + l.load().describe());
            System.out.println("(b) " + l.loadBaseline().describe());
            TransformBenchmark.Result t;
            long transformHeap;
            try (HeapSampler heap = new HeapSampler()) {
                t = new TransformBenchmark().run(db);
                transformHeap = heap.peakBytes();
            }
            long jsonMb = l.jsonBytes() >> 20;
            // (c) and (d) run inside PostgreSQL; the heap shown is this process's while it waits for them.
            System.out.printf("(c) core transform    %,d rows  %6.2f s  %,10.0f records/s  %6.1f MB/s  peak heap %5d MB%n",
                    t.rows(), t.transformSeconds(), t.transformRowsPerSecond(), jsonMb / t.transformSeconds(),
                    transformHeap >> 20);
            System.out.printf("(d) transform_baseline %,d rows  %6.2f s  %,10.0f records/s  %6.1f MB/s  peak heap %5d MB%n",
                    t.rows(), t.baselineSeconds(), t.baselineRowsPerSecond(), jsonMb / t.baselineSeconds(),
                    transformHeap >> 20);
            long peakHeapMb = Math.max(Math.max(l.load().peakHeapBytes(), l.loadBaseline().peakHeapBytes()),
                    transformHeap) >> 20;
            System.out.printf("bench: load_ratio=%.2f transform_ratio=%.2f load_rps=%.0f transform_rps=%.0f peak_heap_mb=%d%n",
                    l.loadRatio(), t.transformRatio(), l.load().recordsPerSecond(), t.transformRowsPerSecond(), peakHeapMb);
            return 0;
        }
    }
}
