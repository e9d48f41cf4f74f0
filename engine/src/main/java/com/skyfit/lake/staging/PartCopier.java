package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Streams bronze parts through gunzip into one COPY. Memory is a read buffer, the gunzip window and
 * one COPY buffer, whatever the size of the parts.
 */
final class PartCopier {
    private static final int READ_BUFFER = 64 * 1024;

    private final BronzeStore store;
    private final int copyBufferBytes;

    PartCopier(BronzeStore store, int copyBufferBytes) {
        this.store = store;
        this.copyBufferBytes = copyBufferBytes;
    }

    record Counts(long rows, long invalid, long bytes) {}

    /** Copies the parts verbatim; stops at the first line that needs checking. */
    List<Counts> copyFast(Connection c, StagingTable table, List<BronzePath> parts)
            throws SQLException, FastLineEncoder.LineCheckNeeded, BronzeReadException {
        CopyBuffer out = new CopyBuffer(copyApi(c).copyIn(table.fastCopySql()), copyBufferBytes);
        try {
            FastLineEncoder enc = new FastLineEncoder(out);
            byte[] buf = new byte[READ_BUFFER];
            List<Counts> counts = new ArrayList<>(parts.size());
            long total = 0;
            for (BronzePath part : parts) {
                enc.beginPart(part.scope(), part.path(), part.runId());
                try (InputStream in = open(part)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        enc.feed(buf, 0, n);
                    }
                } catch (IOException e) {
                    throw new BronzeReadException(part, e);
                }
                long rows = enc.endPart();
                total += rows;
                counts.add(new Counts(rows, 0, enc.bytes()));
            }
            long copied = out.finish();
            if (copied != total) {
                throw new SQLException("COPY stored " + copied + " rows but " + total + " lines were sent");
            }
            return counts;
        } finally {
            out.cancelQuietly();
        }
    }

    /** Copies one part line by line, keeping lines that are not valid jsonb as 'invalid' rows. */
    Counts copyChecked(Connection c, StagingTable table, BronzePath part) throws SQLException, BronzeReadException {
        CopyBuffer out = new CopyBuffer(copyApi(c).copyIn(table.checkedCopySql()), copyBufferBytes);
        try {
            SlowLineEncoder enc = new SlowLineEncoder(out);
            try (InputStream in = open(part)) {
                enc.encode(in, part.scope(), part.path(), part.runId());
            } catch (IOException e) {
                throw new BronzeReadException(part, e);
            }
            out.finish();
            return new Counts(enc.rows(), enc.invalid(), enc.bytes());
        } finally {
            out.cancelQuietly();
        }
    }

    private InputStream open(BronzePath part) throws IOException {
        InputStream raw = store.open(part.path());
        try {
            return new GZIPInputStream(raw, READ_BUFFER);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static CopyManager copyApi(Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getCopyAPI();
    }

    /** A part that cannot be read to its end: missing, corrupt or truncated. Not worth a retry. */
    static final class BronzeReadException extends Exception {
        BronzeReadException(BronzePath part, IOException cause) {
            super(describe(cause), cause);
        }

        private static String describe(IOException e) {
            String what;
            if (e instanceof NoSuchFileException || e instanceof FileNotFoundException) {
                what = "bronze part not found";
            } else if (e instanceof ZipException) {
                what = "bronze part is not valid gzip (corrupt)";
            } else if (e instanceof EOFException) {
                what = "bronze part is truncated (gzip stream ends early)";
            } else {
                what = "bronze part could not be read";
            }
            return what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
