package com.skyfit.lake.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.source.Sources;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What every source's timer does: start the scheduled incremental ingest of its source, unless an earlier scheduled
 * run of the source is still going (a running re-scan does not hold it back; the entity leases decide, see
 * {@link IngestStarter}). Each source has one timer, {Source}Schedule on the app setting {SOURCE}_SCHEDULE,
 * a class of a few lines (the trigger's annotations must be constants, so each source names its own). A source whose
 * records change without a date the filters see may also have a re-scan timer, {Source}RescanSchedule on
 * {SOURCE}_RESCAN_SCHEDULE, which starts the same orchestration as a full load ({@link #startRescan}).
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
     * Starts the full re-scan of a source: the ingest orchestration with load type full over the entities of
     * {SOURCE}_RESCAN_ENTITIES (when empty: the entities the source declares a re-scan for, see
     * {@link #rescanEntities}), one instance per occurrence (ingest-{source}-rescan-{minute}), none while an earlier
     * re-scan of the source is active (a scheduled run that is active does not hold it back: the entity leases
     * decide). Starts nothing while the source is off or {SOURCE}_RESCAN_SCHEDULE is not set (the schedule turns the
     * re-scan on; the host resolves the trigger from the same setting).
     */
    protected void startRescan(String source, String timer, DurableClientContext durableContext, ExecutionContext context) {
        Settings settings = EngineProvider.settings();
        String on = onSetting(source);
        String scheduleKey = FunctionSettings.rescanScheduleKey(source);
        if (settings.optional(on).isEmpty()) {
            context.getLogger().info("Re-scan of " + source + " not started: the source is off (" + on + " is not set)");
            return;
        }
        if (settings.optional(scheduleKey).filter(v -> !v.isBlank()).isEmpty()) {
            context.getLogger().info("Re-scan of " + source + " not started: " + scheduleKey + " is not set");
            return;
        }
        List<String> entities;
        try {
            entities = rescanEntities(settings, source);
        } catch (SettingsException e) {
            context.getLogger().severe("Re-scan of " + source + " not started: " + e.getMessage());
            return;
        }
        IngestStarter.Started started = IngestStarter.startRescan(durableContext.getClient(), settings, source, entities,
                occurrence(timer, Instant.now()));
        if (started.alreadyRunning()) {
            context.getLogger().info("Re-scan of " + source + " not started: " + started.instanceId()
                    + " is still running (or this occurrence already ran)");
        } else {
            context.getLogger().info("Started re-scan of " + source + " " + started.instanceId() + " (batch "
                    + started.batchId() + ", entities " + String.join(",", entities) + ")");
        }
    }

    /** The setting that turns a source on; a source this build does not register yet is on by its scopes, as REST sources are. */
    private static String onSetting(String source) {
        return Sources.names().contains(source) ? Sources.requiredSetting(source) : SourceKeys.of(source).scopes();
    }

    /**
     * The entities of {SOURCE}_RESCAN_ENTITIES, checked against the registry when it knows the source. Left empty:
     * the entities whose streams declare a re-scan period (records that change without a date a filter sees), never
     * every entity: for EVO that would re-read 110 M entries. A source that declares none needs the setting.
     */
    static List<String> rescanEntities(Settings settings, String source) {
        String key = FunctionSettings.rescanEntitiesKey(source);
        List<String> asked = settings.list(key, List.of());
        boolean known = Sources.names().contains(source);
        if (asked.isEmpty()) {
            List<String> declared = known ? declaredRescans(source) : List.of();
            if (declared.isEmpty()) {
                throw new SettingsException(key, "is empty and source " + source + " declares no entity to re-scan;"
                        + " name the entities the re-scan reads");
            }
            return declared;
        }
        if (known) {
            List<String> entities = Sources.entities(source);
            for (String e : asked) {
                if (!entities.contains(e)) {
                    throw new SettingsException(key, "names entity '" + e + "', which source " + source
                            + " does not have; known: " + String.join(", ", entities));
                }
            }
        }
        return List.copyOf(asked);
    }

    /** The entities of a registered source whose streams declare a re-scan period, in the source's order. */
    static List<String> declaredRescans(String source) {
        var definition = Sources.get(source).definition();
        if (definition == null) {
            return List.of();
        }
        return definition.streams().stream().filter(s -> s.windows() != null && s.windows().rescanEvery() != null)
                .map(com.skyfit.lake.source.StreamSpec::entity).toList();
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
