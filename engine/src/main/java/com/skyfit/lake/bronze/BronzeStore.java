package com.skyfit.lake.bronze;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where bronze parts live: a local folder or an Azure Storage container (ADLS Gen2 or Azurite,
 * both through the Blob API). Paths are relative, '/'-separated, starting with "bronze/".
 * A part becomes visible only when its upload is committed, and a committed part is never
 * overwritten (invariant 1).
 */
public interface BronzeStore {

    /** Starts writing a new part. Nothing is visible at {@code path} until {@link Upload#commit()}. */
    Upload create(String path) throws IOException;

    /** Streams a committed part (compressed bytes as stored). */
    InputStream open(String path) throws IOException;

    boolean exists(String path) throws IOException;

    /** Size in bytes of a committed part. */
    long size(String path) throws IOException;

    /** Committed part paths below a prefix, sorted. */
    List<String> list(String prefix) throws IOException;

    /** Human-readable location for logs and status (never contains a secret). */
    String describe();

    /** An upload in progress: write to {@link #stream()}, then commit or abort. */
    interface Upload extends AutoCloseable {
        OutputStream stream();

        /** Makes the part visible. Fails with {@link PartExistsException} if the path already holds a part. */
        void commit() throws IOException;

        /** Discards whatever was written. Safe to call after commit (then it does nothing). */
        void abort();

        @Override
        default void close() {
            abort();
        }
    }

    /** Raised when a committed part would be overwritten. */
    class PartExistsException extends IOException {
        public PartExistsException(String path) {
            super("Bronze part " + path + " already exists; committed parts are never overwritten");
        }
    }
}
