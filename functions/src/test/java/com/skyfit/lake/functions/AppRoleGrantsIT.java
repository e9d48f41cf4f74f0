package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * infra/sql/grant-app-role.sql, as docs/deploy.md runs it after `skyfit migrate`, gives the app's role
 * everything the engine does in a full and an incremental run, and no DDL.
 */
class AppRoleGrantsIT {
    private static final String APP_ROLE = "skyfit-app-id";
    private static final String APP_PASSWORD = "grants-test";

    @TempDir
    Path bronze;

    @Test
    void theAppRoleRunsTheWholePipelineButCannotChangeTheSchema() throws Exception {
        String url;
        try (Database owner = TestPostgres.newDatabase(); Connection c = owner.connection(); Statement st = c.createStatement()) {
            url = c.getMetaData().getURL();
            st.execute("DROP ROLE IF EXISTS \"" + APP_ROLE + "\"");
            st.execute("CREATE ROLE \"" + APP_ROLE + "\" LOGIN PASSWORD '" + APP_PASSWORD + "'");
            st.execute("SELECT set_config('skyfit.app_role', '" + APP_ROLE + "', false)");
            st.execute(grantBlock());
        }

        try (PipedriveSimulator sim = PipedriveSimulator.builder().scopes("commercial").scale(5).seed(3).start();
                Database app = Database.external(url, APP_ROLE, Secret.of(APP_PASSWORD))) {
            Map<String, String> s = new HashMap<>();
            s.put("PIPEDRIVE_SCOPES", "commercial");
            s.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
            s.put("PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial"));
            s.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial"));
            Settings settings = Settings.of(s);
            try (DefaultIngestEngine engine = new DefaultIngestEngine(settings, app, new LocalBronzeStore(bronze),
                    Connectors.configured(settings), Clock.systemUTC(), false)) {
                for (String loadType : List.of("full", "incremental")) {
                    BatchRunner.Outcome o = new BatchRunner(engine).run(new PlanRequest(null, "pipedrive", List.of(), List.of(),
                            loadType, "manual", null, null), 2, BatchRunner.Listener.NONE);
                    assertThat(o.error()).as(loadType + " run as the app role").isNull();
                    assertThat(o.windowsFailed()).isZero();
                }
            }
            long deals = app.queryFirst("SELECT count(*) FROM core.pd_deals", ps -> {}, rs -> rs.getLong(1)).orElseThrow();
            assertThat(deals).isPositive();
        }

        try (Connection c = DriverManager.getConnection(url, APP_ROLE, APP_PASSWORD); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("CREATE TABLE ops.not_allowed (id int)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> st.execute("DROP TABLE core.pd_deals"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("must be owner");
        }
    }

    @Test
    void anUnknownRoleStopsTheScriptWithAMessage() throws Exception {
        try (Database owner = TestPostgres.newDatabase(); Connection c = owner.connection(); Statement st = c.createStatement()) {
            st.execute("SELECT set_config('skyfit.app_role', 'nobody-here', false)");
            assertThatThrownBy(() -> st.execute(grantBlock()))
                    .isInstanceOf(SQLException.class).hasMessageContaining("role \"nobody-here\" does not exist");
        }
    }

    /** The script without its psql variable line (set here with set_config, as that line does). */
    private static String grantBlock() throws Exception {
        String script = Files.readString(BicepModel.INFRA.resolve("sql/grant-app-role.sql"));
        int start = script.indexOf("DO $$");
        assertThat(script.substring(0, start).toLowerCase(Locale.ROOT)).contains("set_config('skyfit.app_role', :'app_role', false)");
        return script.substring(start);
    }
}
