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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Generate N EVO-sale-like records (about 1 KB each) into bronze and measure, in the same run: "
                + "(a) the loader vs (b) a raw COPY baseline, (c) the core transform vs (d) a hand-written "
                + "INSERT .. SELECT. Works in a scratch embedded PostgreSQL under {SKYFIT_HOME}/bench.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "500000", description = "Records to generate (default: ${DEFAULT-VALUE}).")
    int records;

    @Override
    public Integer call() throws Exception {
        Settings settings = CliSettings.load();
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
