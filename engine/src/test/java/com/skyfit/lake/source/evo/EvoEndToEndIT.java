package com.skyfit.lake.source.evo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.pipeline.WindowTask;
import com.skyfit.lake.simulator.EvoChanges;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.simulator.EvoTruth;
import com.skyfit.lake.source.PgRequestGate;
import com.skyfit.lake.testing.TestPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EVO from the simulated API to core through the whole engine (bronze folder, staging, transforms) on a real
 * PostgreSQL: every entity, the changes between runs (late entries, receivables, removed sales, members' status),
 * a backfill broken off halfway and resumed, and a key whose secret the API rejects.
 */
class EvoEndToEndIT {
    static final String ENTRIES = "/api/v1/entries";
    @TempDir
    Path bronzeDir;

    EvoSimulator sim;
    Database db;
    DefaultIngestEngine engine;
    EvoCoreChecks core;

    /** Two keys, two gyms each, three weeks ending the day before yesterday (so advance adds yesterday). */
    private void start(Map<String, String> overrides) {
        LocalDate first = LocalDate.now(ZoneOffset.UTC).minusDays(22);
        sim = EvoSimulator.builder().scopes("metro", "coast").branches(2).entries(4000).seed(11).days(first, 21)
                .requestsPerMinute(6000).start();
        db = TestPostgres.newDatabase();
        Map<String, String> s = new HashMap<>(sim.settings());
        s.put("SKYFIT_PG_RETRY_SECONDS", "0.01");
        s.putAll(overrides);
        Settings settings = Settings.of(s);
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Connectors.configured(settings, new PgRequestGate(db.dataSource())), Clock.systemUTC(), false);
        core = new EvoCoreChecks(db, sim);
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
            db.close();
            sim.close();
        }
    }

    @Test
    void aFullLoadBringsEveryEntityOfBothKeysIntoCoreAsTheApiServesIt() {
        start(Map.of());
        BatchRunner.Outcome full = run("full", List.of(), 4, BatchRunner.Listener.NONE);

        assertThat(statuses(full)).hasSize(16).containsOnly("success");
        for (String scope : sim.scopes()) {
            core.assertEveryTableMatches(scope);
            core.assertFactsMatch(scope);
        }
        assertThat(sim.rateLimitedCount("metro") + sim.rateLimitedCount("coast")).isZero();

        // fields an analyst joins and sums on, one record of each kind against the API's
        EvoTruth truth = sim.truth("metro");
        JsonNode member = truth.records("members").filter(m -> m.path("gympassId").isTextual()).findFirst().orElseThrow();
        assertThat(core.row("SELECT membership_status, gympass_id, id_branch::text, to_char(register_date, "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS') FROM core.evo_members WHERE scope = 'metro' AND id_member = ?",
                member.get("idMember").asLong())).containsExactly(member.get("membershipStatus").asText(),
                        member.get("gympassId").asText(), member.get("idBranch").asText(),
                        member.get("registerDate").asText());
        JsonNode sale = truth.records("sales").filter(s -> s.get("saleItens").size() > 1).findFirst().orElseThrow();
        BigDecimal total = java.util.stream.StreamSupport.stream(sale.get("saleItens").spliterator(), false)
                .map(i -> i.get("saleValue").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(db.queryFirst("SELECT total_value FROM core.evo_sales WHERE scope = 'metro' AND id_sale = ?",
                ps -> ps.setLong(1, sale.get("idSale").asLong()), rs -> rs.getBigDecimal(1)).orElseThrow())
                .isEqualByComparingTo(total);
        JsonNode receivable = truth.records("receivables").findFirst().orElseThrow();
        assertThat(core.row("SELECT amount::text, status_id::text, status_name FROM core.evo_receivables WHERE scope = "
                + "'metro' AND id_receivable = ?", receivable.get("idReceivable").asLong())).containsExactly(
                        receivable.get("ammount").decimalValue().toPlainString(),
                        receivable.path("status").path("id").asText(), receivable.path("status").path("name").asText());

        // a second full load reads everything again and doubles nothing: entries are keyed by their hash
        BatchRunner.Outcome again = run("full", List.of(), 4, BatchRunner.Listener.NONE);
        assertThat(statuses(again)).containsOnly("success");
        for (String scope : sim.scopes()) {
            core.assertEveryTableMatches(scope);
        }
    }

    @Test
    void theIncrementalRunCatchesLateEntriesAndReceivablesButOnlyTheReScanCatchesMembersStatus() {
        start(Map.of());
        assertThat(statuses(run("full", List.of(), 4, BatchRunner.Listener.NONE))).containsOnly("success");
        Map<String, EvoChanges> changes = sim.advance(1, 12);
        LocalDate lateDay = changes.get("metro").lateEntries().keySet().iterator().next();
        assertThat(changes.get("metro").lateEntries().get(lateDay)).isPositive();
        long entryRequests = sim.requestCount("metro", ENTRIES);

        BatchRunner.Outcome inc = run("incremental", List.of(), 4, BatchRunner.Listener.NONE);

        assertThat(statuses(inc)).containsOnly("success");
        // entries: the look-back (3 days) before the watermark to today, not the three weeks again
        long incEntryWindows = windows(inc, "metro", "entries", null);
        assertThat(incEntryWindows).isBetween(3L, 6L);
        assertThat(sim.requestCount("metro", ENTRIES) - entryRequests).isEqualTo(incEntryWindows);
        for (String scope : sim.scopes()) {
            EvoTruth truth = sim.truth(scope);
            assertThat(core.entriesPerDay(scope)).as(scope + " entries per day, the late ones and the new day included")
                    .isEqualTo(EvoCoreChecks.withoutEmptyDays(truth.entriesPerDay()));
            assertThat(core.count("evo_entries", scope, "true")).isEqualTo(truth.count("entries"));
            // receivables are read by update date: every one received or canceled is in core with its new status
            assertThat(core.receivablesByStatus(scope)).isEqualTo(truth.receivablesByStatus());
            assertThat(core.count("evo_members", scope, "true")).isEqualTo(truth.count("members"));
            assertThat(core.count("evo_sales", scope, "true")).isEqualTo(truth.count("sales"));
        }
        // members changed status without a new date: the incremental read of recent weeks misses the older ones
        List<Long> changed = changes.get("metro").changedMembers();
        long missed = changed.stream().filter(id -> !core.memberState("metro", id)
                .equals(EvoCoreChecks.state(sim.truth("metro").member(id)))).count();
        assertThat(missed).as("changed members of metro whose new state core lacks after the incremental run")
                .isPositive();

        BatchRunner.Outcome rescan = run("full", List.of(), 4, BatchRunner.Listener.NONE);

        assertThat(statuses(rescan)).containsOnly("success");
        for (String id : changed.stream().map(String::valueOf).toList()) {
            assertThat(core.memberState("metro", Long.parseLong(id))).as("member " + id)
                    .isEqualTo(EvoCoreChecks.state(sim.truth("metro").member(Long.parseLong(id))));
        }
        for (String scope : sim.scopes()) {
            core.assertEveryTableMatches(scope);
            core.assertFactsMatch(scope);
        }
    }

    @Test
    void aBackfillBrokenOffHalfwayIsResumedReadingOnlyTheDaysItMissed() {
        start(Map.of("EVO_HTTP_RETRIES", "0"));
        LocalDate from = sim.startDate().plusDays(2);
        LocalDate to = from.plusDays(9);
        AtomicInteger metroDone = new AtomicInteger();
        // The API starts failing every request of metro once four of its days are read: the backfill breaks off.
        BatchRunner.Listener breakOff = new BatchRunner.Listener() {
            @Override
            public void windowDone(WindowTask task, ExtractResult result, Throwable error) {
                if (task.scope().equals("metro") && result != null && metroDone.incrementAndGet() == 4) {
                    sim.faults("metro").failNext(1_000, 503);
                }
            }
        };

        BatchRunner.Outcome broken = backfill(List.of(), from, to, breakOff);

        assertThat(broken.windowsFailed()).isEqualTo(6);
        assertThat(windows(broken, "metro", "entries", "extracted")).isEqualTo(4);
        assertThat(windows(broken, "metro", "entries", "failed")).isEqualTo(6);
        assertThat(windows(broken, "coast", "entries", "extracted")).isEqualTo(10);
        assertThat(db.query("SELECT DISTINCT w.error_message FROM ops.windows w JOIN ops.runs r USING (run_id) "
                + "WHERE r.batch_id = ? AND w.status = 'failed'", ps -> ps.setString(1, broken.batchId()),
                rs -> rs.getString(1))).hasSize(6).allSatisfy(m -> assertThat(m).contains("scope 'metro'", "HTTP 503"));
        List<LocalDate> missed = days(broken, "metro", "failed");
        assertThat(core.entriesPerDay("metro").keySet()).doesNotContainAnyElementsOf(missed);

        sim.faults("metro").clear();
        long metroBefore = sim.requestCount("metro", ENTRIES);
        long coastBefore = sim.requestCount("coast", ENTRIES);
        // resumed as the gap report prints it: the same range, for the key that has days missing
        BatchRunner.Outcome resumed = backfill(List.of("metro"), from, to, BatchRunner.Listener.NONE);

        assertThat(resumed.windowsFailed()).isZero();
        assertThat(statuses(resumed)).containsOnly("success");
        // only the six days that failed are read again (a day of these gyms is one page), none of those read before
        assertThat(resumed.plan().windows()).as("windows the resumed backfill read").allSatisfy(w -> assertThat(
                w.scope()).isEqualTo("metro")).extracting(w -> java.time.Instant.parse(w.windowStart())
                        .atZone(ZoneOffset.UTC).toLocalDate()).containsExactlyElementsOf(missed);
        assertThat(days(resumed, "metro", "extracted")).hasSize(10);
        assertThat(sim.requestCount("metro", ENTRIES) - metroBefore).isEqualTo(missed.size());
        assertThat(sim.requestCount("coast", ENTRIES) - coastBefore).isZero();
        for (String scope : sim.scopes()) {
            Map<LocalDate, Long> want = new java.util.TreeMap<>(sim.truth(scope).entriesPerDay());
            want.keySet().removeIf(d -> d.isBefore(from) || d.isAfter(to));
            assertThat(core.entriesPerDay(scope)).as(scope).isEqualTo(EvoCoreChecks.withoutEmptyDays(want));
        }
    }

    @Test
    void aRejectedSecretFailsOnlyItsKeysRunsNamingTheSettingWhileTheOtherKeyReachesCore() {
        start(Map.of("EVO_COAST_SECRET_KEY", "Wrong-Secret-0042"));

        BatchRunner.Outcome full = run("full", List.of(), 4, BatchRunner.Listener.NONE);

        List<String[]> runs = db.query("SELECT scope, status, coalesce(error_message, '') FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, full.batchId()), rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        assertThat(runs).filteredOn(r -> r[0].equals("coast")).hasSize(8).allSatisfy(r -> {
            assertThat(r[1]).isEqualTo("failed");
            assertThat(r[2]).contains("scope 'coast'", "EVO_COAST_SECRET_KEY", "HTTP 401")
                    .doesNotContain("Wrong-Secret-0042");
        });
        assertThat(runs).filteredOn(r -> r[0].equals("metro")).hasSize(8).allSatisfy(r -> assertThat(r[1])
                .isEqualTo("success"));
        assertThat(db.query("SELECT coalesce(string_agg(error_message, ' '), '') FROM ops.windows", ps -> {},
                rs -> rs.getString(1))).singleElement().asString().doesNotContain("Wrong-Secret-0042");
        // each window of the key tried once, never retried: a 401 is no reason to spend the key's budget again
        long coastWindows = db.queryFirst("SELECT count(*) FROM ops.windows w JOIN ops.runs r USING (run_id) "
                + "WHERE r.batch_id = ? AND r.scope = 'coast'", ps -> ps.setString(1, full.batchId()),
                rs -> rs.getLong(1)).orElseThrow();
        assertThat(sim.stats("coast").unauthorized()).isPositive().isEqualTo(coastWindows);
        assertThat(sim.stats("coast").served()).isZero();
        core.assertEveryTableMatches("metro");
        for (String[] t : EvoCoreChecks.TABLES.values()) {
            assertThat(core.count(t[0], "coast", "true")).as(t[0]).isZero();
        }
    }

    private BatchRunner.Outcome run(String loadType, List<String> entities, int workers, BatchRunner.Listener l) {
        return new BatchRunner(engine).run(new PlanRequest(null, "evo", List.of(), entities, loadType, "manual", null,
                null), workers, l);
    }

    /** Entries only, one window at a time, so the break-off falls between two windows. */
    private BatchRunner.Outcome backfill(List<String> scopes, LocalDate from, LocalDate to, BatchRunner.Listener l) {
        return new BatchRunner(engine).run(new PlanRequest(null, "evo", scopes, List.of("entries"), "backfill",
                "manual", from.toString(), to.toString()), 1, l);
    }

    private List<String> statuses(BatchRunner.Outcome o) {
        assertThat(o.error()).isNull();
        return db.query("SELECT status || coalesce(' ' || error_message, '') FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, o.batchId()), rs -> rs.getString(1));
    }

    /** Windows of a run of the batch, of one status (null: all). */
    private long windows(BatchRunner.Outcome o, String scope, String entity, String status) {
        return db.queryFirst("SELECT count(*) FROM ops.windows w JOIN ops.runs r USING (run_id) WHERE r.batch_id = ? "
                + "AND r.scope = ? AND r.entity = ? AND (? IS NULL OR w.status = ?)", ps -> {
                    ps.setString(1, o.batchId());
                    ps.setString(2, scope);
                    ps.setString(3, entity);
                    ps.setString(4, status);
                    ps.setString(5, status);
                }, rs -> rs.getLong(1)).orElseThrow();
    }

    /** The days of the entries windows of one status that the batch's run holds, in order. */
    private List<LocalDate> days(BatchRunner.Outcome o, String scope, String status) {
        return db.query("SELECT w.window_start FROM ops.windows w JOIN ops.runs r USING (run_id) WHERE r.batch_id = ? "
                + "AND r.scope = ? AND r.entity = 'entries' AND w.status = ? ORDER BY w.window_start", ps -> {
                    ps.setString(1, o.batchId());
                    ps.setString(2, scope);
                    ps.setString(3, status);
                }, rs -> rs.getTimestamp(1).toInstant().atZone(ZoneOffset.UTC).toLocalDate());
    }
}
