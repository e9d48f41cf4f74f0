package com.skyfit.lake.cli;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Extract a source into bronze, load staging, transform core and advance the watermarks.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, description = "Source to run, e.g. pipedrive.")
    String source;

    @Option(names = "--scope", split = ",", description = "Only these scopes (default: all configured).")
    List<String> scopes = List.of();

    @Option(names = "--entity", split = ",", description = "Only these entities (default: all).")
    List<String> entities = List.of();

    @Option(names = "--full", description = "Full load: ignore the watermark and read everything.")
    boolean full;

    @Option(names = "--triggered-by", defaultValue = "manual", description = "manual, scheduler or api (default: ${DEFAULT-VALUE}).")
    String triggeredBy;

    @Option(names = "--workers", defaultValue = "4", description = "Windows extracted at once (default: ${DEFAULT-VALUE}).")
    int workers;

    @Override
    public Integer call() {
        return execute(CliSettings.load(), new PlanRequest(null, source, scopes, entities,
                full ? "full" : "incremental", triggeredBy, null, null), workers);
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
