package com.skyfit.lake.core;

import static com.skyfit.lake.core.EvoCoreIT.PLAN;
import static com.skyfit.lake.core.EvoCoreIT.WATER;
import static com.skyfit.lake.core.EvoCoreIT.canceled;
import static com.skyfit.lake.core.EvoCoreIT.contract;
import static com.skyfit.lake.core.EvoCoreIT.member;
import static com.skyfit.lake.core.EvoCoreIT.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions without an update time are ordered by when they were read (their part's write time in the file ledger),
 * not by when their run started: a resumed backfill keeps its old run id, and what it reads after a run that
 * started later is still the newer observation.
 */
class ReadOrderIT {
    /** Started at 06:00, interrupted, resumed after 08:00: it keeps this id. */
    private static final String RESUMED = "20260101T060000Z-aaaa";
    private static final String LATER = "20260101T080000Z-bbbb";

    @TempDir
    Path folder;
    private Database db;
    private Staging staging;
    private EvoBronze bronze;
    private TransformRunner runner;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        bronze = new EvoBronze(db, folder);
        runner = new TransformRunner(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private List<Map<String, Object>> sales() {
        return staging.rows("SELECT id_sale, removed, items_count, _run_id FROM core.evo_sales ORDER BY 1");
    }

    private List<Map<String, Object>> items() {
        return staging.rows("SELECT id_sale_item, _run_id FROM core.evo_sale_items WHERE NOT is_deleted ORDER BY 1");
    }

    @Test
    void aResumedRunsLaterReadWinsOverARunThatStartedLaterTransformedTogether() {
        bronze.read("sales", LATER, sale(1, false, "[" + PLAN + ", " + WATER + "]"));
        bronze.read("sales", RESUMED, sale(1, true, "[" + PLAN + "]"));
        runner.run(CoreTables.EVO_SALES, false);
        assertRemovedByTheResumedRead();
    }

    @Test
    void aResumedRunsLaterReadWinsOverARunThatStartedLaterTransformedApart() {
        bronze.read("sales", LATER, sale(1, false, "[" + PLAN + ", " + WATER + "]"));
        runner.run(CoreTables.EVO_SALES, false);
        assertThat(sales()).extracting(r -> r.get("removed")).containsExactly(false);
        bronze.read("sales", RESUMED, sale(1, true, "[" + PLAN + "]"));
        runner.run(CoreTables.EVO_SALES, false);
        assertThat(staging.one("SELECT is_deleted FROM core.evo_sale_items WHERE id_sale_item = 2"))
                .containsEntry("is_deleted", true);
        assertRemovedByTheResumedRead();
    }

    @Test
    void theEarlierReadOfTheResumedRunStillLosesToTheLaterStartedRunsNewerRead() {
        bronze.read("sales", RESUMED, sale(1, true, "[" + PLAN + "]"));
        bronze.read("sales", LATER, sale(1, false, "[" + PLAN + ", " + WATER + "]"));
        runner.run(CoreTables.EVO_SALES, false);
        assertThat(sales()).extracting(r -> r.get("removed"), r -> r.get("_run_id"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(false, LATER));
        List<Map<String, Object>> before = sales();
        runner.run(CoreTables.EVO_SALES, true);
        assertThat(sales()).isEqualTo(before);
    }

    private void assertRemovedByTheResumedRead() {
        assertThat(sales()).extracting(r -> r.get("removed"), r -> r.get("items_count"), r -> r.get("_run_id"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(true, 1, RESUMED));
        assertThat(items()).extracting(r -> r.get("id_sale_item"), r -> r.get("_run_id"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, RESUMED));
        // a full refresh replays the same reads in the same order: the same core
        List<Map<String, Object>> sales = sales();
        List<Map<String, Object>> items = items();
        runner.run(CoreTables.EVO_SALES, true);
        assertThat(sales()).isEqualTo(sales);
        assertThat(items()).isEqualTo(items);
    }

    @Test
    void aContractReadByAResumedRunAfterAMemberReadOfALaterRunWins() {
        bronze.read("members", LATER, member(1001, "Active", "[" + contract(10, 1001, "active", null) + "]"));
        bronze.read("member_memberships", RESUMED, canceled(10, 1001, "Mudou de cidade"));
        runner.runAll(List.of(CoreTables.EVO_MEMBERS, CoreTables.EVO_MEMBER_MEMBERSHIPS), false);
        assertThat(staging.one("SELECT membership_status, cancel_reason, _run_id FROM core.evo_member_memberships"))
                .containsEntry("membership_status", "canceled").containsEntry("cancel_reason", "Mudou de cidade")
                .containsEntry("_run_id", RESUMED);
    }
}
