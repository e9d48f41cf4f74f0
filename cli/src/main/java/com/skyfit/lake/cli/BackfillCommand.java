package com.skyfit.lake.cli;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.pipeline.PlanRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = "Re-read a date range in windows (SKYFIT_BACKFILL_WINDOW_DAYS each). An interrupted backfill "
                + "over the same range resumes where it stopped. Watermarks are not moved.")
final class BackfillCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, description = "Source, e.g. pipedrive.")
    String source;

    @Option(names = "--from", required = true, description = "First day, YYYY-MM-DD (inclusive).")
    String from;

    @Option(names = "--to", required = true, description = "Last day, YYYY-MM-DD (inclusive).")
    String to;

    @Option(names = "--scope", split = ",", description = "Only these scopes.")
    List<String> scopes = List.of();

    @Option(names = "--entity", split = ",", description = "Only these entities.")
    List<String> entities = List.of();

    @Option(names = "--workers", defaultValue = "4", description = "Windows extracted at once (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--triggered-by", defaultValue = "manual", description = "manual, scheduler or api.")
    String triggeredBy;

    @Override
    public Integer call() {
        return RunCommand.execute(CliSettings.load(),
                new PlanRequest(null, source, scopes, entities, "backfill", triggeredBy, from, to), workers);
    }
}
