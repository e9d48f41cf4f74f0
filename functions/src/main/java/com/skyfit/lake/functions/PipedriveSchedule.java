package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Starts the scheduled Pipedrive ingest. The schedule is the app setting PIPEDRIVE_SCHEDULE (daily by default). */
public class PipedriveSchedule {
    static final String SOURCE = "pipedrive";

    @FunctionName("PipedriveSchedule")
    public void run(
            @TimerTrigger(name = "timer", schedule = "%PIPEDRIVE_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext,
            ExecutionContext context) {
        IngestStarter.Started started = IngestStarter.startScheduled(durableContext.getClient(),
                EngineProvider.settings(), SOURCE, occurrence(timer, Instant.now()));
        if (started.suspended() != null) {
            context.getLogger().warning("Scheduled " + SOURCE + " ingest " + started.suspended() + " is suspended: it"
                    + " holds its entities' leases until resumed or terminated, so this run may find them owned");
        }
        if (started.alreadyRunning()) {
            context.getLogger().info("Scheduled " + SOURCE + " ingest " + started.instanceId()
                    + " is still running (or this occurrence already ran); not starting another");
        } else {
            context.getLogger().info("Started scheduled " + SOURCE + " ingest " + started.instanceId()
                    + " (batch " + started.batchId() + ")");
        }
    }

    /**
     * The occurrence this firing stands for, so a late (past-due) or repeated firing keeps its occurrence's instance
     * id: the timer's ScheduleStatus.Next, which during an invocation is the occurrence being fired (the status is
     * saved after it). Without a usable one (no schedule monitor, unreadable, or in the future), now to the minute.
     */
    static Instant occurrence(String timerInfo, Instant now) {
        Instant fallback = now.truncatedTo(ChronoUnit.MINUTES);
        try {
            JsonNode next = ActivityInput.JSON.readTree(timerInfo == null ? "{}" : timerInfo)
                    .path("ScheduleStatus").path("Next");
            if (!next.isTextual()) {
                return fallback;
            }
            Instant scheduled = parse(next.asText());
            return scheduled.isAfter(now) ? fallback : scheduled.truncatedTo(ChronoUnit.MINUTES);
        } catch (Exception e) {
            return fallback;
        }
    }

    private static Instant parse(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        }
    }
}
