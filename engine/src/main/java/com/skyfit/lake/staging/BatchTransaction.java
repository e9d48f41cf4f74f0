package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
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
 * One attempt at loading a batch of parts of one staging table, in one transaction on its own
 * connection: lock, skip what is loaded, delete leftovers, COPY, mark the ledger, commit. Safe to
 * repeat whole after any failure, which is what the retry in {@link StagingLoader} relies on.
 */
final class BatchTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(BatchTransaction.class);

    private final Database db;
    private final PartCopier copier;

    BatchTransaction(Database db, PartCopier copier) {
        this.db = db;
        this.copier = copier;
    }

    /**
     * One transaction over the parts. Returns null when a batch must be split: one of its parts needs
     * the line-checking path or cannot be read, and that should not hold back the others.
     */
    List<PartResult> run(StagingTable table, List<BronzePath> parts, boolean force, boolean canSplit)
            throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                List<String> paths = parts.stream().map(BronzePath::path).toList();
                FileLedger.lock(c, paths);
                Map<String, String> status = FileLedger.statuses(c, paths);
                List<PartResult> out = new ArrayList<>();
                List<BronzePath> todo = new ArrayList<>();
                for (BronzePath p : parts) {
                    if (!force && "loaded".equals(status.get(p.path()))) {
                        out.add(new PartResult(new FileOutcome(p.path(), "skipped", 0, 0, null), 0));
                    } else {
                        todo.add(p);
                    }
                }
                if (!todo.isEmpty() && !table.exists(c)) {
                    for (BronzePath p : todo) {
                        FileLedger.markFailed(c, p, table.missingReason());
                        out.add(PartResult.failed(p, table.missingReason()));
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
                        out.add(new PartResult(new FileOutcome(todo.get(i).path(), "loaded", n.rows(), n.invalid(), null),
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
                return List.of(PartResult.failed(parts.get(0), e.getMessage()));
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

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
