package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.control.WatermarkStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a request into runs and date windows. One run per scope and entity; incremental runs read one
 * window from the watermark (less the overlap) to now; full runs read everything; backfills split the
 * range into windows of a configurable number of days, and a backfill over the same range that did not
 * finish is resumed: its extracted windows are kept, only the rest are planned again.
 */
public final class Planner {
    public static final List<String> LOAD_TYPES = List.of("incremental", "full", "backfill");
    public static final List<String> TRIGGERS = List.of("manual", "scheduler", "api");
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SourceConnector> connectors;
    private final RunLedger runs;
    private final WatermarkStore watermarks;
    private final Reconciliation reconciliation;
    private final Clock clock;
    private final int backfillWindowDays;
    private final Duration staleAfter;

    public Planner(Map<String, SourceConnector> connectors, RunLedger runs, WatermarkStore watermarks,
            Reconciliation reconciliation, Clock clock, int backfillWindowDays, Duration staleAfter) {
        this.connectors = connectors;
        this.runs = runs;
        this.watermarks = watermarks;
        this.reconciliation = reconciliation;
        this.clock = clock;
        this.backfillWindowDays = backfillWindowDays;
        this.staleAfter = staleAfter;
    }

    public RunPlan plan(PlanRequest req) {
        SourceConnector source = connector(req.source());
        String loadType = oneOf("load type", req.loadType() == null ? "incremental" : req.loadType(), LOAD_TYPES);
        String trigger = oneOf("triggered by", req.triggeredBy() == null ? "manual" : req.triggeredBy(), TRIGGERS);
        List<String> scopes = subset("scope", com.skyfit.lake.config.SourceSettings.normalizeScopes(req.scopes()),
                source.scopes(), source.name());
        List<String> entities = subset("entity", req.entities(), source.entities(), source.name());
        LocalDate from = null;
        LocalDate to = null;
        if (loadType.equals("backfill")) {
            from = date("from", req.from());
            to = date("to", req.to());
            if (from.isAfter(to)) {
                throw new IllegalArgumentException("backfill 'from' (" + from + ") is after 'to' (" + to + ")");
            }
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String batchId = req.batchId() != null && !req.batchId().isBlank() ? req.batchId() : newId(now);
        String ingestionDate = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
        List<RunLedger.Run> planned = req.batchId() == null ? List.of() : runs.runsOfBatch(batchId);
        if (!planned.isEmpty()) {
            // a retried or redelivered plan of the same batch: the same runs and their windows, nothing new opened
            return replan(batchId, planned, source, ingestionDate);
        }

        List<String> runIds = new ArrayList<>();
        List<WindowTask> tasks = new ArrayList<>();
        for (String scope : scopes) {
            for (String entity : entities) {
                String runId = openRun(source, scope, entity, loadType, trigger, batchId, now, from, to);
                runIds.add(runId);
                for (RunLedger.Window w : runs.windows(runId)) {
                    if (!w.status().equals("extracted")) {
                        tasks.add(new WindowTask(batchId, runId, source.name(), scope, entity, loadType,
                                iso(w.start()), iso(w.end()), ingestionDate));
                    }
                }
            }
        }
        return new RunPlan(batchId, runIds, tasks);
    }

    /** The plan of a batch already on the ledger: its runs, and the windows of its live runs not yet extracted. */
    private RunPlan replan(String batchId, List<RunLedger.Run> planned, SourceConnector source, String ingestionDate) {
        List<String> runIds = new ArrayList<>();
        List<WindowTask> tasks = new ArrayList<>();
        // in the order the first plan had: scopes, then entities, as the source lists them
        List<RunLedger.Run> ordered = planned.stream().sorted(java.util.Comparator
                .comparingInt((RunLedger.Run r) -> source.scopes().indexOf(r.scope()))
                .thenComparingInt(r -> source.entities().indexOf(r.entity()))).toList();
        for (RunLedger.Run r : ordered) {
            runIds.add(r.runId());
            if (!r.status().equals("running")) {
                continue;
            }
            for (RunLedger.Window w : runs.windows(r.runId())) {
                if (!w.status().equals("extracted")) {
                    tasks.add(new WindowTask(batchId, r.runId(), r.source(), r.scope(), r.entity(), r.loadType(),
                            iso(w.start()), iso(w.end()), ingestionDate));
                }
            }
        }
        return new RunPlan(batchId, runIds, tasks);
    }

    private String openRun(SourceConnector source, String scope, String entity, String loadType, String trigger,
            String batchId, Instant now, LocalDate from, LocalDate to) {
        String name = source.name();
        runs.abandonStale(name, scope, entity, staleAfter);
        boolean windowed = source.supportsUpdatedFilter(entity);
        if (loadType.equals("backfill")) {
            Optional<String> unfinished = runs.unfinishedBackfill(name, scope, entity, from, to);
            if (unfinished.isPresent()) {
                runs.resumeRun(unfinished.get(), batchId, trigger);
                return unfinished.get();
            }
            String runId = newId(now);
            runs.openRun(runId, batchId, name, scope, entity, loadType, trigger, null, from, to);
            if (!windowed) {
                runs.addWindow(runId, 0, null, null);
                return runId;
            }
            Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            int index = 0;
            for (Instant s = start; s.isBefore(end); s = s.plus(Duration.ofDays(backfillWindowDays))) {
                Instant e = s.plus(Duration.ofDays(backfillWindowDays));
                runs.addWindow(runId, index++, s, e.isAfter(end) ? end : e);
            }
            return runId;
        }
        String runId = newId(now);
        Instant since = null;
        // Due for reconciling: read whole, unfiltered, so the run's complete read finds the keys the source dropped.
        if (loadType.equals("incremental") && windowed && !reconciliation.due(source, scope, entity, now)) {
            since = watermarks.get(name, scope, entity).map(w -> w.minus(source.overlap())).orElse(null);
        }
        runs.openRun(runId, batchId, name, scope, entity, loadType, trigger, since, null, null);
        runs.addWindow(runId, 0, since, null);
        return runId;
    }

    private SourceConnector connector(String name) {
        SourceConnector c = name == null ? null : connectors.get(name);
        if (c == null && name != null && com.skyfit.lake.source.Sources.names().contains(name)) {
            throw new com.skyfit.lake.config.SettingsException(Connectors.scopesSetting(name),
                    "is required to run source " + name + " (with its per-scope base URL and token settings)");
        }
        if (c == null) {
            throw new IllegalArgumentException("unknown source '" + name + "'; known sources: "
                    + String.join(", ", com.skyfit.lake.source.Sources.names()) + " (configured here: "
                    + (connectors.isEmpty() ? "none" : String.join(", ", connectors.keySet())) + ")");
        }
        return c;
    }

    private static String oneOf(String what, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException("unknown " + what + " '" + value + "'; expected one of " + allowed);
        }
        return value;
    }

    private static List<String> subset(String what, List<String> asked, List<String> known, String source) {
        if (asked == null || asked.isEmpty()) {
            return known;
        }
        for (String a : asked) {
            if (!known.contains(a)) {
                throw new IllegalArgumentException("unknown " + what + " '" + a + "' for source " + source
                        + "; known: " + String.join(", ", known));
            }
        }
        return List.copyOf(asked);
    }

    private static LocalDate date(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("backfill needs '" + what + "' as YYYY-MM-DD");
        }
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("backfill '" + what + "' must be a date YYYY-MM-DD, got '" + value + "'");
        }
    }

    /** Sortable, unique and safe in a bronze path: 20261122T043000Z-1a2b3c4d. */
    public static String newId(Instant now) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return RUN_STAMP.format(now) + "-" + HexFormat.of().formatHex(b);
    }

    static String iso(Instant i) {
        return i == null ? null : i.toString();
    }

    static Instant instant(String s) {
        return s == null || s.isBlank() ? null : Instant.parse(s);
    }
}
