package com.skyfit.lake.bronze;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.testing.Azurite;
import com.skyfit.lake.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The streaming part writer against a real PostgreSQL ledger, on the local store and on Azurite. */
class BronzePartWriterIT {
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
                        return new LocalBronzeStore(Files.createTempDirectory(root.toAbsolutePath(), "store"));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }),
                Named.of("azurite", () -> BronzeStores.open(Settings.of(Map.of(Settings.BRONZE_URL,
                        Azurite.get().containerUrl("writer-it-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet()))))));
    }

    private static BronzePath newRun() {
        return new BronzePath("pipedrive", "company-a", "deals", LocalDate.of(2024, 3, 9), "run-" + RUNS.incrementAndGet(), 0);
    }

    private static byte[] record(int i, int padding) {
        return ("{\"id\":" + i + ",\"title\":\"deal " + i + "\",\"pad\":\"" + "x".repeat(padding) + "\"}").getBytes(UTF_8);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void rotatesByRecordCountAndLedgersEveryPart(Supplier<BronzeStore> stores) throws Exception {
        BronzeStore store = stores.get();
        BronzePath run = newRun();
        List<byte[]> lines = new ArrayList<>();
        List<BronzePart> parts;
        try (BronzePartWriter writer = BronzePartWriter.open(store, ledger, run, 1000, FROM, TO, new PartLimits(3, 1 << 20))) {
            for (int i = 0; i < 10; i++) {
                lines.add(record(i, 0));
                writer.write(lines.get(i));
            }
            parts = writer.finish();
        }

        assertThat(parts).extracting(BronzePart::records).containsExactly(3L, 3L, 3L, 1L);
        assertThat(parts).extracting(BronzePart::path)
                .containsExactly(run.path(), run.withPart(1).path(), run.withPart(2).path(), run.withPart(3).path());
        assertThat(store.list(run.runFolder())).containsExactlyElementsOf(parts.stream().map(BronzePart::path).toList());
        List<String> readBack = new ArrayList<>();
        for (BronzePart part : parts) {
            byte[] stored = readAll(store, part.path());
            assertThat(part.bytes()).isEqualTo(stored.length).isEqualTo(store.size(part.path()));
            assertThat(part.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)));
            readBack.addAll(List.of(gunzip(stored).split("\n", -1)).subList(0, (int) part.records()));
            assertThat(gunzip(stored)).endsWith("\n");
        }
        assertThat(readBack).containsExactlyElementsOf(lines.stream().map(b -> new String(b, UTF_8)).toList());

        assertThat(ledger.partsOf(run.runId())).containsExactlyElementsOf(parts);
        assertThat(ledger.partsOfWindow(run.runId(), FROM, TO)).containsExactlyElementsOf(parts);
        assertThat(ledger.partsOfWindow(run.runId(), TO, TO.plusSeconds(86_400))).isEmpty();
        try (Connection c = db.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), sum(records), bool_and(status = 'written'), "
                        + "bool_and(written_at IS NOT NULL), min(source || '/' || scope || '/' || entity), "
                        + "min(window_start), max(window_end) FROM ops.bronze_files WHERE run_id = '" + run.runId() + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(4);
            assertThat(rs.getLong(2)).isEqualTo(10);
            assertThat(rs.getBoolean(3)).isTrue();
            assertThat(rs.getBoolean(4)).isTrue();
            assertThat(rs.getString(5)).isEqualTo("pipedrive/company-a/deals");
            assertThat(rs.getObject(6, java.time.OffsetDateTime.class).toInstant()).isEqualTo(FROM);
            assertThat(rs.getObject(7, java.time.OffsetDateTime.class).toInstant()).isEqualTo(TO);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void rotatesByUncompressedBytes(Supplier<BronzeStore> stores) throws Exception {
        BronzeStore store = stores.get();
        BronzePath run = newRun();
        byte[] hundred = new byte[100];
        java.util.Arrays.fill(hundred, (byte) 'a');
        List<BronzePart> parts;
        try (BronzePartWriter writer = BronzePartWriter.open(store, ledger, run, 1000, FROM, TO, new PartLimits(1000, 1024))) {
            for (int i = 0; i < 25; i++) {
                writer.write(hundred); // 101 bytes with its newline: ten fit in 1024
            }
            writer.write(new byte[3000]); // a record larger than a part still gets stored, alone
            writer.write(hundred);
            parts = writer.finish();
        }
        assertThat(parts).extracting(BronzePart::records).containsExactly(10L, 10L, 5L, 1L, 1L);
        for (BronzePart part : parts) {
            assertThat(PartDigest.measure(store, part.path())).isEqualTo(part);
        }
        assertThat(gunzip(readAll(store, parts.get(0).path())).length()).isEqualTo(1010);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void anAbortedWriterLeavesOnlyItsCommittedParts(Supplier<BronzeStore> stores) throws Exception {
        BronzeStore store = stores.get();
        BronzePath run = newRun();
        try (BronzePartWriter writer = BronzePartWriter.open(store, ledger, run, 1000, FROM, TO, new PartLimits(3, 1 << 20))) {
            for (int i = 0; i < 5; i++) {
                writer.write(record(i, 10));
            }
            // no finish(): the extract failed mid-part
        }
        assertThat(store.list(run.runFolder())).containsExactly(run.path());
        assertThat(ledger.partsOf(run.runId())).extracting(BronzePart::records).containsExactly(3L);

        BronzePath other = newRun();
        BronzePartWriter failed = BronzePartWriter.open(store, ledger, other, 1000, FROM, TO, PartLimits.defaults());
        failed.write(record(1, 10));
        failed.abort();
        assertThatThrownBy(() -> failed.write(record(2, 10))).isInstanceOf(IllegalStateException.class);
        assertThat(store.list(other.runFolder())).isEmpty();
        assertThat(ledger.partsOf(other.runId())).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aRetriedWindowContinuesAfterEarlierPartsAndLedgersOrphans(Supplier<BronzeStore> stores) throws Exception {
        BronzeStore store = stores.get();
        BronzePath run = newRun();
        PartLimits two = new PartLimits(2, 1 << 20);
        try (BronzePartWriter first = BronzePartWriter.forWindow(store, ledger, run, 1, FROM, TO, two)) {
            for (int i = 0; i < 3; i++) {
                first.write(record(i, 0));
            }
            assertThat(first.finish()).extracting(BronzePart::path)
                    .containsExactly(run.withPart(1000).path(), run.withPart(1001).path());
        }
        // A crashed attempt committed part 1002 but died before its ledger row.
        byte[] orphan = gzip("{\"id\":99}\n{\"id\":100}\n");
        try (BronzeStore.Upload upload = store.create(run.withPart(1002).path())) {
            upload.stream().write(orphan);
            upload.commit();
        }

        List<BronzePart> retried;
        try (BronzePartWriter retry = BronzePartWriter.forWindow(store, ledger, run, 1, FROM, TO, two)) {
            retry.write(record(0, 0));
            retried = retry.finish();
        }
        assertThat(retried).extracting(BronzePart::path).containsExactly(run.withPart(1003).path());
        List<BronzePart> window = ledger.partsOfWindow(run.runId(), FROM, TO);
        assertThat(window).extracting(BronzePart::path).containsExactly(run.withPart(1000).path(),
                run.withPart(1001).path(), run.withPart(1002).path(), run.withPart(1003).path());
        assertThat(window.get(2).records()).isEqualTo(2);
        assertThat(window.get(2).bytes()).isEqualTo(orphan.length);

        // Window 0 of the same run has its own range and is untouched by window 1.
        try (BronzePartWriter zero = BronzePartWriter.forWindow(store, ledger, run, 0, FROM.minusSeconds(86_400), FROM, two)) {
            zero.write(record(5, 0));
            assertThat(zero.finish()).extracting(BronzePart::path).containsExactly(run.withPart(0).path());
        }
    }

    @Test
    void aWindowThatOutgrowsItsRangeFailsClearly() throws Exception {
        BronzeStore store = stores().findFirst().orElseThrow().getPayload().get();
        BronzePath run = newRun();
        BronzePartWriter writer = BronzePartWriter.open(store, ledger, run, 2, FROM, TO, new PartLimits(1, 1 << 20));
        writer.write(record(1, 0));
        writer.write(record(2, 0));
        assertThatThrownBy(() -> writer.write(record(3, 0))).isInstanceOf(IOException.class)
                .hasMessageContaining("used all part numbers 0..1");
        assertThat(store.list(run.runFolder())).hasSize(2);
    }

    @Test
    void aRecordMustBeOneLine() throws Exception {
        BronzeStore store = stores().findFirst().orElseThrow().getPayload().get();
        try (BronzePartWriter writer = BronzePartWriter.open(store, ledger, newRun(), 10, FROM, TO, PartLimits.defaults())) {
            assertThatThrownBy(() -> writer.write("{\"a\":\n1}".getBytes(UTF_8))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.write(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void ledgerRecordingIsIdempotent() throws Exception {
        BronzePath path = newRun();
        BronzePart part = new BronzePart(path.path(), 5, 100, "ab".repeat(32));
        assertThat(ledger.recordWritten(path, part, null, null)).isTrue();
        assertThat(ledger.recordWritten(path, new BronzePart(path.path(), 6, 101, "cd".repeat(32)), null, null)).isFalse();
        assertThat(ledger.partsOf(path.runId())).containsExactly(part);
        assertThat(ledger.partsOfWindow(path.runId(), null, null)).containsExactly(part);
    }

    private static byte[] readAll(BronzeStore store, String path) throws IOException {
        try (InputStream in = store.open(path)) {
            return in.readAllBytes();
        }
    }

    private static String gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(UTF_8));
        }
        return out.toByteArray();
    }
}
