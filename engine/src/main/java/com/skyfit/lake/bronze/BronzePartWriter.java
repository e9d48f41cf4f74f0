package com.skyfit.lake.bronze;

import com.skyfit.lake.control.FileLedger;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Streams the records of one window of one run of one entity into bronze parts: one verbatim API record
 * per line, gzip on the fly, a new part whenever one reaches {@link PartLimits}. Each part is committed
 * (made visible) whole, then recorded in ops.bronze_files. Memory stays bounded whatever the volume: a
 * 64 KiB line buffer, the deflater, and the store's own upload buffer. Not thread-safe: one writer per window.
 *
 * <p><b>Part numbers.</b> The caller gives each window its own range of part numbers ({@link #forWindow}
 * uses window k -> parts k*1000 .. k*1000+999), so parallel windows of a run never compete for a name.
 *
 * <p><b>Retries.</b> A retried extract of the same (run, window) cannot reproduce the first attempt's parts
 * byte for byte (the source may have changed meanwhile), and committed parts are never overwritten or
 * deleted. So the rule is: a new writer first looks at what the range already holds, in the store (the
 * truth) and on the ledger, and writes into the next unused numbers of the range. Parts of the earlier
 * attempt stay; records appearing twice are harmless because loading a part is idempotent and the core
 * transforms dedupe by primary key. A part committed by a crashed attempt whose ledger row never got
 * written is measured and recorded then, so the ledger again lists every part (invariant 7).
 *
 * <p><b>Visible before recorded.</b> A part is visible the moment it is committed, so its blob event can
 * load it and create its ledger row before this writer records it. Recording then fills the writer's
 * columns (records, bytes, sha256, window) into that row and leaves the load's status alone.
 */
public final class BronzePartWriter implements AutoCloseable {
    public static final int PARTS_PER_WINDOW = 1000;
    private static final int LINE_BUFFER = 64 * 1024;

    private final BronzeStore store;
    private final FileLedger ledger;
    private final BronzePath first;
    private final int endPart;
    private final Instant windowStart;
    private final Instant windowEnd;
    private final PartLimits limits;
    private final List<BronzePart> committed = new ArrayList<>();
    private int nextPart;
    private OpenPart open;
    private boolean closed;

    private BronzePartWriter(BronzeStore store, FileLedger ledger, BronzePath first, int maxParts, Instant windowStart,
            Instant windowEnd, PartLimits limits) {
        this.store = store;
        this.ledger = ledger;
        this.first = first;
        this.endPart = first.part() + maxParts;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.limits = limits;
        this.nextPart = first.part();
    }

    /**
     * A writer for part numbers {@code first.part()} .. {@code first.part() + maxParts - 1} of first's run
     * folder, continuing after whatever an earlier attempt left in that range.
     */
    public static BronzePartWriter open(BronzeStore store, FileLedger ledger, BronzePath first, int maxParts,
            Instant windowStart, Instant windowEnd, PartLimits limits) throws IOException {
        if (maxParts < 1) {
            throw new IllegalArgumentException("maxParts must be positive, got " + maxParts);
        }
        BronzePartWriter writer = new BronzePartWriter(store, ledger, first, maxParts, windowStart, windowEnd, limits);
        writer.resume();
        return writer;
    }

    /** The writer for window number {@code windowIndex} (0-based) of the run that {@code run} names. */
    public static BronzePartWriter forWindow(BronzeStore store, FileLedger ledger, BronzePath run, int windowIndex,
            Instant windowStart, Instant windowEnd, PartLimits limits) throws IOException {
        if (windowIndex < 0 || windowIndex > Integer.MAX_VALUE / PARTS_PER_WINDOW - 1) {
            throw new IllegalArgumentException("window index out of range: " + windowIndex);
        }
        return open(store, ledger, run.withPart(windowIndex * PARTS_PER_WINDOW), PARTS_PER_WINDOW, windowStart,
                windowEnd, limits);
    }

    private void resume() throws IOException {
        Set<String> onLedger = new HashSet<>();
        for (BronzePart p : ledgerCall(() -> ledger.partsOf(first.runId()))) {
            noteUsed(p.path());
            if (p.sha256() != null) {
                onLedger.add(p.path()); // a row the loader created first lacks the writer's facts: measured below
            }
        }
        for (String path : store.list(first.runFolder())) {
            if (noteUsed(path) && !onLedger.contains(path)) {
                BronzePart adopted = PartDigest.measure(store, path);
                ledgerCall(() -> ledger.recordWritten(BronzePath.parse(path), adopted, windowStart, windowEnd));
            }
        }
    }

    /** Moves nextPart past a part of this writer's range; true if the path is in the range. */
    private boolean noteUsed(String path) {
        if (!BronzePath.isBronzePart(path)) {
            return false;
        }
        BronzePath p = BronzePath.parse(path);
        boolean mine = p.runFolder().equals(first.runFolder()) && p.part() >= first.part() && p.part() < endPart;
        if (mine) {
            nextPart = Math.max(nextPart, p.part() + 1);
        }
        return mine;
    }

    /** Appends one record. The line is stored verbatim followed by '\n', so it must not contain one. */
    public void write(byte[] jsonLine) throws IOException {
        if (closed) {
            throw new IllegalStateException("bronze writer for " + first.runFolder() + " is already closed");
        }
        if (jsonLine.length == 0) {
            throw new IllegalArgumentException("an empty line is not a record");
        }
        for (byte b : jsonLine) {
            if (b == '\n') {
                throw new IllegalArgumentException("a bronze record must be one line; this one contains a line break");
            }
        }
        try {
            if (open != null && (open.records >= limits.maxRecords()
                    || open.uncompressed + jsonLine.length + 1 > limits.maxUncompressedBytes())) {
                commitOpenPart();
            }
            if (open == null) {
                open = startPart();
            }
            open.lines.write(jsonLine);
            open.lines.write('\n');
            open.records++;
            open.uncompressed += jsonLine.length + 1;
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Commits the last part and returns the parts this writer committed, in order. */
    public List<BronzePart> finish() throws IOException {
        if (closed) {
            throw new IllegalStateException("bronze writer for " + first.runFolder() + " is already closed");
        }
        try {
            if (open != null) {
                commitOpenPart();
            }
            closed = true;
            return List.copyOf(committed);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Discards the part being written; parts already committed stay (they are complete and on the ledger). */
    public void abort() {
        closed = true;
        if (open != null) {
            open.upload.abort();
            open = null;
        }
    }

    /** Without a preceding {@link #finish()}, this aborts: an unfinished part never becomes visible. */
    @Override
    public void close() {
        abort();
    }

    /** Parts committed so far. */
    public List<BronzePart> committed() {
        return List.copyOf(committed);
    }

    private OpenPart startPart() throws IOException {
        if (nextPart >= endPart) {
            throw new IOException("window of " + first.runFolder() + " used all part numbers " + first.part() + ".."
                    + (endPart - 1) + "; raise " + PartLimits.MAX_RECORDS + " / " + PartLimits.MAX_BYTES);
        }
        BronzePath path = first.withPart(nextPart++);
        return new OpenPart(path, store.create(path.path()));
    }

    private void commitOpenPart() throws IOException {
        OpenPart part = open;
        part.lines.flush();
        part.gzip.finish();
        part.stored.flush();
        part.upload.commit();
        open = null;
        BronzePart done = new BronzePart(part.path.path(), part.records, part.stored.count(), part.stored.sha256Hex());
        committed.add(done);
        ledgerCall(() -> ledger.recordWritten(part.path, done, windowStart, windowEnd));
    }

    private interface LedgerCall<T> {
        T call() throws SQLException;
    }

    private <T> T ledgerCall(LedgerCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (SQLException e) {
            throw new IOException("Could not update ops.bronze_files for " + first.runFolder() + " (SQLSTATE "
                    + e.getSQLState() + ")", e);
        }
    }

    /** One part being written: lines -> gzip -> digest and count -> the store's upload stream. */
    private static final class OpenPart {
        final BronzePath path;
        final BronzeStore.Upload upload;
        final PartDigest.DigestingOutputStream stored;
        final GZIPOutputStream gzip;
        final OutputStream lines;
        long records;
        long uncompressed;

        OpenPart(BronzePath path, BronzeStore.Upload upload) throws IOException {
            this.path = path;
            this.upload = upload;
            this.stored = new PartDigest.DigestingOutputStream(upload.stream());
            this.gzip = new GZIPOutputStream(stored, LINE_BUFFER);
            this.lines = new BufferedOutputStream(gzip, LINE_BUFFER);
        }
    }
}
