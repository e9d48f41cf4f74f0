package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.ErrorText;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.control.PgRetry;
import com.skyfit.lake.staging.LoadResult.FileOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * bad part takes the slow or failed path. A part whose bytes are bad (corrupt, truncated, too large)
 * is marked failed and the rest go on. Transient failures, of PostgreSQL or of the storage read,
 * retry the batch on the configured schedule ({@link LoadRetry}); a part whose read still fails after
 * that stays 'written' with the reason, so the next batch loads it.
 * Batches run {@link LoaderOptions#parallelism()} at a time, each on its own connection.
 *
 * <p>Stateless between calls and safe to share between threads.
 */
public final class StagingLoader {
    private static final Logger LOG = LoggerFactory.getLogger(StagingLoader.class);

    private final Database db;
    private final LoaderOptions options;
    private final LoadRetry retry;
    private final FileLedger ledger;
    private final BatchTransaction transaction;

    public StagingLoader(Database db, BronzeStore store, LoaderOptions options) {
        this.db = db;
        this.options = options;
        this.retry = new LoadRetry(options.retrySchedule());
        this.ledger = new FileLedger(db);
        this.transaction = new BatchTransaction(db, new PartCopier(store, options), ledger);
    }

    public LoadResult load(List<String> paths, boolean force) {
        return load(paths, force, LoadListener.NONE);
    }

    /**
     * Loads the parts; the outcomes come back in the order of {@code paths}. The listener is called from
     * the loader's threads, one call at a time.
     *
     * @throws StagingLoadException when PostgreSQL stays unreachable through the whole retry schedule;
     *                              batches committed before that stay loaded and are skipped next time
     */
    public LoadResult load(List<String> paths, boolean force, LoadListener listener) {
        List<PartResult> done = new ArrayList<>();
        List<BronzePath> parts = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<PartResult> repeats = new ArrayList<>();
        for (String path : paths) {
            BronzePath part;
            try {
                part = BronzePath.parse(path);
            } catch (IllegalArgumentException e) {
                // Not recorded in ops.bronze_files: its rows need a valid run and ingestion date, and no writer of
                // this engine produces such a name. Loud instead, with the path, so an operator can remove it.
                LOG.error("Bronze blob {} cannot be loaded and is not recorded in ops.bronze_files: {}", path,
                        e.getMessage());
                done.add(new PartResult(new FileOutcome(path, "failed", 0, 0, e.getMessage()), 0));
                continue;
            }
            if (!seen.add(part.path())) {
                // the same part twice in one call: one load, and its lines once (staging has no unique key)
                repeats.add(new PartResult(new FileOutcome(path, "skipped", 0, 0, null), 0));
                continue;
            }
            parts.add(part);
        }
        List<List<BronzePath>> batches = batches(parts, options);
        Progress progress = new Progress(paths.size(), listener);
        if (!done.isEmpty()) {
            progress.done(done);
        }
        runAll(batches, force, progress).forEach(done::addAll);
        if (!repeats.isEmpty()) {
            done.addAll(progress.done(repeats)); // after the first mention's outcome, which the caller sees first
        }
        List<FileOutcome> outcomes = new ArrayList<>();
        Map<String, List<FileOutcome>> byPath = new HashMap<>();
        done.forEach(a -> byPath.computeIfAbsent(a.outcome().path(), k -> new LinkedList<>()).add(a.outcome()));
        for (String path : paths) {
            List<FileOutcome> left = byPath.get(path);
            if (left != null && !left.isEmpty()) {
                outcomes.add(left.remove(0));
            }
        }
        return summarize(outcomes);
    }

    /**
     * Consecutive parts of one staging table, in order, cut into batches of at most
     * {@link LoaderOptions#batchFiles()} that shrink as the end of the list nears ({@link #batchLimit}): the batches
     * are taken in order by whichever connection is free, so the last ones are small and every connection finishes
     * at about the same time, instead of one loading a last full batch while the others wait.
     */
    static List<List<BronzePath>> batches(List<BronzePath> parts, LoaderOptions options) {
        List<List<BronzePath>> out = new ArrayList<>();
        int start = 0;
        while (start < parts.size()) {
            int limit = batchLimit(parts.size() - start, options);
            StagingTable table = StagingTable.of(parts.get(start));
            int end = start + 1;
            while (end < parts.size() && end - start < limit && StagingTable.of(parts.get(end)).equals(table)) {
                end++;
            }
            out.add(List.copyOf(parts.subList(start, end)));
            start = end;
        }
        return out;
    }

    /**
     * The size of the next batch when {@code remaining} parts are left to batch: with one connection
     * {@link LoaderOptions#batchFiles()}; with more, a fair share of what is left, half of it divided by the
     * connections (guided self-scheduling), between one part and {@code batchFiles}. Thirty parts on two connections:
     * 8, 6, 4, 3, 3, 2, 1, 1, 1, 1.
     */
    static int batchLimit(int remaining, LoaderOptions options) {
        if (options.parallelism() <= 1) {
            return options.batchFiles();
        }
        int share = 2 * options.parallelism();
        return Math.max(1, Math.min(options.batchFiles(), (remaining + share - 1) / share));
    }

    /** How many batches a load of {@code parts} (valid, each once) makes: {@link #batches}, counted. */
    public static int batchCount(List<BronzePath> parts, LoaderOptions options) {
        return batches(parts, options).size();
    }

    /** Batches touch disjoint parts, so they can run side by side on their own connections. */
    private List<List<PartResult>> runAll(List<List<BronzePath>> batches, boolean force, Progress progress) {
        int threads = Math.min(options.parallelism(), batches.size());
        if (threads <= 1) {
            return batches.stream().map(b -> progress.done(loadBatch(b, force))).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "staging-loader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<PartResult>>> futures = batches.stream()
                    .map(b -> pool.submit(() -> progress.done(loadBatch(b, force)))).toList();
            List<List<PartResult>> out = new ArrayList<>();
            for (Future<List<PartResult>> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    futures.forEach(other -> other.cancel(false));
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    futures.forEach(other -> other.cancel(true));
                    throw new StagingLoadException("interrupted while loading bronze parts", e);
                }
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    private List<PartResult> loadBatch(List<BronzePath> parts, boolean force) {
        StagingTable table = StagingTable.of(parts.get(0));
        boolean single = parts.size() == 1;
        String what = single ? "loading " + parts.get(0) : "loading " + parts.size() + " parts into " + table;
        List<PartResult> done;
        try {
            done = retry.call(what, () -> transaction.run(table, parts, force, !single));
        } catch (BatchTransaction.TransientReadException e) {
            return List.of(retryLater(e.part, e.getMessage()));
        } catch (SQLException e) {
            if (PgRetry.classify(e) == PgRetry.Kind.TRANSIENT) {
                throw new StagingLoadException("PostgreSQL stayed unavailable while " + what + " after "
                        + options.retrySchedule().size() + " retries: " + ErrorText.of(e), e);
            }
            if (!single) {
                done = null;
            } else {
                return List.of(failPart(parts.get(0), "PostgreSQL refused the load: " + ErrorText.of(e)));
            }
        } catch (StagingLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            if (!single) {
                done = null;
            } else {
                // one part's unexpected failure stays that part's; the rest of the load goes on
                return List.of(failPart(parts.get(0), "could not load the part: " + e));
            }
        }
        if (done != null) {
            return done;
        }
        LOG.info("Batch of {} parts into {} needs part-by-part loading", parts.size(), table);
        List<PartResult> each = new ArrayList<>();
        for (BronzePath part : parts) {
            each.addAll(loadBatch(List.of(part), force));
        }
        return each;
    }

    /**
     * Records a failure that happened outside a usable load transaction (the connection itself failed),
     * in a transaction of its own under the part's lock; if even that fails, the outcome still says why.
     */
    private PartResult failPart(BronzePath part, String reason) {
        LOG.warn("Bronze part {} failed: {}", part, BatchTransaction.firstLine(reason));
        mark(part, "recording the failure of ", c -> ledger.markFailed(c, part, reason));
        return PartResult.failed(part, reason);
    }

    /** A transient failure that outlived the retries: the part waits for the next batch, still 'written'. */
    private PartResult retryLater(BronzePath part, String reason) {
        String why = reason + LoadResult.POSTPONED;
        LOG.warn("Bronze part {} not loaded: {}", part, why);
        mark(part, "recording the postponed load of ", c -> ledger.markRetryLater(c, part, why));
        return PartResult.failed(part, why);
    }

    private interface Mark {
        void apply(Connection c) throws SQLException;
    }

    private void mark(BronzePath part, String what, Mark mark) {
        try {
            retry.call(what + part, () -> {
                try (Connection c = db.connection()) {
                    c.setAutoCommit(false);
                    try {
                        ledger.lock(c, List.of(part.path()));
                        mark.apply(c);
                        c.commit();
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                }
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not record the outcome of {} in ops.bronze_files: {}", part, e.getMessage());
        }
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

    
    /** Running totals for the listener. */
    private static final class Progress {
        private final long total;
        private final LoadListener listener;
        private long files;
        private long rows;
        private long bytes;

        Progress(long total, LoadListener listener) {
            this.total = total;
            this.listener = listener;
        }

        synchronized List<PartResult> done(List<PartResult> attempts) {
            for (PartResult a : attempts) {
                files++;
                rows += a.outcome().rows();
                bytes += a.bytes();
            }
            listener.onProgress(new LoadListener.Progress(files, total, rows, bytes));
            return attempts;
        }
    }
}
