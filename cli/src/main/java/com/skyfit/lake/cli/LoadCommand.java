package com.skyfit.lake.cli;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.staging.LoadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load bronze parts into staging with COPY. By default the parts of the latest batch that are "
                + "not loaded yet; parts already loaded are skipped unless --force.")
final class LoadCommand implements Callable<Integer> {
    @Option(names = "--all-runs", description = "Every part in the bronze store, of every run: also the parts whose "
            + "staging rows retention dropped ('pruned'), which rebuilds their staging partitions from bronze.")
    boolean allRuns;

    @Option(names = "--batch-size", description = "Most files per COPY transaction; fewer towards the end of a load on several connections (default: SKYFIT_LOAD_BATCH_FILES).")
    Integer batchSize;

    @Option(names = "--force", description = "Reload parts already loaded (idempotent: no doubles).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Settings settings = CliSettings.load();
        if (batchSize != null) {
            settings = settings.with(com.skyfit.lake.staging.LoaderOptions.BATCH_FILES, batchSize.toString());
        }
        try (DefaultIngestEngine engine = DefaultIngestEngine.fromSettings(settings)) {
            List<String> parts = new ArrayList<>();
            long inStaging = 0;
            if (allRuns) {
                // parts already in staging are skipped here, not one transaction at a time in the loader
                java.util.Set<String> loaded = force ? java.util.Set.of()
                        : new FileLedger(engine.database()).loadedPaths();
                for (String p : engine.store().list("bronze/")) {
                    if (!BronzePath.isBronzePart(p)) {
                        continue;
                    }
                    if (loaded.contains(p)) {
                        inStaging++;
                    } else {
                        parts.add(p);
                    }
                }
            } else {
                String latest = new com.skyfit.lake.control.OpsQueries(engine.database()).latestBatchId().orElse(null);
                if (latest != null) {
                    parts.addAll(force
                            ? new FileLedger(engine.database()).partsOfBatch(latest)
                            : engine.unloadedParts(latest));
                }
            }
            System.out.printf("loading %d bronze parts from %s%s%n", parts.size() + inStaging, engine.store().describe(),
                    inStaging == 0 ? "" : " (" + inStaging + " of them already loaded)");
            LoadResult r = engine.load(parts, force);
            System.out.printf("loaded %d, skipped %d (already loaded), failed %d; %d staging rows, %d invalid%n",
                    r.filesLoaded(), r.filesSkipped() + inStaging, r.filesFailed(), r.rowsLoaded(), r.rowsInvalid());
            r.files().stream().filter(f -> f.status().equals("failed"))
                    .forEach(f -> System.out.println("  failed " + f.path() + ": " + f.error()));
            return r.filesFailed() == 0 ? 0 : 1;
        }
    }
}
