package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Function App never migrates: against a database behind the build it stops, naming the command that fixes it. */
class SchemaCheckIT {
    @TempDir
    Path home;

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void anActivityAgainstAnUnmigratedDatabaseFailsNamingTheMigrateCommandAndMigratesNothing() {
        Map<String, String> s = new HashMap<>(TestPostgres.newEmptyDatabaseSettings());
        s.put("SKYFIT_BRONZE_URL", home.toUri().toString());
        s.put("PIPEDRIVE_SCOPES", "commercial");
        s.put("PIPEDRIVE_COMMERCIAL_BASE_URL", "http://127.0.0.1:9");
        s.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", "t");
        Settings settings = Settings.of(s);
        EngineProvider.use(settings, null);

        assertThatThrownBy(() -> new IngestActivities().countUnloadedParts("\"b\"", FakeHttp.context("CountUnloadedParts")))
                .isInstanceOf(Database.SchemaBehindException.class)
                .hasMessageContaining("./skyfit migrate");
        try (Database db = Database.connect(settings)) {
            assertThat(db.schemaVersion()).as("the app left the schema alone").isNull();
            db.migrate();
        }
        EngineProvider.use(settings, null);
        assertThat(new IngestActivities().countUnloadedParts("\"b\"", FakeHttp.context("CountUnloadedParts"))).isZero();
    }
}
