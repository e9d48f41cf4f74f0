package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.ErrorText;
import com.skyfit.lake.control.FileLedger;
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
 * One attempt at loading a batch of parts of one staging table, in one transaction on its own
 * connection: lock, skip what is loaded, (partitioned tables) hold retention off and make the months'
 * partitions, delete leftovers, COPY, mark the ledger, commit. Safe to
 * repeat whole after any failure, which is what the retry in {@link StagingLoader} relies on.
 *
 * <p>A single part that cannot be loaded is marked in the same transaction, under the same lock, after
 * rolling back to a savepoint taken right after the lock: so a twin delivery that loaded the part
 * meanwhile is never overwritten, and what the ledger says about a part is decided in one place.
 */
final class BatchTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(BatchTransaction.class);

    private final Database db;
    private final PartCopier copier;
    private final FileLedger ledger;

    BatchTransaction(Database db, PartCopier copier, FileLedger ledger) {
        this.db = db;
        this.copier = copier;
        this.ledger = ledger;
    }

    /** A read failure worth another attempt; thrown after the transaction rolled back. */
    static final class TransientReadException extends RuntimeException {
        final BronzePath part;

        TransientReadException(BronzePath part, BronzeReadException cause) {
            super(cause.getMessage(), cause);
            this.part = part;
        }
    }

    /**
     * One transaction over the parts. Returns null when a batch must be split: one of its parts needs
     * the line-checking path or cannot be read, and that should not hold back the others.
     *
     * @throws TransientReadException when a single part could not be read for a reason that may pass
     */
    List<PartResult> run(StagingTable table, List<BronzePath> parts, boolean force, boolean canSplit)
            throws SQLException {
        long start = System.nanoTime();
        long[] at = new long[4]; // connected, partitions made, parts locked, parts loaded
        List<PartResult> committed;
        try (Connection c = db.connection()) {
            at[0] = System.nanoTime();
            beforeTransaction(c, table, parts);
            at[1] = System.nanoTime();
            c.setAutoCommit(false);
            try {
                List<String> paths = parts.stream().map(BronzePath::path).toList();
                ledger.lock(c, paths);
                Map<String, FileLedger.PartState> states = ledger.states(c, paths);
                at[2] = System.nanoTime();
                List<PartResult> out = new ArrayList<>();
                List<BronzePath> todo = new ArrayList<>();
                for (BronzePath p : parts) {
                    FileLedger.PartState state = states.get(p.path());
                    if (!force && state != null && "loaded".equals(state.status())) {
                        out.add(new PartResult(new FileOutcome(p.path(), "skipped", 0, 0, null), 0));
                    } else {
                        todo.add(p);
                    }
                }
                CopyTarget target = todo.isEmpty() ? null : table.target(c);
                if (!todo.isEmpty() && target == null) {
                    for (BronzePath p : todo) {
                        ledger.markFailed(c, p, table.missingReason());
                        out.add(PartResult.failed(p, table.missingReason()));
                    }
                    todo.clear();
                }
                if (!todo.isEmpty()) {
                    Savepoint locked = c.setSavepoint();
                    try {
                        out.addAll(load(c, target, todo, states, canSplit));
                    } catch (BronzeReadException e) {
                        if (canSplit) {
                            c.rollback();
                            return null;
                        }
                        if (e.isTransient()) {
                            c.rollback();
                            throw new TransientReadException(todo.get(0), e);
                        }
                        c.rollback(locked);
                        out.add(failUnderLock(c, todo.get(0), e.getMessage()));
                    } catch (SQLException e) {
                        if (canSplit || PgRetry.classify(e) == PgRetry.Kind.TRANSIENT) {
                            throw e;
                        }
                        // the connection still works (the error was the statement's): record why, under the lock
                        c.rollback(locked);
                        out.add(failUnderLock(c, todo.get(0), "PostgreSQL refused the load: " + ErrorText.of(e)));
                    }
                }
                if (out.size() < parts.size()) {
                    c.rollback();
                    return null;
                }
                at[3] = System.nanoTime();
                c.commit();
                committed = ordered(parts, out);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                if (canSplit && !(e instanceof TransientReadException) && PgRetry.classify(e) != PgRetry.Kind.TRANSIENT) {
                    return null;
                }
                throw e;
            }
        }
        if (LOG.isDebugEnabled()) { // after the commit and outside it: nothing here can undo a committed batch
            LOG.debug("Batch of {} parts into {}: connection {} ms, partitions and index {} ms, locks and ledger read "
                    + "{} ms, load {} ms, commit {} ms", parts.size(), table, ms(at[0] - start), ms(at[1] - at[0]),
                    ms(at[2] - at[1]), ms(at[3] - at[2]), ms(System.nanoTime() - at[3]));
        }
        return committed;
    }

    /**
     * Before the load's transaction, each in a short transaction of its own. The months' partitions of a partitioned
     * table: made inside the load's transaction instead, a new month's partition would hold its creation lock until
     * that load commits, and every other load of the month would wait for it (the load's transaction still checks
     * them, {@link CopyTarget#prepare}, so one dropped meanwhile is made again there). And, when some part may have
     * rows to delete, the BRIN index over blob_path summarised up to the table's end: pages it has not summarised
     * yet match every lookup, so without this each batch of a reload would read all that earlier batches wrote.
     */
    private void beforeTransaction(Connection c, StagingTable table, List<BronzePath> parts) throws SQLException {
        c.setAutoCommit(true);
        CopyTarget target = table.target(c);
        if (target == null) {
            return;
        }
        if (target.partitioned()) {
            target.makePartitions(c, parts);
        }
        Map<String, FileLedger.PartState> states = ledger.states(c, parts.stream().map(BronzePath::path).toList());
        if (parts.stream().anyMatch(p -> FileLedger.mayHaveRows(states, p.path()))) {
            try {
                target.summarizePartIndex(c, parts);
            } catch (SQLException e) {
                // only speed depends on it (the delete finds every row either way): a table converted or a partition
                // dropped meanwhile, for instance
                LOG.warn("Could not summarise the part index of {} before a reload: {}", table, ErrorText.of(e));
            }
        }
    }

    /** Deletes leftovers, copies, marks loaded. Fewer results than parts means the batch must split. */
    private List<PartResult> load(Connection c, CopyTarget table, List<BronzePath> todo,
            Map<String, FileLedger.PartState> states, boolean canSplit)
            throws SQLException, BronzeReadException {
        table.prepare(c, todo);
        table.lockTable(c);
        // read under the parts' locks, in this transaction: what the delete decision rests on
        table.deleteRows(c, todo.stream().filter(p -> FileLedger.mayHaveRows(states, p.path())).toList());
        List<Counts> counts = copy(c, table, todo, canSplit);
        if (counts == null) {
            return List.of();
        }
        List<PartResult> out = new ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            Counts n = counts.get(i);
            ledger.markLoaded(c, todo.get(i), n.rows(), n.invalid());
            out.add(new PartResult(new FileOutcome(todo.get(i).path(), "loaded", n.rows(), n.invalid(), null),
                    n.bytes()));
        }
        return out;
    }

    private PartResult failUnderLock(Connection c, BronzePath part, String reason) throws SQLException {
        ledger.markFailed(c, part, reason);
        LOG.warn("Bronze part {} failed: {}", part, reason);
        return PartResult.failed(part, reason);
    }

    /** Fast path under a savepoint; falls back to the checked path for a single part. Null means split. */
    private List<Counts> copy(Connection c, CopyTarget table, List<BronzePath> todo, boolean canSplit)
            throws SQLException, BronzeReadException {
        Savepoint sp = c.setSavepoint();
        String why;
        try {
            return copier.copyFast(c, table, todo);
        } catch (FastLineEncoder.LineCheckNeeded e) {
            why = e.getMessage();
        } catch (SQLException e) {
            if (!isLineProblem(e)) {
                throw e;
            }
            why = ErrorText.of(e);
        }
        c.rollback(sp);
        if (canSplit) {
            return null;
        }
        LOG.info("Part {} has lines that need checking ({}); loading it line by line", todo.get(0), firstLine(why));
        return List.of(copier.copyChecked(c, table, todo.get(0)));
    }

    /**
     * Bad input, or a line nested deeper than the server's stack allows (54001): either way one line's
     * fault, which the line-checking path keeps as an invalid row.
     */
    private static boolean isLineProblem(SQLException e) {
        return PgRetry.classify(e) == PgRetry.Kind.BAD_INPUT || "54001".equals(e.getSQLState());
    }

    private static List<PartResult> ordered(List<BronzePath> parts, List<PartResult> out) {
        List<String> order = parts.stream().map(BronzePath::path).toList();
        return out.stream().sorted((a, b) -> Integer.compare(order.indexOf(a.outcome().path()),
                order.indexOf(b.outcome().path()))).toList();
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // a broken connection has nothing left to roll back
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
