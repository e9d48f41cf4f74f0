package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.testing.TestPostgres;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob trigger over the real engine: a real bronze part in a local bronze folder, loaded into a real
 * PostgreSQL, and loaded again as a second Event Grid delivery would, without doubling a row.
 */
class LoadBronzePartIT {
    private static final String NAME = "pipedrive/scope=commercial/entity=deals/ingestion_date=2026-03-01/run_id=r-blob-it/part-00000.jsonl.gz";

    @TempDir
    Path home;
    private Map<String, String> pg;
    private int lines;

    @BeforeEach
    void realEngineOverARealPart() throws Exception {
        pg = TestPostgres.newDatabaseSettings();
        Path bronze = home.resolve("bronze");
        lines = writePart(bronze.resolve("bronze").resolve(NAME));
        Map<String, String> settings = new HashMap<>(pg);
        settings.put("SKYFIT_HOME", home.toString());
        settings.put("SKYFIT_BRONZE_URL", bronze.toUri().toString());
        EngineProvider.use(Settings.of(settings), null);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // the part as an extract leaves it: its run and its ledger row, not yet loaded
            st.execute("INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, load_type, triggered_by)"
                    + " VALUES ('r-blob-it', 'b-blob-it', 'pipedrive', 'commercial', 'deals', 'incremental', 'scheduler')"
                    + " ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO ops.bronze_files (blob_path, source, scope, entity, run_id, records, written_at)"
                    + " VALUES ('bronze/" + NAME + "', 'pipedrive', 'commercial', 'deals', 'r-blob-it', " + lines + ", now())"
                    + " ON CONFLICT DO NOTHING");
        }
    }

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void loadsThePartOnceHoweverOftenTheEventArrives() throws Exception {
        LoadResult first = LoadBronzePart.load(NAME);
        long afterFirst = stagedRows();
        LoadResult second = LoadBronzePart.load(NAME);

        assertThat(first.filesLoaded()).isEqualTo(1);
        assertThat(first.rowsLoaded() + first.rowsInvalid()).isEqualTo(lines);
        assertThat(afterFirst).isEqualTo(lines);
        assertThat(second.filesLoaded()).isZero();
        assertThat(second.filesSkipped()).isEqualTo(1);
        assertThat(stagedRows()).isEqualTo(lines);
        try (Connection c = connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT status FROM ops.bronze_files WHERE blob_path = 'bronze/" + NAME + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("loaded");
        }
    }

    @Test
    void aCorruptPartIsFailedOnTheLedgerOnceAndItsEventIsNotRedelivered() throws Exception {
        String corrupt = NAME.replace("part-00000", "part-00001");
        Path file = home.resolve("bronze").resolve("bronze").resolve(corrupt);
        Files.write(file, "this is not gzip".getBytes(StandardCharsets.UTF_8));

        LoadResult result = LoadBronzePart.load(corrupt);

        assertThat(result.filesFailed()).isEqualTo(1);
        assertThat(result.files()).noneMatch(LoadResult.FileOutcome::postponed);
        try (Connection c = connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT status, attempts FROM ops.bronze_files WHERE blob_path = 'bronze/"
                        + corrupt + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("failed");
            assertThat(rs.getInt(2)).isEqualTo(1);
        }
    }

    @Test
    void aPartNamedWithAnImpossibleDateFailsWithoutARedelivery() {
        String impossible = NAME.replace("2026-03-01", "2026-02-30");

        LoadResult result = LoadBronzePart.load(impossible);

        assertThat(result.filesFailed()).isEqualTo(1);
        assertThat(result.files()).singleElement().satisfies(f -> assertThat(f.error()).contains("impossible"));
    }

    private long stagedRows() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM stg_pipedrive.deals_raw WHERE blob_path = 'bronze/" + NAME + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(pg.get("SKYFIT_PG_URL"), pg.get("SKYFIT_PG_USER"), pg.get("SKYFIT_PG_PASSWORD"));
    }

    /** The real Pipedrive deals fixture, one record per line, gzipped as bronze parts are. */
    private static int writePart(Path part) throws Exception {
        JsonNode deals = ActivityInput.JSON.readTree(
                Path.of("src", "test", "resources", "fixtures", "pipedrive", "deals.json").toFile());
        JsonNode records = deals.isArray() ? deals : deals.get("data");
        Files.createDirectories(part.getParent());
        int n = 0;
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(part));
                Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            for (JsonNode r : records) {
                w.write(ActivityInput.JSON.writeValueAsString(r));
                w.write('\n');
                n++;
            }
        }
        return n;
    }
}
