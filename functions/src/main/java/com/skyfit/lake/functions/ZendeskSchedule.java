package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.source.Sources;
import java.time.Instant;

/**
 * Starts the scheduled Zendesk ingest. The schedule is the app setting ZENDESK_SCHEDULE; the host needs it even
 * while the source is off (ZENDESK_BASE_URL empty), and then a firing starts nothing.
 */
public class ZendeskSchedule {
    static final String SOURCE = "zendesk";

    @FunctionName("ZendeskSchedule")
    public void run(
            @TimerTrigger(name = "timer", schedule = "%ZENDESK_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext,
            ExecutionContext context) {
        Settings settings = EngineProvider.settings();
        String on = Sources.requiredSetting(SOURCE);
        if (settings.optional(on).isEmpty()) {
            context.getLogger().info("Scheduled " + SOURCE + " ingest not started: the source is off (" + on + " is not set)");
            return;
        }
        IngestStarter.Started started = IngestStarter.startScheduled(durableContext.getClient(), settings, SOURCE,
                Instant.now());
        if (started.alreadyRunning()) {
            context.getLogger().info("Scheduled " + SOURCE + " ingest " + started.instanceId()
                    + " is still running (or this occurrence already ran); not starting another");
        } else {
            context.getLogger().info("Started scheduled " + SOURCE + " ingest " + started.instanceId()
                    + " (batch " + started.batchId() + ")");
        }
    }
}
