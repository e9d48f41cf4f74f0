package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Pipedrive core transforms over real API records written into staging as the loader writes them. */
class PipedriveTransformIT {
    private static final String DEALS = "stg_pipedrive.deals_raw";
    private static final String PART_1 = "bronze/pipedrive/scope=commercial/entity=deals/part-00001.jsonl.gz";
    private static final String PART_2 = "bronze/pipedrive/scope=commercial/entity=deals/part-00002.jsonl.gz";

    private Database db;
    private Staging staging;
    private TransformRunner runner;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        runner = new TransformRunner(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private Map<String, Object> deal(long id) {
        return staging.one("SELECT * FROM core.pd_deals WHERE scope = 'commercial' AND id = " + id);
    }

    @Test
    void realDealsBecomeTypedRowsWithLineage() {
        staging.insertAll(DEALS, "commercial", PART_1, "run-1", Staging.fixture("pipedrive", "deals"));

        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.coreTable()).isEqualTo("core.pd_deals");
        assertThat(r.candidates()).isEqualTo(3);
        assertThat(r.inserted()).isEqualTo(3);
        assertThat(r.warned()).isZero();
        assertThat(r.perRun()).containsExactly(new TransformResult.RunCounts("run-1", 3, 3, 0, 0, 0));
        Map<String, Object> d = deal(11);
        assertThat(d.get("title")).isEqualTo("Test Organization 2 deal");
        assertThat((BigDecimal) d.get("value")).isEqualByComparingTo("1500");
        assertThat(d.get("currency")).isEqualTo("USD");
        assertThat(d.get("status")).isEqualTo("open");
        assertThat(d.get("owner_id")).isEqualTo(11884360L);
        assertThat(d.get("person_id")).isEqualTo(10L);
        assertThat(d.get("org_id")).isEqualTo(7L);
        assertThat(d.get("stage_id")).isEqualTo(1L);
        assertThat(d.get("pipeline_id")).isEqualTo(1L);
        assertThat(d.get("expected_close_date")).isEqualTo(Date.valueOf("2023-02-28"));
        assertThat(staging.one("SELECT add_time = '2023-02-22T08:27:53Z' AND update_time = '2023-02-22T08:27:54Z' "
                + "AS ok FROM core.pd_deals WHERE id = 11").get("ok")).isEqualTo(true);
        assertThat(d.get("won_time")).isNull();
        assertThat(d.get("is_deleted")).isEqualTo(false);
        assertThat(staging.one("SELECT custom_fields ? 'befdcfc4f54b8410b8d9105ba6d44658fd5965b9' AS has_key, "
                + "(SELECT count(*) FROM jsonb_object_keys(custom_fields)) AS keys, custom_fields ? 'title' AS leaked "
                + "FROM core.pd_deals WHERE id = 11"))
                .containsEntry("has_key", true).containsEntry("keys", 6L).containsEntry("leaked", false);
        assertThat(d).containsEntry("_source_blob", PART_1).containsEntry("_source_line", 1)
                .containsEntry("_run_id", "run-1");
        assertThat(staging.one("SELECT last_stg_id, rows_inserted FROM ops.transform_state "
                + "WHERE core_table = 'core.pd_deals'")).containsEntry("last_stg_id", 3L).containsEntry("rows_inserted", 3L);
    }

    @Test
    void everyPipedriveTableLoadsFromRealRecords() {
        for (CoreTable t : CoreTables.forSource("pipedrive")) {
            staging.insertAll(t.stagingTable(), "commercial", "bronze/" + t.entity() + "/part-00001.jsonl.gz",
                    "run-1", Staging.fixture("pipedrive", t.entity()));
        }

        List<TransformResult> results = runner.runAll(CoreTables.forSource("pipedrive"), false);

        assertThat(results).hasSize(7).allSatisfy(r -> {
            assertThat(r.inserted()).as(r.coreTable()).isEqualTo(3);
            assertThat(r.warned()).as(r.coreTable()).isZero();
        });
        assertThat(staging.one("SELECT primary_email, primary_phone, org_id, owner_id, is_deleted FROM core.pd_persons "
                + "WHERE id = 5")).containsEntry("primary_email", "user2.sample.airbyte@gmail.com")
                .containsEntry("primary_phone", "+14443332266").containsEntry("org_id", 1L)
                .containsEntry("owner_id", 11884360L).containsEntry("is_deleted", false);
        assertThat(staging.one("SELECT name, address_country, address_locality FROM core.pd_organizations WHERE id = 12"))
                .containsEntry("name", "Test Organization 7").containsEntry("address_country", "India")
                .containsEntry("address_locality", "Pimpri-Chinchwad");
        assertThat(staging.one("SELECT done, deal_id, owner_id, due_time, marked_as_done_time = '2023-02-22T08:25:45Z' AS "
                + "done_at FROM core.pd_activities WHERE id = 3")).containsEntry("done", true)
                .containsEntry("deal_id", 1L).containsEntry("owner_id", 11884360L).containsEntry("due_time", "15:15")
                .containsEntry("done_at", true);
        // v1 sends "" for an unset time: absent, not a cast failure
        assertThat(staging.one("SELECT marked_as_done_time, due_time FROM core.pd_activities WHERE id = 1"))
                .containsEntry("marked_as_done_time", null).containsEntry("due_time", null);
        assertThat(staging.one("SELECT pipeline_id, deal_probability, order_nr FROM core.pd_stages WHERE id = 11"))
                .containsEntry("pipeline_id", 2L).containsEntry("deal_probability", 100).containsEntry("order_nr", 5);
        assertThat(staging.one("SELECT name, order_nr, deal_probability, is_deleted FROM core.pd_pipelines WHERE id = 3"))
                .containsEntry("name", "New pipeline 2").containsEntry("order_nr", 3)
                .containsEntry("deal_probability", true).containsEntry("is_deleted", false);
        assertThat(staging.one("SELECT is_admin, is_active, default_currency, add_time = '2020-12-10T07:23:44Z' AS "
                + "created FROM core.pd_users WHERE id = 11884360")).containsEntry("is_admin", true)
                .containsEntry("is_active", true).containsEntry("default_currency", "USD").containsEntry("created", true);
    }

    @Test
    void noNewStagingRowsChangesNothingAndTheSameRowsAgainAreUnchanged() {
        staging.insertAll(DEALS, "commercial", PART_1, "run-1", Staging.fixture("pipedrive", "deals"));
        runner.run(CoreTables.PD_DEALS, false);
        Object writtenAt = deal(11).get("_updated_at");

        TransformResult nothingNew = runner.run(CoreTables.PD_DEALS, false);
        assertThat(nothingNew.candidates()).isZero();
        assertThat(nothingNew.perRun()).isEmpty();

        staging.execute("UPDATE ops.transform_state SET last_stg_id = 0 WHERE core_table = 'core.pd_deals'");
        TransformResult again = runner.run(CoreTables.PD_DEALS, false);
        assertThat(again.perRun()).containsExactly(new TransformResult.RunCounts("run-1", 3, 0, 0, 3, 0));
        assertThat(deal(11).get("_updated_at")).isEqualTo(writtenAt);
    }

    @Test
    void aChangedRecordIsUpdatedAndItsLineageMoves() {
        staging.insertAll(DEALS, "commercial", PART_1, "run-1", Staging.fixture("pipedrive", "deals"));
        runner.run(CoreTables.PD_DEALS, false);

        ObjectNode changed = Staging.record("deals", 11).put("value", 2000).put("status", "won")
                .put("won_time", "2023-03-01 10:00:00").put("update_time", "2023-03-01 10:00:01");
        staging.insert(DEALS, "commercial", PART_2, 7, "run-2", changed.toString());
        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.perRun()).containsExactly(new TransformResult.RunCounts("run-2", 1, 0, 1, 0, 0));
        Map<String, Object> d = deal(11);
        assertThat((BigDecimal) d.get("value")).isEqualByComparingTo("2000");
        assertThat(d.get("status")).isEqualTo("won");
        assertThat(staging.one("SELECT won_time = '2023-03-01T10:00:00Z' AS ok FROM core.pd_deals WHERE id = 11"))
                .containsEntry("ok", true);
        assertThat(d).containsEntry("_source_blob", PART_2).containsEntry("_source_line", 7)
                .containsEntry("_run_id", "run-2");
    }

    @Test
    void theSameRecordInOverlappingWindowsBecomesOneRow() {
        ObjectNode deal = Staging.record("deals", 13);
        staging.insert(DEALS, "commercial", PART_1, 1, "run-1", deal.toString());
        staging.insert(DEALS, "commercial", PART_2, 1, "run-1", deal.toString());

        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.candidates()).isEqualTo(1);
        assertThat(r.inserted()).isEqualTo(1);
        assertThat(staging.one("SELECT count(*) AS n FROM core.pd_deals").get("n")).isEqualTo(1L);
        // equal versions: the later staging row wins
        assertThat(deal(13)).containsEntry("_source_blob", PART_2);
    }

    @Test
    void anOlderVersionArrivingLaterNeverOverwritesANewerOne() {
        ObjectNode newer = Staging.record("deals", 14).put("value", 3000).put("update_time", "2023-03-10 00:00:00");
        ObjectNode older = Staging.record("deals", 14).put("value", 1000).put("update_time", "2023-03-01 00:00:00");
        staging.insert(DEALS, "commercial", PART_1, 1, "run-1", newer.toString());
        runner.run(CoreTables.PD_DEALS, false);

        staging.insert(DEALS, "commercial", PART_2, 1, "run-2", older.toString());
        TransformResult late = runner.run(CoreTables.PD_DEALS, false);
        assertThat(late.perRun()).containsExactly(new TransformResult.RunCounts("run-2", 1, 0, 0, 1, 0));
        assertThat((BigDecimal) deal(14).get("value")).isEqualByComparingTo("3000");

        // both in one batch, the older one loaded last: the newer still wins
        ObjectNode newest = Staging.record("deals", 14).put("value", 4000).put("update_time", "2023-04-01 00:00:00");
        staging.insert(DEALS, "commercial", PART_2, 2, "run-3", newest.toString());
        staging.insert(DEALS, "commercial", PART_2, 3, "run-3", older.toString());
        runner.run(CoreTables.PD_DEALS, false);
        assertThat((BigDecimal) deal(14).get("value")).isEqualByComparingTo("4000");
    }

    @Test
    void aDeletedDealKeepsItsRowFlaggedDeleted() {
        staging.insertAll(DEALS, "commercial", PART_1, "run-1", Staging.fixture("pipedrive", "deals"));
        runner.run(CoreTables.PD_DEALS, false);

        // as API v2 sends it: owner_id, is_deleted, RFC 3339 times, custom fields nested
        String v2 = """
                {"id": 11, "title": "Test Organization 2 deal", "owner_id": 11884360, "person_id": 10, "org_id": 7,
                 "stage_id": 1, "pipeline_id": 1, "value": 1500, "currency": "USD", "status": "deleted",
                 "is_deleted": true, "add_time": "2023-02-22T08:27:53Z", "update_time": "2023-03-05T12:00:00Z",
                 "custom_fields": {"3ce5b1409718d65a8adc965be1f0da8821d8b9ab": "Test"}}""";
        staging.insert(DEALS, "commercial", PART_2, 1, "run-2", v2);
        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.perRun()).containsExactly(new TransformResult.RunCounts("run-2", 1, 0, 1, 0, 1));
        Map<String, Object> d = deal(11);
        assertThat(d).containsEntry("is_deleted", true).containsEntry("status", "deleted")
                .containsEntry("owner_id", 11884360L);
        assertThat(staging.one("SELECT custom_fields ->> '3ce5b1409718d65a8adc965be1f0da8821d8b9ab' AS v, "
                + "update_time = '2023-03-05T12:00:00Z' AS t FROM core.pd_deals WHERE id = 11"))
                .containsEntry("v", "Test").containsEntry("t", true);
        assertThat(staging.one("SELECT count(*) AS n FROM core.pd_deals").get("n")).isEqualTo(3L);
    }

    @Test
    void aValueThatDoesNotCastIsNullInCoreAndAWarningInStaging() {
        ObjectNode bad = Staging.record("deals", 13).put("value", "abc").put("update_time", "not-a-date");
        long stgId = staging.insert(DEALS, "commercial", PART_1, 1, "run-1", bad.toString());
        staging.insert(DEALS, "commercial", PART_1, 2, "run-1", Staging.record("deals", 14).toString());

        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.inserted()).isEqualTo(2);
        assertThat(r.warned()).isEqualTo(1);
        Map<String, Object> d = deal(13);
        assertThat(d.get("value")).isNull();
        assertThat(d.get("update_time")).isNull();
        assertThat(d.get("currency")).isEqualTo("USD");
        Map<String, Object> row = staging.one("SELECT validation_status, error_message FROM " + DEALS
                + " WHERE stg_id = " + stgId);
        assertThat(row.get("validation_status")).isEqualTo("warning");
        assertThat((String) row.get("error_message")).contains("value not a number: abc")
                .contains("update_time not a date-time: not-a-date");
        assertThat(staging.one("SELECT validation_status FROM " + DEALS + " WHERE line_no = 2"))
                .containsEntry("validation_status", "valid");
    }

    @Test
    void invalidStagingRowsAreIgnoredAndARowWithoutIdBecomesInvalid() {
        staging.insert(DEALS, "commercial", PART_1, 1, "run-1", "\"not json that parsed\"", "invalid");
        ObjectNode noId = Staging.record("deals", 13);
        noId.remove("id");
        long noIdStg = staging.insert(DEALS, "commercial", PART_1, 2, "run-1", noId.toString());
        staging.insert(DEALS, "commercial", PART_1, 3, "run-1", Staging.record("deals", 14).toString());

        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.candidates()).isEqualTo(1);
        assertThat(staging.rows("SELECT id FROM core.pd_deals")).containsExactly(Map.of("id", 14L));
        Map<String, Object> row = staging.one("SELECT validation_status, error_message FROM " + DEALS
                + " WHERE stg_id = " + noIdStg);
        assertThat(row.get("validation_status")).isEqualTo("invalid");
        assertThat((String) row.get("error_message")).contains("id missing");
    }

    @Test
    void fullRefreshRebuildsIdenticalData() {
        staging.insertAll(DEALS, "commercial", PART_1, "run-1", Staging.fixture("pipedrive", "deals"));
        staging.insert(DEALS, "commercial", PART_2, 1, "run-2",
                Staging.record("deals", 11).put("value", 2500).put("update_time", "2023-03-01 00:00:00").toString());
        staging.insert(DEALS, "expansion", PART_2, 2, "run-2", Staging.record("deals", 11).toString());
        runner.run(CoreTables.PD_DEALS, false);
        String snapshot = "SELECT scope, id, title, value, status, owner_id, add_time, update_time, is_deleted, "
                + "custom_fields::text, _stg_id, _source_blob, _source_line, _run_id FROM core.pd_deals ORDER BY 1, 2";
        List<Map<String, Object>> before = staging.rows(snapshot);

        TransformResult full = runner.run(CoreTables.PD_DEALS, true);

        assertThat(full.inserted()).isEqualTo(4);
        assertThat(full.updated()).isZero();
        assertThat(staging.rows(snapshot)).isEqualTo(before);
        assertThat(before).hasSize(4);
        assertThat(staging.one("SELECT value FROM core.pd_deals WHERE scope = 'commercial' AND id = 11").get("value"))
                .isEqualTo(new BigDecimal("2500"));
    }

    @Test
    void countsAreAttributedToTheRunOfTheWinningRow() {
        staging.insert(DEALS, "commercial", PART_1, 1, "run-a", Staging.record("deals", 11).toString());
        staging.insert(DEALS, "commercial", PART_1, 2, "run-a", Staging.record("deals", 13).toString());
        runner.run(CoreTables.PD_DEALS, false);

        staging.insert(DEALS, "commercial", PART_2, 1, "run-b", Staging.record("deals", 14).toString());
        staging.insert(DEALS, "commercial", PART_2, 2, "run-b",
                Staging.record("deals", 11).put("update_time", "2023-03-01 00:00:00").put("status", "lost").toString());
        staging.insert(DEALS, "commercial", "other-part", 1, "run-c", Staging.record("deals", 13).toString());
        staging.insert(DEALS, "commercial", "other-part", 2, "run-c",
                Staging.record("deals", 14).put("status", "deleted").put("update_time", "2023-03-02 00:00:00").toString());
        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.perRun()).containsExactly(
                new TransformResult.RunCounts("run-b", 1, 0, 1, 0, 0),
                new TransformResult.RunCounts("run-c", 2, 1, 0, 1, 1));
        assertThat(r.candidates()).isEqualTo(3);
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(deal(14)).containsEntry("is_deleted", true).containsEntry("_run_id", "run-c");
    }
}
