package com.skyfit.lake.cli;

import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.staging.StagingRetention;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "staging", mixinStandardHelpOptions = true,
        description = "Staging tables: their size per source, and retention of the tables partitioned by ingestion month.",
        subcommands = {StagingCommand.Prune.class})
final class StagingCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        try (com.skyfit.lake.control.Database db = com.skyfit.lake.control.Database.open(CliSettings.load())) {
            StatusCommand.printStagingSizes(new com.skyfit.lake.control.OpsQueries(db));
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Drop the month partitions of partitioned staging tables whose ingestion dates are all older "
                    + "than the retention, once every part in them is loaded and transformed into core. The engine "
                    + "does the same after every batch when SKYFIT_STAGING_RETENTION_DAYS is set. Bronze keeps every "
                    + "part: skyfit load --all-runs brings the rows back.")
    static final class Prune implements Callable<Integer> {
        @Option(names = "--days", description = "Keep this many days of ingestion (default: SKYFIT_STAGING_RETENTION_DAYS).")
        Integer days;

        @Override
        public Integer call() {
            try (DefaultIngestEngine engine = DefaultIngestEngine.fromSettings(CliSettings.load())) {
                int keep = days != null ? days : engine.stagingRetentionDays();
                if (keep < 1) {
                    System.out.println("staging retention is off (" + StagingRetention.RETENTION_DAYS
                            + " is 0 or unset); pass --days N to prune once");
                    return days == null ? 0 : 2;
                }
                List<StagingRetention.Outcome> outcomes = engine.pruneStaging(keep, "skyfit staging prune");
                System.out.printf("partitions with every ingestion date older than %d days: %d%n", keep, outcomes.size());
                for (StagingRetention.Outcome o : outcomes) {
                    if (o.dropped()) {
                        System.out.printf("  dropped %-34s %d parts, %d rows, %s%n", o.partition(), o.files(), o.rows(),
                                StatusCommand.size(o.bytes()));
                    } else {
                        System.out.printf("  kept    %-34s %s%n", o.partition(), o.reason());
                    }
                }
                return 0;
            }
        }
    }
}
