package com.skyfit.lake.pipeline;

import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.INTEGER;
import static com.skyfit.lake.core.ColumnType.TIMESTAMPTZ;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.core.ChildTable;
import com.skyfit.lake.core.Column;
import com.skyfit.lake.core.CoreTable;
import com.skyfit.lake.core.TableDdl;
import com.skyfit.lake.source.ErrorTable;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.source.Paginator;
import com.skyfit.lake.source.RestConfig;
import com.skyfit.lake.source.SourceDefinition;
import com.skyfit.lake.source.Sources;
import com.skyfit.lake.source.StreamSpec;
import com.skyfit.lake.source.StreamSpec.TimeFormat;
import com.skyfit.lake.testing.TestPostgres;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new REST source and its core table from declarations alone, end to end through the engine: a small gym API
 * (bare arrays paged by take/skip, Basic auth, filtered by entry date) read in day windows from the source's
 * start date, into bronze, staging and a core table with a child table unnested from each entry's items.
 */
class DeclaredSourceIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The whole source: one stream of day windows with a weekly re-scan, and the standard error table. */
    static final SourceDefinition GYM = new SourceDefinition("gym", List.of(
            StreamSpec.builder("entries", "/api/v1/entries").paginator(Paginator.takeSkip()).primaryKey("idEntry")
                    .cursorField("entryDate").incremental("dateFrom", "dateTo", TimeFormat.DATE)
                    .windows(Duration.ofDays(1)).rescanEvery(Duration.ofDays(7)).pageSize(2).build()),
            ErrorTable.builder().standardRows().build());

    /** Its registration (what would be one line in Sources) and its config (a few lines). */
    static final Sources.Entry ENTRY = Sources.rest("gym", GYM, s -> RestConfig.read(s, "gym")
            .scopes("the gyms", "https://api.gym.example", RestConfig.Auth.basic()).maxPageSize(2).rate(100, 1)
            .build(size -> GYM));

    /** Its core table, with the entry's items as a child table. */
    static final CoreTable ENTRIES = CoreTable.declare("gym", "entries", "gym_entries")
            .key(Column.of("id_entry", BIGINT, "idEntry"))
            .columns(Column.of("id_member", BIGINT, "idMember"), Column.of("entry_date", TIMESTAMPTZ, "entryDate"))
            .child(new ChildTable("gym_entry_items", "items", List.of(Column.of("id_item", BIGINT, "idItem")),
                    List.of(Column.text("name", "name"), Column.of("qty", INTEGER, "qty"))))
            .build();

    @TempDir
    Path bronzeDir;

    private final com.skyfit.lake.simulator.SimulatorClock clock = com.skyfit.lake.simulator.SimulatorClock.fixed(Instant.parse("2024-05-03T12:00:00Z"));
    private final Map<Long, Map<String, Object>> gym = new ConcurrentSkipListMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** A day whose requests the API answers with HTTP 500. */
    private volatile String failingDay;
    private HttpServer server;
    private Database db;
    private DefaultIngestEngine engine;

    @BeforeEach
    void start() throws IOException {
        entry(1, "2024-05-01T07:00:00Z", 2);
        entry(2, "2024-05-01T09:30:00Z", 1);
        entry(3, "2024-05-01T18:00:00Z", 0);
        entry(4, "2024-05-02T08:00:00Z", 3);
        entry(5, "2024-05-03T06:15:00Z", 1);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/entries", this::serve);
        server.start();
        db = TestPostgres.newDatabase();
        db.inTransaction(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SELECT ops.create_staging_table('stg_gym', 'entries')");
                st.execute(TableDdl.of(ENTRIES));
            }
            return null;
        });
        Settings settings = Settings.of(Map.of("GYM_SCOPES", "north",
                "GYM_NORTH_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "GYM_NORTH_USER", "lake", "GYM_NORTH_PASSWORD", "s3cret", "GYM_START_DATE", "2024-05-01", "GYM_HTTP_RETRIES", "0",
                "SKYFIT_PG_RETRY_SECONDS", "0.01"));
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Map.of("gym", ENTRY.connector(settings, new LocalRequestGate())), List.of(ENTRIES), clock, false);
    }

    @AfterEach
    void stop() {
        engine.close();
        db.close();
        server.stop(0);
    }

    @Test
    void fullLoadReadsOneWindowPerDayFromTheStartDateIntoCoreAndItsChildTable() {
        BatchRunner.Outcome full = run("full");

        assertThat(full.error()).isNull();
        assertThat(windows(full)).containsExactly("2024-05-01..2024-05-02 extracted 3",
                "2024-05-02..2024-05-03 extracted 1", "2024-05-03..2024-05-04 extracted 1");
        // take/skip paging with pages of two: the first day takes two full pages and a short one
        assertThat(requests).contains("dateFrom=2024-05-01&dateTo=2024-05-02&skip=0&take=2",
                "dateFrom=2024-05-01&dateTo=2024-05-02&skip=2&take=2");
        assertThat(db.query("SELECT id_entry, id_member, entry_date FROM core.gym_entries ORDER BY id_entry",
                ps -> {}, rs -> rs.getLong(1) + ":" + rs.getLong(2) + ":" + rs.getTimestamp(3).toInstant()))
                .containsExactly("1:101:2024-05-01T07:00:00Z", "2:102:2024-05-01T09:30:00Z",
                        "3:103:2024-05-01T18:00:00Z", "4:104:2024-05-02T08:00:00Z", "5:105:2024-05-03T06:15:00Z");
        assertThat(items()).containsExactly("1/10:towel x1", "1/11:towel x2", "2/20:towel x1", "4/40:towel x1",
                "4/41:towel x2", "4/42:towel x3", "5/50:towel x1");
        assertThat(watermark()).isEqualTo(Instant.parse("2024-05-03T06:15:00Z"));
        // gap analysis: one line per day, each covered
        assertThat(db.query("SELECT window_start, covered FROM ops.vw_window_coverage WHERE source = 'gym' "
                + "ORDER BY window_start", ps -> {}, rs -> day(rs.getTimestamp(1).toInstant()) + " " + rs.getBoolean(2)))
                .containsExactly("2024-05-01 true", "2024-05-02 true", "2024-05-03 true");
    }

    @Test
    void incrementalRunsReadTheDaysFromTheWatermarkAndARescanRereadsFromTheStartDate() {
        assertThat(run("full").error()).isNull();
        gym.get(4L).put("items", List.of(item(40, 5)));
        entry(6, "2024-05-03T20:00:00Z", 1);
        entry(7, "2024-05-04T00:30:00Z", 2);
        clock.set(Instant.parse("2024-05-04T01:00:00Z"));
        requests.clear();

        BatchRunner.Outcome inc = run("incremental");

        assertThat(inc.error()).isNull();
        assertThat(loadType(inc)).isEqualTo("incremental");
        assertThat(windows(inc)).containsExactly("2024-05-03..2024-05-04 extracted 2",
                "2024-05-04..2024-05-05 extracted 1");
        assertThat(requests).allSatisfy(r -> assertThat(r).doesNotContain("dateFrom=2024-05-02"));
        assertThat(items()).contains("6/60:towel x1", "7/71:towel x2").contains("4/41:towel x2");

        // A week after the full load the next incremental run re-scans every day from the start date: the change
        // to entry 4, whose date did not move, reaches core, and the ledger records the run as a full load. (The
        // ledger keeps its own time: the full load is moved a week back there.)
        db.execute("UPDATE ops.runs SET started_at = started_at - interval '8 days' WHERE load_type = 'full'", ps -> {});
        clock.set(Instant.parse("2024-05-10T13:00:00Z"));
        BatchRunner.Outcome rescan = run("incremental");

        assertThat(rescan.error()).isNull();
        assertThat(loadType(rescan)).isEqualTo("full");
        assertThat(rescan.plan().windows()).extracting(WindowTask::loadType).containsOnly("full");
        assertThat(windows(rescan)).hasSize(10).first().isEqualTo("2024-05-01..2024-05-02 extracted 3");
        assertThat(items()).contains("4/40:towel x5").doesNotContain("4/41:towel x2");
        clock.set(Instant.parse("2024-05-10T14:00:00Z"));
        assertThat(loadType(run("incremental"))).isEqualTo("incremental");
    }

    @Test
    void aScheduledRunOfASourceWithItsOwnRescanTimerStaysIncrementalWhenARescanIsDue() {
        assertThat(run("full").error()).isNull();
        db.execute("UPDATE ops.runs SET started_at = started_at - interval '8 days' WHERE load_type = 'full'", ps -> {});
        clock.set(Instant.parse("2024-05-10T13:00:00Z"));
        Settings timed = Settings.of(Map.of("GYM_SCOPES", "north",
                "GYM_NORTH_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "GYM_NORTH_USER", "lake", "GYM_NORTH_PASSWORD", "s3cret", "GYM_START_DATE", "2024-05-01",
                "GYM_HTTP_RETRIES", "0", "GYM_RESCAN_SCHEDULE", "0 0 8 * * 6", "SKYFIT_PG_RETRY_SECONDS", "0.01"));
        try (DefaultIngestEngine withTimer = new DefaultIngestEngine(timed, db, new LocalBronzeStore(bronzeDir),
                Map.of("gym", ENTRY.connector(timed, new LocalRequestGate())), List.of(ENTRIES), clock, false)) {
            // the re-scan timer owns the due re-scan: the scheduler's incremental run reads only recent days
            BatchRunner.Outcome scheduled = new BatchRunner(withTimer).run(new PlanRequest(null, "gym", List.of(),
                    List.of(), "incremental", "scheduler", null, null), 2, BatchRunner.Listener.NONE);
            assertThat(scheduled.error()).isNull();
            assertThat(loadType(scheduled)).isEqualTo("incremental");
            assertThat(windows(scheduled)).noneMatch(w -> w.startsWith("2024-05-01"));

            // a run someone starts by hand still re-scans when it is due, timer or not
            BatchRunner.Outcome manual = new BatchRunner(withTimer).run(new PlanRequest(null, "gym", List.of(),
                    List.of(), "incremental", "manual", null, null), 2, BatchRunner.Listener.NONE);
            assertThat(loadType(manual)).isEqualTo("full");
        }
    }

    @Test
    void aDayThatFailedIsAGapUntilTheNextRunReadsItAgain() {
        failingDay = "2024-05-02";
        BatchRunner.Outcome failed = run("incremental");

        assertThat(windows(failed)).containsExactly("2024-05-01..2024-05-02 extracted 3",
                "2024-05-02..2024-05-03 failed 0", "2024-05-03..2024-05-04 extracted 1");
        // a run with a failed window fails whole: every day of it is a gap, the failed one not even extracted
        assertThat(gaps()).containsExactly("2024-05-01 extracted", "2024-05-02 not extracted: HTTP 500",
                "2024-05-03 extracted");
        assertThat(db.queryFirst("SELECT count(*) FROM ops.watermarks WHERE source = 'gym'", ps -> {},
                rs -> rs.getLong(1)).orElseThrow()).isZero();

        failingDay = null;
        assertThat(run("incremental").error()).isNull();
        assertThat(gaps()).isEmpty();
        assertThat(db.queryFirst("SELECT count(*) FROM core.gym_entries", ps -> {}, rs -> rs.getLong(1)).orElseThrow())
                .isEqualTo(5);
    }

    private List<String> gaps() {
        return db.query("SELECT window_start, extracted, last_error FROM ops.vw_window_coverage WHERE source = 'gym' "
                + "AND NOT covered ORDER BY window_start", ps -> {}, rs -> day(rs.getTimestamp(1).toInstant())
                        + (rs.getBoolean(2) ? " extracted" : " not extracted: " + rs.getString(3).replaceAll(
                                ".*(HTTP 500).*", "$1")));
    }

    @Test
    void aBackfillIsPlannedInTheStreamsOwnDayWindows() {
        BatchRunner.Outcome backfill = engineRun(new PlanRequest(null, "gym", List.of(), List.of(), "backfill", "manual",
                "2024-05-01", "2024-05-02"));

        assertThat(backfill.error()).isNull();
        assertThat(windows(backfill)).containsExactly("2024-05-01..2024-05-02 extracted 3",
                "2024-05-02..2024-05-03 extracted 1");
    }

    private BatchRunner.Outcome run(String loadType) {
        return engineRun(new PlanRequest(null, "gym", List.of(), List.of(), loadType, "manual", null, null));
    }

    private BatchRunner.Outcome engineRun(PlanRequest request) {
        return new BatchRunner(engine).run(request, 2, BatchRunner.Listener.NONE);
    }

    private List<String> windows(BatchRunner.Outcome o) {
        return db.query("SELECT w.window_start, w.window_end, w.status, w.records FROM ops.windows w "
                + "JOIN ops.runs r USING (run_id) WHERE r.batch_id = ? ORDER BY w.window_start",
                ps -> ps.setString(1, o.batchId()), rs -> day(rs.getTimestamp(1).toInstant()) + ".."
                        + day(rs.getTimestamp(2).toInstant()) + " " + rs.getString(3) + " " + rs.getLong(4));
    }

    private String loadType(BatchRunner.Outcome o) {
        return db.queryFirst("SELECT load_type FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, o.batchId()),
                rs -> rs.getString(1)).orElseThrow();
    }

    private Instant watermark() {
        return db.queryFirst("SELECT watermark FROM ops.watermarks WHERE source = 'gym'", ps -> {},
                rs -> rs.getTimestamp(1).toInstant()).orElseThrow();
    }

    private List<String> items() {
        return db.query("SELECT id_entry, id_item, name, qty FROM core.gym_entry_items WHERE NOT is_deleted "
                + "ORDER BY id_entry, id_item", ps -> {},
                rs -> rs.getLong(1) + "/" + rs.getLong(2) + ":" + rs.getString(3) + " x" + rs.getInt(4));
    }

    private static String day(Instant i) {
        return LocalDate.ofInstant(i, ZoneOffset.UTC).toString();
    }

    private void entry(long id, String date, int items) {
        Map<String, Object> e = new HashMap<>();
        e.put("idEntry", id);
        e.put("idMember", 100 + id);
        e.put("entryDate", date);
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            list.add(item(id * 10 + i, i + 1));
        }
        e.put("items", list);
        gym.put(id, e);
    }

    private static Map<String, Object> item(long id, int qty) {
        return Map.of("idItem", id, "name", "towel", "qty", qty);
    }

    /** The gym API: entries whose date is in [dateFrom, dateTo), in id order, as a bare array paged by take/skip. */
    private void serve(HttpExchange x) throws IOException {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString("lake:s3cret".getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(auth)) {
            x.sendResponseHeaders(401, -1);
            x.close();
            return;
        }
        Map<String, String> q = new java.util.TreeMap<>();
        for (String pair : x.getRequestURI().getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        requests.add(String.join("&", q.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        if (q.get("dateFrom").equals(failingDay)) {
            x.sendResponseHeaders(500, -1);
            x.close();
            return;
        }
        Instant from = LocalDate.parse(q.get("dateFrom")).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = LocalDate.parse(q.get("dateTo")).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Map<String, Object>> page = gym.values().stream().filter(e -> {
            Instant d = Instant.parse((String) e.get("entryDate"));
            return !d.isBefore(from) && d.isBefore(to);
        }).skip(Long.parseLong(q.get("skip"))).limit(Long.parseLong(q.get("take"))).toList();
        byte[] body = JSON.writeValueAsBytes(page);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
    }
}
