package com.skyfit.lake.bronze;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
import com.skyfit.lake.testing.Azurite;
import com.skyfit.lake.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A part is visible the moment it is committed, so its blob event may load it before the writer records
 * it. Whichever comes first, the ledger row ends with the writer's facts and the loader's status.
 */
class PartVisibleBeforeRecordedIT {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Instant FROM = Instant.parse("2024-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2024-03-02T00:00:00Z");
    private static Database db;
    private static FileLedger ledger;

    @BeforeAll
    static void database() {
        db = TestPostgres.newDatabase();
        ledger = new FileLedger(db);
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    static Stream<Named<Supplier<BronzeStore>>> stores() {
        return Stream.of(
                Named.of("local", () -> {
                    try {
                        Path root = Path.of("target", "bronze-it");
                        Files.createDirectories(root);
                        return new LocalBronzeStore(Files.createTempDirectory(root.toAbsolutePath(), "visible"));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }),
                Named.of("azurite", () -> BronzeStores.open(Settings.of(Map.of(Settings.BRONZE_URL,
                        Azurite.get().containerUrl("visible-it-" + ProcessHandle.current().pid() + "-"
                                + RUNS.incrementAndGet()))))));
    }

    private static BronzePath newRun() {
        return new BronzePath("pipedrive", "company-a", "deals", LocalDate.of(2024, 3, 9), "vis-" + RUNS.incrementAndGet(), 0);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void theBlobEventLoadsThePartBeforeTheWriterRecordsIt(Supplier<BronzeStore> stores) throws Exception {
        BronzeStore real = stores.get();
        StagingLoader loader = new StagingLoader(db, real, LoaderOptions.defaults());
        BlobEvents store = new BlobEvents(real, loader);
        BronzePath run = newRun();

        List<BronzePart> parts = write(store, run, 25);

        assertThat(store.loaded).hasSize(3).allSatisfy(r -> assertThat(r.filesLoaded()).isEqualTo(1));
        assertComplete(parts);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void theWriterRecordsThePartBeforeTheLoaderLoadsIt(Supplier<BronzeStore> stores) throws Exception {
        BronzeStore store = stores.get();
        BronzePath run = newRun();

        List<BronzePart> parts = write(store, run, 25);
        LoadResult result = new StagingLoader(db, store, LoaderOptions.defaults())
                .load(parts.stream().map(BronzePart::path).toList(), false);

        assertThat(result.filesLoaded()).isEqualTo(3);
        assertComplete(parts);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aRetriedWindowFillsTheRowOfAPartLoadedBeforeItsWriterCrashed(Supplier<BronzeStore> stores) throws Exception {
        BronzeStore store = stores.get();
        BronzePath run = newRun();
        // the writer committed a part and died before recording it; the blob event loaded it meanwhile
        try (BronzeStore.Upload up = store.create(run.path())) {
            java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(up.stream());
            gz.write("{\"id\":1}\n{\"id\":2}\n".getBytes(UTF_8));
            gz.finish();
            up.commit();
        }
        new StagingLoader(db, store, LoaderOptions.defaults()).load(List.of(run.path()), false);

        try (BronzePartWriter writer = BronzePartWriter.open(store, ledger, run, 1000, FROM, TO, new PartLimits(10, 1 << 20))) {
            writer.write("{\"id\":3}".getBytes(UTF_8));
            writer.finish();
        }

        BronzePart adopted = PartDigest.measure(store, run.path());
        Map<String, Object> row = row(run.path());
        assertThat(row).containsEntry("status", "loaded").containsEntry("staging_rows", 2L).containsEntry("records", 2L)
                .containsEntry("bytes", adopted.bytes()).containsEntry("sha256", adopted.sha256());
        assertThat(row.get("written_at")).isNotNull();
        assertThat(ledger.partsOf(run.runId())).hasSize(2);
    }

    private static List<BronzePart> write(BronzeStore store, BronzePath run, int records) throws IOException {
        try (BronzePartWriter writer = BronzePartWriter.open(store, ledger, run, 1000, FROM, TO, new PartLimits(10, 1 << 20))) {
            for (int i = 0; i < records; i++) {
                writer.write(("{\"id\":" + i + "}").getBytes(UTF_8));
            }
            return writer.finish();
        }
    }

    private static void assertComplete(List<BronzePart> parts) throws Exception {
        assertThat(parts).hasSize(3);
        for (BronzePart part : parts) {
            Map<String, Object> row = row(part.path());
            assertThat(row).containsEntry("status", "loaded").containsEntry("staging_rows", part.records())
                    .containsEntry("records", part.records()).containsEntry("bytes", part.bytes())
                    .containsEntry("sha256", part.sha256()).containsEntry("attempts", 1);
            assertThat(((OffsetDateTime) row.get("window_start")).toInstant()).isEqualTo(FROM);
            assertThat(((OffsetDateTime) row.get("window_end")).toInstant()).isEqualTo(TO);
            assertThat(row.get("written_at")).isNotNull();
            assertThat(row.get("loaded_at")).isNotNull();
        }
        assertThat(ledger.partsOf(parts.get(0).path().replaceAll(".*run_id=([^/]+)/.*", "$1"))).containsExactlyElementsOf(parts);
    }

    private static Map<String, Object> row(String path) throws Exception {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT status, staging_rows, records, bytes, sha256, attempts, window_start, window_end, written_at,"
                        + " loaded_at FROM ops.bronze_files WHERE blob_path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("ledger row of " + path).isTrue();
                Map<String, Object> out = new java.util.HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getMetaData().getColumnType(i) == java.sql.Types.TIMESTAMP_WITH_TIMEZONE
                            || rs.getMetaData().getColumnTypeName(i).equals("timestamptz")
                            ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i);
                    out.put(rs.getMetaData().getColumnLabel(i), v);
                }
                return out;
            }
        }
    }

    /** The store as Event Grid sees it: a commit fires the blob trigger, which loads the part at once. */
    private static final class BlobEvents implements BronzeStore {
        private final BronzeStore real;
        private final StagingLoader loader;
        final List<LoadResult> loaded = new java.util.ArrayList<>();

        BlobEvents(BronzeStore real, StagingLoader loader) {
            this.real = real;
            this.loader = loader;
        }

        @Override
        public Upload create(String path) throws IOException {
            Upload up = real.create(path);
            return new Upload() {
                @Override
                public OutputStream stream() {
                    return up.stream();
                }

                @Override
                public void commit() throws IOException {
                    up.commit();
                    loaded.add(loader.load(List.of(path), false));
                }

                @Override
                public void abort() {
                    up.abort();
                }
            };
        }

        @Override
        public InputStream open(String path) throws IOException {
            return real.open(path);
        }

        @Override
        public boolean exists(String path) throws IOException {
            return real.exists(path);
        }

        @Override
        public long size(String path) throws IOException {
            return real.size(path);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return real.list(prefix);
        }

        @Override
        public String describe() {
            return real.describe();
        }
    }
}
