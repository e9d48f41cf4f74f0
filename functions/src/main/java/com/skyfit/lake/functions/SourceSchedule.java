package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.source.Sources;
import java.time.Instant;

/**
 * What every source's timer does: start the scheduled incremental ingest of its source, unless the run of this
 * occurrence is still going. Each source has one timer, {Source}Schedule on the app setting {SOURCE}_SCHEDULE,
 * a class of a few lines (the trigger's annotations must be constants, so each source names its own).
 */
public abstract class SourceSchedule {

    protected void start(String source, DurableClientContext durableContext, ExecutionContext context) {
        Settings settings = EngineProvider.settings();
        // the host needs every timer's schedule even while its source is off; a firing then starts nothing
        String on = Sources.requiredSetting(source);
        if (settings.optional(on).isEmpty()) {
            context.getLogger().info("Scheduled " + source + " ingest not started: the source is off (" + on
                    + " is not set)");
            return;
        }
        IngestStarter.Started started = IngestStarter.startScheduled(durableContext.getClient(), settings, source,
                Instant.now());
        if (started.alreadyRunning()) {
            context.getLogger().info("Scheduled " + source + " ingest " + started.instanceId()
                    + " is still running (or this occurrence already ran); not starting another");
        } else {
            context.getLogger().info("Started scheduled " + source + " ingest " + started.instanceId()
                    + " (batch " + started.batchId() + ")");
        }
    }
}
