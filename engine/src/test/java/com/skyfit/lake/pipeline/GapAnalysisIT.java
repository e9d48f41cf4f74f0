package com.skyfit.lake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.GapAnalysis;
import com.skyfit.lake.control.GapReport;
import com.skyfit.lake.core.TableDdl;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.testing.TestPostgres;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gap analysis over ledgers the engine wrote itself: the day-windowed gym source of {@link DeclaredSourceIT}
 * backfilled over two ranges with a day the API fails and a day no run ever planned, then the printed resume
 * commands run as the backfill command runs them.
 */
class GapAnalysisIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate FIRST = LocalDate.parse("2024-05-01");
    private static final LocalDate LAST = LocalDate.parse("2024-05-10");
    /** Entries per day; the 6th is a day the gym was open but no entry came through. */
    private static final int PER_DAY = 5;
    private static final LocalDate EMPTY_DAY = LocalDate.parse("2024-05-06");

    @TempDir
    Path bronzeDir;

    private final List<String> requestedDays = new CopyOnWriteArrayList<>();
    private volatile String failingDay;
    private HttpServer server;
    private Database db;
    private DefaultIngestEngine engine;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/entries", this::serve);
        server.start();
        db = TestPostgres.newDatabase();
        db.inTransaction(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SELECT ops.create_staging_table('stg_gym', 'entries')");
                st.execute(TableDdl.of(DeclaredSourceIT.ENTRIES));
            }
            return null;
        });
        Settings settings = Settings.of(Map.of("GYM_SCOPES", "north",
                "GYM_NORTH_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "GYM_NORTH_USER", "lake", "GYM_NORTH_PASSWORD", "s3cret", "GYM_START_DATE", FIRST.toString(),
                "GYM_HTTP_RETRIES", "0", "SKYFIT_PG_RETRY_SECONDS", "0.01"));
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Map.of("gym", DeclaredSourceIT.ENTRY.connector(settings, new LocalRequestGate())),
                List.of(DeclaredSourceIT.ENTRIES),
                com.skyfit.lake.simulator.SimulatorClock.fixed(Instant.parse("2024-05-11T12:00:00Z")), false);
    }

    @AfterEach
    void stop() {
        engine.close();
        db.close();
        server.stop(0);
    }

    @Test
    void listsExtractedFailedAndMissingDaysFlagsAnEmptyDayAndResumesOnlyWhatIsMissing() {
        failingDay = "2024-05-03";
        assertThat(backfill("2024-05-01", "2024-05-04").error()).isNull();
        failingDay = null;
        assertThat(backfill("2024-05-06", "2024-05-10").error()).isNull();

        GapReport report = report();

        assertThat(report.days()).extracting(d -> d.day() + " " + d.status() + " " + d.records() + " " + d.suspicious())
                .containsExactly("2024-05-01 extracted 5 false", "2024-05-02 extracted 5 false",
                        "2024-05-03 failed null false", "2024-05-04 extracted 5 false",
                        "2024-05-05 missing null false", "2024-05-06 extracted 0 true",
                        "2024-05-07 extracted 5 false", "2024-05-08 extracted 5 false",
                        "2024-05-09 extracted 5 false", "2024-05-10 extracted 5 false");
        GapReport.Day failed = report.days().get(2);
        assertThat(failed.note()).contains("HTTP 500").doesNotContain("s3cret");
        assertThat(failed.reads()).isEqualTo(1);
        assertThat(report.days().get(4).note()).isEqualTo("never planned");
        // bronze parts hold what the windows say they read
        assertThat(report.days().get(0).bronzeRecords()).isEqualTo(5);
        assertThat(report.totals()).singleElement().satisfies(t -> {
            assertThat(t.extracted()).isEqualTo(8);
            assertThat(t.failed()).isEqualTo(1);
            assertThat(t.missing()).isEqualTo(1);
            assertThat(t.suspicious()).isEqualTo(1);
            assertThat(t.records()).isEqualTo(35);
            assertThat(t.medianRecords()).isEqualTo(5);
        });
        assertThat(report.resume()).extracting(GapReport.Resume::command).containsExactly(
                "./skyfit backfill --source gym --entity entries --from 2024-05-03 --to 2024-05-03",
                "./skyfit backfill --source gym --entity entries --from 2024-05-05 --to 2024-05-05");

        requestedDays.clear();
        for (GapReport.Resume r : report.resume()) {
            assertThat(runPrinted(r.command()).error()).isNull();
        }

        // the printed commands read the two missing days, each once, and nothing else
        assertThat(requestedDays).containsOnly("2024-05-03", "2024-05-05");
        assertThat(windowsOfLastTwoBatches()).containsExactlyInAnyOrder("2024-05-03 extracted", "2024-05-05 extracted");
        GapReport after = report();
        assertThat(after.resume()).isEmpty();
        assertThat(after.days()).extracting(GapReport.Day::status).containsOnly(GapReport.EXTRACTED);
        assertThat(after.days()).filteredOn(GapReport.Day::suspicious).extracting(GapReport.Day::day)
                .containsExactly(EMPTY_DAY);
    }

    @Test
    void aDayPlannedByARunThatStoppedIsMissingAndADayOfALiveRunIsRunning() {
        assertThat(backfill("2024-05-01", "2024-05-02").error()).isNull();
        // a run that died after planning: its windows were never read
        db.execute("""
                INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, status, load_type, triggered_by)
                VALUES ('dead', 'b-dead', 'gym', 'north', 'entries', 'failed', 'backfill', 'manual'),
                       ('live', 'b-live', 'gym', 'north', 'entries', 'running', 'backfill', 'manual')""", ps -> {});
        db.execute("""
                INSERT INTO ops.windows (run_id, window_start, window_end) VALUES
                  ('dead', '2024-05-03T00:00Z', '2024-05-04T00:00Z'), ('live', '2024-05-04T00:00Z', '2024-05-05T00:00Z')""",
                ps -> {});

        GapReport report = new GapAnalysis(db).report("gym", List.of("north"), List.of("entries"),
                FIRST, LocalDate.parse("2024-05-05"), List.of("north"));

        assertThat(report.days()).extracting(d -> d.day() + " " + d.status() + " " + d.note()).containsExactly(
                "2024-05-01 extracted null", "2024-05-02 extracted null",
                "2024-05-03 missing planned by 1 run(s) that stopped before reading it",
                "2024-05-04 running a live run is reading it", "2024-05-05 missing never planned");
        // the running day is left to its run: two commands around it
        assertThat(report.resume()).extracting(r -> r.from() + ".." + r.to())
                .containsExactly("2024-05-03..2024-05-03", "2024-05-05..2024-05-05");
    }

    @Test
    void aWindowCoversOnlyWhatExistedWhenItsReadStartedAndAWideWindowHasNoDayCount() {
        // windows of the other kinds, as an update-time source and a four-day backfill write them, and a day window
        // read at 09:00 of its own day (an incremental run in the morning)
        db.execute("""
                INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, status, load_type, triggered_by)
                VALUES ('inc', 'b-inc', 'gym', 'north', 'entries', 'success', 'incremental', 'scheduler'),
                       ('week', 'b-week', 'gym', 'north', 'entries', 'success', 'backfill', 'manual'),
                       ('morning', 'b-morning', 'gym', 'north', 'entries', 'success', 'incremental', 'scheduler')""",
                ps -> {});
        db.execute("""
                INSERT INTO ops.windows (run_id, window_start, window_end, status, records, started_at, completed_at)
                VALUES ('inc', '2024-05-02T10:00Z', 'infinity', 'extracted', 40, '2024-05-04T08:00Z', '2024-05-04T08:01Z'),
                       ('week', '2024-05-06T00:00Z', '2024-05-10T00:00Z', 'extracted', 70, '2024-05-13T01:00Z',
                        '2024-05-13T01:10Z'),
                       ('morning', '2024-05-10T00:00Z', '2024-05-11T00:00Z', 'extracted', 40, '2024-05-10T09:00Z',
                        '2024-05-10T09:01Z')""", ps -> {});

        GapReport report = report();

        // the open window read from 10:00 on the 2nd, started at 08:00 on the 4th: the 4th was not over (nor, less
        // the lag, had it reached 08:00 in the gym's wall clock)
        assertThat(report.days()).extracting(d -> d.day() + " " + d.status() + " " + d.records()).containsExactly(
                "2024-05-01 missing null", "2024-05-02 partly read null", "2024-05-03 extracted null",
                "2024-05-04 partly read null", "2024-05-05 missing null", "2024-05-06 extracted null",
                "2024-05-07 extracted null", "2024-05-08 extracted null", "2024-05-09 extracted null",
                "2024-05-10 partly read 40");
        assertThat(report.totals()).singleElement().satisfies(t -> {
            assertThat(t.partlyRead()).isEqualTo(3);
            assertThat(t.extracted()).isEqualTo(5);
            assertThat(t.missing()).isEqualTo(2);
        });
        assertThat(report.resume()).extracting(r -> r.from() + ".." + r.to())
                .containsExactly("2024-05-01..2024-05-02", "2024-05-04..2024-05-05", "2024-05-10..2024-05-10");

        // a read of the 10th that started after it ended, less the lag, covers it; inside the lag it does not
        db.execute("""
                INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, status, load_type, triggered_by)
                VALUES ('night', 'b-night', 'gym', 'north', 'entries', 'success', 'incremental', 'scheduler')""",
                ps -> {});
        db.execute("""
                INSERT INTO ops.windows (run_id, window_start, window_end, status, records, started_at, completed_at)
                VALUES ('night', '2024-05-10T00:00Z', '2024-05-11T00:00Z', 'extracted', 52, '2024-05-11T04:00Z',
                        '2024-05-11T04:01Z')""", ps -> {});
        assertThat(lastDay(report()).status()).as("04:00 UTC is still the 10th in a gym 5 hours behind")
                .isEqualTo(GapReport.PARTLY_READ);
        GapReport noLag = new GapAnalysis(db, java.time.Duration.ZERO).report("gym", List.of("north"),
                List.of("entries"), FIRST, LAST, List.of("north"));
        assertThat(lastDay(noLag).status() + " " + lastDay(noLag).records()).isEqualTo("extracted 52");
        GapReport hourLag = new GapAnalysis(db, java.time.Duration.ofHours(4)).report("gym", List.of("north"),
                List.of("entries"), FIRST, LAST, List.of("north"));
        assertThat(lastDay(hourLag).status()).isEqualTo(GapReport.EXTRACTED);
    }

    private static GapReport.Day lastDay(GapReport report) {
        return report.days().get(report.days().size() - 1);
    }

    private GapReport report() {
        return new GapAnalysis(db).report("gym", List.of("north"), List.of("entries"), FIRST, LAST, List.of("north"));
    }

    /** Runs a printed command the way the command line's backfill does: its options become the plan request. */
    private BatchRunner.Outcome runPrinted(String command) {
        List<String> args = Arrays.asList(command.split(" "));
        assertThat(args.subList(0, 2)).containsExactly("./skyfit", "backfill");
        String source = option(args, "--source");
        String entity = option(args, "--entity");
        String scope = option(args, "--scope");
        return new BatchRunner(engine).run(new PlanRequest(null, source, scope == null ? List.of() : List.of(scope),
                List.of(entity), "backfill", "manual", option(args, "--from"), option(args, "--to")), 2,
                BatchRunner.Listener.NONE);
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        return i < 0 ? null : args.get(i + 1);
    }

    private BatchRunner.Outcome backfill(String from, String to) {
        return new BatchRunner(engine).run(new PlanRequest(null, "gym", List.of(), List.of(), "backfill", "manual",
                from, to), 2, BatchRunner.Listener.NONE);
    }

    private List<String> windowsOfLastTwoBatches() {
        return db.query("""
                SELECT (w.window_start AT TIME ZONE 'UTC')::date, w.status FROM ops.windows w JOIN ops.runs r USING (run_id)
                WHERE r.batch_id IN (SELECT batch_id FROM ops.runs ORDER BY started_at DESC, run_id DESC LIMIT 2)""",
                ps -> {}, rs -> rs.getObject(1, LocalDate.class) + " " + rs.getString(2));
    }

    /** The gym API: PER_DAY entries on each day but the empty one, paged by take/skip; HTTP 500 on the failing day. */
    private void serve(HttpExchange x) throws IOException {
        Map<String, String> q = new java.util.HashMap<>();
        for (String pair : x.getRequestURI().getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], kv[1]);
        }
        String day = q.get("dateFrom");
        if (q.get("skip").equals("0")) {
            requestedDays.add(day);
        }
        if (day.equals(failingDay)) {
            x.sendResponseHeaders(500, -1);
            x.close();
            return;
        }
        LocalDate d = LocalDate.parse(day);
        List<Map<String, Object>> all = new ArrayList<>();
        if (!d.equals(EMPTY_DAY) && !d.isBefore(FIRST) && !d.isAfter(LAST)) {
            for (int i = 0; i < PER_DAY; i++) {
                long id = d.toEpochDay() * 100 + i;
                all.add(Map.of("idEntry", id, "idMember", 1000 + i, "entryDate", d + "T0" + i + ":00:00Z",
                        "items", List.of()));
            }
        }
        int skip = Integer.parseInt(q.get("skip"));
        int take = Integer.parseInt(q.get("take"));
        byte[] body = JSON.writeValueAsBytes(all.subList(Math.min(skip, all.size()), Math.min(skip + take, all.size())));
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
    }
}
