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
import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.control.WatermarkStore;
import com.skyfit.lake.core.CoreTable;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.core.TransformRunner;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: planner, extractors, bronze writer, staging loader and core transforms wired together
 * over one database and one bronze store. The Function App's activities and the CLI both call it.
 */
public final class DefaultIngestEngine implements IngestEngine, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultIngestEngine.class);

    private final Settings settings;
    private final Database db;
    private final BronzeStore store;
    private final Map<String, SourceConnector> connectors;
    private final RunLedger runs;
    private final WatermarkStore watermarks;
    private final FileLedger files;
    private final Planner planner;
    private final StagingLoader loader;
    private final TransformRunner transforms;
    private final boolean ownsDatabase;
    private final PartLimits partLimits;

    public DefaultIngestEngine(Settings settings, Database db, BronzeStore store, Map<String, SourceConnector> connectors,
            Clock clock, boolean ownsDatabase) {
        this.settings = settings;
        this.db = db;
        this.store = store;
        this.connectors = new LinkedHashMap<>(connectors);
        this.runs = new RunLedger(db);
        this.watermarks = new WatermarkStore(db);
        this.files = new FileLedger(db);
        this.planner = new Planner(this.connectors, runs, watermarks, new Reconciliation(db), clock,
                settings.integer("SKYFIT_BACKFILL_WINDOW_DAYS", 7, 1, 366),
                java.time.Duration.ofMinutes(settings.integer("SKYFIT_STALE_RUN_MINUTES", 360, 0, 100_000)));
        this.loader = new StagingLoader(db, store, LoaderOptions.fromSettings(settings));
        this.transforms = new TransformRunner(db);
        this.ownsDatabase = ownsDatabase;
        this.partLimits = PartLimits.from(settings);
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

    @Override
    public RunPlan plan(PlanRequest request) {
        return planner.plan(request);
    }

    @Override
    public ExtractResult extract(WindowTask w) {
        SourceConnector source = connectors.get(w.source());
        if (source == null) {
            throw new IllegalArgumentException("unknown source '" + w.source() + "'");
        }
        Instant start = Planner.instant(w.windowStart());
        Instant end = Planner.instant(w.windowEnd());
        RunLedger.Window window = runs.windows(w.runId()).stream()
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
        runs.windowStarted(w.runId(), start, end);
        BronzePath run = new BronzePath(w.source(), w.scope(), w.entity(), LocalDate.parse(w.ingestionDate()),
                w.runId(), 0);
        // A retried window continues after the parts its earlier attempt committed (see BronzePartWriter).
        try (BronzePartWriter writer = BronzePartWriter.forWindow(store, files, run, window.index(), start, end,
                partLimits)) {
            SourceConnector.Extracted got = source.extract(w.scope(), w.entity(), start, end, writer::write);
            List<BronzePart> parts = writer.finish();
            List<String> paths = parts.stream().map(BronzePart::path).toList();
            runs.windowExtracted(w.runId(), start, end, got.records(), parts.size(), got.maxCursor());
            LOG.info("extracted {} {}/{} window {}..{}: {} records in {} parts{}", w.source(), w.scope(), w.entity(),
                    w.windowStart(), w.windowEnd(), got.records(), parts.size(),
                    got.unparsable() > 0 ? " (" + got.unparsable() + " unparsable, kept for staging to flag invalid)" : "");
            return new ExtractResult(w.runId(), w.scope(), w.entity(), w.windowStart(), w.windowEnd(), got.records(),
                    paths, Planner.iso(got.maxCursor()));
        } catch (IOException | RuntimeException e) {
            runs.windowFailed(w.runId(), start, end, e.getMessage());
            String message = "extract of " + w.source() + " " + w.scope() + "/" + w.entity() + " window "
                    + (w.windowStart() == null ? "start" : w.windowStart()) + ".."
                    + (w.windowEnd() == null ? "now" : w.windowEnd()) + " failed: " + e.getMessage();
            throw PermanentExtractException.isPermanent(e) ? new PermanentExtractException(message, e)
                    : new ExtractException(message, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runs.windowFailed(w.runId(), start, end, "interrupted");
            throw new ExtractException("extract interrupted", e);
        }
    }

    @Override
    public LoadResult load(List<String> parts, boolean force) {
        return loader.load(parts, force);
    }

    @Override
    public List<String> unloadedParts(String batchId) {
        return files.unloaded(batchId);
    }

    @Override
    public List<TransformResult> transform(String batchId, boolean fullRefresh) {
        List<CoreTable> tables = new ArrayList<>();
        if (batchId == null) {
            tables.addAll(CoreTables.all());
        } else {
            Set<String> touched = new LinkedHashSet<>();
            for (RunLedger.Run r : runs.runsOfBatch(batchId)) {
                touched.add(r.source() + "/" + r.entity());
            }
            for (CoreTable t : CoreTables.all()) {
                if (touched.contains(t.source() + "/" + t.entity())) {
                    tables.add(t);
                }
            }
        }
        List<TransformResult> results = transforms.runAll(tables, fullRefresh);
        for (TransformResult r : results) {
            for (TransformResult.RunCounts c : r.perRun()) {
                runs.addTransformCounts(c.runId(), c.inserted(), c.updated(), c.unchanged(), c.deleted());
            }
        }
        return results;
    }

    @Override
    public void completeBatch(String batchId) {
        for (RunLedger.Run run : runs.runsOfBatch(batchId)) {
            if (!run.status().equals("running")) {
                continue;
            }
            List<RunLedger.Window> windows = runs.windows(run.runId());
            List<RunLedger.Window> open = windows.stream().filter(w -> !w.status().equals("extracted")).toList();
            if (!open.isEmpty()) {
                String why = db.queryFirst("SELECT error_message FROM ops.windows WHERE run_id = ? AND error_message IS NOT NULL "
                        + "ORDER BY window_index LIMIT 1", ps -> ps.setString(1, run.runId()), rs -> rs.getString(1)).orElse("not extracted");
                runs.fail(run.runId(), open.size() + " of " + windows.size() + " windows not extracted: " + why, null);
                continue;
            }
            List<String> problems = db.query("""
                    SELECT status || ': ' || blob_path || coalesce(' (' || error_message || ')', '')
                    FROM ops.bronze_files WHERE run_id = ? AND status <> 'loaded' ORDER BY blob_path""",
                    ps -> ps.setString(1, run.runId()), rs -> rs.getString(1));
            if (!problems.isEmpty()) {
                runs.fail(run.runId(), problems.size() + " bronze parts not loaded into staging; first: " + problems.get(0),
                        String.join("\n", problems));
                continue;
            }
            Instant cursor = windows.stream().map(RunLedger.Window::maxCursor).filter(java.util.Objects::nonNull)
                    .max(Instant::compareTo).orElse(null);
            // A backfill re-reads old history; moving the watermark would skip what lies between.
            boolean advances = !run.loadType().equals("backfill") && cursor != null;
            Instant watermarkEnd = advances ? cursor : run.watermarkStart();
            db.inTransaction(c -> {
                // The run's read is known complete only now: its deletes-by-absence commit with its success.
                com.skyfit.lake.core.MissingRows.afterRun(c, run.source(), run.entity(), run.scope(), run.runId());
                runs.complete(c, run.runId(), watermarkEnd);
                if (advances) {
                    watermarks.advance(c, run.source(), run.scope(), run.entity(), cursor, run.runId());
                }
                return null;
            });
        }
    }

    @Override
    public void failBatch(String batchId, String message, String detail) {
        for (RunLedger.Run run : runs.runsOfBatch(batchId)) {
            if (run.status().equals("running")) {
                runs.fail(run.runId(), message, detail);
            }
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
