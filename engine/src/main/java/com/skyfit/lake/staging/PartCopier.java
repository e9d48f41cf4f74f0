package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.control.ErrorText;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams bronze parts through gunzip into one COPY. Memory is a read buffer, the gunzip window and
 * one COPY buffer, whatever the size of the parts; a part stops at {@link LoaderOptions#maxPartBytes()}
 * uncompressed bytes, so not even a gzip bomb streams without end.
 */
final class PartCopier {
    private static final Logger LOG = LoggerFactory.getLogger(PartCopier.class);
    private static final int READ_BUFFER = 64 * 1024;

    private final BronzeStore store;
    private final LoaderOptions options;

    PartCopier(BronzeStore store, LoaderOptions options) {
        this.store = store;
        this.options = options;
    }

    record Counts(long rows, long invalid, long bytes) {}

    /** Copies the parts verbatim; stops at the first line that needs checking. */
    List<Counts> copyFast(Connection c, CopyTarget table, List<BronzePath> parts)
            throws SQLException, FastLineEncoder.LineCheckNeeded, BronzeReadException {
        long start = System.nanoTime();
        CopyBuffer out = new CopyBuffer(copyApi(c).copyIn(table.fastCopySql()), options.copyBufferBytes());
        try {
            FastLineEncoder enc = new FastLineEncoder(out, options.maxLineBytes());
            byte[] buf = new byte[READ_BUFFER];
            List<Counts> counts = new ArrayList<>(parts.size());
            long total = 0;
            for (BronzePath part : parts) {
                enc.beginPart(table.head(part), table.tail(part));
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
            if (LOG.isDebugEnabled()) {
                LOG.debug("COPY of {} parts into {}: {} rows, {} ms, {} ms of it waiting for the server",
                        parts.size(), table.table(), copied, (System.nanoTime() - start) / 1_000_000,
                        out.waitedNanos() / 1_000_000);
            }
            return counts;
        } finally {
            out.cancelQuietly();
        }
    }

    /** Copies one part line by line, keeping lines that are not valid jsonb as 'invalid' rows. */
    Counts copyChecked(Connection c, CopyTarget table, BronzePath part) throws SQLException, BronzeReadException {
        CopyBuffer out = new CopyBuffer(copyApi(c).copyIn(table.checkedCopySql()), options.copyBufferBytes());
        try {
            SlowLineEncoder enc = new SlowLineEncoder(out, options.maxLineBytes());
            try (InputStream in = open(part)) {
                enc.encode(in, table.head(part), table.tail(part));
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
        InputStream raw = new Guarded(store.open(part.path()), Long.MAX_VALUE);
        try {
            return new Guarded(new GZIPInputStream(raw, READ_BUFFER), options.maxPartBytes());
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static CopyManager copyApi(Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getCopyAPI();
    }

    /**
     * A part that cannot be read to its end. Transient when the bytes could not be fetched (storage
     * unreachable, throttled, a connection reset): the next attempt may succeed. Permanent when the
     * bytes themselves are wrong (missing, corrupt, truncated, too large): no attempt will.
     */
    static final class BronzeReadException extends Exception {
        private final boolean transientFailure;

        BronzeReadException(BronzePath part, IOException cause) {
            super(describe(cause), cause);
            this.transientFailure = !(cause instanceof NoSuchFileException || cause instanceof FileNotFoundException
                    || cause instanceof ZipException || cause instanceof EOFException
                    || cause instanceof PartTooLargeException);
        }

        boolean isTransient() {
            return transientFailure;
        }

        private static String describe(IOException e) {
            String what;
            if (e instanceof NoSuchFileException || e instanceof FileNotFoundException) {
                what = "bronze part not found";
            } else if (e instanceof ZipException) {
                what = "bronze part is not valid gzip (corrupt)";
            } else if (e instanceof EOFException) {
                what = "bronze part is truncated (gzip stream ends early)";
            } else if (e instanceof PartTooLargeException) {
                return e.getMessage();
            } else {
                what = "bronze part could not be read";
            }
            return what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static final class PartTooLargeException extends IOException {
        PartTooLargeException(long limit) {
            super("bronze part holds more than " + limit + " bytes uncompressed, the limit "
                    + LoaderOptions.MAX_PART_BYTES + " sets; raise it to load this part");
        }
    }

    /**
     * Counts what is read against a limit, and turns the unchecked exceptions a storage SDK may throw
     * mid-stream into IOExceptions, so one part's read failure stays that part's.
     */
    private static final class Guarded extends FilterInputStream {
        private final long limit;
        private long read;

        Guarded(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (RuntimeException e) {
                // SDK messages may quote a request URL: credentials masked all the same
                throw new IOException("storage read failed: " + e.getClass().getSimpleName() + ": "
                        + ErrorText.forDisplay(e.getMessage()), e);
            }
            if (n > 0) {
                read += n;
                if (read > limit) {
                    throw new PartTooLargeException(limit);
                }
            }
            return n;
        }
    }
}
