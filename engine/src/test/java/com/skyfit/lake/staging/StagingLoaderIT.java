package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.LocalBronzeStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

class StagingLoaderIT {
    private static Database db;
    private static final AtomicInteger RUN = new AtomicInteger();

    @TempDir
    Path folder;
    LocalBronzeStore store;
    String runId;

    @BeforeAll
    static void startDatabase() {
        db = TestPostgres.newDatabase();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    @BeforeEach
    void setUp(TestInfo test) {
        store = new LocalBronzeStore(folder);
        runId = "r" + RUN.incrementAndGet() + "-" + test.getTestMethod().orElseThrow().getName();
    }

    private StagingLoader loader() {
        return new StagingLoader(db, store, LoaderOptions.defaults());
    }

    @Test
    void cleanPartLoadsEveryLineWithItsLineage() throws Exception {
        List<String> lines = new ArrayList<>(Parts.records(1, 2));
        lines.add("   ");
        lines.add(Parts.records(3, 1).get(0) + "\r");
        String path = Parts.write(store, Parts.path("pipedrive", "deals", runId, 0), lines);

        LoadResult result = loader().load(List.of(path), false);

        assertThat(result.filesLoaded()).isEqualTo(1);
        assertThat(result.rowsLoaded()).isEqualTo(3);
        List<Map<String, Object>> rows = query("SELECT scope, blob_path, line_no, run_id, raw->>'id' AS id, "
                + "raw->'tags'->>0 AS tag, validation_status FROM stg_pipedrive.deals_raw WHERE blob_path = ? "
                + "ORDER BY line_no", path);
        assertThat(rows).extracting(r -> r.get("line_no")).containsExactly(1, 2, 4);
        assertThat(rows).extracting(r -> r.get("id")).containsExactly("1", "2", "3");
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.get("scope")).isEqualTo("main");
            assertThat(r.get("blob_path")).isEqualTo(path);
            assertThat(r.get("run_id")).isEqualTo(runId);
            assertThat(r.get("tag")).isEqualTo("a\\b");
            assertThat(r.get("validation_status")).isEqualTo("valid");
        });
        Map<String, Object> ledger = ledger(path);
        assertThat(ledger).containsEntry("status", "loaded").containsEntry("staging_rows", 3L)
                .containsEntry("invalid_rows", 0L).containsEntry("attempts", 1)
                .containsEntry("source", "pipedrive").containsEntry("entity", "deals").containsEntry("run_id", runId);
        assertThat(ledger.get("loaded_at")).isNotNull();
    }

    @Test
    void loadingTwiceAddsNothingAndForceReloadKeepsTheSameRows() throws Exception {
        String path = Parts.write(store, Parts.path("pipedrive", "persons", runId, 0), Parts.records(1, 50));
        loader().load(List.of(path), false);

        LoadResult again = loader().load(List.of(path), false);
        assertThat(again.filesSkipped()).isEqualTo(1);
        assertThat(again.files().get(0).status()).isEqualTo("skipped");
        assertThat(count("stg_pipedrive.persons_raw", path)).isEqualTo(50);

        LoadResult forced = loader().load(List.of(path), true);
        assertThat(forced.filesLoaded()).isEqualTo(1);
        assertThat(count("stg_pipedrive.persons_raw", path)).isEqualTo(50);
        assertThat(query("SELECT count(DISTINCT line_no) AS n FROM stg_pipedrive.persons_raw WHERE blob_path = ?",
                path).get(0).get("n")).isEqualTo(50L);
        assertThat(ledger(path)).containsEntry("attempts", 2).containsEntry("status", "loaded");
    }

    @Test
    void linesPostgresCannotTakeAreKeptAsInvalidWithTheReason() throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        List<String> good = Parts.records(1, 4);
        raw.writeBytes((good.get(0) + "\n").getBytes(StandardCharsets.UTF_8));
        raw.writeBytes("{\"id\": 2, \"name\": oops}\n".getBytes(StandardCharsets.UTF_8));
        raw.writeBytes((good.get(1) + "\n").getBytes(StandardCharsets.UTF_8));
        raw.writeBytes("{\"id\":4,\"name\":\"cut he\n".getBytes(StandardCharsets.UTF_8));
        raw.writeBytes(new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}', '\n'});
        raw.writeBytes(new byte[] {'{', '"', 'n', '"', ':', '"', 0x01, 0x02, '"', '}', '\n'});
        raw.writeBytes("{\"n\":\"\\u0000\"}\n".getBytes(StandardCharsets.UTF_8));
        raw.writeBytes((good.get(2) + "\n").getBytes(StandardCharsets.UTF_8));
        String path = Parts.writeBytes(store, Parts.path("pipedrive", "activities", runId, 0), Parts.gzip(raw.toByteArray()));

        LoadResult result = loader().load(List.of(path), false);

        assertThat(result.filesLoaded()).isEqualTo(1);
        assertThat(result.rowsLoaded()).isEqualTo(8);
        assertThat(result.rowsInvalid()).isEqualTo(5);
        List<Map<String, Object>> rows = query("SELECT line_no, validation_status, error_message, "
                + "jsonb_typeof(raw) AS kind, raw #>> '{}' AS text FROM stg_pipedrive.activities_raw "
                + "WHERE blob_path = ? ORDER BY line_no", path);
        assertThat(rows).extracting(r -> r.get("validation_status")).containsExactly(
                "valid", "invalid", "valid", "invalid", "invalid", "invalid", "invalid", "valid");
        Map<String, Object> bad = rows.get(1);
        assertThat(bad.get("kind")).isEqualTo("string");
        assertThat(bad.get("text")).isEqualTo("{\"id\": 2, \"name\": oops}");
        assertThat((String) bad.get("error_message")).contains("column").contains("oops");
        assertThat((String) rows.get(3).get("error_message")).containsIgnoringCase("end-of-input");
        assertThat((String) rows.get(4).get("error_message")).contains("UTF-8");
        assertThat((String) rows.get(6).get("error_message")).contains("\\u0000");
        assertThat(rows.get(7).get("kind")).isEqualTo("object");
        assertThat(ledger(path)).containsEntry("status", "loaded").containsEntry("invalid_rows", 5L)
                .containsEntry("staging_rows", 8L);
    }

    @Test
    void corruptAndTruncatedPartsFailWithTheReasonWhileTheOthersLoad() throws Exception {
        String good1 = Parts.write(store, Parts.path("pipedrive", "organizations", runId, 0), Parts.records(1, 3000));
        byte[] whole = Parts.gzip(String.join("\n", Parts.records(1, 3000)).getBytes(StandardCharsets.UTF_8));
        byte[] corrupt = whole.clone();
        for (int i = whole.length / 2; i < whole.length / 2 + 64; i++) {
            corrupt[i] = (byte) (i * 31);
        }
        String bad = Parts.writeBytes(store, Parts.path("pipedrive", "organizations", runId, 1), corrupt);
        String cut = Parts.writeBytes(store, Parts.path("pipedrive", "organizations", runId, 2),
                java.util.Arrays.copyOf(whole, whole.length / 2));
        String good2 = Parts.write(store, Parts.path("pipedrive", "organizations", runId, 3), Parts.records(1, 10));

        LoadResult result = loader().load(List.of(good1, bad, cut, good2), false);

        assertThat(result.files()).extracting(LoadResult.FileOutcome::status)
                .containsExactly("loaded", "failed", "failed", "loaded");
        assertThat(result.files().get(1).error()).contains("gzip");
        assertThat(result.files().get(2).error()).contains("truncated");
        assertThat(count("stg_pipedrive.organizations_raw", good1)).isEqualTo(3000);
        assertThat(count("stg_pipedrive.organizations_raw", good2)).isEqualTo(10);
        assertThat(count("stg_pipedrive.organizations_raw", bad)).isZero();
        assertThat(count("stg_pipedrive.organizations_raw", cut)).isZero();
        assertThat(ledger(bad)).containsEntry("status", "failed").containsEntry("attempts", 1);
        assertThat((String) ledger(cut).get("error_message")).contains("truncated");

        LoadResult retried = loader().load(List.of(cut), false);
        assertThat(retried.filesFailed()).isEqualTo(1);
        assertThat(ledger(cut)).containsEntry("attempts", 2);
    }

    @Test
    void consecutivePartsOfOneTableShareOneCopyAndTransaction() throws Exception {
        List<String> paths = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            paths.add(Parts.write(store, Parts.path("pipedrive", "stages", runId, p), Parts.records(p * 100, 100)));
        }
        List<LoadListener.Progress> progress = new ArrayList<>();

        LoaderOptions one = LoaderOptions.defaults().withParallelism(1);
        LoadResult result = new StagingLoader(db, store, one).load(paths, false, progress::add);

        assertThat(result.filesLoaded()).isEqualTo(5);
        assertThat(result.rowsLoaded()).isEqualTo(500);
        assertThat(transactions("stg_pipedrive.stages_raw", paths)).isEqualTo(1);
        assertThat(progress).last().satisfies(p -> {
            assertThat(p.filesDone()).isEqualTo(5);
            assertThat(p.filesTotal()).isEqualTo(5);
            assertThat(p.rows()).isEqualTo(500);
            assertThat(p.bytes()).isPositive();
        });

        new StagingLoader(db, store, one.withBatchFiles(2)).load(paths, true);
        assertThat(transactions("stg_pipedrive.stages_raw", paths)).isEqualTo(3);

        // on two connections the batches shrink towards the end: 2 parts, then 1, 1, 1
        LoadResult twice = new StagingLoader(db, store, LoaderOptions.defaults()).load(paths, true);
        assertThat(twice.rowsLoaded()).isEqualTo(500);
        assertThat(transactions("stg_pipedrive.stages_raw", paths)).isEqualTo(4);
        assertThat(count("stg_pipedrive.stages_raw", paths.get(0))).isEqualTo(100);
    }

    @Test
    void batchesRunSideBySideAndOutcomesKeepTheCallersOrder() throws Exception {
        List<String> paths = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            paths.add(Parts.write(store, Parts.path("pipedrive", p % 2 == 0 ? "stages" : "users", runId, p),
                    Parts.records(p * 100, 100)));
        }
        paths.add(2, "not/a/bronze/path.jsonl.gz");
        LoaderOptions options = LoaderOptions.defaults().withBatchFiles(1).withParallelism(3);

        LoadResult result = new StagingLoader(db, store, options).load(paths, false);

        assertThat(result.files()).extracting(LoadResult.FileOutcome::path).containsExactlyElementsOf(paths);
        assertThat(result.filesLoaded()).isEqualTo(6);
        assertThat(result.filesFailed()).isEqualTo(1);
        assertThat(result.files().get(2).error()).contains("not a bronze part path");
        assertThat(result.rowsLoaded()).isEqualTo(600);
    }

    @Test
    void aBatchWithABadLineFallsBackToPartByPart() throws Exception {
        List<String> paths = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            List<String> lines = new ArrayList<>(Parts.records(p * 10, 10));
            if (p == 2) {
                lines.set(5, "{not json");
            }
            paths.add(Parts.write(store, Parts.path("pipedrive", "pipelines", runId, p), lines));
        }

        // one connection: the four parts are one batch, which the bad line splits into four
        LoadResult result = new StagingLoader(db, store, LoaderOptions.defaults().withParallelism(1)).load(paths, false);

        assertThat(result.filesLoaded()).isEqualTo(4);
        assertThat(result.rowsLoaded()).isEqualTo(40);
        assertThat(result.rowsInvalid()).isEqualTo(1);
        assertThat(result.files().get(2).invalidRows()).isEqualTo(1);
        assertThat(transactions("stg_pipedrive.pipelines_raw", paths)).isEqualTo(4);
    }

    @Test
    void aPartWithoutAStagingTableFailsWithAClearReason() throws Exception {
        String path = Parts.write(store, Parts.path("nosuchsource", "things", runId, 0), Parts.records(1, 2));

        LoadResult result = loader().load(List.of(path), false);

        assertThat(result.filesFailed()).isEqualTo(1);
        assertThat(result.files().get(0).error()).contains("stg_nosuchsource.things_raw does not exist");
        assertThat(ledger(path)).containsEntry("status", "failed").containsEntry("source", "nosuchsource");
    }

    @Test
    void twinDeliveriesOfOnePartNeverDoubleARow() throws Exception {
        String path = Parts.write(store, Parts.path("pipedrive", "users", runId, 0), Parts.records(1, 2000));
        List<LoadResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread a = new Thread(() -> results.add(loader().load(List.of(path), false)));
        Thread b = new Thread(() -> results.add(loader().load(List.of(path), false)));
        a.start();
        b.start();
        a.join();
        b.join();

        assertThat(results).extracting(LoadResult::filesLoaded).containsExactlyInAnyOrder(1L, 0L);
        assertThat(results).extracting(LoadResult::filesSkipped).containsExactlyInAnyOrder(0L, 1L);
        assertThat(count("stg_pipedrive.users_raw", path)).isEqualTo(2000);
    }

    @Test
    void aLargePartStreamsThroughWithBoundedMemory() throws Exception {
        int lines = 200_000;
        BronzePath target = Parts.path("pipedrive", "deals", runId, 0);
        try (BronzeStore.Upload up = store.create(target.path());
                java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(up.stream(), 65536)) {
            for (int i = 1; i <= lines; i++) {
                gz.write(("{\"id\":" + i + ",\"title\":\"deal " + i + "\",\"value\":" + (i % 997)
                        + ".5,\"notes\":\"" + "x".repeat(150) + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
            gz.finish();
            up.commit();
        }

        LoadResult result = loader().load(List.of(target.path()), false);

        assertThat(result.rowsLoaded()).isEqualTo(lines);
        assertThat(query("SELECT max(line_no) AS m, count(*) AS n FROM stg_pipedrive.deals_raw WHERE blob_path = ?",
                target.path()).get(0)).containsEntry("m", lines).containsEntry("n", (long) lines);
    }

    private int transactions(String table, List<String> paths) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT xmin::text) FROM " + table
                        + " WHERE blob_path = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", paths.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private long count(String table, String path) throws SQLException {
        return (Long) query("SELECT count(*) AS n FROM " + table + " WHERE blob_path = ?", path).get(0).get("n");
    }

    private Map<String, Object> ledger(String path) throws SQLException {
        List<Map<String, Object>> rows = query("SELECT * FROM ops.bronze_files WHERE blob_path = ?", path);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    static List<Map<String, Object>> query(Database db, String sql, Object... args) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new TreeMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }

    private List<Map<String, Object>> query(String sql, Object... args) throws SQLException {
        return query(db, sql, args);
    }
}
