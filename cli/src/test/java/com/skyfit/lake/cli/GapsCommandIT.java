package com.skyfit.lake.cli;

import com.skyfit.lake.cli.InProcessCli.Result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `skyfit gaps` over a ledger written by `skyfit backfill` against the simulated Pipedrive in day windows: two
 * backfills with two days between them never read; the printed command, run as printed, reads exactly those days.
 */
class GapsCommandIT {
    @TempDir
    Path home;

    private final PrintStream originalOut = System.out;
    private PipedriveSimulator sim;
    private Settings settings;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial").scale(30).start();
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        s.put(Settings.HOME, home.toString());
        s.put("PIPEDRIVE_SCOPES", "commercial");
        s.put("PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial"));
        s.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial"));
        s.put("SKYFIT_BACKFILL_WINDOW_DAYS", "1");
        settings = Settings.of(s);
    }

    @AfterEach
    void stop() {
        sim.close();
        CliSettings.use(null);
        System.setOut(originalOut);
    }

    @Test
    void listsTheDaysPrintsTheResumeCommandAndThatCommandReadsOnlyTheMissingDays() throws Exception {
        assertThat(run("backfill", "--source", "pipedrive", "--entity", "deals", "--from", "2024-05-25", "--to",
                "2024-05-27").exit()).isZero();
        assertThat(run("backfill", "--source", "pipedrive", "--entity", "deals", "--from", "2024-05-30", "--to",
                "2024-05-31").exit()).isZero();

        Result gaps = run("gaps", "--source", "pipedrive", "--entity", "deals", "--from", "2024-05-25", "--to",
                "2024-05-31");

        assertThat(gaps.exit()).as(gaps.err()).isZero();
        List<String> dayLines = gaps.out().lines().filter(l -> l.startsWith("  commercial  deals   2024-05-")).toList();
        assertThat(dayLines).hasSize(7);
        assertThat(dayLines.get(3)).containsPattern("commercial +deals +2024-05-28 +missing +- +- +0 +never planned");
        assertThat(dayLines.get(0)).containsPattern("commercial +deals +2024-05-25 +extracted +\\d+ ");
        // aligned: every row starts its status column where the header does
        String header = gaps.out().lines().filter(l -> l.contains("status") && l.contains("note")).findFirst().orElseThrow();
        assertThat(dayLines).allSatisfy(l -> assertThat(l.indexOf("2024-05-")).isEqualTo(header.indexOf("day")));
        assertThat(gaps.out()).containsPattern("commercial +deals +7 +5 +0 +0 +2 +0 +0 ");
        String resume = "./skyfit backfill --source pipedrive --entity deals --from 2024-05-28 --to 2024-05-29";
        assertThat(gaps.out()).contains("  " + resume);

        JsonNode json = new ObjectMapper().readTree(run("gaps", "--source", "pipedrive", "--entity", "deals", "--from",
                "2024-05-25", "--to", "2024-05-31", "--json").out());
        assertThat(json.path("days")).hasSize(7);
        assertThat(json.path("days").get(3).path("status").asText()).isEqualTo("missing");
        assertThat(json.path("days").get(3).path("day").asText()).isEqualTo("2024-05-28");
        assertThat(json.path("totals").get(0).path("missing").asInt()).isEqualTo(2);
        assertThat(json.path("resume")).singleElement().satisfies(r -> assertThat(r.path("command").asText())
                .isEqualTo(resume));

        String[] printed = resume.split(" ");
        Result resumed = run(Arrays.copyOfRange(printed, 1, printed.length));
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(windowsOfLatestBatch()).containsExactly("2024-05-28 extracted", "2024-05-29 extracted");

        Result after = run("gaps", "--source", "pipedrive", "--entity", "deals", "--from", "2024-05-25", "--to",
                "2024-05-31", "--gaps-only");
        assertThat(after.out()).contains("every day extracted", "Nothing to resume")
                .containsPattern("commercial +deals +7 +7 +0 +0 +0 ");
    }

    @Test
    void thePackagedJarPrintsTheSameReport() throws Exception {
        assertThat(run("backfill", "--source", "pipedrive", "--entity", "deals", "--from", "2024-05-25", "--to",
                "2024-05-26").exit()).isZero();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Path.of("target", "skyfit.jar").toAbsolutePath().toString(), "gaps", "--source", "pipedrive", "--entity",
                "deals", "--from", "2024-05-25", "--to", "2024-05-27", "--json");
        pb.environment().putAll(settings.asMap());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();

        JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.path("days")).extracting(d -> d.path("day").asText() + " " + d.path("status").asText())
                .containsExactly("2024-05-25 extracted", "2024-05-26 extracted", "2024-05-27 missing");
        assertThat(json.path("resume").get(0).path("command").asText())
                .isEqualTo("./skyfit backfill --source pipedrive --entity deals --from 2024-05-27 --to 2024-05-27");
    }

    @Test
    void wrongInputGetsAClearError() {
        assertThat(run("gaps", "--source", "nope").err()).contains("unknown source 'nope'", "pipedrive");
        assertThat(run("gaps", "--source", "pipedrive", "--entity", "dealz").err())
                .contains("unknown entity 'dealz' for source pipedrive");
        assertThat(run("gaps", "--source", "pipedrive", "--entity", "pipelines").err())
                .contains("'pipelines'", "read whole every run");
        assertThat(run("gaps", "--source", "pipedrive", "--from", "2024-05-31", "--to", "2024-05-01").err())
                .contains("--from (2024-05-31) is after --to (2024-05-01)");
        Result bad = run("gaps", "--source", "pipedrive", "--from", "2024-13-01");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--from must be a date YYYY-MM-DD, got '2024-13-01'");
        assertThat(run("gaps", "--source", "pipedrive", "--scope", "x", "--to", "2024-02-30").err())
                .contains("--to must be a date");
        assertThat(run("gaps", "--source", "pipedrive", "--scope", "comercial").err())
                .contains("unknown scope 'comercial' for source pipedrive", "commercial");
    }

    private List<String> windowsOfLatestBatch() {
        Map<String, String> s = settings.asMap();
        try (Database db = Database.external(s.get("SKYFIT_PG_URL"), s.get("SKYFIT_PG_USER"),
                Secret.of(s.get("SKYFIT_PG_PASSWORD")))) {
            return db.query("""
                    SELECT (w.window_start AT TIME ZONE 'UTC')::date, w.status FROM ops.windows w JOIN ops.runs r USING (run_id)
                    WHERE r.batch_id = (SELECT batch_id FROM ops.runs ORDER BY started_at DESC, run_id DESC LIMIT 1)
                    ORDER BY w.window_start""", ps -> {}, rs -> rs.getObject(1, java.time.LocalDate.class) + " "
                    + rs.getString(2));
        }
    }

    private Result run(String... args) {
        return InProcessCli.run(settings, args);
    }
}
