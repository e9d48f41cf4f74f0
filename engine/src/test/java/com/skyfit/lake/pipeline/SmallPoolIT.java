package com.skyfit.lake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No step holds one pool connection while it asks for a second: with every connection but one taken (by the request
 * gate and other work of the instance), a plan that reads a watermark and a transform that credits a dead run's rows
 * still finish, instead of waiting for a connection only they would free.
 */
class SmallPoolIT {
    @TempDir
    Path bronzeDir;

    PipedriveSimulator sim;
    Database db;
    Settings settings;
    DefaultIngestEngine engine;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial").scale(20).seed(5).start();
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        s.put("PIPEDRIVE_SCOPES", "commercial");
        s.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
        s.put("PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial"));
        s.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial"));
        s.put("SKYFIT_PG_POOL_SIZE", "3");
        settings = Settings.of(s);
        db = Database.open(settings);
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir), Connectors.configured(settings),
                Clock.systemUTC(), false);
    }

    @AfterEach
    void stop() {
        engine.close();
        db.close();
        sim.close();
    }

    @Test
    void aPlanAndATransformEachNeedOnlyOneConnection() throws Exception {
        RunPlan dead = engine.plan(new PlanRequest("batch-dead", "pipedrive", List.of("commercial"), List.of("deals"),
                "full", "manual", null, null));
        dead.windows().forEach(engine::extract);
        engine.load(engine.unloadedParts(dead.batchId()), false);
        engine.failBatch(dead.batchId(), "stopped for the test", null);
        // a complete read of persons sets its watermark, so the next incremental plan (reconciliation not yet due)
        // reads that watermark inside its own transaction
        RunPlan first = engine.plan(new PlanRequest("batch-first", "pipedrive", List.of("commercial"),
                List.of("persons"), "full", "manual", null, null));
        first.windows().forEach(engine::extract);
        engine.load(engine.unloadedParts(first.batchId()), false);
        engine.transform(first.batchId(), false);
        engine.completeBatch(first.batchId());

        try (Connection held1 = db.dataSource().getConnection(); Connection held2 = db.dataSource().getConnection()) {
            RunPlan next = CompletableFuture.supplyAsync(() -> engine.plan(new PlanRequest("batch-next", "pipedrive",
                    List.of("commercial"), List.of("deals", "persons"), "incremental", "manual", null, null)))
                    .get(20, TimeUnit.SECONDS);
            List<TransformResult> done = CompletableFuture.supplyAsync(() -> engine.transform(next.batchId(), false))
                    .get(20, TimeUnit.SECONDS);

            assertThat(next.windows().get(1).windowStart()).as("persons read from its watermark less the overlap")
                    .isNotNull();
            long inserted = done.stream().mapToLong(TransformResult::inserted).sum();
            assertThat(inserted).isPositive();
            assertThat(db.queryFirst("SELECT rows_inserted FROM ops.runs WHERE run_id = ?",
                    ps -> ps.setString(1, next.runIds().get(0)), rs -> rs.getLong(1)))
                    .as("the dead run's rows are credited to the run that transformed them").contains(inserted);
        }
    }

    @Test
    void aPoolOfFewerThanThreeConnectionsIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Database.open(settings.with("SKYFIT_PG_POOL_SIZE", "2")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("SKYFIT_PG_POOL_SIZE");
    }
}
