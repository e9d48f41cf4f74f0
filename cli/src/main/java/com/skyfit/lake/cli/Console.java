package com.skyfit.lake.cli;

import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.pipeline.WindowTask;
import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress for long commands: a progress bar on a terminal, plain log lines otherwise
 * (CI logs, pipes, the Function App's host never see bar control characters).
 */
final class Console implements BatchRunner.Listener, AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;
    private long records;

    Console(PrintStream out) {
        this.out = out;
        this.terminal = System.console() != null && System.getenv("CI") == null;
    }

    @Override
    public void planned(RunPlan plan) {
        out.printf("batch %s: %d runs, %d windows to extract%n", plan.batchId(), plan.runIds().size(),
                plan.windows().size());
        if (terminal && !plan.windows().isEmpty()) {
            bar = new ProgressBarBuilder().setTaskName("extract").setInitialMax(plan.windows().size())
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" windows", 1).setConsumer(
                            new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).build();
        }
    }

    @Override
    public synchronized void windowDone(WindowTask t, ExtractResult r, Throwable error) {
        if (r != null) {
            records += r.records();
        }
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(records + " records");
        } else if (error != null) {
            out.printf("  extract %s/%s %s: FAILED %s%n", t.scope(), t.entity(), window(t), error.getMessage());
        } else {
            out.printf("  extract %s/%s %s: %d records, %d parts%n", t.scope(), t.entity(), window(t), r.records(),
                    r.parts().size());
        }
    }

    @Override
    public void phase(String name) {
        if (bar != null && !name.equals("extract")) {
            bar.close();
            bar = null;
        }
        out.println("phase: " + name);
    }

    @Override
    public void loaded(com.skyfit.lake.staging.LoadResult r, double seconds) {
        out.printf("  loaded %d parts (%d skipped, %d failed): %d staging rows, %d invalid, %.0f rows/s%n",
                r.filesLoaded(), r.filesSkipped(), r.filesFailed(), r.rowsLoaded(), r.rowsInvalid(),
                seconds > 0 ? r.rowsLoaded() / seconds : 0.0);
        r.files().stream().filter(f -> f.status().equals("failed"))
                .forEach(f -> out.println("  FAILED " + f.path() + ": " + f.error()));
    }

    @Override
    public void transformed(java.util.List<com.skyfit.lake.core.TransformResult> results) {
        for (var t : results) {
            out.printf("  %-28s %6d candidates: %d inserted, %d updated, %d unchanged, %d deleted, %d warnings (%.2f s)%n",
                    t.coreTable(), t.candidates(), t.inserted(), t.updated(), t.unchanged(), t.deleted(), t.warned(),
                    t.seconds());
        }
    }

    private static String window(WindowTask t) {
        if (t.windowStart() == null && t.windowEnd() == null) {
            return "(all)";
        }
        return "[" + (t.windowStart() == null ? "start" : t.windowStart()) + " .. "
                + (t.windowEnd() == null ? "now" : t.windowEnd()) + ")";
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
