package com.skyfit.lake.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.OpsQueries;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.simulator.HostileRecord;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.LogCapture;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unparsable records sent by the API, end to end (extract, load, transform) against the simulator and
 * a real PostgreSQL: the page's other records reach core, the bad one is an invalid staging row with
 * the parser's reason, and no run fails or freezes because of it.
 */
class HostileRecordsIT {
    @TempDir
    Path bronzeDir;

    PipedriveSimulator sim;
    Database db;
    DefaultIngestEngine engine;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(30).seed(3).start();
        db = TestPostgres.newDatabase();
        Map<String, String> s = new HashMap<>();
        s.put("PIPEDRIVE_SCOPES", "commercial,expansion");
        s.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
        s.put("PIPEDRIVE_HTTP_RETRIES", "1");
        s.put("PIPEDRIVE_PAGE_SIZE", "20");
        for (String scope : sim.scopes()) {
            String key = "PIPEDRIVE_" + scope.toUpperCase(Locale.ROOT);
            s.put(key + "_BASE_URL", sim.baseUrl(scope));
            s.put(key + "_API_TOKEN", sim.token(scope));
        }
        Settings settings = Settings.of(s);
        engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Connectors.configured(settings, new PgRequestGate(db.dataSource())), Clock.systemUTC(), false);
    }

    @AfterEach
    void stop() {
        engine.close();
        db.close();
        sim.close();
    }

    private BatchRunner.Outcome run(String loadType) {
        return new BatchRunner(engine).run(new PlanRequest(null, "pipedrive", List.of(), List.of(), loadType, "manual",
                null, null), 4, BatchRunner.Listener.NONE);
    }

    @Test
    void aRawTabOrInvalidUtf8RecordIsKeptInvalidWhileTheRestOfItsPageReachesCore() throws Exception {
        sim.faults("commercial").hostileRecords("deals", 1, HostileRecord.TAB_IN_STRING);
        sim.faults("expansion").hostileRecords("persons", 1, HostileRecord.INVALID_UTF8);
        String logs;
        BatchRunner.Outcome full;
        try (LogCapture capture = new LogCapture()) {
            full = run("full");
            logs = capture.text();
        }

        assertThat(full.error()).isNull();
        assertThat(statuses(full.batchId())).containsOnly("success");
        assertThat(logs).contains("1 of them unparsable");

        List<String[]> badDeals = invalid("deals");
        assertThat(badDeals).hasSize(1);
        assertThat(badDeals.get(0)[0]).contains("CTRL-CHAR, code 9");
        assertThat(badDeals.get(0)[1]).contains("a\tb"); // the raw bytes, verbatim
        List<String[]> badPersons = invalid("persons");
        assertThat(badPersons).hasSize(1);
        assertThat(badPersons.get(0)[0]).contains("not valid UTF-8");

        assertCoreHoldsTruthExceptTheBadRecord("commercial", "deals", badDeals.get(0)[1]);
        assertCoreHoldsTruthExceptTheBadRecord("expansion", "persons", badPersons.get(0)[1]);
        assertCoreHoldsTruthExceptTheBadRecord("expansion", "deals", null);
        assertCoreHoldsTruthExceptTheBadRecord("commercial", "persons", null);

        // Counted on the run that read them: its bronze parts' ledger rows.
        long counted = db.queryFirst("SELECT coalesce(sum(f.invalid_rows), 0) FROM ops.bronze_files f "
                + "JOIN ops.runs r ON r.run_id = f.run_id WHERE r.batch_id = ? AND r.scope = 'commercial' "
                + "AND r.entity = 'deals'", ps -> ps.setString(1, full.batchId()), rs -> rs.getLong(1)).orElseThrow();
        assertThat(counted).isEqualTo(1);
        // status shows them (OpsQueries is what `status` prints).
        assertThat(new OpsQueries(db).validationIssues()).anySatisfy(i -> {
            assertThat(i.stagingTable()).contains("deals_raw");
            assertThat(i.status()).isEqualTo("invalid");
            assertThat(i.rows()).isEqualTo(1);
        });

        // Later runs go on: nothing freezes at the page that once held a bad record.
        sim.mutate(2, 3, 0, 17);
        BatchRunner.Outcome inc = run("incremental");
        assertThat(statuses(inc.batchId())).containsOnly("success");
        assertCoreHoldsTruthExceptTheBadRecord("commercial", "deals", badDeals.get(0)[1]);
    }

    @Test
    void aTruncatedPageIsKeptWholeAndFailsOnlyItsOwnWindowsLoudly() {
        sim.faults("commercial").hostileRecords("persons", 10, HostileRecord.TRUNCATED_PAGE);
        BatchRunner.Outcome full = run("full");

        List<String[]> runs = db.query("SELECT scope || '/' || entity, status, coalesce(error_message, '') FROM ops.runs "
                + "WHERE batch_id = ?", ps -> ps.setString(1, full.batchId()),
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        assertThat(runs).allSatisfy(r -> {
            if (r[0].equals("commercial/persons")) {
                assertThat(r[1]).isEqualTo("failed");
                assertThat(r[2]).contains("could not be read").contains("next page is unknown");
            } else {
                assertThat(r[1]).as(r[0]).isEqualTo("success");
            }
        });
        assertThat(db.queryFirst("SELECT watermark FROM ops.watermarks WHERE scope = 'commercial' AND entity = 'persons'",
                ps -> {}, rs -> rs.getTimestamp(1)).orElse(null)).isNull();
        assertCoreHoldsTruthExceptTheBadRecord("commercial", "deals", null);
    }

    @Test
    void mixedCaseScopeNamesInARequestNameTheSameScope() {
        var plan = engine.plan(new PlanRequest(null, "pipedrive", List.of(" Commercial"), List.of("users"), "full",
                "manual", null, null));
        assertThat(db.query("SELECT DISTINCT scope FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, plan.batchId()), rs -> rs.getString(1))).containsExactly("commercial");
    }

    private List<String[]> invalid(String entity) {
        return db.query("SELECT error_message, raw #>> '{}' FROM stg_pipedrive." + entity + "_raw "
                + "WHERE validation_status = 'invalid'", ps -> {}, rs -> new String[] {rs.getString(1), rs.getString(2)});
    }

    private List<String> statuses(String batchId) {
        return db.query("SELECT status FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, batchId), rs -> rs.getString(1));
    }

    /** Core has every record of the truth but the one whose raw line is given (null: every record). */
    private void assertCoreHoldsTruthExceptTheBadRecord(String scope, String entity, String badRaw) {
        Set<Long> truth = new HashSet<>(sim.truth(scope, entity).keySet());
        Set<Long> core = new HashSet<>(db.query("SELECT id FROM core.pd_" + entity + " WHERE scope = ?",
                ps -> ps.setString(1, scope), rs -> rs.getLong(1)));
        Set<Long> missing = new HashSet<>(truth);
        missing.removeAll(core);
        if (badRaw == null) {
            assertThat(missing).as(scope + "/" + entity).isEmpty();
        } else {
            assertThat(missing).as(scope + "/" + entity).hasSize(1);
            assertThat(badRaw).contains("\"id\":" + missing.iterator().next() + ",");
        }
        assertThat(core).isSubsetOf(truth);
    }
}
