package com.skyfit.lake.source.chatwoot;

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
import com.skyfit.lake.simulator.ChatwootChanges;
import com.skyfit.lake.simulator.ChatwootSourceDatabase;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Chatwoot source end to end over two real PostgreSQL databases: the simulated Chatwoot (tables, the
 * analytics view, a login that may only SELECT the view) and the warehouse, with a real bronze folder.
 */
class ChatwootIT {
    private static final AtomicInteger SOURCES = new AtomicInteger();
    private static final int SCALE = 300;
    private static final String WRONG_PASSWORD = "Wr0ng-S3cret-4711";

    @TempDir
    Path bronzeDir;

    Map<String, String> warehouse;
    ChatwootSourceDatabase source;
    Database db;
    Settings settings;

    @BeforeEach
    void start() {
        warehouse = TestPostgres.newDatabaseSettings();
        source = ChatwootSourceDatabase.create(warehouse.get("SKYFIT_PG_URL"), warehouse.get("SKYFIT_PG_USER"),
                warehouse.get("SKYFIT_PG_PASSWORD"), "chatwoot_" + ProcessHandle.current().pid() + "_"
                        + SOURCES.incrementAndGet(), SCALE, 11);
        db = Database.external(warehouse.get("SKYFIT_PG_URL"), warehouse.get("SKYFIT_PG_USER"),
                Secret.of(warehouse.get("SKYFIT_PG_PASSWORD")));
        Map<String, String> s = new HashMap<>();
        s.put(ChatwootConfig.JDBC_URL, source.jdbcUrl());
        s.put(ChatwootConfig.USER, source.reader());
        s.put(ChatwootConfig.PASSWORD, source.readerPassword());
        s.put(ChatwootConfig.SSL_MODE, "disable");
        s.put(ChatwootConfig.FETCH_SIZE, "50");
        s.put("SKYFIT_STALE_RUN_MINUTES", "0");
        settings = Settings.of(s);
    }

    @AfterEach
    void stop() throws SQLException {
        db.close();
        // Both databases go: the shared test server stays small, and stops quickly at the end.
        source.drop();
        String url = warehouse.get("SKYFIT_PG_URL");
        try (Connection c = java.sql.DriverManager.getConnection(url.substring(0, url.lastIndexOf('/') + 1) + "postgres",
                warehouse.get("SKYFIT_PG_USER"), warehouse.get("SKYFIT_PG_PASSWORD")); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE " + url.substring(url.lastIndexOf('/') + 1) + " WITH (FORCE)");
        }
    }

    private BatchRunner.Outcome run(Settings with, String loadType) {
        try (DefaultIngestEngine engine = new DefaultIngestEngine(with, db, new LocalBronzeStore(bronzeDir),
                Connectors.configured(with), Clock.systemUTC(), false)) {
            return new BatchRunner(engine).run(new PlanRequest(null, "chatwoot", List.of(), List.of(), loadType,
                    "scheduler", null, null), 2, BatchRunner.Listener.NONE);
        }
    }

    private BatchRunner.Outcome run(String loadType) {
        return run(settings, loadType);
    }

    record Ledger(String status, String loadType, String triggeredBy, long extracted, long inserted, long updated,
            long unchanged, long deleted, Instant watermarkStart, Instant watermarkEnd, Double seconds,
            Instant completedAt, String error, String detail) {}

    private Ledger ledger(String batchId, String entity) {
        return db.queryFirst("""
                SELECT status, load_type, triggered_by, rows_extracted, rows_inserted, rows_updated, rows_unchanged,
                       rows_deleted, watermark_start, watermark_end, duration_seconds, completed_at, error_message,
                       error_detail
                FROM ops.runs WHERE batch_id = ? AND entity = ?""", ps -> {
            ps.setString(1, batchId);
            ps.setString(2, entity);
        }, rs -> new Ledger(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6), rs.getLong(7), rs.getLong(8), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)),
                rs.getObject(11) == null ? null : rs.getDouble(11), instant(rs.getTimestamp(12)), rs.getString(13),
                rs.getString(14))).orElseThrow();
    }

    private Optional<Instant> watermark() {
        return db.queryFirst("SELECT watermark FROM ops.watermarks WHERE source = 'chatwoot' AND scope = 'default' "
                + "AND entity = 'conversations'", ps -> {}, rs -> instant(rs.getTimestamp(1)));
    }

    private Instant lastSuccessfulWatermark() {
        return db.queryFirst("SELECT ops.get_last_successful_watermark('chatwoot', 'default', 'conversations')",
                ps -> {}, rs -> instant(rs.getTimestamp(1))).orElse(null);
    }

    private Instant sourceMaxChange() {
        return source.truth().values().stream().map(ChatwootSourceDatabase.Conversation::changedAt)
                .max(Instant::compareTo).orElseThrow();
    }

    private long core(String where) {
        return db.queryFirst("SELECT count(*) FROM core.chatwoot_conversations WHERE " + where, ps -> {},
                rs -> rs.getLong(1)).orElseThrow();
    }

    @Test
    void theFirstRunLoadsEveryConversationTypedAndLedgered() {
        BatchRunner.Outcome first = run("incremental");

        assertThat(first.error()).isNull();
        Ledger conv = ledger(first.batchId(), "conversations");
        assertThat(conv.status()).isEqualTo("success");
        assertThat(conv.loadType()).isEqualTo("incremental");
        assertThat(conv.triggeredBy()).isEqualTo("scheduler");
        assertThat(conv.watermarkStart()).as("no watermark yet: everything is read").isNull();
        assertThat(conv.extracted()).isEqualTo(SCALE);
        assertThat(conv.inserted()).isEqualTo(SCALE);
        assertThat(conv.updated() + conv.unchanged()).isZero();
        assertThat(conv.seconds()).isNotNull().isGreaterThanOrEqualTo(0.0);
        assertThat(conv.completedAt()).isNotNull();
        Instant max = sourceMaxChange();
        assertThat(conv.watermarkEnd()).isEqualTo(max);
        assertThat(watermark()).contains(max);
        assertThat(lastSuccessfulWatermark()).isEqualTo(max);
        assertThat(ledger(first.batchId(), "conversation_ids").status()).isEqualTo("success");

        assertThat(core("true")).isEqualTo(SCALE);
        assertThat(core("is_deleted")).isZero();
        assertThat(core("status NOT IN ('open', 'resolved', 'pending', 'snoozed')")).isZero();
        assertThat(core("priority IS NOT NULL AND priority NOT IN ('low', 'medium', 'high', 'urgent')")).isZero();
        // every core row carries the source's own values, typed
        try (Connection c = source.admin(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, status, priority, created_at, last_activity_at, "
                        + "additional_attributes ->> 'browser', cached_label_list FROM conversations")) {
            int checked = 0;
            while (rs.next()) {
                long id = rs.getLong(1);
                Object[] row = db.queryFirst("SELECT status, priority, created_at, last_activity_at, "
                        + "additional_attributes ->> 'browser', array_to_string(labels, ','), _run_id "
                        + "FROM core.chatwoot_conversations WHERE scope = 'default' AND id = ?", ps -> ps.setLong(1, id),
                        r -> new Object[] {r.getString(1), r.getString(2), r.getTimestamp(3).toInstant(),
                                r.getTimestamp(4).toInstant(), r.getString(5), r.getString(6), r.getString(7)}).orElseThrow();
                assertThat(row[0]).isEqualTo(List.of("open", "resolved", "pending", "snoozed").get(rs.getInt(2)));
                Object priority = rs.getObject(3) == null ? null : List.of("low", "medium", "high", "urgent").get(rs.getInt(3));
                assertThat(row[1]).isEqualTo(priority);
                assertThat(row[2]).isEqualTo(utc(rs.getTimestamp(4)));
                assertThat(row[3]).isEqualTo(utc(rs.getTimestamp(5)));
                assertThat(row[4]).isEqualTo(rs.getString(6));
                assertThat(row[5]).isEqualTo(rs.getString(7) == null ? "" : rs.getString(7));
                checked++;
            }
            assertThat(checked).isEqualTo(SCALE);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anIncrementalRunCountsNewUpdatedAndUnchangedExactlyAndCatchesActivityAndDeletes() throws SQLException {
        BatchRunner.Outcome first = run("incremental");
        assertThat(first.error()).isNull();
        Instant before = watermark().orElseThrow();
        Map<Long, Instant> activityBefore = new HashMap<>();
        db.query("SELECT id, updated_at FROM core.chatwoot_conversations", ps -> {},
                rs -> activityBefore.put(rs.getLong(1), rs.getTimestamp(2).toInstant()));

        ChatwootChanges changes = source.mutate(5, 7, 4, 3, 99);
        // What the overlap re-reads, counted at the source: every row changed since the watermark less 10 minutes
        long candidates;
        try (Connection c = source.admin(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM conversations WHERE greatest(updated_at, last_activity_at) >= ?")) {
            ps.setTimestamp(1, Timestamp.valueOf(java.time.LocalDateTime.ofInstant(before.minus(10, ChronoUnit.MINUTES),
                    java.time.ZoneOffset.UTC)));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                candidates = rs.getLong(1);
            }
        }
        long changed = changes.created().size() + changes.updated().size() + changes.activityOnly().size();

        BatchRunner.Outcome second = run("incremental");

        assertThat(second.error()).isNull();
        Ledger conv = ledger(second.batchId(), "conversations");
        assertThat(conv.status()).isEqualTo("success");
        assertThat(conv.watermarkStart()).isEqualTo(before.minus(10, ChronoUnit.MINUTES));
        assertThat(conv.extracted()).isEqualTo(candidates);
        assertThat(conv.inserted()).isEqualTo(5);
        assertThat(conv.updated()).isEqualTo(7 + 4);
        assertThat(conv.unchanged()).isEqualTo(candidates - changed).isPositive();
        assertThat(conv.watermarkEnd()).isEqualTo(changes.time());
        assertThat(watermark()).contains(changes.time());
        assertThat(lastSuccessfulWatermark()).isEqualTo(changes.time());

        // a new message moves last_activity_at only: caught, and updated_at stays as it was
        for (long id : changes.activityOnly()) {
            Instant[] t = db.queryFirst("SELECT last_activity_at, updated_at FROM core.chatwoot_conversations WHERE id = ?",
                    ps -> ps.setLong(1, id), rs -> new Instant[] {rs.getTimestamp(1).toInstant(),
                            rs.getTimestamp(2).toInstant()}).orElseThrow();
            assertThat(t[0]).isEqualTo(changes.time());
            assertThat(t[1]).isEqualTo(activityBefore.get(id));
        }
        // hard deletes: found by the id listing, kept as facts
        Ledger ids = ledger(second.batchId(), "conversation_ids");
        assertThat(ids.status()).isEqualTo("success");
        assertThat(ids.deleted()).isEqualTo(3);
        assertThat(ids.extracted()).isEqualTo(SCALE + 5 - 3);
        String idsRun = db.queryFirst("SELECT run_id FROM ops.runs WHERE batch_id = ? AND entity = 'conversation_ids'",
                ps -> ps.setString(1, second.batchId()), rs -> rs.getString(1)).orElseThrow();
        assertThat(core("is_deleted")).isEqualTo(3);
        for (long id : changes.deleted()) {
            assertThat(core("id = " + id + " AND is_deleted AND deleted_at IS NOT NULL AND deleted_run_id = '" + idsRun + "'"))
                    .isEqualTo(1);
        }
        assertThat(core("true")).isEqualTo(SCALE + 5);

        // etl stats answer per entity
        Object[] stats = db.queryFirst("""
                SELECT runs_total, runs_success, runs_failed, rows_inserted, rows_updated, rows_deleted, current_watermark
                FROM ops.vw_etl_stats WHERE source = 'chatwoot' AND scope = 'default' AND entity = ?""",
                ps -> ps.setString(1, "conversations"), rs -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getTimestamp(7).toInstant()}).orElseThrow();
        assertThat(stats).containsExactly(2L, 2L, 0L, (long) SCALE + 5, 11L, 0L, changes.time());
        assertThat(db.queryFirst("SELECT rows_deleted FROM ops.vw_etl_stats WHERE source = 'chatwoot' "
                + "AND entity = 'conversation_ids'", ps -> {}, rs -> rs.getLong(1))).contains(3L);
    }

    @Test
    void aRunWithNothingNewSucceedsAndLeavesTheWatermark() {
        assertThat(run("incremental").error()).isNull();
        Instant before = watermark().orElseThrow();

        BatchRunner.Outcome again = run("incremental");

        Ledger conv = ledger(again.batchId(), "conversations");
        assertThat(conv.status()).isEqualTo("success");
        assertThat(conv.inserted() + conv.updated()).isZero();
        assertThat(conv.unchanged()).isEqualTo(conv.extracted());
        assertThat(watermark()).contains(before);
        assertThat(ledger(again.batchId(), "conversation_ids").deleted()).isZero();
        assertThat(core("is_deleted")).isZero();
    }

    @Test
    void whenTheNewestConversationIsDeletedTheWatermarkAndTheLedgerStayWhereTheyWere() throws SQLException {
        assertThat(run("incremental").error()).isNull();
        Instant before = watermark().orElseThrow();
        int gone;
        try (Connection c = source.admin(); Statement st = c.createStatement()) {
            // several may share the newest time: all of them go
            gone = st.executeUpdate("DELETE FROM conversations WHERE greatest(updated_at, last_activity_at) = "
                    + "(SELECT max(greatest(updated_at, last_activity_at)) FROM conversations)");
        }

        BatchRunner.Outcome again = run("incremental");

        Ledger conv = ledger(again.batchId(), "conversations");
        assertThat(conv.status()).isEqualTo("success");
        assertThat(conv.watermarkEnd()).isEqualTo(before);
        assertThat(watermark()).contains(before);
        assertThat(lastSuccessfulWatermark()).isEqualTo(before);
        assertThat(gone).isPositive();
        assertThat(ledger(again.batchId(), "conversation_ids").deleted()).isEqualTo(gone);
    }

    @Test
    void aConversationStampedInTheFutureDoesNotStopLaterReads() throws SQLException {
        assertThat(run("incremental").error()).isNull();
        try (Connection c = source.admin(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE conversations SET last_activity_at = '2099-01-01 00:00:00' "
                    + "WHERE id = (SELECT min(id) FROM conversations)");
        }
        BatchRunner.Outcome second = run("incremental");
        assertThat(second.error()).isNull();
        // capped at the source's clock plus the default skew of 5 minutes, not carried to 2099
        assertThat(watermark().orElseThrow()).isBefore(Instant.now().plus(6, ChronoUnit.MINUTES));

        ChatwootChanges changes = source.mutate(4, 3, 0, 0, 7);
        BatchRunner.Outcome third = run("incremental");

        assertThat(third.error()).isNull();
        Ledger conv = ledger(third.batchId(), "conversations");
        assertThat(conv.status()).isEqualTo("success");
        assertThat(conv.inserted()).isEqualTo(changes.created().size()).isEqualTo(4);
        assertThat(conv.updated()).isEqualTo(3);
    }

    @Test
    void aFullLoadReadsEverythingAgainAndChangesNothing() {
        assertThat(run("incremental").error()).isNull();

        BatchRunner.Outcome full = run("full");

        Ledger conv = ledger(full.batchId(), "conversations");
        assertThat(conv.status()).isEqualTo("success");
        assertThat(conv.loadType()).isEqualTo("full");
        assertThat(conv.watermarkStart()).isNull();
        assertThat(conv.extracted()).isEqualTo(SCALE);
        assertThat(conv.unchanged()).isEqualTo(SCALE);
    }

    @Test
    void aWrongPasswordFailsTheRunAtOnceOnTheLedgerWithoutTheSecretAndKeepsTheWatermark() throws Exception {
        passwordsChecked();
        assertThat(run("incremental").error()).isNull();
        Instant before = watermark().orElseThrow();
        source.mutate(0, 0, 0, 5, 3);

        BatchRunner.Outcome failed = run(settings.with(ChatwootConfig.PASSWORD, WRONG_PASSWORD), "incremental");

        for (String entity : ChatwootSource.ENTITIES) {
            Ledger l = ledger(failed.batchId(), entity);
            assertThat(l.status()).as(entity).isEqualTo("failed");
            assertThat(l.error()).contains("CHATWOOT_SOURCE_USER", "CHATWOOT_SOURCE_PASSWORD", "28P01")
                    .doesNotContain(WRONG_PASSWORD);
            assertThat(l.detail()).contains("SourceException", "ReadErrors", "Caused by: java.sql.SQLException")
                    .doesNotContain(WRONG_PASSWORD);
            assertThat(l.completedAt()).isNotNull();
        }
        assertThat(watermark()).contains(before);
        assertThat(lastSuccessfulWatermark()).isEqualTo(before);
        assertThat(core("is_deleted")).as("a failed read never marks deletes").isZero();
        assertThat(db.queryFirst("SELECT runs_failed FROM ops.vw_etl_stats WHERE source = 'chatwoot' "
                + "AND entity = 'conversations'", ps -> {}, rs -> rs.getLong(1))).contains(1L);
        assertThat(db.queryFirst("SELECT count(*) FROM ops.windows w JOIN ops.runs r USING (run_id) "
                + "WHERE r.batch_id = ? AND w.attempts = 1", ps -> ps.setString(1, failed.batchId()),
                rs -> rs.getLong(1))).as("an authentication failure is not retried").contains(2L);
    }

    @Test
    void aNonNumericIdColumnFailsTheListingAtOnceNamingTheSetting() {
        BatchRunner.Outcome failed = run(settings.with(ChatwootConfig.ID_COLUMN, "uuid"), "incremental");

        Ledger ids = ledger(failed.batchId(), "conversation_ids");
        assertThat(ids.status()).isEqualTo("failed");
        assertThat(ids.error()).contains("CHATWOOT_SOURCE_ID_COLUMN", "'uuid'", "not an integer id");
        assertThat(db.queryFirst("SELECT max(w.attempts) FROM ops.windows w JOIN ops.runs r USING (run_id) "
                + "WHERE r.batch_id = ? AND r.entity = 'conversation_ids'", ps -> ps.setString(1, failed.batchId()),
                rs -> rs.getLong(1))).as("a wrong setting is not retried").contains(1L);
    }

    @Test
    void theSourceConnectionCannotWriteEvenAsASuperuser() throws Exception {
        // The test login is the server's superuser: only the connection itself stops the write.
        ChatwootConnector connector = ChatwootConnector.fromSettings(settings
                .with(ChatwootConfig.USER, warehouse.get("SKYFIT_PG_USER"))
                .with(ChatwootConfig.PASSWORD, warehouse.get("SKYFIT_PG_PASSWORD")));
        try (Connection c = connector.open(); Statement st = c.createStatement()) {
            assertThat(c.isReadOnly()).isTrue();
            assertThatThrownBy(() -> st.executeUpdate("DELETE FROM conversations"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
        }
        try (Connection c = connector.open(); Statement st = c.createStatement()) {
            st.execute("COMMIT");
            assertThatThrownBy(() -> st.execute("CREATE TABLE stolen (i int)"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
        }
        assertThat(source.truth()).hasSize(SCALE);
    }

    @Test
    void aRowBecomesOneJsonLineWithTypedValues() throws Exception {
        try (Connection c = source.admin(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("""
                        SELECT 7::int AS i, 2.50::numeric AS n, 'NaN'::numeric AS nan, true AS b,
                               '2026-01-02 03:04:05.123456'::timestamp AS ts, '2026-01-02 03:04:05+02'::timestamptz AS tz,
                               '2026-01-02'::date AS d, '{"x": [1,\n {"y": "z"}]}'::json AS j, '{"k": "v\\nw"}'::jsonb AS jb,
                               ARRAY['a', 'b'] AS arr, NULL::text AS nothing, E'two\\nlines' AS text""")) {
            rs.next();
            String line = new String(new RowJson(rs.getMetaData(), rs.getMetaData().getColumnCount()).write(rs),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertThat(line).isEqualTo("{\"i\":7,\"n\":2.50,\"nan\":\"NaN\",\"b\":true,"
                    + "\"ts\":\"2026-01-02T03:04:05.123456Z\",\"tz\":\"2026-01-02T01:04:05Z\",\"d\":\"2026-01-02\","
                    + "\"j\":{\"x\":[1,{\"y\":\"z\"}]},\"jb\":{\"k\":\"v\\nw\"},\"arr\":[\"a\",\"b\"],"
                    + "\"nothing\":null,\"text\":\"two\\nlines\"}");
            assertThat(line).doesNotContain("\n");
        }
    }

    @Test
    void theSourceLoginMaySelectTheViewAndNothingElse() throws SQLException {
        try (Connection c = source.admin(); PreparedStatement ps = c.prepareStatement("""
                SELECT has_table_privilege(?, 'vw_conversations_analytics_final', 'SELECT'),
                       has_table_privilege(?, 'vw_conversations_analytics_final', 'INSERT, UPDATE, DELETE, TRUNCATE'),
                       has_table_privilege(?, 'conversations', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'),
                       has_schema_privilege(?, 'public', 'CREATE')""")) {
            for (int i = 1; i <= 4; i++) {
                ps.setString(i, source.reader());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(List.of(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4)))
                        .containsExactly(true, false, false, false);
            }
        }
    }

    @Test
    void onlyACompleteIdListingMarksDeletes() {
        assertThat(run("incremental").error()).isNull();
        long[] kept = db.query("SELECT id FROM core.chatwoot_conversations ORDER BY id LIMIT 10", ps -> {},
                rs -> rs.getLong(1)).stream().mapToLong(Long::longValue).toArray();
        String ids = java.util.Arrays.toString(kept);
        // A listing whose trailer announces two chunks but only one reached staging: a part still missing.
        stageListing("r-partial", "tok-partial", List.of("{\"listing\":\"tok-partial\",\"ids\":" + ids + "}",
                "{\"listing\":\"tok-partial\",\"complete\":true,\"id_count\":20,\"chunk_count\":2,"
                        + "\"listed_at\":\"2099-01-01T00:00:00Z\"}"));
        transformListings();
        assertThat(core("is_deleted")).isZero();
        assertThat(db.queryFirst("SELECT count(*) FROM core.chatwoot_id_listings WHERE run_id = 'r-partial'", ps -> {},
                rs -> rs.getLong(1))).contains(0L);

        // The same ids as a complete listing: everything else is gone at the source.
        stageListing("r-complete", "tok-complete", List.of("{\"listing\":\"tok-complete\",\"ids\":" + ids + "}",
                "{\"listing\":\"tok-complete\",\"complete\":true,\"id_count\":10,\"chunk_count\":1,"
                        + "\"listed_at\":\"2099-01-01T00:00:00Z\"}"));
        transformListings();
        assertThat(core("is_deleted")).isEqualTo(SCALE - 10);
        assertThat(core("NOT is_deleted AND id IN (" + ids.substring(1, ids.length() - 1) + ")")).isEqualTo(10);
        assertThat(core("is_deleted AND deleted_run_id = 'r-complete'")).isEqualTo(SCALE - 10);
    }

    private void stageListing(String runId, String token, List<String> lines) {
        String part = "bronze/chatwoot/default/conversation_ids/" + runId + "/part-00000.jsonl.gz";
        db.execute("INSERT INTO ops.runs (run_id, source, scope, entity, load_type, triggered_by) "
                + "VALUES (?, 'chatwoot', 'default', 'conversation_ids', 'full', 'manual')", ps -> ps.setString(1, runId));
        db.execute("INSERT INTO ops.bronze_files (blob_path, source, scope, entity, run_id, status) "
                + "VALUES (?, 'chatwoot', 'default', 'conversation_ids', ?, 'loaded')", ps -> {
                    ps.setString(1, part);
                    ps.setString(2, runId);
                });
        for (int i = 0; i < lines.size(); i++) {
            int line = i + 1;
            db.execute("INSERT INTO stg_chatwoot.conversation_ids_raw (scope, blob_path, line_no, run_id, raw) "
                    + "VALUES ('default', ?, ?, ?, ?::jsonb)", ps -> {
                        ps.setString(1, part);
                        ps.setInt(2, line);
                        ps.setString(3, runId);
                        ps.setString(4, lines.get(line - 1));
                    });
        }
    }

    private void transformListings() {
        new com.skyfit.lake.core.TransformRunner(db).run(com.skyfit.lake.core.CoreTables.CHATWOOT_ID_LISTINGS, false);
    }

    /** The embedded server trusts local logins; make it check the reader's password, then wait for the reload. */
    private void passwordsChecked() throws InterruptedException {
        source.requirePassword();
        for (int i = 0; i < 100; i++) {
            try (Connection c = java.sql.DriverManager.getConnection(source.jdbcUrl(), source.reader(), WRONG_PASSWORD)) {
                Thread.sleep(50);
            } catch (SQLException e) {
                assertThat(e.getSQLState()).isEqualTo("28P01");
                return;
            }
        }
        throw new AssertionError("the server never started checking the reader's password");
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** A Chatwoot timestamp without time zone holds UTC. */
    private static Instant utc(Timestamp t) {
        return t.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC);
    }
}
