package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.source.PgRequestGate;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline benchmark over the EVO simulator and a real PostgreSQL: every stage measured, and each baseline
 * doing the same work as what it is compared with (the same staging rows, the same core rows and keys), so a
 * ratio compares like with like.
 */
class PipelineBenchmarkIT {

    @Test
    void everyStageIsMeasuredAndTheBaselinesWriteWhatTheLakeWrites(@TempDir Path dir) throws Exception {
        LocalDate last = LocalDate.now(ZoneOffset.UTC).minusDays(2);
        try (EvoSimulator sim = EvoSimulator.builder().scopes("gym").branches(2).entries(4000)
                .days(last.minusDays(4), 5).requestsPerMinute(0).start();
                Database db = TestPostgres.newDatabase()) {
            Map<String, String> s = new HashMap<>(sim.settings());
            s.put("EVO_REQUESTS_PER_MINUTE", "100000");
            Settings settings = Settings.of(s);
            List<Stage> told = new ArrayList<>();
            List<Integer> toldWhenExtracted = new ArrayList<>();
            PipelineResult r;
            try (DefaultIngestEngine engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(dir.resolve("bronze")),
                    Connectors.configured(settings, new PgRequestGate(db.dataSource())), Clock.systemUTC(), false)) {
                r = new PipelineBenchmark(engine, "evo", 2, LoaderOptions.defaults(), dir.resolve("scratch"), EvoBaselines.all(), told::add, 2)
                        .keepingCopies().whenExtracted(() -> toldWhenExtracted.add(told.size())).run(4000);
            }

            assertThat(r.recordsByEntity()).containsEntry("entries", 4000L)
                    .containsKeys("members", "member_memberships", "sales", "receivables", "prospects");
            assertThat(r.staging()).hasSameSizeAs(r.stagingBaselines());
            for (int i = 0; i < r.staging().size(); i++) {
                assertThat(r.stagingBaselines().get(i).records()).isEqualTo(r.staging().get(i).records());
            }
            assertThat(r.coreBaselines()).extracting(Stage::entity).containsExactlyInAnyOrder("evo_entries", "evo_sales");
            assertThat(toldWhenExtracted).as("told once, after the extract and before staging").containsExactly(1);
            assertThat(r.indexesAfter()).extracting(Stage::entity).containsExactlyInAnyOrder("evo_entries", "evo_sales");
            assertThat(r.indexesAfter()).extracting(Stage::name).containsOnly("core_idx_after");
            assertThat(told).hasSize(1 + r.staging().size() * 2 + r.core().size() + r.coreBaselines().size()
                    + r.indexesAfter().size());
            assertThat(r.stagingRatio()).isPositive();
            assertThat(r.coreRatio()).isPositive();
            assertThat(r.coreRatioIndexesAfter()).isPositive();
            assertThat(r.secondsPerRecord()).isPositive();
            assertThat(r.peakHeapBytes()).isPositive();

            try (Connection c = db.connection(); Statement st = c.createStatement()) {
                // entries and sales are partitioned by ingestion month: their ingestion_date comes along too
                String lineage = "scope, blob_path, line_no, run_id, ingestion_date, raw";
                assertThat(differences(st, "SELECT " + lineage + " FROM stg_evo.entries_raw",
                        "SELECT " + lineage + " FROM bench.entries_copy")).isZero();
                assertThat(differences(st, "SELECT " + lineage + " FROM stg_evo.sales_raw",
                        "SELECT " + lineage + " FROM bench.sales_copy")).isZero();
                assertThat(differences(st, "SELECT scope, blob_path, line_no, run_id, raw FROM stg_evo.members_raw",
                        "SELECT scope, blob_path, line_no, run_id, raw FROM bench.members_copy")).isZero();
                String entries = "scope, entry_key, entry_date, id_member, id_prospect, id_branch, entry_type, device, "
                        + "block_reason, released_by, _stg_id, _source_blob, _source_line, _run_id, _read_at";
                assertThat(differences(st, "SELECT " + entries + " FROM core.evo_entries",
                        "SELECT " + entries + " FROM bench.evo_entries_baseline")).isZero();
                String sales = "scope, id_sale, id_member, id_prospect, id_branch, id_employee_sale, sale_date, removed, "
                        + "removal_date, total_value, items_count, receivables_count, receivables_total, items, _read_at";
                assertThat(differences(st, "SELECT " + sales + " FROM core.evo_sales",
                        "SELECT " + sales + " FROM bench.evo_sales_baseline")).isZero();
                String items = "scope, id_sale, id_sale_item, description, quantity, item_value, sale_value, discount, "
                        + "id_membership, id_product, id_service";
                assertThat(differences(st, "SELECT " + items + " FROM core.evo_sale_items",
                        "SELECT " + items + " FROM bench.evo_sale_items_baseline")).isZero();
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM core.evo_entries")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(4000);
                }

                // every core step ran two rounds, set back to where it started before its second (the canceled
                // contracts the members' step finds stored, its state row, its staging flags): what the rounds leave
                // is what one run writes, and no copy of a starting state is left behind
                List<String> once = List.of("core.evo_member_memberships", "core.evo_members",
                        "core.evo_member_contacts", "core.evo_receivables", "core.evo_prospects");
                for (String t : once) {
                    st.execute("CREATE TABLE bench.rounds_" + t.substring(5) + " AS SELECT * FROM " + t);
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'bench' "
                        + "AND tablename LIKE '%\\_before'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("starting states kept").isZero();
                }
                st.execute("TRUNCATE " + String.join(", ", once));
                st.execute("UPDATE ops.transform_state SET last_stg_id = 0 WHERE core_table IN ("
                        + "'core.evo_member_memberships', 'core.evo_members', 'core.evo_receivables', "
                        + "'core.evo_prospects')");
                new com.skyfit.lake.core.TransformRunner(db).runAll(List.of(
                        com.skyfit.lake.core.CoreTables.EVO_MEMBER_MEMBERSHIPS, com.skyfit.lake.core.CoreTables.EVO_MEMBERS,
                        com.skyfit.lake.core.CoreTables.EVO_RECEIVABLES, com.skyfit.lake.core.CoreTables.EVO_PROSPECTS),
                        false);
                for (String t : once) {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
                        rs.next();
                        assertThat(rs.getLong(1)).as(t).isPositive();
                    }
                    assertThat(differences(st, "SELECT to_jsonb(x) - '_updated_at' FROM " + t + " x",
                            "SELECT to_jsonb(x) - '_updated_at' FROM bench.rounds_" + t.substring(5) + " x"))
                            .as(t).isZero();
                }

                // what a core step starts from when the bench drops the page cache: the staging table read back in,
                // every partition with its TOAST table, and the file ledger
                long partitions = PageCache.warm(db, "stg_evo.entries_raw");
                try (ResultSet rs = st.executeQuery("SELECT sum(pg_relation_size(relid) / 8192) FROM "
                        + "pg_partition_tree('stg_evo.entries_raw') WHERE isleaf")) {
                    rs.next();
                    assertThat(partitions).as("blocks read back").isGreaterThanOrEqualTo(rs.getLong(1)).isPositive();
                }
                for (CoreBaseline b : EvoBaselines.all().values()) {
                    b.discard(db);
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'bench' "
                        + "AND tablename LIKE '%\\_baseline'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("baseline tables left once discarded").isZero();
                }
            }
        }
    }

    @Test
    void warmingTouchesFreeMemoryBeforeEveryStepAndItsBaseline(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(WarmMemory.unavailable(dir).isEmpty(),
                "needs Linux and a file system with sparse files");
        LocalDate last = LocalDate.now(ZoneOffset.UTC).minusDays(2);
        long cap = 4L << 20;
        try (EvoSimulator sim = EvoSimulator.builder().scopes("gym").branches(2).entries(1000)
                .days(last.minusDays(1), 2).requestsPerMinute(0).start();
                Database db = TestPostgres.newDatabase();
                // free memory as told, so no pass is skipped for lack of it on a machine whose cache is full
                WarmMemory warm = WarmMemory.open(dir.resolve("warm.bin"), cap, () -> 1L << 32)) {
            Map<String, String> s = new HashMap<>(sim.settings());
            s.put("EVO_REQUESTS_PER_MINUTE", "100000");
            Settings settings = Settings.of(s);
            PipelineResult r;
            try (DefaultIngestEngine engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(dir.resolve("bronze")),
                    Connectors.configured(settings, new PgRequestGate(db.dataSource())), Clock.systemUTC(), false)) {
                r = new PipelineBenchmark(engine, "evo", 2, LoaderOptions.defaults(), dir.resolve("scratch"),
                        EvoBaselines.all(), st -> { }, 2).warmingMemoryBeforeSteps(warm).run(1000);
            }
            assertThat(r.recordsByEntity()).containsEntry("entries", 1000L);
            // two rounds of each staging step and its baseline and of each core step, and each core baseline twice
            // (the plain one and the one building its indexes after) in each of two rounds
            long expected = r.staging().size() * 2L * 2 + r.core().size() * 2L + r.coreBaselines().size() * (2 + 2);
            assertThat(warm.passes()).as("a pass before every staging and core step and baseline")
                    .isEqualTo((int) expected);
            assertThat(warm.touchedBytes()).isEqualTo(expected * cap);
        }
    }

    /** Rows in either query and not in the other, with a few of them shown when there are any. */
    private static long differences(Statement st, String a, String b) throws Exception {
        StringBuilder shown = new StringBuilder();
        long n = 0;
        try (ResultSet rs = st.executeQuery("SELECT 'lake' AS side, x::text FROM (" + a + " EXCEPT ALL " + b + ") x "
                + "UNION ALL SELECT 'baseline', y::text FROM (" + b + " EXCEPT ALL " + a + ") y")) {
            while (rs.next()) {
                if (n++ < 4) {
                    shown.append('\n').append(rs.getString(1)).append(": ").append(rs.getString(2));
                }
            }
        }
        if (n > 0) {
            System.out.println(n + " rows differ between\n  " + a + "\n  " + b + shown);
        }
        return n;
    }
}
