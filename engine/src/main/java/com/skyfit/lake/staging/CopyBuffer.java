package com.skyfit.lake.staging;

import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.copy.CopyIn;

/**
 * Collects COPY data into large buffers so the server sees few big writes instead of one per line,
 * and double-buffers them: one buffer goes over the socket on a writer thread while the caller
 * reads, gunzips and encodes into the other. On two cores this keeps the server's COPY busy instead
 * of idle while the client prepares the next chunk. Memory is two buffers.
 */
final class CopyBuffer {
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "staging-copy-writer");
        t.setDaemon(true);
        return t;
    });

    private final CopyIn copy;
    private byte[] buf;
    private byte[] spare;
    private int len;
    private Future<?> pending;
    private long waitedNanos;

    CopyBuffer(CopyIn copy, int capacity) {
        this.copy = copy;
        this.buf = new byte[capacity];
        this.spare = new byte[capacity];
    }

    void put(byte b) throws SQLException {
        if (len == buf.length) {
            flush();
        }
        buf[len++] = b;
    }

    void put(byte[] src) throws SQLException {
        put(src, 0, src.length);
    }

    void put(byte[] src, int off, int n) throws SQLException {
        if (n > buf.length - len) {
            flush();
            if (n > buf.length) {
                awaitPending();
                long start = System.nanoTime();
                copy.writeToCopy(src, off, n);
                waitedNanos += System.nanoTime() - start;
                return;
            }
        }
        System.arraycopy(src, off, buf, len, n);
        len += n;
    }

    /** Writes a non-negative number as ASCII digits. */
    void putInt(int v) throws SQLException {
        if (buf.length - len < 11) {
            flush();
        }
        if (v == 0) {
            buf[len++] = '0';
            return;
        }
        int digits = 0;
        for (int t = v; t > 0; t /= 10) {
            digits++;
        }
        int end = len + digits;
        for (int i = end - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len = end;
    }

    /** Hands the filled buffer to the writer and continues in the other one. */
    void flush() throws SQLException {
        if (len == 0) {
            return;
        }
        awaitPending();
        byte[] full = buf;
        int n = len;
        pending = WRITERS.submit(() -> {
            copy.writeToCopy(full, 0, n);
            return null;
        });
        buf = spare;
        spare = full;
        len = 0;
    }

    long finish() throws SQLException {
        flush();
        awaitPending();
        long start = System.nanoTime();
        try {
            return copy.endCopy();
        } finally {
            waitedNanos += System.nanoTime() - start;
        }
    }

    /** Abandons the COPY (the server discards what it received); safe when already ended by an error. */
    void cancelQuietly() {
        try {
            awaitPending();
        } catch (SQLException ignored) {
            // the write failed; the COPY is cancelled or already over either way
        }
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the transaction is rolled back next, whatever state the COPY was in
        }
    }

    private void awaitPending() throws SQLException {
        if (pending == null) {
            return;
        }
        Future<?> f = pending;
        pending = null;
        long start = System.nanoTime();
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException se) {
                throw se;
            }
            throw new SQLException("writing COPY data failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while writing COPY data", e);
        } finally {
            waitedNanos += System.nanoTime() - start;
        }
    }

    /**
     * Time the caller spent waiting for the server: for the previous buffer to be taken, for a chunk larger than a
     * buffer to be written, and for the end of the COPY. Much of it means the server was the slower side.
     */
    long waitedNanos() {
        return waitedNanos;
    }
}
