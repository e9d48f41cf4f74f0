package com.skyfit.lake.bench;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.control.Database;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.postgresql.PGConnection;

/**
 * The staging loader's same-run baseline: the same bronze lines, with the same lineage columns (and, for a table
 * partitioned by ingestion month, the same ingestion_date), already
 * uncompressed and split into as many files as the loader opens COPY streams, each COPYed on its own connection
 * into a plain table of the staging table's columns (its defaults and identity, none of its indexes,
 * constraints or partitions). What the loader does beyond that (gunzip, the line scan, the unique line key, the
 * ledger, partition routing) is what the ratio prices.
 *
 * <p>Preparing the files is not timed; {@link #copy()} is.
 */
public final class CopyBaseline {
    private static final byte DELIMITER = 0x02;
    private static final String COPY_OPTIONS = "(FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')";

    private final Database db;
    private final String stagingTable;
    private final String plainTable;
    private final List<Path> files;
    private final long lines;
    private final long bytes;
    private final boolean dated;

    private CopyBaseline(Database db, String stagingTable, String plainTable, List<Path> files, long lines, long bytes,
            boolean dated) {
        this.dated = dated;
        this.db = db;
        this.stagingTable = stagingTable;
        this.plainTable = plainTable;
        this.files = files;
        this.lines = lines;
        this.bytes = bytes;
    }

    /**
     * Writes the parts' lines into {@code streams} plain files under the folder (parts dealt round-robin, so the
     * streams carry about equal shares) and creates the empty plain table {@code bench.<entity>_copy}.
     *
     * @param stagingTable e.g. stg_evo.entries_raw: the table whose columns the plain table copies
     */
    public static CopyBaseline prepare(Database db, BronzeStore store, List<String> parts, String stagingTable,
            int streams, Path folder) throws IOException, SQLException {
        String entity = stagingTable.substring(stagingTable.indexOf('.') + 1).replace("_raw", "");
        String plain = "bench." + entity + "_copy";
        Files.createDirectories(folder);
        boolean dated = hasIngestionDate(db, stagingTable);
        int n = Math.max(1, Math.min(streams, parts.size()));
        List<Path> files = new ArrayList<>();
        List<OutputStream> outs = new ArrayList<>();
        long lines = 0;
        long bytes = 0;
        try {
            for (int i = 0; i < n; i++) {
                Path f = folder.resolve(entity + "-" + i + ".csv");
                files.add(f);
                outs.add(new BufferedOutputStream(Files.newOutputStream(f), 1 << 20));
            }
            for (int p = 0; p < parts.size(); p++) {
                BronzePath part = BronzePath.parse(parts.get(p));
                OutputStream out = outs.get(p % n);
                byte[] head = (part.scope() + (char) DELIMITER + part.path() + (char) DELIMITER)
                        .getBytes(StandardCharsets.UTF_8);
                byte[] tail = ((char) DELIMITER + part.runId() + (char) DELIMITER
                        + (dated ? part.ingestionDate() + String.valueOf((char) DELIMITER) : ""))
                        .getBytes(StandardCharsets.UTF_8);
                try (InputStream in = new BufferedInputStream(new GZIPInputStream(store.open(part.path()), 1 << 16),
                        1 << 16)) {
                    LineCounts c = copyLines(in, out, head, tail);
                    lines += c.lines();
                    bytes += c.bytes();
                }
            }
        } finally {
            for (OutputStream o : outs) {
                o.close();
            }
        }
        // written back now, not during the timed COPY
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        CopyBaseline baseline = new CopyBaseline(db, stagingTable, plain, List.copyOf(files), lines, bytes, dated);
        baseline.recreateTable();
        return baseline;
    }

    /** Not timed: the plain table, empty, for the next {@link #copy()}. */
    public void recreateTable() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS bench");
            st.execute("DROP TABLE IF EXISTS " + plainTable);
            st.execute("CREATE TABLE " + plainTable + " (LIKE " + stagingTable
                    + " INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED)");
        }
    }

    /** Removes the files; the table stays (for inspection). */
    public void deleteFiles() throws IOException {
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }

    private record LineCounts(long lines, long bytes) {}

    private static boolean hasIngestionDate(Database db, String table) throws SQLException {
        try (Connection c = db.connection(); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ?::regclass AND attname = 'ingestion_date' "
                        + "AND NOT attisdropped)")) {
            ps.setString(1, table);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Non-blank lines, each as one CSV row: scope, blob_path, line_no (physical, from 1), run_id, raw. */
    private static LineCounts copyLines(InputStream in, OutputStream out, byte[] head, byte[] tail) throws IOException {
        byte[] buf = new byte[1 << 16];
        byte[] line = new byte[1 << 16];
        int len = 0;
        int lineNo = 0;
        long lines = 0;
        long bytes = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] != '\n') {
                    continue;
                }
                line = append(line, len, buf, from, i - from);
                len += i - from;
                from = i + 1;
                lineNo++;
                if (len > 0) {
                    writeRow(out, head, lineNo, tail, line, len);
                    lines++;
                    bytes += len + 1;
                }
                len = 0;
            }
            line = append(line, len, buf, from, n - from);
            len += n - from;
        }
        if (len > 0) {
            writeRow(out, head, lineNo + 1, tail, line, len);
            lines++;
            bytes += len + 1;
        }
        return new LineCounts(lines, bytes);
    }

    private static byte[] append(byte[] line, int len, byte[] src, int from, int n) {
        byte[] to = len + n <= line.length ? line : java.util.Arrays.copyOf(line, Math.max(line.length * 2, len + n));
        System.arraycopy(src, from, to, len, n);
        return to;
    }

    private static void writeRow(OutputStream out, byte[] head, int lineNo, byte[] tail, byte[] line, int len)
            throws IOException {
        out.write(head);
        out.write(Integer.toString(lineNo).getBytes(StandardCharsets.US_ASCII));
        out.write(tail);
        out.write(line, 0, len);
        out.write('\n');
    }

    public long lines() {
        return lines;
    }

    /** Bytes of JSON (with newlines) the baseline moves: the same as the loader's uncompressed parts. */
    public long jsonBytes() {
        return bytes;
    }

    public String plainTable() {
        return plainTable;
    }

    public int streams() {
        return files.size();
    }

    /** The timed part: every file COPYed at once, one connection each. Returns the rows PostgreSQL stored. */
    public long copy() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(files.size(), r -> {
            Thread t = new Thread(r, "copy-baseline");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (Path f : files) {
                futures.add(pool.submit(() -> copyFile(f)));
            }
            long rows = 0;
            for (Future<Long> f : futures) {
                rows += f.get();
            }
            if (rows != lines) {
                throw new IllegalStateException("baseline COPY into " + plainTable + " stored " + rows + " of " + lines
                        + " lines of " + stagingTable);
            }
            return rows;
        } finally {
            pool.shutdownNow();
        }
    }

    private long copyFile(Path f) throws SQLException, IOException {
        try (Connection c = db.connection(); InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 20)) {
            c.setAutoCommit(true);
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + plainTable + " (scope, blob_path, line_no, "
                    + "run_id" + (dated ? ", ingestion_date" : "") + ", raw) FROM STDIN " + COPY_OPTIONS, in, 1 << 20);
        }
    }

    /**
     * Drops the plain table: nothing reads it after the timing, and at the larger sizes it would hold gigabytes of
     * the machine's memory in the page cache while the steps after are measured. The next round recreates it.
     */
    public void dropTable() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + plainTable);
        }
    }
}
