package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestrationStatus;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.orchestrations.DurableDriver;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.IngestSummary;
import com.skyfit.lake.orchestrations.Names;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Function App end to end: the real IngestOrchestration, replayed by the real durabletask engine, calls the
 * app's own activity functions, which run the one engine against the simulated Pipedrive API, a real
 * PostgreSQL and a local bronze folder. Only the Durable host and Event Grid are stand-ins.
 */
class IngestOrchestrationEngineIT {
    private static final DateTimeFormatter PD_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");
    private static final List<String> SCOPES = List.of("commercial", "expansion");
    private static final OrchestrationStatus COMPLETED = OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED;

    @TempDir
    Path home;
    private Path bronzeRoot;
    private PipedriveSimulator sim;
    private int batches;

    @BeforeEach
    void appOverTheRealEngine() {
        sim = PipedriveSimulator.builder().scopes(SCOPES.toArray(String[]::new)).scale(30).seed(23).start();
        bronzeRoot = home.resolve("lake");
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        s.put("SKYFIT_HOME", home.toString());
        s.put("SKYFIT_BRONZE_URL", bronzeRoot.toUri().toString());
        s.put("PIPEDRIVE_SCOPES", String.join(",", SCOPES));
        s.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
        s.put("PIPEDRIVE_MAX_RETRY_WAIT_SECONDS", "2");
        s.put("PIPEDRIVE_HTTP_RETRIES", "1");
        s.put("SKYFIT_PG_RETRY_SECONDS", "0.01");
        for (String scope : SCOPES) {
            String key = "PIPEDRIVE_" + scope.toUpperCase(Locale.ROOT);
            s.put(key + "_BASE_URL", sim.baseUrl(scope));
            s.put(key + "_API_TOKEN", sim.token(scope));
        }
        EngineProvider.use(Settings.of(s), null);
    }

    @AfterEach
    void closeEverything() {
        // reset() forgets the engine without closing it: close its pool and connectors here
        if (EngineProvider.engine() instanceof DefaultIngestEngine engine) {
            engine.close();
        }
        EngineProvider.reset();
        sim.close();
    }

    @Test
    void fullThenIncrementalRunsThroughTheOrchestrationMatchTheSource() {
        FunctionHost full = new FunctionHost();
        DurableDriver.Outcome first = ingest(full, "full", 0);

        assertThat(first.status()).as(first.failureMessage()).isEqualTo(COMPLETED);
        IngestSummary summary = full.driver.read(first.output(), IngestSummary.class);
        assertThat(summary.bronzeParts()).isPositive();
        // no blob events here: the fallback loads every part the extracts wrote
        assertThat(summary.partsLoadedDirectly()).isEqualTo(summary.bronzeParts());
        assertThat(full.driver.calls(Names.LOAD_PARTS)).hasSize(1);
        assertThat(statuses(summary.batchId())).hasSize(SCOPES.size() * 7).containsOnly("success");
        assertThat(unloaded()).isZero();
        assertDealsMatchTruth();
        Map<String, Instant> before = dealWatermarks();
        assertThat(before).hasSize(SCOPES.size());

        sim.mutate(3, 4, 2, 41);
        FunctionHost incremental = new FunctionHost();
        DurableDriver.Outcome second = ingest(incremental, "incremental", 0);

        assertThat(second.status()).as(second.failureMessage()).isEqualTo(COMPLETED);
        IngestSummary inc = incremental.driver.read(second.output(), IngestSummary.class);
        assertThat(inc.transform().inserted()).isPositive();
        assertThat(inc.transform().updated()).isPositive();
        assertThat(statuses(inc.batchId())).containsOnly("success");
        long[] counted = db().queryFirst("SELECT sum(rows_inserted), sum(rows_updated) FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, inc.batchId()), rs -> new long[] {rs.getLong(1), rs.getLong(2)}).orElseThrow();
        assertThat(counted[0]).isPositive();
        assertThat(counted[1]).isPositive();
        assertDealsMatchTruth();
        Map<String, Instant> after = dealWatermarks();
        for (String scope : SCOPES) {
            assertThat(after.get(scope)).as("deals watermark of " + scope).isAfter(before.get(scope));
        }
    }

    @Test
    void aRejectedTokenFailsOnlyThatScopesRunsWhileTheOtherScopeAdvancesItsWatermarks() throws Exception {
        assertThat(ingest(new FunctionHost(), "full", 0).status()).isEqualTo(COMPLETED);
        Map<String, String> watermarksBefore = allWatermarks();
        Map<String, Instant> dealsBefore = dealWatermarks();
        sim.mutate(2, 2, 0, 5);
        sim.faults("expansion").failNext(100, 401);

        FunctionHost host = new FunctionHost();
        DurableDriver.Outcome out = ingest(host, "incremental", 0);

        // the batch finishes: commercial is loaded, transformed and completed; expansion's runs fail with the reason
        assertThat(out.status()).as(out.failureMessage()).isEqualTo(COMPLETED);
        IngestSummary summary = host.driver.read(out.output(), IngestSummary.class);
        assertThat(summary.runs()).isEqualTo(SCOPES.size() * 7);
        assertThat(summary.failedRuns()).hasSize(7).allMatch(r -> r.startsWith("expansion/"));
        assertThat(summary.firstError()).contains("expansion", "401", "PIPEDRIVE_EXPANSION_API_TOKEN");
        assertThat(out.customStatus()).contains("done-with-failed-runs", "expansion/deals", "PIPEDRIVE_EXPANSION_API_TOKEN");
        assertThat(host.driver.calls(Names.FAIL_RUN)).isEmpty();
        assertThat(host.driver.calls(Names.COMPLETE_RUN)).hasSize(1);
        // Rejected credentials are permanent: each expansion window is tried once, with no retry timers.
        List<String> expansionCalls = host.driver.calls(Names.EXTRACT_WINDOW).stream()
                .map(c -> c.input()).filter(in -> in.contains("\"scope\":\"expansion\"")).toList();
        assertThat(expansionCalls).hasSize(7).doesNotHaveDuplicates();
        assertThat(host.driver.timers).isEmpty();

        String batch = summary.batchId();
        List<String[]> runs = db().query("SELECT scope, status, coalesce(error_message, '') FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, batch), rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        assertThat(runs).hasSize(SCOPES.size() * 7).allSatisfy(r -> {
            if (r[0].equals("expansion")) {
                assertThat(r[1]).as("expansion run").isEqualTo("failed");
                assertThat(r[2]).contains("PIPEDRIVE_EXPANSION_API_TOKEN");
            } else {
                assertThat(r[1]).as("commercial run: " + r[2]).isEqualTo("success");
            }
        });
        Map<String, Instant> dealsAfter = dealWatermarks();
        assertThat(dealsAfter.get("commercial")).as("commercial deals watermark").isAfter(dealsBefore.get("commercial"));
        Map<String, String> after = allWatermarks();
        for (Map.Entry<String, String> w : watermarksBefore.entrySet()) {
            if (w.getKey().startsWith("expansion/")) {
                assertThat(after.get(w.getKey())).as(w.getKey()).isEqualTo(w.getValue());
            }
        }
        assertThat(unloaded()).isZero();
        assertCommercialDealsMatchTruth();

        String ops = String.join("\n", db().query("SELECT r::text FROM ops.runs r UNION ALL SELECT w::text FROM ops.windows w "
                + "UNION ALL SELECT f::text FROM ops.bronze_files f UNION ALL SELECT m::text FROM ops.watermarks m",
                ps -> {}, rs -> rs.getString(1)));
        assertThat(ops).contains("401");
        String history = out.output() + out.customStatus() + host.driver.calls.stream().map(c -> String.valueOf(c.input())).toList();
        for (String scope : SCOPES) {
            assertThat(ops).doesNotContain(sim.token(scope));
            assertThat(history).doesNotContain(sim.token(scope));
        }

        // the token fixed, the next run redoes what the failed runs left and catches up
        sim.faults("expansion").clear();
        assertThat(ingest(new FunctionHost(), "incremental", 0).status()).isEqualTo(COMPLETED);
        assertDealsMatchTruth();
        assertThat(dealWatermarks().get("expansion")).isAfter(dealsBefore.get("expansion"));
    }

    @Test
    void aBatchWhoseEveryRunFailedFailsWithTheReasonNotAGenericText() {
        sim.faults("commercial").failNext(100, 401);
        sim.faults("expansion").failNext(100, 401);

        FunctionHost host = new FunctionHost();
        DurableDriver.Outcome out = ingest(host, "full", 0);

        assertThat(out.failed()).isTrue();
        assertThat(out.failureMessage()).startsWith("Every run of batch ").contains("401", "API_TOKEN")
                .doesNotContain("Unexpected failure");
        assertThat(out.customStatus()).contains("\"phase\":\"failed\"", "failedRuns");
        assertThat(db().query("SELECT DISTINCT status FROM ops.runs", ps -> {}, rs -> rs.getString(1))).containsOnly("failed");
        assertThat(allWatermarks()).isEmpty();
    }

    @Test
    void aRetriedPlanOfTheSameBatchReturnsTheSameRunsAndWindows() {
        IngestActivities activities = new IngestActivities();
        String request = DurableDriver.json(new com.skyfit.lake.pipeline.PlanRequest("e2e-plan-twice", "pipedrive", SCOPES,
                null, "full", "scheduler", null, null));

        com.skyfit.lake.pipeline.RunPlan first = activities.planRun(request, FakeHttp.context(Names.PLAN_RUN));
        com.skyfit.lake.pipeline.RunPlan again = activities.planRun(request, FakeHttp.context(Names.PLAN_RUN));

        assertThat(first.runIds()).hasSize(SCOPES.size() * 7);
        assertThat(again).isEqualTo(first);
        assertThat(count("SELECT count(*) FROM ops.runs WHERE batch_id = 'e2e-plan-twice'")).isEqualTo(SCOPES.size() * 7);
        assertThat(count("SELECT count(*) FROM ops.windows w JOIN ops.runs r USING (run_id) WHERE r.batch_id = 'e2e-plan-twice'"))
                .isEqualTo(first.windows().size());
    }

    @Test
    void partsLoadedByTheBlobTriggerAreNotLoadedAgainAndTheRunCompletes() {
        FunctionHost host = new FunctionHost();
        List<LoadResult> deliveries = new ArrayList<>();
        host.driver.beforeTimerFires(fireAt -> {
            // Event Grid, while the orchestrator waits: one event per part, the first one delivered twice
            List<String> parts = host.outputs(Names.EXTRACT_WINDOW, ExtractResult.class).stream()
                    .flatMap(r -> r.parts().stream()).toList();
            for (String part : parts) {
                deliveries.add(LoadBronzePart.load(part.substring("bronze/".length())));
            }
            deliveries.add(LoadBronzePart.load(parts.get(0).substring("bronze/".length())));
        });

        DurableDriver.Outcome out = ingest(host, "full", 600);

        assertThat(out.status()).as(out.failureMessage()).isEqualTo(COMPLETED);
        List<Integer> polls = host.outputs(Names.COUNT_UNLOADED_PARTS, Integer.class);
        assertThat(polls).hasSize(2).endsWith(0);
        assertThat(polls.get(0)).isPositive();
        assertThat(host.driver.timers).hasSize(1);
        assertThat(host.driver.calls(Names.LOAD_PARTS)).isEmpty();
        IngestSummary summary = host.driver.read(out.output(), IngestSummary.class);
        assertThat(summary.partsLoadedDirectly()).isZero();
        assertThat(deliveries).hasSize(polls.get(0) + 1);
        assertThat(deliveries.subList(0, polls.get(0))).allSatisfy(r -> assertThat(r.filesLoaded()).isEqualTo(1));
        LoadResult redelivered = deliveries.get(deliveries.size() - 1);
        assertThat(redelivered.filesLoaded()).isZero();
        assertThat(redelivered.filesSkipped()).isEqualTo(1);

        assertThat(statuses(summary.batchId())).containsOnly("success");
        long staged = 0;
        for (String entity : List.of("deals", "persons", "organizations", "activities", "pipelines", "stages", "users")) {
            staged += count("SELECT count(*) FROM stg_pipedrive." + entity + "_raw");
        }
        assertThat(staged).isEqualTo(count("SELECT sum(records) FROM ops.bronze_files"))
                .isEqualTo(summary.records());
        assertThat(count("SELECT count(*) FROM ops.bronze_files WHERE status <> 'loaded' OR staging_rows + invalid_rows <> records"))
                .isZero();
        assertDealsMatchTruth();
    }

    private DurableDriver.Outcome ingest(FunctionHost host, String loadType, long loadWaitSeconds) {
        String batch = "e2e-" + loadType + "-" + (++batches);
        IngestInput input = new IngestInput(batch, "pipedrive", loadType, "scheduler", null, null, SCOPES, null, 3, 50,
                loadWaitSeconds, 60);
        return host.driver.run(Names.INGEST, "ingest-" + batch, input);
    }

    private void assertDealsMatchTruth() {
        assertDealsMatchTruth(SCOPES);
    }

    private void assertCommercialDealsMatchTruth() {
        assertDealsMatchTruth(List.of("commercial"));
    }

    private void assertDealsMatchTruth(List<String> scopes) {
        for (String scope : scopes) {
            Map<Long, String> core = new TreeMap<>();
            db().query("SELECT id, update_time, is_deleted FROM core.pd_deals WHERE scope = ?", ps -> ps.setString(1, scope),
                    rs -> core.put(rs.getLong(1), rs.getTimestamp(2).toInstant() + " deleted=" + rs.getBoolean(3)));
            Map<Long, String> truth = new TreeMap<>();
            sim.truth(scope, "deals").forEach((id, deal) -> truth.put(id,
                    LocalDateTime.parse(deal.get("update_time").asText(), PD_TIME).toInstant(ZoneOffset.UTC)
                            + " deleted=" + "deleted".equals(deal.path("status").asText())));
            assertThat(core).as("core.pd_deals of " + scope).isEqualTo(truth);
        }
    }

    private Map<String, Instant> dealWatermarks() {
        Map<String, Instant> out = new TreeMap<>();
        db().query("SELECT scope, watermark FROM ops.watermarks WHERE source = 'pipedrive' AND entity = 'deals'",
                ps -> {}, rs -> out.put(rs.getString(1), rs.getTimestamp(2).toInstant()));
        return out;
    }

    private Map<String, String> allWatermarks() {
        Map<String, String> out = new TreeMap<>();
        db().query("SELECT scope || '/' || entity, watermark::text || ' ' || coalesce(run_id, '') FROM ops.watermarks",
                ps -> {}, rs -> out.put(rs.getString(1), rs.getString(2)));
        return out;
    }

    private List<String> statuses(String batchId) {
        return db().query("SELECT status FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, batchId), rs -> rs.getString(1));
    }

    private long unloaded() {
        return count("SELECT count(*) FROM ops.bronze_files WHERE status <> 'loaded'");
    }

    private long count(String sql) {
        return db().queryFirst(sql, ps -> {}, rs -> rs.getLong(1)).orElseThrow();
    }

    private static Database db() {
        return ((DefaultIngestEngine) EngineProvider.engine()).database();
    }
}
