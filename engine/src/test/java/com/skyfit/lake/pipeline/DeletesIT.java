package com.skyfit.lake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.Changes;
import com.skyfit.lake.simulator.HostileRecord;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deletes for every stream kind, against the simulated Pipedrive API and a real PostgreSQL: whole lists flag what a
 * complete read no longer has, reconciling reads find deleted persons, organizations and activities, deals carry
 * their archived state, and a read that is not complete (failed, partial, filtered, with an unreadable record)
 * deletes nothing.
 */
class DeletesIT {
    @TempDir
    Path bronzeDir;

    PipedriveSimulator sim;
    Database db;
    Map<String, String> base;
    final List<DefaultIngestEngine> engines = new ArrayList<>();

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(30).seed(11).start();
        db = TestPostgres.newDatabase();
        base = new HashMap<>();
        base.put("PIPEDRIVE_SCOPES", "commercial,expansion");
        base.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
        base.put("PIPEDRIVE_MAX_RETRY_WAIT_SECONDS", "1");
        base.put("PIPEDRIVE_HTTP_RETRIES", "0");
        base.put("SKYFIT_PG_RETRY_SECONDS", "0.01");
        base.put("SKYFIT_STALE_RUN_MINUTES", "0");
        for (String scope : sim.scopes()) {
            String key = "PIPEDRIVE_" + scope.toUpperCase(Locale.ROOT);
            base.put(key + "_BASE_URL", sim.baseUrl(scope));
            base.put(key + "_API_TOKEN", sim.token(scope));
        }
    }

    @AfterEach
    void stop() {
        engines.forEach(DefaultIngestEngine::close);
        db.close();
        sim.close();
    }

    private DefaultIngestEngine engine(Map<String, String> overrides) {
        Map<String, String> s = new HashMap<>(base);
        s.putAll(overrides);
        Settings settings = Settings.of(s);
        DefaultIngestEngine e = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                Connectors.configured(settings), Clock.systemUTC(), false);
        engines.add(e);
        return e;
    }

    private BatchRunner.Outcome run(DefaultIngestEngine engine, String loadType, List<String> entities) {
        return new BatchRunner(engine).run(new PlanRequest(null, "pipedrive", List.of(), entities, loadType, "manual",
                null, null), 2, BatchRunner.Listener.NONE);
    }

    @Test
    void wholeListsFlagWhatACompleteReadNoLongerHasAndARestoredRowIsLiveAgain() {
        DefaultIngestEngine engine = engine(Map.of());
        List<String> lists = List.of("pipelines", "stages", "users");
        assertThat(statuses(run(engine, "full", lists).batchId())).containsOnly("success");
        assertThat(flagged("commercial", "stages")).isEmpty();

        Map<String, Changes> changes = sim.mutate(0, 0, 1, 3);
        BatchRunner.Outcome inc = run(engine, "incremental", lists);
        assertThat(statuses(inc.batchId())).containsOnly("success");
        for (String scope : sim.scopes()) {
            for (String entity : lists) {
                List<Long> gone = changes.get(scope).deleted(entity);
                assertThat(gone).as(scope + "/" + entity).hasSize(1);
                assertThat(flagged(scope, entity)).as(scope + "/" + entity).containsExactlyElementsOf(gone);
                String runId = runOf(inc.batchId(), scope, entity);
                // the run that saw it gone is named on the row and counts it
                assertThat(db.queryFirst("SELECT deleted_by_run || ' ' || (deleted_at IS NOT NULL) FROM core.pd_" + entity
                        + " WHERE scope = ? AND id = ?", ps -> {
                            ps.setString(1, scope);
                            ps.setLong(2, gone.get(0));
                        }, rs -> rs.getString(1)).orElseThrow()).isEqualTo(runId + " true");
                assertThat(rowsDeleted(runId)).isEqualTo(1);
                assertThat(count(scope, entity)).isEqualTo(sim.truth(scope, entity).size() + 1); // kept, not removed
            }
        }

        // Read again: nothing more is gone, nothing counted twice.
        BatchRunner.Outcome again = run(engine, "incremental", lists);
        assertThat(db.queryFirst("SELECT sum(rows_deleted) FROM ops.runs WHERE batch_id = ?",
                ps -> ps.setString(1, again.batchId()), rs -> rs.getLong(1)).orElseThrow()).isZero();

        long stage = changes.get("commercial").deleted("stages").get(0);
        sim.restore("commercial", "stages", stage);
        run(engine, "incremental", lists);
        assertThat(flagged("commercial", "stages")).isEmpty();
        assertThat(db.queryFirst("SELECT (deleted_by_run IS NULL AND deleted_at IS NULL)::text FROM core.pd_stages "
                + "WHERE scope = 'commercial' AND id = ?", ps -> ps.setLong(1, stage), rs -> rs.getString(1)).orElseThrow())
                .isEqualTo("true");
        assertThat(flagged("expansion", "stages")).containsExactlyElementsOf(changes.get("expansion").deleted("stages"));

        // A full refresh rebuilds core from staging and finds the same deletes again (bronze is the truth).
        engine.transform(null, true);
        for (String scope : sim.scopes()) {
            for (String entity : lists) {
                assertThat(flagged(scope, entity)).as("after full refresh " + scope + "/" + entity)
                        .containsExactlyInAnyOrderElementsOf(sim.removed(scope, entity).keySet());
            }
        }
    }

    @Test
    void aFailedOrPartialWholeListReadDeletesNothing() {
        // Pages and bronze parts of three records, so a read that stops midway leaves parts in staging.
        DefaultIngestEngine engine = engine(Map.of("PIPEDRIVE_PAGE_SIZE", "3", "SKYFIT_BRONZE_PART_MAX_RECORDS", "3"));
        run(engine, "full", List.of("stages"));
        Map<String, Changes> changes = sim.mutate(0, 0, 1, 5);

        // Failed at once: the server errs on every request of the scope.
        sim.faults("commercial").failNext(100, 500);
        BatchRunner.Outcome failed = run(engine, "incremental", List.of("stages"));
        assertThat(status(failed.batchId(), "commercial")).isEqualTo("failed");
        assertThat(flagged("commercial", "stages")).isEmpty();
        // the other scope's complete read still finds its own delete
        assertThat(flagged("expansion", "stages")).containsExactlyElementsOf(changes.get("expansion").deleted("stages"));

        // Partial: two pages read and written to bronze, then the daily budget ends the read.
        sim.faults("commercial").clear().dailyBudget(2);
        BatchRunner.Outcome partial = run(engine, "incremental", List.of("stages"));
        assertThat(status(partial.batchId(), "commercial")).isEqualTo("failed");
        long staged = db.queryFirst("SELECT count(*) FROM stg_pipedrive.stages_raw WHERE run_id = ?",
                ps -> ps.setString(1, runOf(partial.batchId(), "commercial", "stages")), rs -> rs.getLong(1)).orElseThrow();
        assertThat(staged).isPositive().isLessThan(sim.truth("commercial", "stages").size());
        assertThat(flagged("commercial", "stages")).isEmpty();
        assertThat(rowsDeleted(runOf(partial.batchId(), "commercial", "stages"))).isZero();

        // A complete read whose page held a record that cannot be parsed cannot tell which row is gone.
        sim.faults("commercial").clear().hostileRecords("stages", 1, HostileRecord.TAB_IN_STRING);
        BatchRunner.Outcome hostile = run(engine, "incremental", List.of("stages"));
        assertThat(status(hostile.batchId(), "commercial")).isEqualTo("success");
        assertThat(db.queryFirst("SELECT count(*) FROM stg_pipedrive.stages_raw WHERE run_id = ? AND validation_status "
                + "= 'invalid'", ps -> ps.setString(1, runOf(hostile.batchId(), "commercial", "stages")),
                rs -> rs.getLong(1)).orElseThrow()).isEqualTo(1);
        assertThat(flagged("commercial", "stages")).isEmpty();

        sim.faults("commercial").clear();
        BatchRunner.Outcome clean = run(engine, "incremental", List.of("stages"));
        assertThat(status(clean.batchId(), "commercial")).isEqualTo("success");
        assertThat(flagged("commercial", "stages")).containsExactlyElementsOf(changes.get("commercial").deleted("stages"));
        assertThat(rowsDeleted(runOf(clean.batchId(), "commercial", "stages"))).isEqualTo(1);
    }

    @Test
    void reconcilingFlagsExactlyTheIdsTheSourceNoLongerListsAndFilteredReadsNever() {
        List<String> entities = List.of("persons", "organizations", "activities", "deals");
        DefaultIngestEngine weekly = engine(Map.of()); // PIPEDRIVE_RECONCILE_DAYS defaults to 7
        run(weekly, "full", entities);
        Map<String, Changes> changes = sim.mutate(2, 4, 3, 9);

        // Incremental reads filter by update time: a deleted person is simply not in them, and nothing is flagged.
        BatchRunner.Outcome filtered = run(weekly, "incremental", entities);
        assertThat(statuses(filtered.batchId())).containsOnly("success");
        assertThat(db.queryFirst("SELECT count(*) FROM ops.windows w JOIN ops.runs r USING (run_id) WHERE r.batch_id = ? "
                + "AND r.entity = 'persons' AND w.window_start <> '-infinity'", ps -> ps.setString(1, filtered.batchId()),
                rs -> rs.getLong(1)).orElseThrow()).isEqualTo(2);
        for (String entity : List.of("persons", "organizations", "activities")) {
            assertThat(flagged("commercial", entity)).as(entity).isEmpty();
        }

        // Due (every run): the read is unfiltered and its missing ids are exactly the deleted ones.
        DefaultIngestEngine everyRun = engine(Map.of("PIPEDRIVE_RECONCILE_DAYS", "0"));
        BatchRunner.Outcome reconciled = run(everyRun, "incremental", entities);
        assertThat(statuses(reconciled.batchId())).containsOnly("success");
        for (String scope : sim.scopes()) {
            for (String entity : List.of("persons", "organizations", "activities")) {
                List<Long> gone = changes.get(scope).deleted(entity);
                assertThat(gone).as(scope + "/" + entity).hasSize(3);
                assertThat(flagged(scope, entity)).as(scope + "/" + entity).containsExactlyInAnyOrderElementsOf(gone);
                assertThat(rowsDeleted(runOf(reconciled.batchId(), scope, entity))).isEqualTo(3);
            }
            // deleted deals come by status (counted by the transform of the run that read them), archived ones
            // from their own list: no deal is missing from the unfiltered read
            assertThat(flagged(scope, "deals")).containsExactlyInAnyOrderElementsOf(changes.get(scope).deleted("deals"));
            assertThat(db.queryFirst("SELECT count(*) FROM core.pd_deals WHERE scope = ? AND deleted_by_run IS NOT NULL",
                    ps -> ps.setString(1, scope), rs -> rs.getLong(1)).orElseThrow()).isZero();
        }

        // Just reconciled: with the weekly setting the next run reads from the watermark again.
        BatchRunner.Outcome next = run(weekly, "incremental", List.of("persons"));
        assertThat(db.queryFirst("SELECT bool_and(w.window_start <> '-infinity') FROM ops.windows w JOIN ops.runs r "
                + "USING (run_id) WHERE r.batch_id = ?", ps -> ps.setString(1, next.batchId()), rs -> rs.getBoolean(1))
                .orElseThrow()).isTrue();

        // A restored person comes back with a new update time and is live again.
        long person = changes.get("commercial").deleted("persons").get(0);
        sim.restore("commercial", "persons", person);
        run(weekly, "incremental", List.of("persons"));
        assertThat(flagged("commercial", "persons")).hasSize(2).doesNotContain(person);
    }

    @Test
    void archivedDealsAreReadFromTheirOwnListAndUnarchivedOnesComeBack() {
        DefaultIngestEngine engine = engine(Map.of());
        run(engine, "full", List.of("deals"));
        long deal = sim.truth("commercial", "deals").keySet().stream().filter(id -> id > 1000).findFirst().orElseThrow();

        sim.archive("commercial", deal, true);
        run(engine, "incremental", List.of("deals"));
        String archiveTime = sim.truth("commercial", "deals").get(deal).get("archive_time").asText();
        assertThat(dealState(deal)).isEqualTo("true " + archiveTime.replace(' ', 'T') + "Z false");

        sim.archive("commercial", deal, false);
        run(engine, "incremental", List.of("deals"));
        assertThat(dealState(deal)).isEqualTo("false - false");
        assertThat(db.queryFirst("SELECT count(*) FROM core.pd_deals WHERE is_archived", ps -> {}, rs -> rs.getLong(1))
                .orElseThrow()).isZero();
    }

    private String dealState(long id) {
        return db.queryFirst("SELECT is_archived || ' ' || coalesce(to_char(archive_time AT TIME ZONE 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-') || ' ' || is_deleted FROM core.pd_deals "
                + "WHERE scope = 'commercial' AND id = ?", ps -> ps.setLong(1, id), rs -> rs.getString(1)).orElseThrow();
    }

    private List<Long> flagged(String scope, String entity) {
        return db.query("SELECT id FROM core.pd_" + entity + " WHERE scope = ? AND is_deleted ORDER BY id",
                ps -> ps.setString(1, scope), rs -> rs.getLong(1));
    }

    private long count(String scope, String entity) {
        return db.queryFirst("SELECT count(*) FROM core.pd_" + entity + " WHERE scope = ?", ps -> ps.setString(1, scope),
                rs -> rs.getLong(1)).orElseThrow();
    }

    private String runOf(String batchId, String scope, String entity) {
        return db.queryFirst("SELECT run_id FROM ops.runs WHERE batch_id = ? AND scope = ? AND entity = ?", ps -> {
            ps.setString(1, batchId);
            ps.setString(2, scope);
            ps.setString(3, entity);
        }, rs -> rs.getString(1)).orElseThrow();
    }

    private long rowsDeleted(String runId) {
        return db.queryFirst("SELECT rows_deleted FROM ops.runs WHERE run_id = ?", ps -> ps.setString(1, runId),
                rs -> rs.getLong(1)).orElseThrow();
    }

    private List<String> statuses(String batchId) {
        return db.query("SELECT status FROM ops.runs WHERE batch_id = ?", ps -> ps.setString(1, batchId),
                rs -> rs.getString(1));
    }

    private String status(String batchId, String scope) {
        return db.queryFirst("SELECT status FROM ops.runs WHERE batch_id = ? AND scope = ?", ps -> {
            ps.setString(1, batchId);
            ps.setString(2, scope);
        }, rs -> rs.getString(1)).orElseThrow();
    }
}
