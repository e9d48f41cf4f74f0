package com.skyfit.lake.cli;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.OpsQueries;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Last runs, failed bronze files, staging warnings and invalid rows, staging size per source, "
                + "freshness per core table.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "20", description = "How many recent runs to list (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--stale-hours", defaultValue = "26", description = "A core table older than this is stale (default: ${DEFAULT-VALUE}).")
    int staleHours;

    @Override
    public Integer call() {
        try (Database db = Database.open(CliSettings.load())) {
            OpsQueries ops = new OpsQueries(db);
            System.out.println("database: " + db.description());
            System.out.println();
            System.out.println("Recent runs");
            System.out.printf("  %-20s %-10s %-12s %-14s %-8s %-11s %-9s %9s %9s %9s %9s %8s%n", "started", "source", "scope",
                    "entity", "status", "load", "trigger", "extracted", "inserted", "updated", "unchanged", "seconds");
            for (OpsQueries.RunRow r : ops.recentRuns(null, limit)) {
                System.out.printf("  %-20s %-10s %-12s %-14s %-8s %-11s %-9s %9d %9d %9d %9d %8.2f%n",
                        r.startedAt().toString().substring(0, 19), r.source(), r.scope(), r.entity(), r.status(),
                        r.loadType(), r.triggeredBy(), r.rowsExtracted(), r.rowsInserted(), r.rowsUpdated(),
                        r.rowsUnchanged(), r.durationSeconds() == null ? 0.0 : r.durationSeconds());
                if (r.errorMessage() != null) {
                    System.out.println("      error: " + r.errorMessage());
                }
            }
            System.out.println();
            var failed = ops.failedFiles(20);
            System.out.println("Failed bronze files: " + ops.failedFileCount());
            failed.forEach(f -> System.out.println("  " + f.blobPath() + " (attempts " + f.attempts() + "): " + f.errorMessage()));
            System.out.println();
            var issues = ops.validationIssues();
            System.out.println("Staging rows kept with a problem: " + (issues.isEmpty() ? "none" : ""));
            issues.forEach(i -> System.out.printf("  %-30s %-8s %8d  e.g. %s%n", i.stagingTable(), i.status(), i.rows(), i.example()));
            System.out.println();
            printStagingSizes(ops);
            System.out.println();
            OpsQueries.Health health = ops.health(Instant.now(), Duration.ofHours(staleHours));
            System.out.println("Core freshness");
            for (OpsQueries.Freshness f : health.freshness()) {
                System.out.printf("  core.%-20s last change %s%s%n", f.coreTable(), f.latest() == null ? "never" : f.latest(),
                        f.loading() ? " (being loaded now)" : "");
            }
            System.out.println();
            System.out.println("health: " + health.status());
            health.problems().forEach(p -> System.out.println("  - " + p));
            return 0;
        }
    }

    /** Per source: size with indexes, estimated rows, partitions; then each partitioned table's months. */
    static void printStagingSizes(OpsQueries ops) {
        System.out.println("Staging size per source (rows estimated by PostgreSQL's statistics)");
        System.out.printf("  %-16s %6s %10s %12s %14s%n", "schema", "tables", "partitions", "size", "rows (est.)");
        for (OpsQueries.StagingSize s : ops.stagingSizes()) {
            System.out.printf("  %-16s %6d %10d %12s %14d%n", s.schema(), s.tables(), s.partitions(), size(s.bytes()),
                    s.rowsEstimate());
        }
        for (OpsQueries.PartitionedStaging p : ops.partitionedStaging()) {
            System.out.printf("  %-30s %3d month partitions%s, %s, ~%d rows%n", p.table(), p.partitions(),
                    p.oldestMonth() == null ? "" : " " + p.oldestMonth() + " to " + p.newestMonth(), size(p.bytes()),
                    p.rowsEstimate());
        }
        long pruned = ops.prunedFileCount();
        if (pruned > 0) {
            System.out.println("  " + pruned + " bronze parts' staging rows dropped by retention (skyfit load --all-runs"
                    + " loads them again)");
        }
    }

    static String size(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format("%.1f kB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format("%.1f MB", bytes / (1024.0 * 1024));
        }
        return String.format("%.2f GB", bytes / (1024.0 * 1024 * 1024));
    }
}
