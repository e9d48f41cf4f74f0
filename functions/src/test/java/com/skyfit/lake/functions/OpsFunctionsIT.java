package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.OpsQueries;
import com.skyfit.lake.testing.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/runs and /api/health over a real PostgreSQL with a few ledger rows. */
class OpsFunctionsIT {
    private static Database db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestPostgres.newDatabase();
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, started_at, completed_at, status,
                                          load_type, triggered_by, rows_extracted, error_message)
                    VALUES ('r1', 'b1', 'pipedrive', 'commercial', 'deals', now() - interval '2 hours', now() - interval '1 hour',
                            'success', 'incremental', 'scheduler', 42, NULL),
                           ('r2', 'b1', 'pipedrive', 'commercial', 'persons', now() - interval '2 hours', now() - interval '1 hour',
                            'failed', 'incremental', 'scheduler', 0, 'HTTP 429 after 4 attempts')
                    """);
            st.execute("INSERT INTO ops.transform_state (core_table, last_run_at) VALUES ('deals', now() - interval '1 hour')");
        }
        EngineProvider.use(Settings.of(Map.of()), new FakeEngine());
        EngineProvider.useOps(new OpsQueries(db));
    }

    @AfterAll
    static void tearDown() {
        EngineProvider.reset();
        db.close();
    }

    @Test
    void runsListsTheLatestRunOfEachEntityAndTheRecentOnes() throws Exception {
        HttpResponseMessage r = new OpsFunctions().runs(
                FakeHttp.request(HttpMethod.GET, "/api/runs", null, Map.of("source", "pipedrive", "limit", "5")),
                FakeHttp.context("Runs"));

        assertThat(r.getStatusCode()).isEqualTo(200);
        JsonNode json = ActivityInput.JSON.readTree((String) r.getBody());
        assertThat(json.get("latestPerEntity")).extracting(n -> n.get("entity").asText()).containsExactly("deals", "persons");
        assertThat(json.get("recent")).hasSize(2);
        assertThat(json.at("/recent/0/startedAt").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
        assertThat(json.get("failedFiles")).isEmpty();
    }

    @Test
    void aBadLimitIsA400() {
        HttpResponseMessage r = new OpsFunctions().runs(
                FakeHttp.request(HttpMethod.GET, "/api/runs", null, Map.of("limit", "lots")), FakeHttp.context("Runs"));

        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat((String) r.getBody()).contains("limit must be a whole number from 1 to 500");
    }

    @Test
    void healthIs503WithTheReasonsWhenALatestRunFailed() throws Exception {
        HttpResponseMessage r = new OpsFunctions().health(
                FakeHttp.request(HttpMethod.GET, "/api/health", null, Map.of()), FakeHttp.context("Health"));

        assertThat(r.getStatusCode()).isEqualTo(503);
        JsonNode json = ActivityInput.JSON.readTree((String) r.getBody());
        assertThat(json.get("status").asText()).isEqualTo("degraded");
        assertThat(json.get("problems")).extracting(JsonNode::asText)
                .containsExactly("latest run of pipedrive/commercial/persons failed: HTTP 429 after 4 attempts");
        assertThat(json.get("freshness")).extracting(f -> f.get("coreTable").asText()).contains("deals");
    }
}
