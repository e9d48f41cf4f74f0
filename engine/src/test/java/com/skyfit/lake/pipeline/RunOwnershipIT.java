package com.skyfit.lake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.LeaseHeartbeat;
import com.skyfit.lake.control.LeaseOwner;
import com.skyfit.lake.core.TransformException;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One owner per run: leases, heartbeats, take-over of dead owners, gap-free plans, counts on the working run. */
class RunOwnershipIT {
    @TempDir
    Path bronzeDir;

    PipedriveSimulator sim;
    Database db;
    Settings settings;
    DefaultIngestEngine engine;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial").scale(30).seed(3).start();
        db = TestPostgres.newDatabase();
        Map<String, String> s = new HashMap<>();
        s.put("PIPEDRIVE_SCOPES", "commercial");
        s.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
        s.put("PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial"));
        s.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial"));
        s.put("SKYFIT_PG_RETRY_SECONDS", "0.01");
        s.put("SKYFIT_BACKFILL_WINDOW_DAYS", "30");
        s.put("SKYFIT_LEASE_TIMEOUT_SECONDS", "5");
        settings = Settings.of(s);
        engine = engine(settings);
    }

    private DefaultIngestEngine engine(Settings s) {
        return new DefaultIngestEngine(s, db, new LocalBronzeStore(bronzeDir), Connectors.configured(s),
                Clock.systemUTC(), false);
    }

    @AfterEach
    void stop() {
        engine.close();
        db.close();
        sim.close();
    }

    private static PlanRequest request(String loadType, String... entities) {
        return new PlanRequest(null, "pipedrive", List.of("commercial"), List.of(entities), loadType, "manual", null,
                null);
    }

    @Test
    void aSecondRunOfALiveEntityIsRefusedNamingTheLiveRunItsBatchAndSinceWhen() {
        RunPlan live = engine.plan(request("full", "deals"), LeaseOwner.currentProcess());
        RunPlan second = engine.plan(request("incremental", "deals"), LeaseOwner.currentProcess());

        assertThat(second.windows()).isEmpty();
        assertThat(status(second.runIds().get(0))).isEqualTo("failed");
        assertThat(error(second.runIds().get(0))).startsWith("not started: pipedrive commercial/deals is owned by run "
                + live.runIds().get(0) + " of batch " + live.batchId() + " since ");
        assertThat(status(live.runIds().get(0))).isEqualTo("running");
    }

    @Test
    void aLiveRunIsNeverReapedHoweverLongItHasBeenRunning() {
        RunPlan live = engine.plan(request("full", "deals"), LeaseOwner.currentProcess());
        db.execute("UPDATE ops.runs SET started_at = now() - interval '3 days' WHERE batch_id = ?",
                ps -> ps.setString(1, live.batchId()));

        engine.plan(request("full", "persons"), LeaseOwner.currentProcess());
        engine.plan(request("full", "deals"), LeaseOwner.currentProcess());

        assertThat(status(live.runIds().get(0))).isEqualTo("running");
    }

    @Test
    void theHeartbeatKeepsALeaseAliveAndAStoppedOneDiesAfterTheTimeout() throws Exception {
        RunPlan first = engine.plan(request("full", "users"));
        try (LeaseHeartbeat.Handle alive = engine.keepAlive(first.batchId())) {
            Thread.sleep(7_000); // longer than the 5 s timeout
            RunPlan refused = engine.plan(request("full", "users"));
            assertThat(error(refused.runIds().get(0))).startsWith("not started:");
        }
        Thread.sleep(6_000); // no heartbeat for longer than the timeout: the owner is dead
        BatchRunner.Outcome next = new BatchRunner(engine).run(request("full", "users"), 2, BatchRunner.Listener.NONE);

        assertThat(status(next.plan().runIds().get(0))).isEqualTo("success");
        assertThat(status(first.runIds().get(0))).isEqualTo("failed");
        assertThat(error(first.runIds().get(0))).startsWith("abandoned: its owner");
        assertThat(runningRuns()).isZero();
    }

    @Test
    void aKilledProcessIsTakenOverAtOnceAndItsRowsAreCountedToTheRunThatWroteThem() throws Exception {
        Process doomed = new ProcessBuilder("sleep", "60").start();
        RunPlan dead = engine.plan(request("full", "deals", "persons"), LeaseOwner.of(doomed.toHandle()));
        dead.windows().forEach(engine::extract);
        engine.load(engine.unloadedParts(dead.batchId()), false);
        doomed.destroyForcibly().waitFor();

        BatchRunner.Outcome next = new BatchRunner(engine).run(request("full", "deals", "persons"), 2,
                BatchRunner.Listener.NONE);

        assertThat(next.error()).isNull();
        assertThat(next.plan().windows()).hasSize(2);
        for (String runId : dead.runIds()) {
            assertThat(status(runId)).isEqualTo("failed");
            assertThat(error(runId)).startsWith("abandoned: its owner " + doomed.pid() + "@");
        }
        assertThat(sum("rows_inserted + rows_updated + rows_unchanged", dead.batchId())).isZero();
        long core = count("core.pd_deals") + count("core.pd_persons");
        assertThat(sum("rows_inserted", next.batchId())).isEqualTo(core);
        assertThat(runningRuns()).isZero();
        assertThat(db.queryFirst("SELECT count(*) FROM ops.run_leases", ps -> {}, rs -> rs.getLong(1))).contains(0L);
    }

    @Test
    void aRunWhoseWindowsLeaveAGapFailsAndTheNextPlanReadsTheGap() {
        String from = LocalDate.now(ZoneOffset.UTC).minusDays(100).toString();
        String to = LocalDate.now(ZoneOffset.UTC).toString();
        PlanRequest req = new PlanRequest(null, "pipedrive", List.of("commercial"), List.of("deals"), "backfill", "api",
                from, to);
        RunPlan first = engine.plan(req);
        String runId = first.runIds().get(0);
        // What a planner that wrote windows one by one left when it stopped half-way: a hole in the range.
        db.execute("DELETE FROM ops.windows WHERE run_id = ? AND window_index = 1", ps -> ps.setString(1, runId));
        first.windows().stream().filter(w -> db.queryFirst("SELECT 1 FROM ops.windows WHERE run_id = ? AND "
                + "window_start = ?::timestamptz", ps -> {
                    ps.setString(1, runId);
                    ps.setString(2, w.windowStart());
                }, rs -> 1).isPresent()).forEach(engine::extract);
        engine.load(engine.unloadedParts(first.batchId()), false);
        engine.transform(first.batchId(), false);
        engine.completeBatch(first.batchId());

        assertThat(status(runId)).isEqualTo("failed");
        assertThat(error(runId)).contains("windows leave 1 part(s) of its range unread");

        RunPlan resumed = engine.plan(req);
        assertThat(resumed.runIds()).containsExactly(runId);
        assertThat(resumed.windows()).hasSize(1);
        assertThat(resumed.windows().get(0).windowStart()).isEqualTo(first.windows().get(1).windowStart());
        resumed.windows().forEach(engine::extract);
        engine.load(engine.unloadedParts(resumed.batchId()), false);
        engine.transform(resumed.batchId(), false);
        engine.completeBatch(resumed.batchId());
        assertThat(status(runId)).isEqualTo("success");
    }

    @Test
    void transformCountsSurviveAFailureInALaterTableAndTheRetry() {
        RunPlan plan = engine.plan(request("full", "deals", "persons"));
        plan.windows().forEach(engine::extract);
        engine.load(engine.unloadedParts(plan.batchId()), false);
        db.execute("""
                CREATE FUNCTION pg_temp_refuse() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'persons refused for the test'; END $$""", ps -> {});
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON core.pd_persons FOR EACH ROW EXECUTE FUNCTION pg_temp_refuse()",
                ps -> {});

        assertThatThrownBy(() -> engine.transform(plan.batchId(), false)).isInstanceOf(TransformException.class)
                .hasMessageContaining("persons refused");
        assertThat(count("core.pd_deals")).isPositive();
        assertThat(sum("rows_inserted", plan.batchId())).isEqualTo(count("core.pd_deals"));

        db.execute("DROP TRIGGER refuse ON core.pd_persons", ps -> {});
        engine.transform(plan.batchId(), false);
        assertThat(count("core.pd_persons")).isPositive();
        assertThat(sum("rows_inserted", plan.batchId())).isEqualTo(count("core.pd_deals") + count("core.pd_persons"));
    }

    @Test
    void aLeaseTimeoutOfZeroIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> engine(settings.with("SKYFIT_LEASE_TIMEOUT_SECONDS", "0")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("SKYFIT_LEASE_TIMEOUT_SECONDS");
    }

    private String status(String runId) {
        return db.queryFirst("SELECT status FROM ops.runs WHERE run_id = ?", ps -> ps.setString(1, runId),
                rs -> rs.getString(1)).orElseThrow();
    }

    private String error(String runId) {
        return db.queryFirst("SELECT coalesce(error_message, '') FROM ops.runs WHERE run_id = ?",
                ps -> ps.setString(1, runId), rs -> rs.getString(1)).orElseThrow();
    }

    private long sum(String expr, String batchId) {
        return db.queryFirst("SELECT coalesce(sum(" + expr + "), 0) FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, batchId), rs -> rs.getLong(1)).orElseThrow();
    }

    private long count(String table) {
        return db.queryFirst("SELECT count(*) FROM " + table, ps -> {}, rs -> rs.getLong(1)).orElseThrow();
    }

    private long runningRuns() {
        return db.queryFirst("SELECT count(*) FROM ops.runs WHERE status = 'running'", ps -> {}, rs -> rs.getLong(1))
                .orElseThrow();
    }
}
