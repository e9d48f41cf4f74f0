package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import java.time.Instant;

/** Starts the scheduled Chatwoot ingest. The schedule is the app setting CHATWOOT_SCHEDULE (daily by default). */
public class ChatwootSchedule {
    static final String SOURCE = "chatwoot";

    @FunctionName("ChatwootSchedule")
    public void run(
            @TimerTrigger(name = "timer", schedule = "%CHATWOOT_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext,
            ExecutionContext context) {
        IngestStarter.Started started = IngestStarter.startScheduled(durableContext.getClient(),
                EngineProvider.settings(), SOURCE, Instant.now());
        if (started.alreadyRunning()) {
            context.getLogger().info("Scheduled " + SOURCE + " ingest " + started.instanceId()
                    + " is still running (or this occurrence already ran); not starting another");
        } else {
            context.getLogger().info("Started scheduled " + SOURCE + " ingest " + started.instanceId()
                    + " (batch " + started.batchId() + ")");
        }
    }
}
