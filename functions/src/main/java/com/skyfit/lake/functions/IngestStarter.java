package com.skyfit.lake.functions;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.NewOrchestrationInstanceOptions;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.OrchestrationStatusQuery;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SourceSettings;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.Names;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts ingest orchestrations: reads the settings an orchestrator may not, builds its input and picks
 * the instance id. Each schedule occurrence is an instance of its own (its id carries the occurrence
 * minute), so yesterday's run keeps its history in the Portal.
 *
 * <p>Timed runs of the two kinds (scheduled, re-scan) start alongside each other: a re-scan of members takes most of
 * a day at the API's rate, and the daily or hourly run must keep the other entities fresh meanwhile. The entity
 * leases decide who reads what: a timed plan skips an entity another live batch holds (see the planner). A firing
 * while an earlier instance of the same kind is still active starts nothing, so a slow run never gets a queue of
 * the same occurrences stacked behind it; the next occurrence after it ends starts as usual.
 */
public final class IngestStarter {
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /**
     * A suspended instance is not active: an operator paused it, and counting it would skip every later
     * occurrence without a word. It is reported instead (see {@link Started#suspended}).
     */
    private static final Set<OrchestrationRuntimeStatus> ACTIVE = Set.of(OrchestrationRuntimeStatus.RUNNING,
            OrchestrationRuntimeStatus.PENDING);

    /**
     * What a start did: the instance, and whether it is new or one already running; suspended names an earlier
     * scheduled instance an operator left suspended (null if none).
     */
    public record Started(String instanceId, String batchId, boolean alreadyRunning, String suspended) {
        Started(String instanceId, String batchId, boolean alreadyRunning) {
            this(instanceId, batchId, alreadyRunning, null);
        }
    }

    private IngestStarter() {}

    /** Every scheduled instance of a source starts with this. */
    public static String scheduledPrefix(String source) {
        return "ingest-" + source + "-scheduled-";
    }

    /** Every re-scan instance of a source starts with this. */
    public static String rescanPrefix(String source) {
        return "ingest-" + source + "-rescan-";
    }

    /** Every timed instance of a source, scheduled or re-scan, starts with this. */
    public static String timedPrefix(String source) {
        return "ingest-" + source + "-";
    }

    /**
     * One instance per schedule occurrence: the firing time to the minute (CRON schedules fire on whole
     * minutes; a late or repeated firing of the same occurrence gets the same id).
     */
    public static String scheduledInstanceId(String source, Instant occurrence) {
        return scheduledPrefix(source) + MINUTE.format(occurrence);
    }

    /** The re-scan of one occurrence: ingest-evo-rescan-20260301T0200Z. */
    public static String rescanInstanceId(String source, Instant occurrence) {
        return rescanPrefix(source) + MINUTE.format(occurrence);
    }

    /** Starts the scheduled incremental run of a source unless a scheduled run of it is still active. */
    public static Started startScheduled(DurableTaskClient client, Settings settings, String source, Instant now) {
        return startTimed(client, settings, source, scheduledPrefix(source), scheduledInstanceId(source, now),
                "scheduled", "incremental", null, now);
    }

    /**
     * Starts the full re-scan of a source (the same orchestration, load type full) over these entities (null: all),
     * unless a re-scan of the source is still active; a scheduled run that is active does not hold it back.
     */
    public static Started startRescan(DurableTaskClient client, Settings settings, String source, List<String> entities,
            Instant now) {
        return startTimed(client, settings, source, rescanPrefix(source), rescanInstanceId(source, now), "rescan",
                "full", entities, now);
    }

    /*
     * Only an active instance of the same kind holds a start back. Two firings of different kinds in the same minute
     * both start; whichever plans an entity first takes its lease and the other skips that entity, so neither fails.
     */
    private static Started startTimed(DurableTaskClient client, Settings settings, String source, String kindPrefix,
            String instanceId, String kind, String loadType, List<String> entities, Instant now) {
        List<OrchestrationMetadata> active = client.queryInstances(new OrchestrationStatusQuery()
                .setInstanceIdPrefix(kindPrefix)
                .setRuntimeStatusList(List.copyOf(ACTIVE))
                .setMaxInstanceCount(1)).getOrchestrationState();
        if (!active.isEmpty()) {
            return new Started(active.get(0).getInstanceId(), null, true);
        }
        OrchestrationMetadata same = client.getInstanceMetadata(instanceId, false);
        if (same != null && same.isInstanceFound()) {
            // this occurrence already ran (a repeated firing): never overwrite its history
            return new Started(instanceId, null, true);
        }
        List<OrchestrationMetadata> suspended = client.queryInstances(new OrchestrationStatusQuery()
                .setInstanceIdPrefix(timedPrefix(source))
                .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.SUSPENDED))
                .setMaxInstanceCount(1)).getOrchestrationState();
        String batchId = batchId(source, kind, now);
        IngestInput input = input(settings, batchId, source, loadType, "scheduler", null, null,
                SourceSettings.normalizeScopes(settings.list(FunctionSettings.scopesKey(source), null)), entities);
        client.scheduleNewOrchestrationInstance(Names.INGEST,
                new NewOrchestrationInstanceOptions().setInstanceId(instanceId).setInput(input));
        return new Started(instanceId, batchId, false, suspended.isEmpty() ? null : suspended.get(0).getInstanceId());
    }

    /** Starts a backfill of a source over an inclusive date range; every backfill is its own instance. */
    public static Started startBackfill(DurableTaskClient client, Settings settings, BackfillRequest request, Instant now) {
        String batchId = batchId(request.source(), "backfill", now);
        String instanceId = "backfill-" + batchId;
        IngestInput input = input(settings, batchId, request.source(), "backfill", "api", request.from(), request.to(),
                SourceSettings.normalizeScopes(request.scopes()), request.entities());
        client.scheduleNewOrchestrationInstance(Names.INGEST,
                new NewOrchestrationInstanceOptions().setInstanceId(instanceId).setInput(input));
        return new Started(instanceId, batchId, false);
    }

    static IngestInput input(Settings s, String batchId, String source, String loadType, String triggeredBy, String from,
            String to, List<String> scopes, List<String> entities) {
        return new IngestInput(batchId, source, loadType, triggeredBy, from, to, scopes, entities,
                FunctionSettings.maxParallel(s, source), FunctionSettings.windowsPerChunk(s),
                FunctionSettings.loadWaitSeconds(s), FunctionSettings.loadPollSeconds(s));
    }

    /** Readable and unique: source, kind, UTC start time and a short random suffix. */
    static String batchId(String source, String kind, Instant now) {
        return source + "-" + kind + "-" + STAMP.format(now) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }
}
