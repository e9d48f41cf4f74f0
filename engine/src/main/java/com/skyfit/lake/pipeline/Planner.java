package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.LeaseOwner;
import com.skyfit.lake.control.RunLeases;
import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.control.WatermarkStore;
import com.skyfit.lake.control.WindowLedger;
import java.sql.Connection;
import java.sql.SQLException;
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
 * finish is resumed: its extracted windows are kept, only the rest (and any part of the range no window covers)
 * are planned again.
 *
 * <p>Each entity is planned in one transaction: take its lease (at most one live run per entity), close the runs a
 * dead owner left, open or resume the run with all its windows. An entity whose lease a live run holds gets a
 * failed run naming that run, its batch and since when; the other entities of the batch go on.
 */
public final class Planner {
    public static final List<String> LOAD_TYPES = List.of("incremental", "full", "backfill");
    public static final List<String> TRIGGERS = List.of("manual", "scheduler", "api");
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SourceConnector> connectors;
    private final RunLedger runs;
    private final WindowLedger windowLedger;
    private final WatermarkStore watermarks;
    private final Reconciliation reconciliation;
    private final Clock clock;
    private final int backfillWindowDays;
    private final RunLeases leases;

    public Planner(Map<String, SourceConnector> connectors, RunLedger runs, WindowLedger windowLedger,
            WatermarkStore watermarks, RunLeases leases, Reconciliation reconciliation, Clock clock,
            int backfillWindowDays) {
        this.connectors = connectors;
        this.runs = runs;
        this.windowLedger = windowLedger;
        this.watermarks = watermarks;
        this.leases = leases;
        this.reconciliation = reconciliation;
        this.clock = clock;
        this.backfillWindowDays = backfillWindowDays;
    }

    public RunPlan plan(PlanRequest req, LeaseOwner owner) {
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

        runs.abandonOrphans(leases.timeout());
        List<String> runIds = new ArrayList<>();
        List<WindowTask> tasks = new ArrayList<>();
        for (String scope : scopes) {
            for (String entity : entities) {
                Opening o = new Opening(source, scope, entity, loadType, trigger, batchId, now, from, to, owner);
                String runId = runs.transaction("plan " + source.name() + " " + scope + "/" + entity, c -> open(c, o));
                runIds.add(runId);
                for (WindowLedger.Window w : windowLedger.windows(runId)) {
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
            for (WindowLedger.Window w : windowLedger.windows(r.runId())) {
                if (!w.status().equals("extracted")) {
                    tasks.add(new WindowTask(batchId, r.runId(), r.source(), r.scope(), r.entity(), r.loadType(),
                            iso(w.start()), iso(w.end()), ingestionDate));
                }
            }
        }
        return new RunPlan(batchId, runIds, tasks);
    }

    private record Opening(SourceConnector source, String scope, String entity, String loadType, String trigger,
            String batchId, Instant now, LocalDate from, LocalDate to, LeaseOwner owner) {}

    private String open(Connection c, Opening o) throws SQLException {
        String name = o.source().name();
        RunLeases.Take take = leases.take(c, name, o.scope(), o.entity(), o.batchId(), o.owner());
        if (!take.acquired()) {
            String runId = newId(o.now());
            runs.openRun(c, runId, o.batchId(), name, o.scope(), o.entity(), o.loadType(), o.trigger(), null, o.from(),
                    o.to(), null, null);
            runs.fail(c, runId, "not started: " + take.blocker().orElseThrow().describe());
            return runId;
        }
        runs.abandonOthers(c, name, o.scope(), o.entity(), o.batchId(), take.previous()
                .map(p -> "abandoned: its owner " + p.ownerId() + " stopped (last lease heartbeat " + p.heartbeatAt()
                        + "); batch " + o.batchId() + " took the entity over")
                .orElse("abandoned: no live owner; batch " + o.batchId() + " took the entity over"));
        String runId = o.loadType().equals("backfill") ? openBackfill(c, o) : openIncremental(c, o);
        leases.attachRun(c, name, o.scope(), o.entity(), o.batchId(), runId);
        return runId;
    }

    private String openBackfill(Connection c, Opening o) throws SQLException {
        String name = o.source().name();
        Instant start = o.from().atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = o.to().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Optional<RunLedger.Run> unfinished = runs.unfinishedBackfill(c, name, o.scope(), o.entity(), o.from(), o.to());
        String runId;
        if (unfinished.isPresent()) {
            runId = unfinished.get().runId();
            runs.resumeRun(c, runId, o.batchId(), o.trigger());
        } else {
            runId = newId(o.now());
            runs.openRun(c, runId, o.batchId(), name, o.scope(), o.entity(), "backfill", o.trigger(), null, o.from(),
                    o.to(), start, end);
        }
        if (!o.source().supportsUpdatedFilter(o.entity())) {
            windowLedger.addWindow(c, runId, 0, null, null);
            return runId;
        }
        // Plans the parts of the range no window covers: all of it for a new run, what an interrupted plan
        // never wrote for a resumed one.
        List<WindowLedger.Window> existing = windowLedger.windows(c, runId);
        int index = existing.stream().mapToInt(WindowLedger.Window::index).max().orElse(-1) + 1;
        for (WindowCoverage.Gap gap : WindowCoverage.gaps(existing, start, end)) {
            for (Instant s = gap.start(); s.isBefore(gap.end()); s = s.plus(Duration.ofDays(backfillWindowDays))) {
                Instant e = s.plus(Duration.ofDays(backfillWindowDays));
                windowLedger.addWindow(c, runId, index++, s, e.isAfter(gap.end()) ? gap.end() : e);
            }
        }
        return runId;
    }

    private String openIncremental(Connection c, Opening o) throws SQLException {
        String name = o.source().name();
        String runId = newId(o.now());
        Instant since = null;
        // Due for reconciling: read whole, unfiltered, so the run's complete read finds the keys the source dropped.
        if (o.loadType().equals("incremental") && o.source().supportsUpdatedFilter(o.entity())
                && !reconciliation.due(o.source(), o.scope(), o.entity(), o.now())) {
            since = watermarks.get(name, o.scope(), o.entity()).map(w -> w.minus(o.source().overlap())).orElse(null);
        }
        runs.openRun(c, runId, o.batchId(), name, o.scope(), o.entity(), o.loadType(), o.trigger(), since, null, null,
                since, null);
        windowLedger.addWindow(c, runId, 0, since, null);
        return runId;
    }

    private SourceConnector connector(String name) {
        SourceConnector c = name == null ? null : connectors.get(name);
        if (c == null && name != null && com.skyfit.lake.source.Sources.names().contains(name)) {
            throw new com.skyfit.lake.config.SettingsException(Connectors.onSetting(name),
                    "is required to run source " + name + " (with the other settings of that source)");
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
