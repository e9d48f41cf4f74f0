package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.PgRetry;
import com.skyfit.lake.staging.LoadResult.FileOutcome;
import com.skyfit.lake.staging.PartCopier.BronzeReadException;
import com.skyfit.lake.staging.PartCopier.Counts;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads bronze parts into their staging tables ({@code stg_{source}.{entity}_raw}), one JSONB row per
 * line with its lineage.
 *
 * <p>Per batch of parts (consecutive parts of one table, up to {@link LoaderOptions#batchFiles()}), one
 * transaction: advisory locks on the paths, skip parts the ledger says are loaded (unless forced),
 * delete rows an earlier load left, COPY, and mark the ledger, so a part's rows and its ledger row
 * commit together and a reload or a twin delivery never doubles a row (invariant 4).
 *
 * <p>Clean parts take the fast path, lines passed verbatim to COPY. A part with a line PostgreSQL
 * refuses rolls back to a savepoint and goes line by line, keeping bad lines as 'invalid' rows. A
 * batch that meets such a part, or a part that cannot be read, is redone part by part so only the
 * bad part takes the slow or failed path. An unreadable part is marked failed and the rest go on.
 * Transient PostgreSQL failures retry the batch on the configured schedule ({@link PgRetry}).
 *
 * <p>Stateless between calls and safe to share between threads.
 */
public final class StagingLoader {
    private static final Logger LOG = LoggerFactory.getLogger(StagingLoader.class);

    private final Database db;
    private final LoaderOptions options;
    private final PgRetry retry;
    private final PartCopier copier;

    public StagingLoader(Database db, BronzeStore store, LoaderOptions options) {
        this.db = db;
        this.options = options;
        this.retry = new PgRetry(options.retrySchedule());
        this.copier = new PartCopier(store, options.copyBufferBytes());
    }

    public LoadResult load(List<String> paths, boolean force) {
        return load(paths, force, LoadListener.NONE);
    }

    /**
     * @throws StagingLoadException when PostgreSQL stays unreachable through the whole retry schedule;
     *                              batches committed before that stay loaded and are skipped next time
     */
    public LoadResult load(List<String> paths, boolean force, LoadListener listener) {
        List<FileOutcome> outcomes = new ArrayList<>();
        List<BronzePath> batch = new ArrayList<>();
        long[] totals = new long[2];
        Runnable report = () -> listener.onProgress(new LoadListener.Progress(
                outcomes.size(), paths.size(), totals[0], totals[1]));
        for (String path : paths) {
            BronzePath part;
            try {
                part = BronzePath.parse(path);
            } catch (IllegalArgumentException e) {
                outcomes.add(new FileOutcome(path, "failed", 0, 0, e.getMessage()));
                report.run();
                continue;
            }
            boolean sameTable = batch.isEmpty() || StagingTable.of(batch.get(0)).equals(StagingTable.of(part));
            if (!sameTable || batch.size() == options.batchFiles()) {
                runBatch(batch, force, outcomes, totals);
                report.run();
                batch.clear();
            }
            batch.add(part);
        }
        if (!batch.isEmpty()) {
            runBatch(batch, force, outcomes, totals);
            report.run();
        }
        return summarize(outcomes);
    }

    private void runBatch(List<BronzePath> batch, boolean force, List<FileOutcome> outcomes, long[] totals) {
        for (Attempt a : loadBatch(List.copyOf(batch), force)) {
            outcomes.add(a.outcome());
            totals[0] += a.outcome().rows();
            totals[1] += a.bytes();
        }
    }

    private List<Attempt> loadBatch(List<BronzePath> parts, boolean force) {
        StagingTable table = StagingTable.of(parts.get(0));
        boolean single = parts.size() == 1;
        String what = single ? "loading " + parts.get(0) : "loading " + parts.size() + " parts into " + table;
        List<Attempt> done;
        try {
            done = retry.call(what, () -> attempt(table, parts, force, !single));
        } catch (SQLException e) {
            if (PgRetry.classify(e) == PgRetry.Kind.TRANSIENT) {
                throw new StagingLoadException("PostgreSQL stayed unavailable while " + what + " after "
                        + options.retrySchedule().size() + " retries: " + e.getMessage(), e);
            }
            if (!single) {
                done = null;
            } else {
                return List.of(failPart(parts.get(0), "PostgreSQL refused the load (SQLSTATE "
                        + e.getSQLState() + "): " + e.getMessage()));
            }
        }
        if (done != null) {
            return done;
        }
        LOG.info("Batch of {} parts into {} needs part-by-part loading", parts.size(), table);
        List<Attempt> each = new ArrayList<>();
        for (BronzePath part : parts) {
            each.addAll(loadBatch(List.of(part), force));
        }
        return each;
    }

    /**
     * One transaction over the parts. Returns null when a batch must be split: one of its parts needs
     * the line-checking path or cannot be read, and that should not hold back the others.
     */
    private List<Attempt> attempt(StagingTable table, List<BronzePath> parts, boolean force, boolean canSplit)
            throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                List<String> paths = parts.stream().map(BronzePath::path).toList();
                FileLedger.lock(c, paths);
                Map<String, String> status = FileLedger.statuses(c, paths);
                List<Attempt> out = new ArrayList<>();
                List<BronzePath> todo = new ArrayList<>();
                for (BronzePath p : parts) {
                    if (!force && "loaded".equals(status.get(p.path()))) {
                        out.add(new Attempt(new FileOutcome(p.path(), "skipped", 0, 0, null), 0));
                    } else {
                        todo.add(p);
                    }
                }
                if (!todo.isEmpty() && !table.exists(c)) {
                    for (BronzePath p : todo) {
                        FileLedger.markFailed(c, p, table.missingReason());
                        out.add(failed(p, table.missingReason()));
                    }
                    todo.clear();
                }
                if (!todo.isEmpty()) {
                    FileLedger.deleteRows(c, table, todo.stream().map(BronzePath::path).toList());
                    List<Counts> counts = copy(c, table, todo, canSplit);
                    if (counts == null) {
                        c.rollback();
                        return null;
                    }
                    for (int i = 0; i < todo.size(); i++) {
                        Counts n = counts.get(i);
                        FileLedger.markLoaded(c, todo.get(i), n.rows(), n.invalid());
                        out.add(new Attempt(new FileOutcome(todo.get(i).path(), "loaded", n.rows(), n.invalid(), null),
                                n.bytes()));
                    }
                }
                c.commit();
                return ordered(parts, out);
            } catch (BronzeReadException e) {
                c.rollback();
                if (canSplit) {
                    return null;
                }
                // the part's rows are gone with the rollback; its failure is recorded on its own
                FileLedger.markFailed(c, parts.get(0), e.getMessage());
                c.commit();
                LOG.warn("Bronze part {} failed: {}", parts.get(0), e.getMessage());
                return List.of(failed(parts.get(0), e.getMessage()));
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                if (canSplit && PgRetry.classify(e) != PgRetry.Kind.TRANSIENT) {
                    return null;
                }
                throw e;
            }
        }
    }

    /** Fast path under a savepoint; falls back to the checked path for a single part. Null means split. */
    private List<Counts> copy(Connection c, StagingTable table, List<BronzePath> todo, boolean canSplit)
            throws SQLException, BronzeReadException {
        Savepoint sp = c.setSavepoint();
        String why;
        try {
            return copier.copyFast(c, table, todo);
        } catch (FastLineEncoder.LineCheckNeeded e) {
            why = e.getMessage();
        } catch (SQLException e) {
            if (PgRetry.classify(e) != PgRetry.Kind.BAD_INPUT) {
                throw e;
            }
            why = e.getMessage();
        }
        c.rollback(sp);
        if (canSplit) {
            return null;
        }
        LOG.info("Part {} has lines that need checking ({}); loading it line by line", todo.get(0), firstLine(why));
        return List.of(copier.copyChecked(c, table, todo.get(0)));
    }

    /** Records a part's failure in its own transaction; if even that fails, the outcome still says why. */
    private Attempt failPart(BronzePath part, String reason) {
        LOG.warn("Bronze part {} failed: {}", part, firstLine(reason));
        try {
            retry.call("recording the failure of " + part, () -> {
                try (Connection c = db.connection()) {
                    FileLedger.markFailed(c, part, reason);
                }
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not record the failure of {} in ops.bronze_files: {}", part, e.getMessage());
        }
        return failed(part, reason);
    }

    private static Attempt failed(BronzePath part, String reason) {
        return new Attempt(new FileOutcome(part.path(), "failed", 0, 0, FileLedger.truncate(reason)), 0);
    }

    private static List<Attempt> ordered(List<BronzePath> parts, List<Attempt> out) {
        List<String> order = parts.stream().map(BronzePath::path).toList();
        return out.stream().sorted((a, b) -> Integer.compare(order.indexOf(a.outcome().path()),
                order.indexOf(b.outcome().path()))).toList();
    }

    private static LoadResult summarize(List<FileOutcome> outcomes) {
        long loaded = 0, skipped = 0, failed = 0, rows = 0, invalid = 0;
        for (FileOutcome o : outcomes) {
            switch (o.status()) {
                case "loaded" -> loaded++;
                case "skipped" -> skipped++;
                default -> failed++;
            }
            rows += o.rows();
            invalid += o.invalidRows();
        }
        return new LoadResult(loaded, skipped, failed, rows, invalid, List.copyOf(outcomes));
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // a broken connection has nothing left to roll back
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private record Attempt(FileOutcome outcome, long bytes) {}
}
