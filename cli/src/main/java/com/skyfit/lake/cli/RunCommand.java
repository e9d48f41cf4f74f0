package com.skyfit.lake.cli;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Extract a source into bronze, load staging, transform core and advance the watermarks.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.Selection selection;

    @Option(names = "--full", description = "Full load: ignore the watermark and read everything.")
    boolean full;

    @Mixin
    SharedOptions.Workers workers;

    @Override
    public Integer call() {
        return execute(CliSettings.load(), new PlanRequest(null, selection.source, selection.scopes, selection.entities,
                full ? "full" : "incremental", selection.triggeredBy, null, null), workers.workers);
    }

    static int execute(Settings settings, PlanRequest request, int workers) {
        try (DefaultIngestEngine engine = DefaultIngestEngine.fromSettings(settings); Console console = new Console(System.out)) {
            BatchRunner.Outcome outcome = new BatchRunner(engine).run(request, workers, console);
            console.close();
            boolean ok = RunReport.print(engine.database(), outcome.batchId(), System.out);
            if (outcome.error() != null) {
                System.err.println("skyfit: batch failed: " + outcome.error().getMessage());
            }
            return ok && outcome.error() == null ? 0 : 1;
        }
    }
}
