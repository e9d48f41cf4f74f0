package com.skyfit.lake.source.evo;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.source.Sources;
import com.skyfit.lake.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EVO source end to end into staging through the engine, against an EVO API on a real HTTP server and a real
 * PostgreSQL: the registered source and its settings reader, each endpoint at its largest take, windows per entity
 * from EVO_START_DATE, inclusive Start/End local times on the wire, the incremental look-back, the re-scan, a
 * backfill, 429 and 5xx, and a rejected key.
 */
class EvoSourceIT {
    static final List<String> ENTITIES = List.of("branches", "members", "member_memberships", "sales", "receivables",
            "entries", "prospects", "employees");

    @TempDir
    Path bronzeDir;

    private final com.skyfit.lake.simulator.SimulatorClock clock = com.skyfit.lake.simulator.SimulatorClock.fixed(Instant.parse("2024-05-03T12:00:00Z"));
    private EvoTestApi api;
    private Database db;
    private DefaultIngestEngine engine;

    @BeforeEach
    void start() throws IOException {
        api = new EvoTestApi();
        api.key("skyfitnorth", "north-secret");
        api.key("skyfitsouth", "south-secret");
        EvoData.fill(api);
        db = TestPostgres.newDatabase();
        db.inTransaction(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                for (String e : ENTITIES) {
                    st.execute("SELECT ops.create_staging_table('stg_evo', '" + e + "')");
                }
            }
            return null;
        });
    }

    private void engine(Map<String, String> overrides) {
        engine(overrides, List.of());
    }

    private void engine(Map<String, String> overrides, List<com.skyfit.lake.core.CoreTable> tables) {
        Map<String, String> m = new HashMap<>(Map.of("EVO_SCOPES", "north", "EVO_BASE_URL", api.url(),
                "EVO_NORTH_DNS", "skyfitnorth", "EVO_NORTH_SECRET_KEY", "north-secret",
                "EVO_START_DATE", "2024-04-25", "EVO_REQUESTS_PER_MINUTE", "6000", "EVO_HTTP_RETRIES", "3",
                "SKYFIT_PG_RETRY_SECONDS", "0.01"));
        m.putAll(overrides);
        Settings settings = Settings.of(m);
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Map.of("evo", Sources.get("evo").connector(settings, new LocalRequestGate())), tables, clock, false);
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        db.close();
        api.close();
    }

    @Test
    void aFullLoadReadsEveryEntityAtItsLargestTakeInItsOwnWindowsFromTheStartDateIntoStaging() {
        engine(Map.of());
        BatchRunner.Outcome full = run("full", List.of());

        assertThat(full.error()).isNull();
        assertThat(full.windowsFailed()).isZero();
        assertThat(runs(full)).allSatisfy(r -> assertThat(r).endsWith("success"));
        for (String entity : ENTITIES) {
            assertThat(staged(entity)).as(entity).isEqualTo(EvoData.count(entity));
        }
        // entries have no id: every one reaches staging, the two a second apart and those on the day's edges once each
        assertThat(stagedWhere("entries", "raw->>'date' IN ('2024-05-01T00:00:00', '2024-05-01T23:59:59', "
                + "'2024-05-02T00:00:00', '2024-05-01T10:00:00', '2024-05-01T10:00:01')")).isEqualTo(5);

        // windows: a day for entries, sales and receivables; a week (aligned) for members, contracts and prospects
        assertThat(windows(full, "entries")).first().isEqualTo("2024-04-25T00:00:00Z..2024-04-26T00:00:00Z");
        assertThat(windows(full, "entries")).hasSize(9).last().isEqualTo("2024-05-03T00:00:00Z..2024-05-04T00:00:00Z");
        assertThat(windows(full, "members")).containsExactly("2024-04-25T00:00:00Z..2024-05-02T00:00:00Z",
                "2024-05-02T00:00:00Z..2024-05-09T00:00:00Z");
        assertThat(windows(full, "branches")).containsExactly("open..open");
        assertThat(windows(full, "employees")).containsExactly("open..open");

        // the wire: inclusive local times, each endpoint's largest take, paging that stops on the short page
        assertThat(queries("/api/v1/entries")).contains(
                "registerDateEnd=2024-05-02T00:00:00&registerDateStart=2024-05-01T00:00:00&skip=0&take=1000",
                "registerDateEnd=2024-05-02T00:00:00&registerDateStart=2024-05-01T00:00:00&skip=1000&take=1000")
                .noneMatch(q -> q.contains("skip=2000"));
        assertThat(queries("/api/v2/members")).contains(
                "registerDateEnd=2024-05-02T00:00:00&registerDateStart=2024-04-25T00:00:00&showMemberships=true&skip=0&take=50",
                "registerDateEnd=2024-05-02T00:00:00&registerDateStart=2024-04-25T00:00:00&showMemberships=true&skip=50&take=50");
        assertThat(queries("/api/v2/sales")).allMatch(q -> q.contains("showReceivables=true") && q.contains("take=100"));
        assertThat(queries("/api/v2/membermembership")).allMatch(q -> q.contains("take=25"))
                .anyMatch(q -> q.contains("skip=25"));
        assertThat(queries("/api/v1/receivables")).allMatch(q -> q.contains("updateDateStart=") && q.contains("take=50"));
        assertThat(queries("/api/v1/prospects")).allMatch(q -> q.contains("take=50"));
        // employees, whose absent rows are flagged deleted, read on to an empty page
        assertThat(queries("/api/v2/employees")).containsExactly("skip=0&take=50", "skip=50&take=50",
                "skip=51&take=50");
        assertThat(queries("/api/v1/configuration")).containsExactly("");
        assertThat(api.requests).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));

        // watermarks are the records' wall-clock times, read as UTC
        assertThat(watermark("entries")).isEqualTo(Instant.parse("2024-05-03T08:00:00Z"));
        assertThat(watermark("receivables")).isEqualTo(Instant.parse("2024-05-02T16:30:00Z"));
    }

    @Test
    void anIncrementalRunReReadsTheLookBackAndCatchesALateEntryWhileReceivablesStartAtTheirWatermark() {
        engine(Map.of());
        api.clear("/api/v2/sales");
        assertThat(startedNow(run("full", List.of()), "entries", "sales", "receivables").error()).isNull();
        api.add("/api/v1/entries", EvoData.entry("2024-05-01T10:30:00", 1, 7777, "Membership"));
        api.add("/api/v1/entries", EvoData.entry("2024-05-04T07:00:00", 1, 7778, "Membership"));
        clock.set(Instant.parse("2024-05-04T12:00:00Z"));
        api.requests.clear();

        BatchRunner.Outcome inc = run("incremental", List.of());

        assertThat(inc.error()).isNull();
        assertThat(loadTypes(inc)).containsOnly("incremental");
        // entries' watermark 2024-05-03T08:00 less three days: the days from 2024-04-30 to today
        assertThat(windows(inc, "entries")).first().isEqualTo("2024-04-30T00:00:00Z..2024-05-01T00:00:00Z");
        assertThat(windows(inc, "entries")).hasSize(5);
        assertThat(stagedWhere("entries", "raw->>'idMember' IN ('7777', '7778')")).isEqualTo(2);
        // receivables: their watermark less the overlap (10 minutes) lies in 2024-05-02
        assertThat(windows(inc, "receivables")).containsExactly("2024-05-02T00:00:00Z..2024-05-03T00:00:00Z",
                "2024-05-03T00:00:00Z..2024-05-04T00:00:00Z", "2024-05-04T00:00:00Z..2024-05-05T00:00:00Z");
        // members: the week holding their watermark less three days, not the start date
        assertThat(windows(inc, "members")).containsExactly("2024-04-25T00:00:00Z..2024-05-02T00:00:00Z",
                "2024-05-02T00:00:00Z..2024-05-09T00:00:00Z");
        assertThat(queries("/api/v1/entries")).noneMatch(q -> q.contains("2024-04-29"));
        // a list that has never had a record goes on from the end of its last read less the look-back, not from the
        // start date again: the full load read up to when it started, 2024-05-03T12:00
        assertThat(windows(inc, "sales")).hasSize(5).first().isEqualTo("2024-04-30T00:00:00Z..2024-05-01T00:00:00Z");
    }

    @Test
    void anEntityWhoseLastRecordIsOldGoesOnFromItsLastCoveredReadNotFromItsWatermark() {
        engine(Map.of());
        startedNow(run("full", List.of("prospects")));
        assertThat(watermark("prospects")).isEqualTo(Instant.parse("2024-05-02T11:00:00Z"));
        clock.set(Instant.parse("2024-06-20T12:00:00Z"));
        BatchRunner.Outcome catchUp = startedNow(run("incremental", List.of("prospects")));
        assertThat(catchUp.error()).isNull();
        // a month and a half without a prospect: the weeks since the watermark less the look-back, once
        assertThat(windows(catchUp, "prospects")).hasSize(9).first()
                .isEqualTo("2024-04-25T00:00:00Z..2024-05-02T00:00:00Z");
        clock.set(Instant.parse("2024-06-21T12:00:00Z"));
        api.requests.clear();

        BatchRunner.Outcome next = run("incremental", List.of("prospects"));

        assertThat(next.error()).isNull();
        // still no new prospect, so the watermark stays in May; the weeks read without records are not read again
        assertThat(watermark("prospects")).isEqualTo(Instant.parse("2024-05-02T11:00:00Z"));
        assertThat(windows(next, "prospects")).containsExactly("2024-06-13T00:00:00Z..2024-06-20T00:00:00Z",
                "2024-06-20T00:00:00Z..2024-06-27T00:00:00Z");
        assertThat(queries("/api/v1/prospects")).noneMatch(q -> q.contains("2024-05-"));
    }

    @Test
    void aServerThatCapsTakeSilentlyStillGivesTheWholeEmployeeListAndNoEmployeeIsFlaggedDeleted() {
        engine(Map.of(), List.of(com.skyfit.lake.core.CoreTables.EVO_EMPLOYEES));
        assertThat(run("full", List.of("employees")).error()).isNull();
        assertThat(employees()).isEqualTo("51 live, 0 deleted");
        api.capTakeSilently(20);
        api.requests.clear();

        BatchRunner.Outcome capped = run("full", List.of("employees"));

        assertThat(capped.error()).isNull();
        assertThat(runs(capped)).containsExactly("employees success");
        assertThat(queries("/api/v2/employees")).containsExactly("skip=0&take=50", "skip=20&take=50",
                "skip=40&take=50", "skip=51&take=50");
        assertThat(employees()).isEqualTo("51 live, 0 deleted");
        // a list that really lost an employee still flags it
        api.capTakeSilently(0);
        api.clear("/api/v2/employees");
        for (int e = 1; e <= 50; e++) {
            api.add("/api/v2/employees", Map.of("idEmployee", e, "name", "Employee " + e, "idBranch", 1,
                    "active", true, "registerDate", "2023-01-01T08:00:00"));
        }
        assertThat(run("full", List.of("employees")).error()).isNull();
        assertThat(employees()).isEqualTo("50 live, 1 deleted");
    }

    private String employees() {
        return db.queryFirst("SELECT count(*) FILTER (WHERE NOT is_deleted), count(*) FILTER (WHERE is_deleted) "
                + "FROM core.evo_employees", ps -> {}, rs -> rs.getLong(1) + " live, " + rs.getLong(2) + " deleted")
                .orElseThrow();
    }

    @Test
    void aDueReScanReadsMembersFromTheStartDateAsAFullLoadAndBackfillsUseTheEntitysWindows() {
        engine(Map.of());
        assertThat(run("full", List.of()).error()).isNull();
        EvoData.member(api, 999, "2024-04-26T09:00:00", "Canceled");
        db.execute("UPDATE ops.runs SET started_at = started_at - interval '8 days' WHERE load_type = 'full'", ps -> {});
        clock.set(Instant.parse("2024-05-10T12:00:00Z"));

        BatchRunner.Outcome rescan = run("incremental", List.of("members", "entries"));

        assertThat(rescan.error()).isNull();
        assertThat(loadType(rescan, "members")).isEqualTo("full");
        assertThat(windows(rescan, "members")).first().isEqualTo("2024-04-25T00:00:00Z..2024-05-02T00:00:00Z");
        assertThat(stagedWhere("members", "raw->>'idMember' = '999'")).isEqualTo(1);
        // entries have no re-scan: still incremental from their watermark
        assertThat(loadType(rescan, "entries")).isEqualTo("incremental");

        BatchRunner.Outcome backfill = new BatchRunner(engine).run(new PlanRequest(null, "evo", List.of(),
                List.of("entries", "prospects"), "backfill", "manual", "2024-04-28", "2024-05-01"), 4,
                BatchRunner.Listener.NONE);
        assertThat(backfill.error()).isNull();
        assertThat(windows(backfill, "entries")).hasSize(4).first().isEqualTo("2024-04-28T00:00:00Z..2024-04-29T00:00:00Z");
        assertThat(windows(backfill, "prospects")).containsExactly("2024-04-28T00:00:00Z..2024-05-02T00:00:00Z");
    }

    @Test
    void aRateLimitWaitsAsTheServerSaysAndA5xxIsRetried() {
        engine(Map.of());
        api.fault("/api/v1/entries", 429, "1");
        api.fault("/api/v2/members", 503, null);

        BatchRunner.Outcome full = run("full", List.of("entries", "members"));

        assertThat(full.error()).isNull();
        assertThat(runs(full)).allSatisfy(r -> assertThat(r).endsWith("success"));
        assertThat(staged("entries")).isEqualTo(EvoData.count("entries"));
        assertThat(staged("members")).isEqualTo(EvoData.count("members"));
        List<EvoTestApi.Request> entries = api.requests("/api/v1/entries");
        EvoTestApi.Request limited = entries.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        EvoTestApi.Request retried = entries.stream().filter(r -> r.nanos() > limited.nanos()
                && r.query().equals(limited.query())).findFirst().orElseThrow();
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.nanos() - limited.nanos()).isGreaterThanOrEqualTo(950_000_000L);
        assertThat(api.requests("/api/v2/members")).filteredOn(r -> r.status() == 503).hasSize(1);
    }

    @Test
    void aRejectedKeyFailsOnlyItsScopeAtOnceNamingItsSettingsWithoutTheSecret() {
        engine(Map.of("EVO_SCOPES", "north,south", "EVO_SOUTH_DNS", "skyfitsouth",
                "EVO_SOUTH_SECRET_KEY", "wrong-Secret-123"));

        BatchRunner.Outcome full = new BatchRunner(engine).run(new PlanRequest(null, "evo", List.of(), List.of(),
                "full", "manual", null, null), 2, BatchRunner.Listener.NONE);

        List<String> runs = db.query("SELECT scope, entity, status, coalesce(error_message, '') FROM ops.runs "
                + "WHERE batch_id = ?", ps -> ps.setString(1, full.batchId()),
                rs -> rs.getString(1) + "/" + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
        assertThat(runs).filteredOn(r -> r.startsWith("north/")).hasSize(8)
                .allSatisfy(r -> assertThat(r).contains(" success"));
        assertThat(runs).filteredOn(r -> r.startsWith("south/")).hasSize(8).allSatisfy(r -> assertThat(r)
                .contains(" failed ").contains("scope 'south'").contains("EVO_SOUTH_DNS / EVO_SOUTH_SECRET_KEY")
                .contains("HTTP 401").doesNotContain("wrong-Secret-123"));
        // a 401 is never retried, and once one window of south's was refused the batch's other windows of south fail
        // with the same message without asking: at most one request per window already in flight (two workers)
        List<String> southWindows = db.query("SELECT w.status || ' ' || coalesce(w.error_message, '') FROM ops.windows w "
                + "JOIN ops.runs r USING (run_id) WHERE r.batch_id = ? AND r.scope = 'south'",
                ps -> ps.setString(1, full.batchId()), rs -> rs.getString(1));
        assertThat(southWindows).hasSizeGreaterThan(20).allSatisfy(w -> assertThat(w).startsWith("failed ")
                .contains("scope 'south'").contains("EVO_SOUTH_DNS / EVO_SOUTH_SECRET_KEY"));
        assertThat(api.requests).filteredOn(r -> r.status() == 401).hasSizeBetween(1, 2)
                .allSatisfy(r -> assertThat(r.dns()).isNull());
        assertThat(staged("entries")).isEqualTo(EvoData.count("entries"));

        // the next batch asks again: a fixed key works at once
        api.requests.clear();
        engine.close();
        engine(Map.of("EVO_SCOPES", "south", "EVO_SOUTH_DNS", "skyfitsouth", "EVO_SOUTH_SECRET_KEY", "south-secret"));
        BatchRunner.Outcome fixed = run("full", List.of("branches", "employees"));
        assertThat(fixed.error()).isNull();
        assertThat(runs(fixed)).containsOnly("branches success", "employees success");
    }

    @Test
    void aBackfillRefusedForItsKeyResumesOnceTheKeyIsFixed() {
        engine(Map.of("EVO_SCOPES", "south", "EVO_SOUTH_DNS", "skyfitsouth", "EVO_SOUTH_SECRET_KEY", "wrong-Secret-123"));
        BatchRunner.Outcome refused = backfill("entries", "2024-04-28", "2024-05-01");
        assertThat(runs(refused)).containsOnly("entries failed");

        // the same backfill with the key fixed resumes the same run: its refused windows are read again, not refused
        engine.close();
        api.requests.clear();
        engine(Map.of("EVO_SCOPES", "south", "EVO_SOUTH_DNS", "skyfitsouth", "EVO_SOUTH_SECRET_KEY", "south-secret"));
        BatchRunner.Outcome fixed = backfill("entries", "2024-04-28", "2024-05-01");

        assertThat(fixed.error()).isNull();
        assertThat(runs(fixed)).containsOnly("entries success");
        assertThat(api.requests("/api/v1/entries")).isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    }

    @Test
    void aBackfillResumedAfterStagingRetentionDroppedItsEarlierPartsSucceeds() {
        engine(Map.of("EVO_HTTP_RETRIES", "0"), List.of(com.skyfit.lake.core.CoreTables.EVO_ENTRIES));
        api.fault("/api/v1/entries", 503, null);
        BatchRunner.Outcome failed = backfill("entries", "2024-04-28", "2024-05-01");
        assertThat(runs(failed)).containsOnly("entries failed");
        long inCore = db.queryFirst("SELECT count(*) FROM core.evo_entries", ps -> {}, rs -> rs.getLong(1)).orElseThrow();
        assertThat(inCore).isPositive();

        // months later retention drops the month the loaded parts were in (loaded and transformed, so droppable)
        clock.set(Instant.parse("2024-07-15T12:00:00Z"));
        assertThat(engine.pruneStaging(30, "test")).isNotEmpty();
        assertThat(db.queryFirst("SELECT count(*) FROM ops.bronze_files WHERE status = 'pruned'", ps -> {},
                rs -> rs.getLong(1)).orElseThrow()).isPositive();

        // resuming reads the failed window again; the pruned parts count as loaded, so the run completes
        BatchRunner.Outcome resumed = backfill("entries", "2024-04-28", "2024-05-01");
        assertThat(resumed.error()).isNull();
        assertThat(runs(resumed)).containsOnly("entries success");
        assertThat(db.query("SELECT w.status FROM ops.windows w JOIN ops.runs r USING (run_id) WHERE r.batch_id = ?",
                ps -> ps.setString(1, resumed.batchId()), rs -> rs.getString(1))).isNotEmpty().containsOnly("extracted");
        assertThat(db.queryFirst("SELECT count(*) FROM core.evo_entries", ps -> {}, rs -> rs.getLong(1)).orElseThrow())
                .isGreaterThanOrEqualTo(inCore);
    }

    private BatchRunner.Outcome backfill(String entity, String from, String to) {
        return new BatchRunner(engine).run(new PlanRequest(null, "evo", List.of(), List.of(entity), "backfill",
                "manual", from, to), 2, BatchRunner.Listener.NONE);
    }

    private BatchRunner.Outcome run(String loadType, List<String> entities) {
        return new BatchRunner(engine).run(new PlanRequest(null, "evo", List.of(), entities, loadType, "manual", null,
                null), 4, BatchRunner.Listener.NONE);
    }

    /**
     * The runs' start times on the test's clock, as a read at that time would have them (only of these entities when
     * given: the re-scan is timed by the database's clock).
     */
    private BatchRunner.Outcome startedNow(BatchRunner.Outcome o, String... entities) {
        db.execute("UPDATE ops.runs SET started_at = ? WHERE batch_id = ? AND (cardinality(?) = 0 OR entity = ANY(?))",
                ps -> {
                    java.sql.Array names = ps.getConnection().createArrayOf("text", entities);
                    ps.setTimestamp(1, java.sql.Timestamp.from(clock.instant()));
                    ps.setString(2, o.batchId());
                    ps.setArray(3, names);
                    ps.setArray(4, names);
                });
        return o;
    }

    private long staged(String entity) {
        return stagedWhere(entity, "true");
    }

    private long stagedWhere(String entity, String condition) {
        return db.queryFirst("SELECT count(*) FROM stg_evo." + entity + "_raw WHERE validation_status = 'valid' AND "
                + condition, ps -> {}, rs -> rs.getLong(1)).orElseThrow();
    }

    private List<String> queries(String path) {
        return api.requests(path).stream().map(EvoTestApi.Request::queryText).toList();
    }

    private List<String> runs(BatchRunner.Outcome o) {
        return db.query("SELECT entity, status FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, o.batchId()),
                rs -> rs.getString(1) + " " + rs.getString(2));
    }

    private List<String> loadTypes(BatchRunner.Outcome o) {
        return db.query("SELECT load_type FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, o.batchId()),
                rs -> rs.getString(1));
    }

    private String loadType(BatchRunner.Outcome o, String entity) {
        return db.queryFirst("SELECT load_type FROM ops.runs WHERE batch_id = ? AND entity = ?", ps -> {
            ps.setString(1, o.batchId());
            ps.setString(2, entity);
        }, rs -> rs.getString(1)).orElseThrow();
    }

    private List<String> windows(BatchRunner.Outcome o, String entity) {
        return db.query("SELECT w.window_start, w.window_end FROM ops.windows w JOIN ops.runs r USING (run_id) "
                + "WHERE r.batch_id = ? AND r.entity = ? ORDER BY w.window_start", ps -> {
                    ps.setString(1, o.batchId());
                    ps.setString(2, entity);
                }, rs -> iso(rs.getTimestamp(1)) + ".." + iso(rs.getTimestamp(2)));
    }

    private Instant watermark(String entity) {
        return db.queryFirst("SELECT watermark FROM ops.watermarks WHERE source = 'evo' AND entity = ?",
                ps -> ps.setString(1, entity), rs -> rs.getTimestamp(1).toInstant()).orElseThrow();
    }

    private static String iso(java.sql.Timestamp t) {
        // an open window is stored as -infinity..infinity
        return t == null || t.toInstant().getEpochSecond() < 0 || t.toInstant().getEpochSecond() > 4e11 ? "open"
                : t.toInstant().toString();
    }
}
