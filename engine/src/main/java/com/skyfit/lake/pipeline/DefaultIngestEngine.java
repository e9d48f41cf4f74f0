package com.skyfit.lake.pipeline;

import com.skyfit.lake.bronze.BronzePart;
import com.skyfit.lake.bronze.BronzePartWriter;
import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.bronze.BronzeStores;
import com.skyfit.lake.bronze.PartLimits;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.control.LeaseHeartbeat;
import com.skyfit.lake.control.LeaseOwner;
import com.skyfit.lake.control.PgRetry;
import com.skyfit.lake.control.RunLeases;
import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.control.WatermarkStore;
import com.skyfit.lake.control.WindowLedger;
import com.skyfit.lake.core.CoreTable;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.core.TransformRunner;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
import com.skyfit.lake.staging.StagingRetention;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: planner, extractors, bronze writer, staging loader and core transforms wired together
 * over one database and one bronze store. The Function App's activities and the CLI both call it.
 */
public final class DefaultIngestEngine implements IngestEngine, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultIngestEngine.class);
    /** How long a run's lease lives without a heartbeat before the next run of its entity may take it. */
    public static final String LEASE_TIMEOUT_SECONDS = "SKYFIT_LEASE_TIMEOUT_SECONDS";
    /**
     * The same for a batch driven by durable orchestration, which refreshes its leases only while an activity runs:
     * well above its longest wait between activities (extract retry back-off up to 5 minutes, queue time).
     */
    public static final String ORCHESTRATION_LEASE_TIMEOUT_SECONDS = "SKYFIT_ORCHESTRATION_LEASE_TIMEOUT_SECONDS";

    private final Settings settings;
    private final Database db;
    private final BronzeStore store;
    private final Map<String, SourceConnector> connectors;
    private final RunLedger runs;
    private final WindowLedger windowLedger;
    /** The same ledger with one short retry: marking a failed window must not hide the failure behind its own. */
    private final WindowLedger failureMarks;
    private final WatermarkStore watermarks;
    private final FileLedger files;
    private final RunLeases leases;
    private final LeaseHeartbeat heartbeat;
    private final BatchCompletion completion;
    private final Planner planner;
    private final StagingLoader loader;
    private final TransformRunner transforms;
    private final boolean ownsDatabase;
    private final PartLimits partLimits;
    private final List<CoreTable> tables;
    private final StagingRetention retention;
    private final int retentionDays;
    private final Clock clock;

    public DefaultIngestEngine(Settings settings, Database db, BronzeStore store, Map<String, SourceConnector> connectors,
            Clock clock, boolean ownsDatabase) {
        this(settings, db, store, connectors, CoreTables.all(), clock, ownsDatabase);
    }

    /** An engine over the given core tables (the catalog's, or a table a test declares beside them). */
    public DefaultIngestEngine(Settings settings, Database db, BronzeStore store, Map<String, SourceConnector> connectors,
            List<CoreTable> tables, Clock clock, boolean ownsDatabase) {
        this.settings = settings;
        this.tables = List.copyOf(tables);
        this.db = db;
        this.store = store;
        this.connectors = new LinkedHashMap<>(connectors);
        PgRetry retry = PgRetry.fromSettings(settings);
        this.runs = new RunLedger(db, retry);
        this.windowLedger = new WindowLedger(db, runs);
        this.failureMarks = new WindowLedger(db, new RunLedger(db, new PgRetry(List.of(java.time.Duration.ofSeconds(1)))));
        this.watermarks = new WatermarkStore(db, retry);
        this.files = new FileLedger(db, retry);
        this.leases = new RunLeases(db, java.time.Duration.ofSeconds(
                settings.integer(LEASE_TIMEOUT_SECONDS, 120, 5, 86_400)), java.time.Duration.ofSeconds(
                settings.integer(ORCHESTRATION_LEASE_TIMEOUT_SECONDS, 900, 5, 86_400)));
        this.heartbeat = new LeaseHeartbeat(leases);
        this.completion = new BatchCompletion(db, runs, windowLedger, watermarks, leases);
        this.planner = new Planner(this.connectors, runs, windowLedger, watermarks, leases, clock,
                settings.integer(Planner.BACKFILL_WINDOW_DAYS, 7, 1, 366));
        this.loader = new StagingLoader(db, store, LoaderOptions.fromSettings(settings));
        this.transforms = new TransformRunner(db, retry);
        this.ownsDatabase = ownsDatabase;
        this.partLimits = PartLimits.from(settings);
        this.clock = clock;
        this.retentionDays = StagingRetention.days(settings);
        this.retention = new StagingRetention(db, staging -> this.tables.stream()
                .filter(t -> t.stagingTable().equals(staging)).map(CoreTable::qualifiedName).toList());
    }

    /** The engine as the settings describe it: database, bronze store and every configured source. */
    public static DefaultIngestEngine fromSettings(Settings settings) {
        BronzeStore store = BronzeStores.open(settings);
        Database db = Database.open(settings);
        // Token budgets live in the database, so every process, instance and concurrent run shares them.
        Map<String, SourceConnector> connectors;
        try {
            connectors = Connectors.configured(settings, new com.skyfit.lake.source.PgRequestGate(db.dataSource()));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return new DefaultIngestEngine(settings, db, store, connectors, Clock.systemUTC(), true);
    }

    public Database database() {
        return db;
    }

    public BronzeStore store() {
        return store;
    }

    public Map<String, SourceConnector> connectors() {
        return connectors;
    }

    public StagingLoader loader() {
        return loader;
    }

    /** Plans for a batch driven by durable orchestration: its activities keep the leases alive. */
    @Override
    public RunPlan plan(PlanRequest request) {
        return plan(request, LeaseOwner.orchestration());
    }

    /** Plans for a batch this process drives from start to end (the CLI). */
    public RunPlan plan(PlanRequest request, LeaseOwner owner) {
        // a retried plan, or one of many entities, keeps the leases it has already taken fresh
        try (LeaseHeartbeat.Handle alive = heartbeat.keepAlive(request.batchId())) {
            return planner.plan(request, owner);
        }
    }

    /** Keeps the batch's leases alive until the handle is closed. */
    public LeaseHeartbeat.Handle keepAlive(String batchId) {
        return heartbeat.keepAlive(batchId);
    }

    public RunLeases leases() {
        return leases;
    }

    @Override
    public ExtractResult extract(WindowTask w) {
        try (LeaseHeartbeat.Handle alive = heartbeat.keepAlive(w.batchId())) {
            return extractWindow(w);
        }
    }

    private ExtractResult extractWindow(WindowTask w) {
        SourceConnector source = connectors.get(w.source());
        if (source == null) {
            throw new IllegalArgumentException("unknown source '" + w.source() + "'");
        }
        Instant start = Planner.instant(w.windowStart());
        Instant end = Planner.instant(w.windowEnd());
        WindowLedger.Window window = windowLedger.windows(w.runId()).stream()
                .filter(x -> java.util.Objects.equals(x.start(), start) && java.util.Objects.equals(x.end(), end))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("window " + w.windowStart() + ".." + w.windowEnd()
                        + " is not planned in run " + w.runId()));
        if (window.status().equals("extracted")) {
            // An at-least-once redelivery of a finished window: report what it already wrote.
            List<String> done;
            try {
                done = files.partsOfWindow(w.runId(), start, end).stream().map(BronzePart::path).toList();
            } catch (java.sql.SQLException e) {
                throw new Database.DatabaseException("bronze parts of window", e);
            }
            return new ExtractResult(w.runId(), w.scope(), w.entity(), w.windowStart(), w.windowEnd(), window.records(),
                    done, Planner.iso(window.maxCursor()));
        }
        RunLedger.Run owner = runs.run(w.runId()).orElseThrow(
                () -> new IllegalStateException("run " + w.runId() + " is not on the ledger"));
        if (!owner.status().equals("running") || !Objects.equals(owner.batchId(), w.batchId())) {
            // A batch that lost its entity (taken over after its heartbeat stopped) must not write into the run.
            throw new PermanentExtractException("run " + w.runId() + " is no longer owned by batch " + w.batchId()
                    + " (" + owner.status() + (owner.errorMessage() == null ? "" : ": " + owner.errorMessage()) + ")",
                    null);
        }
        windowLedger.windowStarted(w.batchId(), w.runId(), start, end);
        BronzePath run = new BronzePath(w.source(), w.scope(), w.entity(), LocalDate.parse(w.ingestionDate()),
                w.runId(), 0);
        // A retried window continues after the parts its earlier attempt committed (see BronzePartWriter).
        try (BronzePartWriter writer = BronzePartWriter.forWindow(store, files, run, window.index(), start, end,
                partLimits)) {
            // The stored export cursor moves only when a run of this entity completes, and one run of an entity
            // is live at a time: what this window reads from is what the last successful run left.
            String resume = w.loadType().equals("incremental") && source.resumesByCursor(w.entity())
                    ? watermarks.cursor(w.source(), w.scope(), w.entity()).orElse(null) : null;
            SourceConnector.Extracted got = source.extract(w.scope(), w.entity(), start, end, resume, writer::write);
            List<BronzePart> parts = writer.finish();
            List<String> paths = parts.stream().map(BronzePart::path).toList();
            windowLedger.windowExtracted(w.batchId(), w.runId(), start, end, got.records(), parts.size(), got.maxCursor(),
                    got.cursor());
            LOG.info("extracted {} {}/{} window {}..{}: {} records in {} parts{}", w.source(), w.scope(), w.entity(),
                    w.windowStart(), w.windowEnd(), got.records(), parts.size(),
                    got.unparsable() > 0 ? " (" + got.unparsable() + " unparsable, kept for staging to flag invalid)" : "");
            return new ExtractResult(w.runId(), w.scope(), w.entity(), w.windowStart(), w.windowEnd(), got.records(),
                    paths, Planner.iso(got.maxCursor()));
        } catch (IOException | RuntimeException e) {
            markFailed(w, start, end, e.getMessage(), e);
            String message = "extract of " + w.source() + " " + w.scope() + "/" + w.entity() + " window "
                    + (w.windowStart() == null ? "start" : w.windowStart()) + ".."
                    + (w.windowEnd() == null ? "now" : w.windowEnd()) + " failed: " + e.getMessage();
            throw PermanentExtractException.isPermanent(e) ? new PermanentExtractException(message, e)
                    : new ExtractException(message, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            markFailed(w, start, end, "interrupted", e);
            throw new ExtractException("extract interrupted", e);
        }
    }

    /**
     * Best effort: when the database itself is down, the window stays 'running' on the ledger (the run fails at
     * completion, or the next plan re-reads it) and the extract's own error is what the caller sees.
     */
    private void markFailed(WindowTask w, Instant start, Instant end, String why, Throwable original) {
        try {
            failureMarks.windowFailed(w.batchId(), w.runId(), start, end, why, BatchRunner.stackOf(original));
        } catch (RuntimeException e) {
            original.addSuppressed(e);
            LOG.warn("could not mark window {}..{} of run {} failed: {}", w.windowStart(), w.windowEnd(), w.runId(),
                    e.getMessage());
        }
    }

    @Override
    public LoadResult load(List<String> parts, boolean force) {
        // a long load is a step of every batch whose parts it loads: their leases stay alive meanwhile
        List<String> batches = parts.isEmpty() ? List.of() : runs.retrying("batches of parts", () -> db.query(
                "SELECT DISTINCT r.batch_id FROM ops.bronze_files f JOIN ops.runs r USING (run_id)"
                        + " WHERE f.blob_path = ANY (?) AND r.status = 'running' AND r.batch_id IS NOT NULL",
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("text", parts.toArray())), rs -> rs.getString(1)));
        List<LeaseHeartbeat.Handle> alive = new ArrayList<>();
        try {
            batches.forEach(b -> alive.add(heartbeat.keepAlive(b)));
            return loader.load(parts, force);
        } finally {
            alive.forEach(LeaseHeartbeat.Handle::close);
        }
    }

    @Override
    public List<String> unloadedParts(String batchId) {
        if (batchId != null) {
            heartbeat.beat(batchId); // the orchestration polls this while it waits: a step of the batch
        }
        return runs.retrying("unloaded parts" + (batchId == null ? "" : " of batch " + batchId),
                () -> files.unloaded(batchId));
    }

    @Override
    public List<TransformResult> transform(String batchId, boolean fullRefresh) {
        if (batchId == null) {
            return transforms.runAll(tables, fullRefresh);
        }
        try (LeaseHeartbeat.Handle alive = heartbeat.keepAlive(batchId)) {
            List<RunLedger.Run> batchRuns = runs.runsOfBatch(batchId);
            Set<String> touched = new LinkedHashSet<>();
            for (RunLedger.Run r : batchRuns) {
                if (r.status().equals("running")) {
                    touched.add(r.source() + "/" + r.entity());
                }
            }
            List<CoreTable> tables = new ArrayList<>();
            for (CoreTable t : this.tables) {
                if (touched.contains(t.source() + "/" + t.entity())) {
                    tables.add(t);
                }
            }
            return transforms.runAll(tables, fullRefresh, new RunCredits(batchRuns));
        }
    }

    @Override
    public void completeBatch(String batchId) {
        try (LeaseHeartbeat.Handle alive = heartbeat.keepAlive(batchId)) {
            completion.complete(batchId);
        }
        // after the batch's rows reached core: the moment old staging partitions may have become unneeded
        try {
            pruneStaging(retentionDays, "batch " + batchId);
        } catch (RuntimeException e) {
            LOG.warn("staging retention after batch {} did not finish; it runs again after the next batch: {}",
                    batchId, e.getMessage());
        }
    }

    /** Staging retention ({@link StagingRetention}) with the given days (0: nothing), as of the engine's clock. */
    public List<StagingRetention.Outcome> pruneStaging(int days, String by) {
        return retention.prune(days, LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC)), by);
    }

    /** The days SKYFIT_STAGING_RETENTION_DAYS keeps (0: retention off). */
    public int stagingRetentionDays() {
        return retentionDays;
    }

    @Override
    public void failBatch(String batchId, String message, String detail) {
        try (LeaseHeartbeat.Handle alive = heartbeat.keepAlive(batchId)) {
            completion.fail(batchId, message, detail);
        }
    }

    public RunLedger runs() {
        return runs;
    }

    @Override
    public List<RunLedger.Run> runsOfBatch(String batchId) {
        return runs.runsOfBatch(batchId);
    }

    @Override
    public void close() {
        heartbeat.close();
        connectors.values().forEach(SourceConnector::close);
        if (ownsDatabase) {
            db.close();
        }
    }

    /** An extract that failed; the window is marked failed in the ledger. */
    public static class ExtractException extends RuntimeException {
        public ExtractException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
