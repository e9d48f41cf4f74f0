package com.skyfit.lake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.LogCapture;
import com.skyfit.lake.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole engine against the simulated Pipedrive API, a real PostgreSQL and a real bronze folder. */
class PipelineIT {
    private static final DateTimeFormatter PD_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

    @TempDir
    Path bronzeDir;

    PipedriveSimulator sim;
    Database db;
    DefaultIngestEngine engine;
    Settings settings;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(40).seed(7).start();
        db = TestPostgres.newDatabase();
        Map<String, String> s = new HashMap<>();
        s.put("PIPEDRIVE_SCOPES", "commercial,expansion");
        s.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
        s.put("PIPEDRIVE_MAX_RETRY_WAIT_SECONDS", "2");
        s.put("PIPEDRIVE_HTTP_RETRIES", "1");
        s.put("SKYFIT_PG_RETRY_SECONDS", "0.01");
        s.put("SKYFIT_BACKFILL_WINDOW_DAYS", "30");
        for (String scope : sim.scopes()) {
            String key = "PIPEDRIVE_" + scope.toUpperCase(Locale.ROOT);
            s.put(key + "_BASE_URL", sim.baseUrl(scope));
            s.put(key + "_API_TOKEN", sim.token(scope));
        }
        settings = Settings.of(s);
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir), Connectors.configured(settings),
                Clock.systemUTC(), false);
    }

    @AfterEach
    void stop() {
        engine.close();
        db.close();
        sim.close();
    }

    private BatchRunner.Outcome run(String loadType) {
        return new BatchRunner(engine).run(new PlanRequest(null, "pipedrive", List.of(), List.of(), loadType, "manual",
                null, null), 4, BatchRunner.Listener.NONE);
    }

    @Test
    void fullThenIncrementalRunsMatchTheSourceAndCountChanges() {
        BatchRunner.Outcome full = run("full");
        assertThat(full.error()).isNull();
        assertThat(statuses(full.batchId())).containsOnly("success");
        assertCoreMatchesTruth();
        Instant watermark = watermark("commercial", "deals");
        assertThat(watermark).isNotNull();
        // One deal per scope arrives with "1.500,00" as its value: kept in core with a NULL value, flagged in staging.
        List<String> warnings = db.query("SELECT error_message FROM stg_pipedrive.deals_raw WHERE validation_status = 'warning'",
                ps -> {}, rs -> rs.getString(1));
        assertThat(warnings).hasSize(2).allSatisfy(m -> assertThat(m).contains("1.500,00"));
        long keptWithNull = db.queryFirst("SELECT count(*) FROM core.pd_deals d JOIN stg_pipedrive.deals_raw s "
                + "ON s.blob_path = d._source_blob AND s.line_no = d._source_line "
                + "WHERE s.validation_status = 'warning' AND d.value IS NULL", ps -> {}, rs -> rs.getLong(1)).orElseThrow();
        assertThat(keptWithNull).isEqualTo(2);

        sim.mutate(3, 5, 2, 99);
        BatchRunner.Outcome inc = run("incremental");
        assertThat(inc.error()).isNull();
        assertThat(statuses(inc.batchId())).containsOnly("success");
        assertCoreMatchesTruth();
        assertThat(watermark("commercial", "deals")).isAfter(watermark);
        Instant lastGood = db.queryFirst("SELECT ops.get_last_successful_watermark('pipedrive', 'commercial', 'deals')",
                ps -> {}, rs -> rs.getTimestamp(1).toInstant()).orElseThrow();
        assertThat(lastGood).isEqualTo(watermark("commercial", "deals"));
        long successfulRuns = db.queryFirst("SELECT runs_success FROM ops.vw_etl_stats WHERE source = 'pipedrive' "
                + "AND scope = 'commercial' AND entity = 'deals'", ps -> {}, rs -> rs.getLong(1)).orElseThrow();
        assertThat(successfulRuns).isEqualTo(2);
        long deleted = db.queryFirst("SELECT count(*) FROM core.pd_deals WHERE is_deleted", ps -> {}, rs -> rs.getLong(1))
                .orElseThrow();
        assertThat(deleted).isEqualTo(4); // 2 per scope, kept as flagged rows
        Map<String, Long> counts = sums(inc.batchId());
        assertThat(counts.get("inserted")).isGreaterThan(0);
        assertThat(counts.get("updated")).isGreaterThan(0);

        // Nothing changed: the overlap re-reads recent records, and every one of them is unchanged.
        BatchRunner.Outcome again = run("incremental");
        assertThat(statuses(again.batchId())).containsOnly("success");
        Map<String, Long> none = sums(again.batchId());
        assertThat(none.get("inserted")).isZero();
        assertThat(none.get("updated")).isZero();
        assertThat(none.get("unchanged")).isGreaterThan(0);
        assertCoreMatchesTruth();
    }

    @Test
    void theSameRunsThroughAzureStorageBlobApi() throws Exception {
        com.skyfit.lake.testing.Azurite azurite = com.skyfit.lake.testing.Azurite.get();
        Settings azure = settings.with(Map.of(Settings.BRONZE_URL, azurite.containerUrl("lake-pipeline-it"),
                Settings.STORAGE_CONNECTION_STRING, azurite.connectionString()));
        try (DefaultIngestEngine onAzure = new DefaultIngestEngine(azure, db,
                com.skyfit.lake.bronze.BronzeStores.open(azure), Connectors.configured(azure), Clock.systemUTC(), false)) {
            BatchRunner.Outcome full = new BatchRunner(onAzure).run(new PlanRequest(null, "pipedrive", List.of(), List.of(),
                    "full", "api", null, null), 4, BatchRunner.Listener.NONE);
            assertThat(full.error()).isNull();
            assertThat(statuses(full.batchId())).containsOnly("success");
            assertCoreMatchesTruth();
            List<String> parts = onAzure.store().list("bronze/pipedrive/");
            assertThat(parts).hasSize(14);
            long ledgerLoaded = db.queryFirst("SELECT count(*) FROM ops.bronze_files WHERE status = 'loaded' AND sha256 IS NOT NULL",
                    ps -> {}, rs -> rs.getLong(1)).orElseThrow();
            assertThat(ledgerLoaded).isEqualTo(parts.size());
        }
    }

    @Test
    void aRunKilledBetweenBronzeAndCoreIsRedoneWithoutLossOrDoubles() {
        run("full");
        Instant before = watermark("commercial", "deals");
        sim.mutate(4, 4, 1, 5);

        // The process dies after extracting: bronze written, nothing loaded, run left 'running'.
        RunPlan plan = engine.plan(new PlanRequest(null, "pipedrive", List.of(), List.of(), "incremental", "scheduler",
                null, null));
        plan.windows().forEach(engine::extract);
        assertThat(engine.unloadedParts(plan.batchId())).isNotEmpty();
        assertThat(watermark("commercial", "deals")).isEqualTo(before);
        stopHeartbeat(plan.batchId());

        BatchRunner.Outcome redo = run("incremental");
        assertThat(statuses(redo.batchId())).containsOnly("success");
        // The dead batch's runs are on the ledger as abandoned, not 'running' for ever.
        assertThat(statuses(plan.batchId())).containsOnly("failed");
        assertThat(db.query("SELECT error_message FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, plan.batchId()),
                rs -> rs.getString(1))).allSatisfy(m -> assertThat(m).startsWith("abandoned"));
        assertThat(engine.unloadedParts(null)).isEmpty();
        assertCoreMatchesTruth();
        // The rows that won from the dead run's parts were written by the run that finished the job.
        assertThat(counted(plan.batchId())).isZero();
        assertThat(counted(redo.batchId())).isPositive();
        long dupes = db.queryFirst("SELECT count(*) FROM (SELECT scope, id FROM core.pd_deals GROUP BY 1, 2 HAVING count(*) > 1) d",
                ps -> {}, rs -> rs.getLong(1)).orElseThrow();
        assertThat(dupes).isZero();
    }

    @Test
    void anExhaustedDailyBudgetStopsThatScopeAndKeepsItsWatermark() {
        run("full");
        Instant commercialBefore = watermark("commercial", "deals");
        Instant expansionBefore = watermark("expansion", "deals");
        sim.mutate(2, 2, 0, 11);
        sim.faults("expansion").dailyBudget(0);

        BatchRunner.Outcome inc = run("incremental");
        List<String[]> expansion = db.query("SELECT status, coalesce(error_message, '') FROM ops.runs WHERE batch_id = ? AND scope = 'expansion'",
                ps -> ps.setString(1, inc.batchId()), rs -> new String[] {rs.getString(1), rs.getString(2)});
        assertThat(expansion).allSatisfy(r -> {
            assertThat(r[0]).isEqualTo("failed");
            assertThat(r[1]).containsIgnoringCase("budget");
        });
        assertThat(watermark("expansion", "deals")).isEqualTo(expansionBefore);
        assertThat(watermark("commercial", "deals")).isAfter(commercialBefore);
    }

    @Test
    void anInterruptedBackfillResumesOnlyItsUnfinishedWindows() {
        String from = LocalDateTime.now(ZoneOffset.UTC).minusDays(120).toLocalDate().toString();
        String to = LocalDateTime.now(ZoneOffset.UTC).toLocalDate().toString();
        PlanRequest req = new PlanRequest(null, "pipedrive", List.of("commercial"), List.of("deals"), "backfill", "api",
                from, to);
        RunPlan first = engine.plan(req);
        assertThat(first.windows()).hasSizeGreaterThan(3);
        // Two windows are extracted, then the process stops.
        engine.extract(first.windows().get(0));
        engine.extract(first.windows().get(1));
        stopHeartbeat(first.batchId());

        RunPlan resumed = engine.plan(req);
        assertThat(resumed.runIds()).isEqualTo(first.runIds());
        assertThat(resumed.windows()).hasSize(first.windows().size() - 2);
        resumed.windows().forEach(engine::extract);
        engine.load(engine.unloadedParts(resumed.batchId()), false);
        engine.transform(resumed.batchId(), false);
        engine.completeBatch(resumed.batchId());
        assertThat(statuses(resumed.batchId())).containsOnly("success");
        // A backfill never moves the watermark.
        assertThat(watermark("commercial", "deals")).isNull();
    }

    @Test
    void tokensAppearInNoLogLedgerOrBronze() throws Exception {
        String output;
        sim.faults("commercial").failNext(1, 503);
        try (LogCapture logs = new LogCapture()) {
            run("full");
            sim.faults("expansion").failNext(5, 401);
            run("incremental");
            output = logs.text();
        }
        String ledger = String.join("\n", db.query(
                "SELECT concat_ws('|', r::text) FROM ops.runs r UNION ALL SELECT concat_ws('|', f::text) FROM ops.bronze_files f "
                        + "UNION ALL SELECT concat_ws('|', w::text) FROM ops.windows w",
                ps -> {}, rs -> rs.getString(1)));
        assertThat(ledger).contains("401"); // the failure is on the ledger...
        for (String scope : sim.scopes()) {
            String token = sim.token(scope);
            assertThat(output).doesNotContain(token);
            assertThat(ledger).doesNotContain(token); // ...but never the token
        }
        try (var files = Files.walk(bronzeDir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jsonl.gz")).toList()) {
                String text = gunzip(p);
                for (String scope : sim.scopes()) {
                    assertThat(text).doesNotContain(sim.token(scope));
                }
            }
        }
    }

    /** What a killed owner leaves: its leases stop being refreshed, and age past the timeout. */
    private void stopHeartbeat(String batchId) {
        db.execute("UPDATE ops.run_leases SET heartbeat_at = now() - interval '1 hour' WHERE batch_id = ?",
                ps -> ps.setString(1, batchId));
    }

    private long counted(String batchId) {
        return db.queryFirst("SELECT coalesce(sum(rows_inserted + rows_updated + rows_unchanged), 0) FROM ops.runs "
                + "WHERE batch_id = ?", ps -> ps.setString(1, batchId), rs -> rs.getLong(1)).orElseThrow();
    }

    /**
     * Every record the source has or had is in core with its update time; the deleted flag is exact for deals
     * (status) and whole lists (gone from the list), the archived flag for deals. Persons, organizations and
     * activities deleted out of their lists are found by reconciling (DeletesIT), not by these incremental runs.
     */
    private void assertCoreMatchesTruth() {
        for (String scope : sim.scopes()) {
            for (String entity : List.of("deals", "persons", "organizations", "activities", "pipelines", "stages", "users")) {
                Map<Long, JsonNode> truth = new HashMap<>(sim.truth(scope, entity));
                truth.putAll(sim.removed(scope, entity));
                Map<Long, Instant> core = new HashMap<>();
                db.query("SELECT id, update_time FROM core.pd_" + entity + " WHERE scope = ?", ps -> ps.setString(1, scope),
                        rs -> core.put(rs.getLong(1), rs.getTimestamp(2).toInstant()));
                assertThat(core.keySet()).as(scope + "/" + entity).isEqualTo(truth.keySet());
                String timeField = entity.equals("users") ? "modified" : "update_time";
                truth.forEach((id, rec) -> assertThat(core.get(id)).as(scope + "/" + entity + " " + id)
                        .isEqualTo(LocalDateTime.parse(rec.get(timeField).asText(), PD_TIME).toInstant(ZoneOffset.UTC)));
            }
            Map<Long, Boolean> deleted = new HashMap<>();
            Map<Long, Boolean> archived = new HashMap<>();
            db.query("SELECT id, is_deleted, is_archived FROM core.pd_deals WHERE scope = ?", ps -> ps.setString(1, scope),
                    rs -> {
                        deleted.put(rs.getLong(1), rs.getBoolean(2));
                        return archived.put(rs.getLong(1), rs.getBoolean(3));
                    });
            sim.truth(scope, "deals").forEach((id, rec) -> {
                assertThat(deleted.get(id)).as("deleted flag of deal " + id).isEqualTo("deleted".equals(rec.path("status").asText()));
                assertThat(archived.get(id)).as("archived flag of deal " + id).isEqualTo(rec.path("is_archived").asBoolean(false));
            });
            for (String entity : List.of("pipelines", "stages", "users")) {
                List<Long> flagged = db.query("SELECT id FROM core.pd_" + entity + " WHERE scope = ? AND is_deleted",
                        ps -> ps.setString(1, scope), rs -> rs.getLong(1));
                assertThat(flagged).as(scope + "/" + entity + " deleted").containsExactlyInAnyOrderElementsOf(
                        sim.removed(scope, entity).keySet());
            }
        }
    }

    private List<String> statuses(String batchId) {
        return db.query("SELECT status FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, batchId), rs -> rs.getString(1));
    }

    private Map<String, Long> sums(String batchId) {
        return db.queryFirst("SELECT sum(rows_inserted), sum(rows_updated), sum(rows_unchanged) FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, batchId),
                rs -> Map.of("inserted", rs.getLong(1), "updated", rs.getLong(2), "unchanged", rs.getLong(3))).orElseThrow();
    }

    private Instant watermark(String scope, String entity) {
        return new com.skyfit.lake.control.WatermarkStore(db).get("pipedrive", scope, entity).orElse(null);
    }

    private static String gunzip(Path p) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p)); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
