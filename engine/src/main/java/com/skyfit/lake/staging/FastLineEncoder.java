package com.skyfit.lake.staging;

import java.sql.SQLException;

/**
 * Turns the bytes of a JSON-lines part into COPY CSV rows {@code scope, blob_path, line_no, run_id, raw}
 * (and ingestion_date before raw for a partitioned table: {@link CopyTarget})
 * without decoding or copying lines: each line goes to the COPY buffer verbatim behind its lineage
 * prefix. CSV with QUOTE 0x01 and DELIMITER 0x02 passes valid JSON through untouched, because valid
 * JSON never holds a raw control byte; a line that does (or a lone carriage return, which CSV would
 * read as a row end) cannot be valid JSON, so it stops the fast path and the part goes line by line.
 * Blank lines are not records: they are skipped but still counted, so line_no is the physical line.
 * A line longer than the cap also stops the fast path, so only the line-checking path decides what a
 * too-long line becomes, and no line reaches the server unbounded.
 */
final class FastLineEncoder {
    static final byte DELIMITER = 0x02;

    private final CopyBuffer out;
    private final long maxLineBytes;
    private long lineBytes;
    private byte[] head;
    private byte[] tail;
    private int lineNo;
    private boolean inRecord;
    private boolean pendingCr;
    private long rows;
    private long bytes;

    FastLineEncoder(CopyBuffer out, int maxLineBytes) {
        this.out = out;
        this.maxLineBytes = maxLineBytes;
    }

    /** head: the row's columns before the line number; tail: those between it and the JSON (see CopyTarget). */
    void beginPart(byte[] head, byte[] tail) {
        this.head = head;
        this.tail = tail;
        lineNo = 1;
        inRecord = false;
        pendingCr = false;
        rows = 0;
        bytes = 0;
        lineBytes = 0;
    }

    void feed(byte[] b, int off, int n) throws SQLException, LineCheckNeeded {
        bytes += n;
        int end = off + n;
        int seg = -1;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (inRecord && !pendingCr && (c & 0xE0) != 0) {
                // the bulk of a line: no byte below 0x20 (negative bytes are UTF-8 continuations), nothing to decide
                int j = i + 1;
                while (j < end && (b[j] & 0xE0) != 0) {
                    j++;
                }
                if (seg < 0) {
                    seg = i;
                }
                i = j - 1;
                continue;
            }
            if (c == '\n') {
                if (seg >= 0) {
                    put(b, seg, i - seg);
                    seg = -1;
                }
                pendingCr = false;
                endLine();
            } else if (c == '\r') {
                if (seg >= 0) {
                    put(b, seg, i - seg);
                    seg = -1;
                }
                if (pendingCr) {
                    throw new LineCheckNeeded(lineNo, "carriage return inside a line");
                }
                pendingCr = true;
            } else {
                if (pendingCr) {
                    throw new LineCheckNeeded(lineNo, "carriage return inside a line");
                }
                if (c >= 0 && c < 0x20 && c != '\t') {
                    throw new LineCheckNeeded(lineNo, "control byte 0x" + Integer.toHexString(c) + " in a line");
                }
                if (!inRecord) {
                    if (c == ' ' || c == '\t') {
                        continue;
                    }
                    out.put(head);
                    out.putInt(lineNo);
                    out.put(tail);
                    inRecord = true;
                }
                if (seg < 0) {
                    seg = i;
                }
            }
        }
        if (seg >= 0) {
            put(b, seg, end - seg);
        }
    }

    private void put(byte[] b, int off, int n) throws SQLException, LineCheckNeeded {
        lineBytes += n;
        if (lineBytes > maxLineBytes) {
            throw new LineCheckNeeded(lineNo, "line longer than " + maxLineBytes + " bytes");
        }
        out.put(b, off, n);
    }

    /** Ends the part (a last line without a newline still counts) and returns its rows. */
    long endPart() throws SQLException {
        if (inRecord) {
            endLine();
        }
        return rows;
    }

    long bytes() {
        return bytes;
    }

    private void endLine() throws SQLException {
        lineBytes = 0;
        if (inRecord) {
            out.put((byte) '\n');
            rows++;
            inRecord = false;
        }
        lineNo++;
    }

    /** A line the fast path cannot pass through verbatim. */
    static final class LineCheckNeeded extends Exception {
        LineCheckNeeded(int lineNo, String why) {
            super("line " + lineNo + ": " + why, null, false, false);
        }
    }
}
