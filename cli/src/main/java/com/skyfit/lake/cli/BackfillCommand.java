package com.skyfit.lake.cli;

import com.skyfit.lake.pipeline.PlanRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = "Re-read a date range in windows (the entity's own size, or SKYFIT_BACKFILL_WINDOW_DAYS). An interrupted backfill "
                + "over the same range resumes where it stopped. Watermarks are not moved.")
final class BackfillCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.Selection selection;

    @Option(names = "--from", required = true, description = "First day, YYYY-MM-DD (inclusive).")
    String from;

    @Option(names = "--to", required = true, description = "Last day, YYYY-MM-DD (inclusive).")
    String to;

    @Mixin
    SharedOptions.Workers workers;

    @Override
    public Integer call() {
        return RunCommand.execute(CliSettings.load(),
                new PlanRequest(null, selection.source, selection.scopes, selection.entities, "backfill",
                        selection.triggeredBy, from, to), workers.workers);
    }
}
