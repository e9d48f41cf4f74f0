package com.skyfit.lake.bronze;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/** The sha256 and counts of bronze parts: computed while writing, and re-measured from the store. */
public final class PartDigest {
    private static final int BUFFER = 64 * 1024;

    private PartDigest() {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Reads a committed part back, streaming: sha256 and size of the stored (compressed) bytes, and the
     * number of lines inside. Used to adopt a part whose ledger row was lost and to verify parts.
     */
    public static BronzePart measure(BronzeStore store, String path) throws IOException {
        MessageDigest sha = sha256();
        long records = 0;
        long[] stored = new long[1];
        try (InputStream raw = store.open(path);
                InputStream counted = new CountingInputStream(new DigestInputStream(raw, sha), stored);
                InputStream lines = new GZIPInputStream(counted, BUFFER)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = lines.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        records++;
                    }
                }
            }
            // drain anything after the gzip trailer so the digest covers every stored byte
            while (counted.read(buf) > 0) {
                // counting only
            }
        }
        return new BronzePart(path, records, stored[0], hex(sha));
    }

    /** Passes bytes through while feeding a digest and counting them. */
    static final class DigestingOutputStream extends FilterOutputStream {
        private final MessageDigest digest = sha256();
        private long count;

        DigestingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }

        String sha256Hex() {
            return hex(digest);
        }
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        private final long[] count;

        CountingInputStream(InputStream in, long[] count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count[0]++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count[0] += n;
            }
            return n;
        }
    }
}
