package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.RunLeases;
import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.control.WatermarkStore;
import com.skyfit.lake.control.WindowLedger;
import com.skyfit.lake.core.MissingRows;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Ends the runs of a batch. A run succeeds only when every window is extracted, its windows cover its whole
 * range, every part it wrote is loaded, and its batch still holds the entity's lease; its watermark advances in
 * the same transaction, as do the flags of the keys a complete read no longer has. Anything else fails it with the
 * reason. The batch's leases are given back either way.
 */
final class BatchCompletion {
    private final Database db;
    private final RunLedger runs;
    private final WindowLedger windowLedger;
    private final WatermarkStore watermarks;
    private final RunLeases leases;

    BatchCompletion(Database db, RunLedger runs, WindowLedger windowLedger, WatermarkStore watermarks, RunLeases leases) {
        this.db = db;
        this.runs = runs;
        this.windowLedger = windowLedger;
        this.watermarks = watermarks;
        this.leases = leases;
    }

    void complete(String batchId) {
        for (RunLedger.Run run : runs.runsOfBatch(batchId)) {
            if (run.status().equals("running")) {
                Problem problem = problem(run);
                if (problem != null) {
                    runs.fail(run.runId(), problem.message(), problem.detail());
                } else {
                    succeed(run);
                }
            }
        }
        runs.retrying("release leases of batch " + batchId, () -> {
            leases.releaseBatch(batchId);
            return null;
        });
    }

    void fail(String batchId, String message, String detail) {
        for (RunLedger.Run run : runs.runsOfBatch(batchId)) {
            if (run.status().equals("running")) {
                runs.fail(run.runId(), message, detail);
            }
        }
        runs.retrying("release leases of batch " + batchId, () -> {
            leases.releaseBatch(batchId);
            return null;
        });
    }

    /** Why a run cannot succeed, and the first failed window's stack trace when there is one. */
    private record Problem(String message, String detail) {}

    /** Why the run cannot succeed, or null. */
    private Problem problem(RunLedger.Run run) {
        List<WindowLedger.Window> windows = windowLedger.windows(run.runId());
        List<WindowLedger.Window> open = windows.stream().filter(w -> !w.status().equals("extracted")).toList();
        if (!open.isEmpty()) {
            Problem why = runs.retrying("window errors", () -> db.queryFirst("SELECT error_message, error_detail "
                    + "FROM ops.windows WHERE run_id = ? AND error_message IS NOT NULL ORDER BY window_index LIMIT 1",
                    ps -> ps.setString(1, run.runId()), rs -> new Problem(rs.getString(1), rs.getString(2)))
                    .orElse(new Problem("not extracted", null)));
            return new Problem(open.size() + " of " + windows.size() + " windows not extracted: " + why.message(),
                    why.detail());
        }
        List<WindowCoverage.Gap> gaps = WindowCoverage.gaps(windows, run.rangeStart(), run.rangeEnd());
        if (!gaps.isEmpty()) {
            return new Problem("the run's windows leave " + gaps.size() + " part(s) of its range unread, first "
                    + gaps.get(0) + "; the next run of this entity plans them again", null);
        }
        // A pruned part was loaded and transformed before staging retention dropped its month. A failed part is superseded when its window was read again whole after the part was written, and that
        // later read succeeded: its records are in the later parts.
        List<String> problems = runs.retrying("parts not loaded", () -> db.query("""
                SELECT f.status || ': ' || f.blob_path || coalesce(' (' || f.error_message || ')', '')
                FROM ops.bronze_files f WHERE f.run_id = ? AND f.status NOT IN ('loaded', 'pruned')
                  AND NOT (f.status = 'failed' AND EXISTS (
                      SELECT 1 FROM ops.windows w WHERE w.run_id = f.run_id AND w.status = 'extracted'
                        AND f.written_at < w.started_at AND """ + WindowLedger.SAME_WINDOW + """
                      ))
                ORDER BY f.blob_path""",
                ps -> ps.setString(1, run.runId()), rs -> rs.getString(1)));
        if (!problems.isEmpty()) {
            return new Problem(problems.size() + " bronze parts not loaded into staging; first: " + problems.get(0),
                    null);
        }
        return null;
    }

    private void succeed(RunLedger.Run run) {
        List<WindowLedger.Window> windows = windowLedger.windows(run.runId());
        Instant cursor = windows.stream().map(WindowLedger.Window::maxCursor).filter(Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
        // An export cursor continues where the run's last window stopped; stored with the run's success.
        String exportCursor = run.loadType().equals("backfill") ? null : windows.stream()
                .map(WindowLedger.Window::cursorValue).filter(Objects::nonNull).reduce((a, b) -> b).orElse(null);
        // A backfill re-reads old history; moving the watermark would skip what lies between.
        boolean advances = !run.loadType().equals("backfill") && cursor != null;
        runs.transaction("complete run " + run.runId(), c -> {
            // The fence: a batch that lost the entity to another run (its heartbeat stopped long enough) must
            // neither succeed nor move the watermark behind the new owner's back.
            if (!leases.holds(c, run.source(), run.scope(), run.entity(), run.batchId())) {
                String owner = leases.current(c, run.source(), run.scope(), run.entity()).map(RunLeases.Lease::describe)
                        .orElse("no batch holds it");
                runs.fail(c, run.runId(), "lost the lease of its entity before completing: " + owner);
                return null;
            }
            // The ledger's watermark_end is the watermark after the run: never lower than the stored one (an
            // overlap that found nothing newer, or nothing at all, leaves it where it was).
            Instant stored = watermarks.get(c, run.source(), run.scope(), run.entity()).orElse(null);
            Instant end = advances ? cursor : run.watermarkStart();
            Instant watermarkEnd = stored != null && (end == null || stored.isAfter(end)) ? stored : end;
            // The run's read is known complete only now: its deletes-by-absence commit with its success.
            MissingRows.afterRun(c, run.source(), run.entity(), run.scope(), run.runId());
            runs.complete(c, run.runId(), watermarkEnd);
            if (advances || exportCursor != null) {
                watermarks.advance(c, run.source(), run.scope(), run.entity(), advances ? cursor : null, exportCursor,
                        run.runId());
            }
            return null;
        });
    }
}
