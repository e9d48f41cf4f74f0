package com.skyfit.lake.staging;

import java.sql.SQLException;
import org.postgresql.copy.CopyIn;

/** Collects COPY data into one large buffer, so the server sees few big writes instead of one per line. */
final class CopyBuffer {
    private final CopyIn copy;
    private final byte[] buf;
    private int len;

    CopyBuffer(CopyIn copy, int capacity) {
        this.copy = copy;
        this.buf = new byte[capacity];
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
                copy.writeToCopy(src, off, n);
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

    void flush() throws SQLException {
        if (len > 0) {
            copy.writeToCopy(buf, 0, len);
            len = 0;
        }
    }

    long finish() throws SQLException {
        flush();
        return copy.endCopy();
    }

    /** Abandons the COPY (the server rolls back what it received); safe when already ended by an error. */
    void cancelQuietly() {
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the transaction is rolled back to its savepoint next, whatever state the COPY was in
        }
    }
}
