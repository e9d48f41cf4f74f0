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
import java.time.Instant;
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
        s.put("SKYFIT_ORCHESTRATION_LEASE_TIMEOUT_SECONDS", "5");
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
    void aResumedBackfillReadsAgainTheWindowOfAFailedPartAndThenSucceeds() {
        engine.close();
        engine = engine(settings.with("SKYFIT_BACKFILL_WINDOW_DAYS", "366"));
        String from = "2023-01-01"; // the simulator's records lie around 2024
        String to = "2026-12-31";
        PlanRequest req = new PlanRequest(null, "pipedrive", List.of("commercial"), List.of("deals"), "backfill", "api",
                from, to);
        RunPlan first = engine.plan(req);
        String runId = first.runIds().get(0);
        first.windows().forEach(engine::extract);
        String broken = db.queryFirst("SELECT blob_path FROM ops.bronze_files WHERE run_id = ? ORDER BY blob_path LIMIT 1",
                ps -> ps.setString(1, runId), rs -> rs.getString(1)).orElseThrow();
        Instant brokenWindow = db.queryFirst("SELECT window_start FROM ops.bronze_files WHERE blob_path = ?",
                ps -> ps.setString(1, broken), rs -> rs.getTimestamp(1).toInstant()).orElseThrow();
        // what the loader records for a corrupt gzip
        db.execute("UPDATE ops.bronze_files SET status = 'failed', error_message = 'not a gzip file' WHERE blob_path = ?",
                ps -> ps.setString(1, broken));
        engine.load(engine.unloadedParts(first.batchId()), false);
        engine.transform(first.batchId(), false);
        engine.completeBatch(first.batchId());
        assertThat(status(runId)).isEqualTo("failed");
        assertThat(error(runId)).contains("not a gzip file");

        RunPlan resumed = engine.plan(req);
        assertThat(resumed.runIds()).containsExactly(runId);
        assertThat(resumed.windows()).singleElement()
                .satisfies(w -> assertThat(Instant.parse(w.windowStart())).isEqualTo(brokenWindow));
        resumed.windows().forEach(engine::extract);
        engine.load(engine.unloadedParts(resumed.batchId()), false);
        engine.transform(resumed.batchId(), false);
        engine.completeBatch(resumed.batchId());

        assertThat(status(runId)).isEqualTo("success");
        assertThat(db.queryFirst("SELECT status FROM ops.bronze_files WHERE blob_path = ?", ps -> ps.setString(1, broken),
                rs -> rs.getString(1))).as("the failed part stays on the ledger as it was").contains("failed");
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
    void aDurableBatchWaitingForARetryKeepsItsRunsWhileOtherEntitiesArePlanned() {
        DefaultIngestEngine durable = engine(settings.with("SKYFIT_ORCHESTRATION_LEASE_TIMEOUT_SECONDS", "900"));
        try {
            RunPlan waiting = durable.plan(new PlanRequest("batch-waiting", "pipedrive", List.of("commercial"),
                    List.of("deals", "persons"), "incremental", "scheduler", null, null));
            // a window failed and the orchestration waits minutes for its retry: no activity refreshes the leases
            db.execute("UPDATE ops.run_leases SET heartbeat_at = now() - interval '200 seconds' WHERE batch_id = ?",
                    ps -> ps.setString(1, waiting.batchId()));

            durable.plan(request("full", "users"));
            RunPlan sameEntity = durable.plan(request("incremental", "deals"));

            assertThat(error(sameEntity.runIds().get(0))).startsWith("not started: pipedrive commercial/deals is owned");
            for (String runId : waiting.runIds()) {
                assertThat(status(runId)).isEqualTo("running");
            }

            // past the orchestration timeout the next plan of that entity, and only of it, takes the lease over
            db.execute("UPDATE ops.run_leases SET heartbeat_at = now() - interval '1000 seconds' WHERE batch_id = ?",
                    ps -> ps.setString(1, waiting.batchId()));
            durable.plan(request("full", "deals"));
            assertThat(status(waiting.runIds().get(0))).isEqualTo("failed");
            assertThat(error(waiting.runIds().get(0))).startsWith("abandoned: its owner orchestration");
            assertThat(status(waiting.runIds().get(1))).isEqualTo("running");
        } finally {
            durable.close();
        }
    }

    @Test
    void aRetriedPlanOpensTheEntitiesTheInterruptedFirstPlanNeverReached() {
        // the first attempt committed deals, then its worker stopped before persons
        RunPlan partial = engine.plan(new PlanRequest("batch-retried", "pipedrive", List.of("commercial"),
                List.of("deals"), "full", "api", null, null));
        RunPlan retried = engine.plan(new PlanRequest("batch-retried", "pipedrive", List.of("commercial"),
                List.of("deals", "persons"), "full", "api", null, null));

        assertThat(retried.runIds()).hasSize(2).startsWith(partial.runIds().get(0));
        assertThat(retried.windows()).extracting(WindowTask::entity).containsExactly("deals", "persons");
        assertThat(status(retried.runIds().get(1))).isEqualTo("running");
        RunPlan again = engine.plan(new PlanRequest("batch-retried", "pipedrive", List.of("commercial"),
                List.of("deals", "persons"), "full", "api", null, null));
        assertThat(again.runIds()).isEqualTo(retried.runIds());
    }

    @Test
    void twoPlansOfOneBatchAtTheSameTimeOpenOneRunPerEntity() throws Exception {
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                PlanRequest req = new PlanRequest("batch-twice-" + round, "pipedrive", List.of("commercial"),
                        List.of("deals", "persons", "users"), "full", "api", null, null);
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.Callable<RunPlan> plan = () -> {
                    go.await();
                    return engine.plan(req);
                };
                java.util.concurrent.Future<RunPlan> a = two.submit(plan);
                java.util.concurrent.Future<RunPlan> b = two.submit(plan);
                go.countDown();
                assertThat(a.get().runIds()).isEqualTo(b.get().runIds());
                assertThat(db.query("SELECT entity, count(*) FROM ops.runs WHERE batch_id = ? GROUP BY entity",
                        ps -> ps.setString(1, req.batchId()), rs -> rs.getLong(2))).hasSize(3).containsOnly(1L);
                assertThat(db.query("SELECT status FROM ops.runs WHERE batch_id = ?",
                        ps -> ps.setString(1, req.batchId()), rs -> rs.getString(1))).containsOnly("running");
                engine.failBatch(req.batchId(), "round over", null);
            }
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void aStaleDuplicateExtractCannotSetAnExtractedWindowBackToRunningOrFailed() {
        RunPlan plan = engine.plan(request("full", "deals"));
        WindowTask w = plan.windows().get(0);
        engine.extract(w);
        com.skyfit.lake.control.WindowLedger windows = new com.skyfit.lake.control.WindowLedger(db, engine.runs());

        // the duplicate delivery that started before the first finished, then failed
        windows.windowStarted(w.batchId(), w.runId(), null, null);
        windows.windowFailed(w.batchId(), w.runId(), null, null, "duplicate gave up");
        // the activity of a batch that no longer owns the run
        windows.windowFailed("batch-stale", w.runId(), null, null, "stale batch");

        assertThat(windows.windows(w.runId())).singleElement().satisfies(x -> {
            assertThat(x.status()).isEqualTo("extracted");
            assertThat(x.attempts()).isEqualTo(1);
        });
        assertThat(db.queryFirst("SELECT error_message FROM ops.windows WHERE run_id = ?",
                ps -> ps.setString(1, w.runId()), rs -> String.valueOf(rs.getString(1)))).contains("null");
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
