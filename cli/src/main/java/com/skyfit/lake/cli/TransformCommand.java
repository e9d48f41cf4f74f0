package com.skyfit.lake.cli;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "transform", mixinStandardHelpOptions = true,
        description = "Build the core tables from staging rows not yet transformed (or from all with --full-refresh).")
final class TransformCommand implements Callable<Integer> {
    @Option(names = "--full-refresh", description = "Rebuild each core table from all staging rows.")
    boolean fullRefresh;

    @Override
    public Integer call() {
        try (DefaultIngestEngine engine = DefaultIngestEngine.fromSettings(CliSettings.load())) {
            List<TransformResult> results = engine.transform(null, fullRefresh);
            System.out.printf("%-22s %10s %9s %9s %10s %8s %8s %8s%n", "core table", "candidates", "inserted",
                    "updated", "unchanged", "deleted", "warned", "seconds");
            for (TransformResult r : results) {
                System.out.printf("%-22s %10d %9d %9d %10d %8d %8d %8.2f%n", r.coreTable(), r.candidates(), r.inserted(),
                        r.updated(), r.unchanged(), r.deleted(), r.warned(), r.seconds());
            }
            return 0;
        }
    }
}
