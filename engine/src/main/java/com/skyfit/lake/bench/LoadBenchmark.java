package com.skyfit.lake.bench;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.postgresql.PGConnection;

/**
 * The load half of the benchmark: N EVO-sale-like records go into bronze parts, then (a) the staging
 * loader moves them into stg_evo.sales_raw and (b) a baseline COPYs the same records, already
 * uncompressed, into a bare {@code bench.sales_copy (raw jsonb)}. The ratio a/b says what the loader's
 * streaming, lineage, unique key and ledger cost over COPY itself.
 *
 * <p>Benchmark rows use scope {@value #SCOPE}; earlier benchmark rows are removed before measuring, and
 * the loaded rows are left in staging for the transform half to use.
 */
public final class LoadBenchmark {
    public static final String SCOPE = "bench";
    public static final int RECORDS_PER_PART = 10_000;
    private static final String BASELINE_TABLE = "bench.sales_copy";

    private final Database db;
    private final BronzeStore store;
    private final Path scratch;
    private final LoaderOptions options;

    /**
     * @param store   where the generated parts go (a scratch store, never the production bronze)
     * @param scratch a folder for the uncompressed copy the baseline reads
     */
    public LoadBenchmark(Database db, BronzeStore store, Path scratch, LoaderOptions options) {
        this.db = db;
        this.store = store;
        this.scratch = scratch;
        this.options = options;
    }

    public BenchResult runLoad(int records) {
        try {
            Files.createDirectories(scratch);
            Path plain = scratch.resolve("sales-" + records + ".jsonl");
            Generated g = generate(records, plain);
            // the generated files' dirty pages would otherwise be written back during the timed phases
            try (FileChannel ch = FileChannel.open(plain, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            prepare(g.parts());

            BenchResult.Phase load;
            try (HeapSampler heap = new HeapSampler()) {
                long t0 = System.nanoTime();
                LoadResult r = new StagingLoader(db, store, options).load(g.parts(), true);
                double s = (System.nanoTime() - t0) / 1e9;
                if (r.filesFailed() > 0 || r.rowsLoaded() != records) {
                    throw new IllegalStateException("benchmark load went wrong: " + r.files());
                }
                load = new BenchResult.Phase("load", records, g.jsonBytes(), s, heap.peakBytes());
            }

            checkpoint();
            BenchResult.Phase baseline;
            try (HeapSampler heap = new HeapSampler()) {
                long t0 = System.nanoTime();
                long rows = copyPlain(plain);
                double s = (System.nanoTime() - t0) / 1e9;
                if (rows != records) {
                    throw new IllegalStateException("baseline COPY stored " + rows + " of " + records + " records");
                }
                baseline = new BenchResult.Phase("load_baseline", records, g.jsonBytes(), s, heap.peakBytes());
            }
            Files.deleteIfExists(plain);
            return new BenchResult(records, g.jsonBytes(), load, baseline);
        } catch (IOException e) {
            throw new UncheckedIOException("benchmark scratch files under " + scratch + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("benchmark SQL failed: " + e.getMessage(), e);
        }
    }

    private record Generated(List<String> parts, long jsonBytes) {}

    /** Writes the bronze parts (skipping parts already there: content is deterministic) and the plain file. */
    private Generated generate(int records, Path plain) throws IOException {
        List<String> parts = new ArrayList<>();
        long bytes = 0;
        BronzePath first = new BronzePath("evo", SCOPE, "sales", LocalDate.of(2024, 1, 1), "bench-" + records, 0);
        try (OutputStream flat = new BufferedOutputStream(Files.newOutputStream(plain), 1 << 20)) {
            for (int p = 0; p * (long) RECORDS_PER_PART < records; p++) {
                String path = first.withPart(p).path();
                parts.add(path);
                int from = p * RECORDS_PER_PART;
                int to = Math.min(records, from + RECORDS_PER_PART);
                boolean write = !store.exists(path);
                try (BronzeStore.Upload up = write ? store.create(path) : null;
                        OutputStream gz = write ? new GZIPOutputStream(up.stream(), 1 << 16) : OutputStream.nullOutputStream()) {
                    for (int i = from; i < to; i++) {
                        byte[] line = SaleGenerator.sale(i);
                        gz.write(line);
                        gz.write('\n');
                        flat.write(line);
                        flat.write('\n');
                        bytes += line.length + 1;
                    }
                    if (gz instanceof GZIPOutputStream g) {
                        g.finish(); // the upload owns its stream: end the gzip, commit closes it
                    }
                    if (write) {
                        up.commit();
                    }
                }
            }
        }
        return new Generated(parts, bytes);
    }

    /** Removes earlier benchmark rows so each run measures the same work, and resets the baseline table. */
    private void prepare(List<String> parts) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM stg_evo.sales_raw WHERE scope = '" + SCOPE + "'");
            st.execute("DELETE FROM ops.bronze_files WHERE source = 'evo' AND scope = '" + SCOPE + "'");
            st.execute("CREATE SCHEMA IF NOT EXISTS bench");
            st.execute("DROP TABLE IF EXISTS " + BASELINE_TABLE);
            st.execute("CREATE TABLE " + BASELINE_TABLE + " (raw jsonb)");
            st.execute("VACUUM stg_evo.sales_raw");
        }
        checkpoint();
    }

    /** A checkpoint left over from the previous phase would otherwise land in the next one's timing. */
    private void checkpoint() {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            // needs superuser or pg_checkpoint; without it the numbers are just noisier
        }
    }

    private long copyPlain(Path plain) throws SQLException, IOException {
        try (Connection c = db.connection(); InputStream in = new BufferedInputStream(Files.newInputStream(plain), 1 << 20)) {
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + BASELINE_TABLE
                    + " (raw) FROM STDIN (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')", in, 1 << 20);
        }
    }

    /**
     * Manual run: {@code LoadBenchmark [records] [folder] [parallelism]} starts an embedded PostgreSQL
     * under the folder (default target/bench) and prints the measurements.
     */
    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        Path dir = Path.of(args.length > 1 ? args[1] : "target/bench").toAbsolutePath();
        try (Database db = Database.embedded(dir.resolve("pg"))) {
            db.migrate();
            LoadBenchmark bench = new LoadBenchmark(db, new LocalBronzeStore(dir.resolve("store")), dir.resolve("scratch"),
                    args.length > 2 ? LoaderOptions.defaults().withParallelism(Integer.parseInt(args[2]))
                            : LoaderOptions.defaults());
            BenchResult r = bench.runLoad(records);
            System.out.printf("records %,d, JSON %.1f MB (%.0f bytes/record), max heap %d MB%n", r.records(),
                    r.jsonBytes() / 1e6, (double) r.jsonBytes() / r.records(), Runtime.getRuntime().maxMemory() >> 20);
            System.out.println(r.load().describe());
            System.out.println(r.loadBaseline().describe());
            System.out.println("bench: " + r.summary());
        }
    }
}
