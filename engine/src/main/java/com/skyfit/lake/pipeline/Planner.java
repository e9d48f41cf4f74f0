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
 * Turns a request into runs and date windows. One run per scope and entity. An entity that declares a window size
 * (a day of gym entries) has every range split into windows of that size (see {@link #openRange}); any other
 * entity's incremental run reads one window from the watermark (less the overlap) to now and its full run reads
 * everything; backfills split the range into windows of the entity's size or of a configurable number of days
 * ({@value #BACKFILL_WINDOW_DAYS}), and a backfill over the same range that did not
 * finish is resumed: its extracted windows are kept, only the rest (and any part of the range no window covers)
 * are planned again.
 *
 * <p>Each entity is planned in one transaction: take its lease (at most one live run per entity), close the runs a
 * dead owner left, open or resume the run with all its windows. An entity whose lease a live run holds gets a
 * failed run naming that run, its batch and since when; the other entities of the batch go on. A timed plan
 * (triggered by the scheduler) skips such an entity instead (see {@link #refuse}).
 */
public final class Planner {
    public static final List<String> LOAD_TYPES = List.of("incremental", "full", "backfill");
    public static final List<String> TRIGGERS = List.of("manual", "scheduler", "api");
    /** Days per backfill window of an entity that declares no window size of its own. */
    public static final String BACKFILL_WINDOW_DAYS = "SKYFIT_BACKFILL_WINDOW_DAYS";
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Planner.class);

    private final Map<String, SourceConnector> connectors;
    private final RunLedger runs;
    private final WindowLedger windowLedger;
    private final WatermarkStore watermarks;
    private final Reconciliation reconciliation = new Reconciliation();
    private final Clock clock;
    private final int backfillWindowDays;
    private final RunLeases leases;

    public Planner(Map<String, SourceConnector> connectors, RunLedger runs, WindowLedger windowLedger,
            WatermarkStore watermarks, RunLeases leases, Clock clock, int backfillWindowDays) {
        this.connectors = connectors;
        this.runs = runs;
        this.windowLedger = windowLedger;
        this.watermarks = watermarks;
        this.leases = leases;
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
        if (planned.isEmpty()) {
            runs.abandonOrphans();
        }
        // A retried or redelivered plan of the same batch gets the same runs and their windows; an entity the
        // interrupted first plan never reached (each entity commits on its own) is opened now.
        List<String> runIds = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<WindowTask> tasks = new ArrayList<>();
        for (String scope : scopes) {
            for (String entity : entities) {
                Optional<RunLedger.Run> earlier = planned.stream()
                        .filter(r -> r.scope().equals(scope) && r.entity().equals(entity)).findFirst();
                String runId;
                if (earlier.isPresent()) {
                    runId = earlier.get().runId();
                    runIds.add(runId);
                    if (!earlier.get().status().equals("running")) {
                        continue;
                    }
                } else {
                    Opening o = new Opening(source, scope, entity, loadType, trigger, batchId, now, from, to, owner);
                    Opened opened = runs.transaction("plan " + source.name() + " " + scope + "/" + entity,
                            c -> open(c, o));
                    if (opened.skipped() != null) {
                        skipped.add(opened.skipped());
                        continue;
                    }
                    runId = opened.runId();
                    runIds.add(runId);
                }
                // a due re-scan opened its run as a full load: its windows say so too
                String runLoadType = source.rescanEvery(entity) == null ? loadType
                        : runs.run(runId).map(RunLedger.Run::loadType).orElse(loadType);
                for (WindowLedger.Window w : windowLedger.windows(runId)) {
                    if (!w.status().equals("extracted")) {
                        tasks.add(new WindowTask(batchId, runId, source.name(), scope, entity, runLoadType,
                                iso(w.start()), iso(w.end()), ingestionDate));
                    }
                }
            }
        }
        return new RunPlan(batchId, runIds, tasks, skipped);
    }

    private record Opening(SourceConnector source, String scope, String entity, String loadType, String trigger,
            String batchId, Instant now, LocalDate from, LocalDate to, LeaseOwner owner) {}

    /** The run an entity's plan opened or found, or (runId null) why a timed plan skipped the entity. */
    private record Opened(String runId, String skipped) {}

    private Opened open(Connection c, Opening o) throws SQLException {
        String name = o.source().name();
        // A duplicate plan of the same batch running at the same time waits here for the first one's transaction,
        // then finds the run it opened instead of opening a second.
        Optional<String> same = runs.runOfBatch(c, o.batchId(), name, o.scope(), o.entity());
        if (same.isPresent()) {
            return new Opened(same.get(), null);
        }
        RunLeases.Take take = leases.take(c, name, o.scope(), o.entity(), o.batchId(), o.owner());
        if (!take.acquired()) {
            return refuse(c, o, take.blocker().orElseThrow());
        }
        runs.abandonOthers(c, name, o.scope(), o.entity(), o.batchId(), take.previous()
                .map(p -> "abandoned: its owner " + p.ownerId() + " stopped (last lease heartbeat " + p.heartbeatAt()
                        + "); batch " + o.batchId() + " took the entity over")
                .orElse("abandoned: no live owner; batch " + o.batchId() + " took the entity over"));
        String runId = o.loadType().equals("backfill") ? openBackfill(c, o) : openRange(c, o);
        leases.attachRun(c, name, o.scope(), o.entity(), o.batchId(), runId);
        return new Opened(runId, null);
    }

    /**
     * An entity a live batch holds. A timed plan skips it, opening no run: the scheduled run and a day-long re-scan
     * (or two timers firing in the same minute) run side by side, each reading what the other does not hold, and the
     * holder's run brings the entity up to date. Anything else (a command, a backfill) was asked for by someone who
     * must hear that the entity was not read, so it gets a failed run naming the owner.
     */
    private Opened refuse(Connection c, Opening o, RunLeases.Lease owner) throws SQLException {
        if (o.trigger().equals("scheduler")) {
            String why = o.scope() + "/" + o.entity() + " skipped: " + owner.describe();
            LOG.info("plan of batch {}: {}", o.batchId(), why);
            return new Opened(null, why);
        }
        String runId = newId(o.now());
        runs.openRun(c, runId, o.batchId(), o.source().name(), o.scope(), o.entity(), o.loadType(), o.trigger(), null,
                o.from(), o.to(), null, null);
        runs.fail(c, runId, "not started: " + owner.describe());
        return new Opened(runId, null);
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
            windowLedger.reopenWindowsWithFailedParts(c, runId);
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
        Duration size = Optional.ofNullable(o.source().windowSize(o.entity())).orElse(Duration.ofDays(backfillWindowDays));
        List<WindowLedger.Window> existing = windowLedger.windows(c, runId);
        int index = existing.stream().mapToInt(WindowLedger.Window::index).max().orElse(-1) + 1;
        for (WindowCoverage.Gap gap : WindowCoverage.gaps(existing, start, end)) {
            index = addWindows(c, runId, index, gap.start(), gap.end(), size);
        }
        return runId;
    }

    /**
     * An incremental or full run. An entity read by update time gets one window, from the watermark less the
     * overlap (nothing: from the beginning) to now. A windowed entity gets windows of its size, aligned to
     * multiples of it, from the watermark less the overlap, or for a full load or a due re-scan from the source's
     * start date, to the window holding now (a REST source with windowed streams cannot start without its start date;
     * a connector of another kind without one gets one open window, as the other kinds do).
     */
    private String openRange(Connection c, Opening o) throws SQLException {
        String name = o.source().name();
        String runId = newId(o.now());
        Duration size = o.source().supportsUpdatedFilter(o.entity()) ? o.source().windowSize(o.entity()) : null;
        String loadType = o.loadType();
        if (size != null && loadType.equals("incremental") && rescanDue(c, o)) {
            loadType = "full"; // a periodic re-scan is a full load on the ledger, which is how the next one is timed
        }
        Instant since = null;
        // Due for reconciling: read whole, unfiltered, so the run's complete read finds the keys the source dropped.
        if (loadType.equals("incremental") && o.source().supportsUpdatedFilter(o.entity())
                && !reconciliation.due(c, o.source(), o.scope(), o.entity(), o.now())) {
            since = watermarks.get(c, name, o.scope(), o.entity()).map(w -> w.minus(o.source().overlap(o.entity())))
                    .orElse(null);
            if (since == null && size != null) {
                since = coveredWithoutRecords(c, o);
            }
        }
        Instant start = since != null ? since : o.source().startDate();
        if (size == null || start == null) {
            runs.openRun(c, runId, o.batchId(), name, o.scope(), o.entity(), loadType, o.trigger(), since, null, null,
                    since, null);
            windowLedger.addWindow(c, runId, 0, since, null);
            return runId;
        }
        Instant first = align(start, size);
        Instant end = align(o.now(), size).plus(size);
        runs.openRun(c, runId, o.batchId(), name, o.scope(), o.entity(), loadType, o.trigger(), since, null, null,
                first, end);
        addWindows(c, runId, 0, first, end, size);
        return runId;
    }

    /**
     * Where an incremental run of a windowed entity that has never read a record (a key without prospects) starts:
     * its last successful read covered every date up to its end or its start time, whichever came first, so it goes
     * on from there less its look-back (at least a day: record dates are the source's wall clock, which may run
     * hours behind UTC) instead of reading from the start date on every run. Null when it has no successful read.
     */
    private Instant coveredWithoutRecords(Connection c, Opening o) throws SQLException {
        Optional<Instant> covered;
        try (java.sql.PreparedStatement ps = c.prepareStatement("""
                SELECT max(least(range_end, started_at)) FROM ops.runs
                 WHERE source = ? AND scope = ? AND entity = ? AND status = 'success'
                   AND load_type IN ('full', 'incremental')""")) {
            ps.setString(1, o.source().name());
            ps.setString(2, o.scope());
            ps.setString(3, o.entity());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                covered = Optional.ofNullable(rs.getTimestamp(1)).map(java.sql.Timestamp::toInstant);
            }
        }
        Duration back = o.source().overlap(o.entity());
        Duration atLeastADay = back.compareTo(Duration.ofDays(1)) < 0 ? Duration.ofDays(1) : back;
        return covered.map(t -> t.isAfter(o.now()) ? o.now() : t).map(t -> t.minus(atLeastADay)).orElse(null);
    }

    /** A windowed entity with a re-scan period is due when no full load succeeded within that period. */
    private boolean rescanDue(Connection c, Opening o) throws SQLException {
        Duration every = o.source().rescanEvery(o.entity());
        if (every == null || o.source().startDate() == null) {
            return false;
        }
        return runs.noFullLoadWithin(c, o.source().name(), o.scope(), o.entity(), every);
    }

    /** Consecutive windows of the size over [start, end), the last one cut at end; returns the next index. */
    private int addWindows(Connection c, String runId, int index, Instant start, Instant end, Duration size)
            throws SQLException {
        for (Instant s = start; s.isBefore(end); s = s.plus(size)) {
            Instant e = s.plus(size);
            windowLedger.addWindow(c, runId, index++, s, e.isAfter(end) ? end : e);
        }
        return index;
    }

    /** The start of the window of this size that holds t (windows are aligned to multiples of their size). */
    static Instant align(Instant t, Duration size) {
        long unit = size.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), unit) * unit);
    }

    private SourceConnector connector(String name) {
        SourceConnector c = name == null ? null : connectors.get(name);
        if (c == null && name != null && com.skyfit.lake.source.Sources.names().contains(name)) {
            throw new com.skyfit.lake.config.SettingsException(com.skyfit.lake.source.Sources.requiredSetting(name),
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
