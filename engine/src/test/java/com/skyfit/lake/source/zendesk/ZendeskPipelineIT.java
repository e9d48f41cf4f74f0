package com.skyfit.lake.source.zendesk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.WatermarkStore;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.simulator.ZendeskSimulator;
import com.skyfit.lake.source.PgRequestGate;
import com.skyfit.lake.testing.LogCapture;
import com.skyfit.lake.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zendesk end to end: the simulated API, the real engine, a real PostgreSQL and a real bronze folder. */
class ZendeskPipelineIT {
    static final String TICKETS = "/api/v2/incremental/tickets/cursor.json";
    static final String ORGS = "/api/v2/incremental/organizations.json";

    @TempDir
    Path bronzeDir;

    ZendeskSimulator sim;
    Database db;
    DefaultIngestEngine engine;

    private void start(Consumer<ZendeskSimulator.Builder> simulator, Function<ZendeskSimulator, Map<String, String>> extra) {
        ZendeskSimulator.Builder b = ZendeskSimulator.builder().scale(120).seed(5).maxPerPage(50)
                .exportLimit(10_000, Duration.ofMinutes(1));
        simulator.accept(b);
        sim = b.start();
        db = TestPostgres.newDatabase();
        Map<String, String> s = new HashMap<>();
        s.put("ZENDESK_BASE_URL", sim.baseUrl());
        s.put("ZENDESK_EMAIL", ZendeskSimulator.EMAIL);
        s.put("ZENDESK_API_TOKEN", sim.apiToken());
        s.put("ZENDESK_EXPORT_REQUESTS_PER_MINUTE", "6000");
        s.put("SKYFIT_PG_RETRY_SECONDS", "0.01");
        s.put("SKYFIT_STALE_RUN_MINUTES", "0");
        s.putAll(extra.apply(sim));
        s.values().removeIf(v -> v == null);
        Settings settings = Settings.of(s);
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Connectors.configured(settings, new PgRequestGate(db.dataSource())), Clock.systemUTC(), false);
    }

    private void start() {
        start(b -> {}, x -> Map.of());
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
            db.close();
            sim.close();
        }
    }

    private BatchRunner.Outcome run(String loadType) {
        return new BatchRunner(engine).run(new PlanRequest(null, "zendesk", List.of(), List.of(), loadType, "manual",
                null, null), 2, BatchRunner.Listener.NONE);
    }

    @Test
    void fullThenIncrementalContinueFromTheStoredCursorAndKeepDeletedTickets() {
        start();
        BatchRunner.Outcome full = run("full");
        assertThat(statuses(full.batchId())).containsOnly("success");
        assertCoreMatchesTruth();
        String ticketCursor = cursor("tickets");
        assertThat(ticketCursor).isNotBlank();
        assertThat(cursor("users")).isNotBlank();
        assertThat(watermark("organizations")).isNotNull();
        assertThat(count("SELECT count(*) FROM core.zd_ticket_custom_fields")).isEqualTo(3 * 120);

        sim.mutate(7, 6, 3);
        int before = sim.requests(TICKETS).size();
        BatchRunner.Outcome inc = run("incremental");
        assertThat(statuses(inc.batchId())).containsOnly("success");
        // The incremental export starts from the stored cursor, never from a time.
        Map<String, String> first = sim.requests(TICKETS).get(before).query();
        assertThat(first).containsEntry("cursor", ticketCursor).doesNotContainKey("start_time");
        assertCoreMatchesTruth();
        assertThat(count("SELECT count(*) FROM core.zd_tickets WHERE is_deleted AND status = 'deleted'")).isEqualTo(3);
        assertThat(cursor("tickets")).isNotEqualTo(ticketCursor);
        // Only what changed was read again: the new and changed tickets, not the whole account.
        long read = db.queryFirst("SELECT rows_extracted FROM ops.runs WHERE batch_id = ? AND entity = 'tickets'",
                ps -> ps.setString(1, inc.batchId()), rs -> rs.getLong(1)).orElseThrow();
        assertThat(read).isBetween(7L, 7L + 6 + 3);

        // Nothing changed: the export from the stored cursor finds nothing, the cursor stays usable.
        BatchRunner.Outcome again = run("incremental");
        assertThat(statuses(again.batchId())).containsOnly("success");
        assertThat(cursor("tickets")).isNotBlank();
        assertCoreMatchesTruth();
    }

    @Test
    void aRunBrokenOffMidExportLeavesTheCursorAndTheNextRunResumesFromIt() {
        start();
        run("full");
        String stored = cursor("tickets");
        sim.mutate(130, 0, 2); // three pages of 50: the export breaks off on its second page
        sim.failRequest("tickets", 2);

        BatchRunner.Outcome broken = run("incremental");
        assertThat(status(broken.batchId(), "tickets")).isEqualTo("failed");
        assertThat(cursor("tickets")).isEqualTo(stored);
        // The first page was read before the break: the window failed after reading, not before.
        assertThat(sim.requests(TICKETS).stream().filter(r -> r.status() == 200).count()).isGreaterThan(2);
        assertThat(db.query("SELECT w.error_message FROM ops.windows w JOIN ops.runs r USING (run_id) WHERE r.batch_id = ? "
                + "AND r.entity = 'tickets'", ps -> ps.setString(1, broken.batchId()), rs -> rs.getString(1)))
                .singleElement().asString().contains("HTTP 400");

        int before = sim.requests(TICKETS).size();
        BatchRunner.Outcome resumed = run("incremental");
        assertThat(statuses(resumed.batchId())).containsOnly("success");
        assertThat(sim.requests(TICKETS).get(before).query()).containsEntry("cursor", stored);
        assertCoreMatchesTruth();
        assertThat(count("SELECT count(*) FROM (SELECT id FROM core.zd_tickets GROUP BY scope, id HAVING count(*) > 1) d"))
                .isZero();
    }

    @Test
    void aBackfillReadsEachWindowUntilItsEndAndLeavesTheCursor() {
        start(b -> {}, x -> Map.of("SKYFIT_BACKFILL_WINDOW_DAYS", "120"));
        run("full");
        String stored = cursor("tickets");
        int before = sim.requests(TICKETS).size();

        BatchRunner.Outcome backfill = new BatchRunner(engine).run(new PlanRequest(null, "zendesk", List.of(),
                List.of("tickets"), "backfill", "api", "2023-01-01", "2023-12-31"), 2, BatchRunner.Listener.NONE);

        assertThat(statuses(backfill.batchId())).containsOnly("success");
        // Four windows; each export stops at its first page that passes the window's end, not at the stream's end.
        assertThat(count("SELECT count(*) FROM ops.windows w JOIN ops.runs r USING (run_id) WHERE r.batch_id = '"
                + backfill.batchId() + "'")).isEqualTo(4);
        assertThat(sim.requests(TICKETS).size() - before).isEqualTo(4);
        assertThat(sim.requests(TICKETS).subList(before, before + 4))
                .allSatisfy(r -> assertThat(r.query()).containsKey("start_time").doesNotContainKey("cursor"));
        assertThat(cursor("tickets")).isEqualTo(stored);
        assertCoreMatchesTruth();
    }

    @Test
    void organizationsSharingOneSecondAreNeitherLostNorLoopedOn() {
        start(b -> b.maxPerPage(20).burstOrganizations(75), x -> Map.of("ZENDESK_EXPORT_PAGE_SIZE", "20"));
        BatchRunner.Outcome full = run("full");
        assertThat(statuses(full.batchId())).containsOnly("success");
        assertCoreMatchesTruth();
        int orgs = sim.truth("organizations").size();
        // Each page after the first repeats the boundary second; the duplicates never reach bronze.
        long staged = count("SELECT count(*) FROM stg_zendesk.organizations_raw");
        assertThat(staged).isEqualTo(orgs);
        assertThat(sim.requests(ORGS).size()).isLessThan(orgs / 20 + 5);
    }

    @Test
    void aServerThatSplitsOneSecondAcrossPagesFailsTheWindowNamingTheSecondInsteadOfSkipping() {
        start(b -> b.maxPerPage(20).burstOrganizations(75).strictPages(true),
                x -> Map.of("ZENDESK_EXPORT_PAGE_SIZE", "20"));
        BatchRunner.Outcome full = run("full");
        assertThat(status(full.batchId(), "organizations")).isEqualTo("failed");
        assertThat(db.query("SELECT r.error_message FROM ops.runs r WHERE r.batch_id = ? AND r.entity = 'organizations'",
                ps -> ps.setString(1, full.batchId()), rs -> rs.getString(1)))
                .singleElement().asString().contains("all in the second");
    }

    @Test
    void aRefusedStoredCursorIsReadOnceFromTheWatermarkLessTheOverlapInstead() {
        start();
        assertThat(statuses(run("full").batchId())).containsOnly("success");
        Instant mark = watermark("tickets");
        db.execute("UPDATE ops.watermarks SET cursor_value = 'bm90LWEtY3Vyc29y' WHERE source = 'zendesk' "
                + "AND entity = 'tickets'", ps -> {});
        sim.mutate(4, 2, 0);
        int before = sim.requests(TICKETS).size();

        BatchRunner.Outcome inc = run("incremental");

        assertThat(statuses(inc.batchId())).containsOnly("success");
        List<ZendeskSimulator.Request> asked = sim.requests(TICKETS).subList(before, sim.requests(TICKETS).size());
        assertThat(asked.get(0).query()).containsEntry("cursor", "bm90LWEtY3Vyc29y");
        assertThat(asked.get(0).status()).isEqualTo(400);
        assertThat(asked.get(1).query()).doesNotContainKey("cursor")
                .containsEntry("start_time", String.valueOf(mark.minus(ZendeskConfig.OVERLAP).getEpochSecond()));
        assertThat(cursor("tickets")).isNotEqualTo("bm90LWEtY3Vyc29y").isNotBlank();
        assertCoreMatchesTruth();
    }

    @Test
    void aRateLimitedExportWaitsAsTheServerSaysAndCompletes() {
        start(b -> b.exportLimit(3, Duration.ofSeconds(2)), x -> Map.of());
        BatchRunner.Outcome full = run("full");
        assertThat(statuses(full.batchId())).containsOnly("success");
        assertCoreMatchesTruth();
        List<ZendeskSimulator.Request> exports = sim.requests().stream()
                .filter(r -> r.path().startsWith("/api/v2/incremental/")).toList();
        assertThat(exports).anyMatch(r -> r.status() == 429);
        for (ZendeskSimulator.Request limited : exports.stream().filter(r -> r.status() == 429).toList()) {
            // Retry-After is at least a second: after a 429 no request of the account starts before it (one already
            // on its way when the 429 came may still arrive just after it).
            assertThat(exports).noneMatch(r -> {
                Duration after = Duration.between(limited.at(), r.at());
                return after.compareTo(Duration.ofMillis(150)) > 0 && after.compareTo(Duration.ofMillis(900)) < 0;
            });
        }
    }

    @Test
    void anOauthTokenReadsTheAccountAsBearer() {
        start(b -> {}, ZendeskPipelineIT::oauthOnly);
        assertThat(statuses(run("full").batchId())).containsOnly("success");
        assertCoreMatchesTruth();
    }

    @Test
    void aWrongTokenFailsAtOnceNamingTheSettingAndNoTokenIsWrittenAnywhere() throws Exception {
        start();
        String output;
        BatchRunner.Outcome ok;
        try (LogCapture logs = new LogCapture()) {
            ok = run("full");
            output = logs.text();
        }
        assertThat(statuses(ok.batchId())).containsOnly("success");
        engine.close();
        db.close();
        sim.close();
        start(b -> {}, x -> Map.of("ZENDESK_API_TOKEN", "revoked-" + "x".repeat(20)));
        BatchRunner.Outcome bad = run("full");
        assertThat(statuses(bad.batchId())).containsOnly("failed");
        List<String> errors = db.query("SELECT error_message FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, bad.batchId()), rs -> rs.getString(1));
        assertThat(errors).allSatisfy(m -> assertThat(m).contains("401").contains("ZENDESK_API_TOKEN")
                .doesNotContain("revoked-"));
        // Authentication is never retried, and once refused the batch's other windows of the scope do not ask again:
        // at most one request per window already in flight (two workers).
        assertThat(sim.requests()).hasSizeBetween(1, 2).allMatch(r -> r.status() == 401);

        String ledger = String.join("\n", db.query("SELECT concat_ws('|', r::text) FROM ops.runs r UNION ALL "
                + "SELECT concat_ws('|', w::text) FROM ops.windows w UNION ALL SELECT concat_ws('|', m::text) "
                + "FROM ops.watermarks m", ps -> {}, rs -> rs.getString(1)));
        assertThat(ledger).doesNotContain("revoked-");
        assertThat(output).doesNotContain(sim.apiToken());
        try (var files = Files.walk(bronzeDir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jsonl.gz")).toList()) {
                assertThat(gunzip(p)).doesNotContain(sim.apiToken()).doesNotContain("Basic ");
            }
        }
    }

    @Test
    void everyRealRecordReachesCoreWithItsFields() {
        start();
        run("full");
        JsonNode voicemail = sim.truth("tickets").get(145L);
        assertThat(row("SELECT status, priority, type, channel, requester_id::text, tags::text, "
                + "generated_timestamp::text, created_at = '2022-09-19T14:53:49Z', ticket_form_id::text, "
                + "brand_id::text, is_deleted::text FROM core.zd_tickets WHERE id = 145"))
                .containsExactly("new", "low", "question", "voice", "5527111815439", "[\"tag1204\", \"test\"]",
                        "1681308296", "t", "360000084116", "360000358316", "false");
        assertThat(voicemail.get("subject").asText()).isEqualTo(
                row("SELECT subject FROM core.zd_tickets WHERE id = 145").get(0));
        assertThat(row("SELECT status, type FROM core.zd_tickets WHERE id = 1")).containsExactly("closed", "incident");
        assertThat(row("SELECT status FROM core.zd_tickets WHERE id = 146")).containsExactly("open");
        assertThat(row("SELECT name, email, role, time_zone, tags::text, active::text, updated_at = '2023-02-01T07:41:46Z' "
                + "FROM core.zd_users WHERE id = 6128164851599")).containsExactly("AmberBlanchard",
                "integration-test+amberblanchard@airbyte.io", "end-user", "Pacific/Noumea", "[\"tag\", \"test\"]", "true", "t");
        assertThat(row("SELECT name, domain_names::text, group_id::text, details, shared_tickets::text, is_deleted::text "
                + "FROM core.zd_organizations WHERE id = 360033549136")).containsExactly("Airbyte",
                "[\"cloud.airbyte.com\"]", "6770788212111", "test", "true", "false");
        assertThat(row("SELECT name, description, is_public::text, is_default::text, is_deleted::text FROM core.zd_groups "
                + "WHERE id = 7282640316815")).containsExactly("Airbyte Department 1", "A sample department", "true",
                "false", "false");
        assertThat(row("SELECT type, title, active::text, removable::text FROM core.zd_ticket_fields WHERE id = 5616655556879"))
                .containsExactly("custom_status", "Ticket status", "true", "false");
        assertThat(row("SELECT name, is_default::text, jsonb_array_length(ticket_field_ids)::text FROM core.zd_ticket_forms "
                + "WHERE id = 360000084116")).containsExactly("Default Ticket Form", "true", "7");
        for (String entity : List.of("tickets", "users", "organizations", "groups", "ticket_fields", "ticket_forms")) {
            for (String file : List.of(entity)) {
                assertThat(count("SELECT count(*) FROM stg_zendesk." + file + "_raw WHERE validation_status <> 'valid'"))
                        .as(entity).isZero();
            }
        }
        // Every real record, of every file, with the fields a support lead reads.
        Map<String, List<String>> fields = Map.of("tickets", List.of("subject", "status", "priority", "type"),
                "users", List.of("name", "email", "role", "locale"), "organizations", List.of("name", "details", "notes"),
                "groups", List.of("name", "description"), "ticket_fields", List.of("title", "type", "description"),
                "ticket_forms", List.of("name", "display_name"));
        fields.forEach((entity, columns) -> {
            JsonNode records = fixture(entity);
            assertThat(records.size()).as(entity).isPositive();
            for (JsonNode rec : records) {
                List<String> core = row("SELECT " + String.join(", ", columns) + ", updated_at = '"
                        + rec.get("updated_at").asText() + "' FROM core.zd_" + entity + " WHERE id = " + rec.get("id").asLong());
                List<String> want = new java.util.ArrayList<>();
                columns.forEach(c -> want.add(rec.path(c).isNull() || rec.path(c).isMissingNode()
                        || rec.path(c).asText().isEmpty() ? null : rec.path(c).asText()));
                want.add("t");
                assertThat(core).as(entity + " " + rec.get("id")).isEqualTo(want);
            }
        });
        // BI reads custom fields by title, no JSON.
        assertThat(row("SELECT field_title, value FROM core.vw_zd_ticket_custom_fields WHERE ticket_id = 10000 "
                + "AND field_id = 900000000001")).containsExactly("Order number", "ORD-10000");
    }

    private static Map<String, String> oauthOnly(ZendeskSimulator sim) {
        Map<String, String> m = new HashMap<>();
        m.put("ZENDESK_EMAIL", null);
        m.put("ZENDESK_API_TOKEN", null);
        m.put("ZENDESK_OAUTH_TOKEN", sim.oauthToken());
        return m;
    }

    private void assertCoreMatchesTruth() {
        for (String entity : List.of("tickets", "users", "organizations", "groups", "ticket_fields", "ticket_forms")) {
            Map<Long, JsonNode> truth = sim.truth(entity);
            Map<Long, String> core = new HashMap<>();
            db.query("SELECT id, updated_at FROM core.zd_" + entity, ps -> {},
                    rs -> core.put(rs.getLong(1), rs.getTimestamp(2).toInstant().toString()));
            assertThat(core.keySet()).as(entity).isEqualTo(truth.keySet());
            truth.forEach((id, rec) -> assertThat(core.get(id)).as(entity + " " + id)
                    .isEqualTo(Instant.parse(rec.get("updated_at").asText()).toString()));
        }
        Map<Long, Boolean> deleted = new HashMap<>();
        db.query("SELECT id, is_deleted FROM core.zd_tickets", ps -> {}, rs -> deleted.put(rs.getLong(1), rs.getBoolean(2)));
        sim.truth("tickets").forEach((id, rec) -> assertThat(deleted.get(id)).as("deleted flag of ticket " + id)
                .isEqualTo("deleted".equals(rec.path("status").asText())));
    }

    private List<String> statuses(String batchId) {
        return db.query("SELECT status FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, batchId), rs -> rs.getString(1));
    }

    private String status(String batchId, String entity) {
        return db.queryFirst("SELECT status FROM ops.runs WHERE batch_id = ? AND entity = ?", ps -> {
            ps.setString(1, batchId);
            ps.setString(2, entity);
        }, rs -> rs.getString(1)).orElseThrow();
    }

    private long count(String sql) {
        return db.queryFirst(sql, ps -> {}, rs -> rs.getLong(1)).orElseThrow();
    }

    private List<String> row(String sql) {
        return db.queryFirst(sql, ps -> {}, rs -> {
            List<String> out = new java.util.ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getString(i));
            }
            return out;
        }).orElseThrow(() -> new AssertionError("no row: " + sql));
    }

    private String cursor(String entity) {
        return new WatermarkStore(db).cursor("zendesk", "support", entity).orElse(null);
    }

    private Instant watermark(String entity) {
        return new WatermarkStore(db).get("zendesk", "support", entity).orElse(null);
    }

    private static JsonNode fixture(String entity) {
        try (InputStream in = ZendeskSimulator.class.getResourceAsStream("/fixtures/zendesk/" + entity + ".json")) {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String gunzip(Path p) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p)); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
