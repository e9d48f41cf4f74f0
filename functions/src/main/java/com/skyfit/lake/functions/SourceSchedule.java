package com.skyfit.lake.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.source.Sources;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * What every source's timer does: start the scheduled incremental ingest of its source, unless the run of this
 * occurrence is still going. Each source has one timer, {Source}Schedule on the app setting {SOURCE}_SCHEDULE,
 * a class of a few lines (the trigger's annotations must be constants, so each source names its own).
 */
public abstract class SourceSchedule {

    protected void start(String source, String timer, DurableClientContext durableContext, ExecutionContext context) {
        Settings settings = EngineProvider.settings();
        // the host needs every timer's schedule even while its source is off; a firing then starts nothing
        String on = Sources.requiredSetting(source);
        if (settings.optional(on).isEmpty()) {
            context.getLogger().info("Scheduled " + source + " ingest not started: the source is off (" + on
                    + " is not set)");
            return;
        }
        IngestStarter.Started started = IngestStarter.startScheduled(durableContext.getClient(), settings, source,
                occurrence(timer, Instant.now()));
        if (started.suspended() != null) {
            context.getLogger().warning("Scheduled " + source + " ingest " + started.suspended() + " is suspended: it"
                    + " holds its entities' leases until resumed or terminated, so this run may find them owned");
        }
        if (started.alreadyRunning()) {
            context.getLogger().info("Scheduled " + source + " ingest " + started.instanceId()
                    + " is still running (or this occurrence already ran); not starting another");
        } else {
            context.getLogger().info("Started scheduled " + source + " ingest " + started.instanceId()
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
