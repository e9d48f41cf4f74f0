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
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day-long EVO re-scan and the scheduled run side by side, through the real orchestration, the app's activities,
 * the one engine, the EVO simulator and a real PostgreSQL. The re-scan batch is planned and left reading (it holds
 * the members' lease, as it would for the 20 hours a members re-scan takes at 40 requests a minute).
 */
class TimedRunsSideBySideIT {
    private static final OrchestrationStatus COMPLETED = OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED;
    private static final String SCOPE = "gym";

    @TempDir
    Path home;
    private EvoSimulator sim;

    @BeforeEach
    void appOverTheRealEngine() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        sim = EvoSimulator.builder().scopes(SCOPE).branches(1).entries(600).members(40).sales(20).prospects(10)
                .days(today.minusDays(3), 4).requestsPerMinute(0).seed(5).start();
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        s.putAll(sim.settings());
        s.put("SKYFIT_HOME", home.toString());
        s.put("SKYFIT_BRONZE_URL", home.resolve("lake").toUri().toString());
        s.put("EVO_REQUESTS_PER_MINUTE", "6000");
        s.put("SKYFIT_PG_RETRY_SECONDS", "0.01");
        EngineProvider.use(Settings.of(s), null);
    }

    @AfterEach
    void closeEverything() {
        if (EngineProvider.engine() instanceof DefaultIngestEngine engine) {
            engine.close();
        }
        EngineProvider.reset();
        sim.close();
    }

    @Test
    void theScheduledRunReadsEntriesAndReceivablesWhileTheRescanHoldsMembers() {
        RunPlan rescan = plan("evo-rescan-1", "full", "scheduler", "members");
        assertThat(rescan.runIds()).hasSize(1);

        FunctionHost host = new FunctionHost();
        DurableDriver.Outcome out = ingest(host, "evo-scheduled-1", "incremental", "members", "entries", "receivables");

        assertThat(out.status()).as(out.failureMessage()).isEqualTo(COMPLETED);
        IngestSummary summary = host.driver.read(out.output(), IngestSummary.class);
        assertThat(summary.failedRuns()).isEmpty();
        assertThat(summary.runs()).isEqualTo(2);
        assertThat(summary.skipped()).singleElement().asString()
                .startsWith(SCOPE + "/members skipped: evo " + SCOPE + "/members is owned by run " + rescan.runIds().get(0)
                        + " of batch evo-rescan-1");
        assertThat(out.customStatus()).contains("\"skipped\"", "members is owned by run", "evo-rescan-1");
        assertThat(runs("evo-scheduled-1")).containsExactlyInAnyOrder("entries success", "receivables success");
        assertThat(count("SELECT count(*) FROM core.evo_entries")).isPositive();
        assertThat(count("SELECT count(*) FROM ops.watermarks WHERE source = 'evo' AND entity = 'entries'")).isOne();
        // the re-scan was not disturbed: its run is still reading members, and it alone holds their lease
        assertThat(runs("evo-rescan-1")).containsExactly("members running");
        assertThat(count("SELECT count(*) FROM ops.runs WHERE status = 'failed'")).isZero();

        // a run asked for by hand is not timed: it still hears at once that the entity is taken
        RunPlan manual = plan("manual-1", "incremental", "manual", "members");
        assertThat(runs("manual-1")).singleElement().asString().isEqualTo("members failed");
        assertThat(error(manual.runIds().get(0))).startsWith("not started: evo " + SCOPE + "/members is owned by run "
                + rescan.runIds().get(0) + " of batch evo-rescan-1");
        assertThat(manual.skipped()).isEmpty();
    }

    @Test
    void twoTimersFiringTogetherBothFinishWithoutAFailedRun() {
        // the scheduled run planned first: it holds every entity while the re-scan of the same minute plans
        RunPlan scheduled = plan("evo-scheduled-2", "incremental", "scheduler", "members", "entries");

        FunctionHost host = new FunctionHost();
        DurableDriver.Outcome rescan = ingest(host, "evo-rescan-2", "full", "members", "member_memberships");

        assertThat(rescan.status()).as(rescan.failureMessage()).isEqualTo(COMPLETED);
        IngestSummary summary = host.driver.read(rescan.output(), IngestSummary.class);
        assertThat(summary.failedRuns()).isEmpty();
        assertThat(summary.skipped()).singleElement().asString().contains("members is owned by run",
                scheduled.batchId());
        assertThat(runs("evo-rescan-2")).containsExactly("member_memberships success");
        assertThat(runs("evo-scheduled-2")).containsExactlyInAnyOrder("members running", "entries running");

        // a retried plan of the re-scan batch (a redelivered activity) skips the same entity the same way
        RunPlan again = new IngestActivities().planRun(DurableDriver.json(new PlanRequest("evo-rescan-2", "evo",
                List.of(SCOPE), List.of("members", "member_memberships"), "full", "scheduler", null, null)),
                FakeHttp.context(Names.PLAN_RUN));
        assertThat(again.skipped()).hasSize(1);
        assertThat(count("SELECT count(*) FROM ops.runs WHERE status = 'failed'")).isZero();
    }

    private RunPlan plan(String batch, String loadType, String trigger, String... entities) {
        return new IngestActivities().planRun(DurableDriver.json(new PlanRequest(batch, "evo", List.of(SCOPE),
                List.of(entities), loadType, trigger, null, null)), FakeHttp.context(Names.PLAN_RUN));
    }

    private DurableDriver.Outcome ingest(FunctionHost host, String batch, String loadType, String... entities) {
        IngestInput input = new IngestInput(batch, "evo", loadType, "scheduler", null, null, List.of(SCOPE),
                List.of(entities), 3, 50, 0, 60);
        return host.driver.run(Names.INGEST, "ingest-" + batch, input);
    }

    private List<String> runs(String batch) {
        return db().query("SELECT entity || ' ' || status FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, batch),
                rs -> rs.getString(1));
    }

    private String error(String runId) {
        return db().queryFirst("SELECT error_message FROM ops.runs WHERE run_id = ?", ps -> ps.setString(1, runId),
                rs -> rs.getString(1)).orElseThrow();
    }

    private long count(String sql) {
        return db().queryFirst(sql, ps -> {}, rs -> rs.getLong(1)).orElseThrow();
    }

    private static Database db() {
        return ((DefaultIngestEngine) EngineProvider.engine()).database();
    }
}
