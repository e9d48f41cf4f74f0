package com.skyfit.lake.bench;

import com.skyfit.lake.control.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The operating system's page cache between benchmark steps (Linux, as root): written back and dropped, then the
 * next step's input read back in, so each timed step starts from the same state whatever the steps before it left:
 * its staging rows in memory, nothing else.
 *
 * <p>Why: on a virtual machine whose host backs less memory than the guest sees, every page the guest touches beyond
 * that costs tens of microseconds, and the page cache fills the guest's memory with every file a benchmark ever wrote
 * (at 5 M entries, the bronze, staging and core of all the steps before). A step would then be measured on how full
 * the cache happens to be rather than on its own work. Untimed, like the CHECKPOINT before each step.
 */
public final class PageCache {
    private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

    private PageCache() {}

    /** How long a write-back may take: at 5 M entries, with fsync off, gigabytes of dirty pages wait for it. */
    private static final long SYNC_MINUTES = 30;

    /**
     * Drops the page cache once, to learn whether this process may: empty when it could, otherwise why not (not
     * Linux, not root, a read-only /proc/sys, a write-back that failed).
     */
    public static Optional<String> tryDrop() {
        if (!Files.exists(DROP_CACHES)) {
            return Optional.of(DROP_CACHES + " does not exist (dropping the page cache needs Linux)");
        }
        if (!Files.isWritable(DROP_CACHES)) {
            return Optional.of(DROP_CACHES + " is not writable (dropping the page cache needs root)");
        }
        try {
            drop();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Writes dirty pages back ({@code sync}), then drops the clean ones ("1": the page cache, not dentries). */
    static void drop() throws IOException {
        writeBack();
        try {
            Files.writeString(DROP_CACHES, "1");
        } catch (IOException e) {
            throw new IOException("could not write " + DROP_CACHES + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes dirty pages back ({@code sync}) and keeps the cache: a step that writes gigabytes then starts below the
     * kernel's dirty-page limits whatever the steps before it wrote (at 5 M entries a load started with the bronze
     * and the other entities' staging still unwritten was throttled by the kernel, its raw COPY baseline too).
     */
    static void writeBack() throws IOException {
        Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
        try {
            if (!sync.waitFor(SYNC_MINUTES, TimeUnit.MINUTES)) {
                throw new IOException("sync did not finish writing the page cache back within " + SYNC_MINUTES
                        + " minutes");
            }
            if (sync.exitValue() != 0) {
                throw new IOException("sync exited with " + sync.exitValue() + ": "
                        + new String(sync.getInputStream().readAllBytes()).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the page cache back", e);
        }
    }

    /**
     * Reads a staging table back into the page cache: every partition, its TOAST table and the TOAST index (where
     * large raw documents live), and the bronze file ledger a transform joins for each row's read time.
     */
    static long warm(Database db, String stagingTable) throws SQLException {
        try (Connection c = db.connection()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH leaves AS (SELECT relid FROM pg_partition_tree(?::regclass) WHERE isleaf),
                    toasts AS (SELECT reltoastrelid AS oid FROM pg_class WHERE oid IN (SELECT relid FROM leaves)
                                 AND reltoastrelid <> 0),
                    rels AS (SELECT relid AS oid FROM leaves
                             UNION ALL SELECT oid FROM toasts
                             UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM toasts)
                             UNION ALL SELECT 'ops.bronze_files'::regclass
                             UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid = 'ops.bronze_files'::regclass)
                    SELECT coalesce(sum(pg_prewarm(oid, 'read')), 0) FROM rels""")) {
                ps.setString(1, stagingTable);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }
}
