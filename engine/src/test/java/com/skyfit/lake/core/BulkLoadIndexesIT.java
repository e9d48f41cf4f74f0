package com.skyfit.lake.core;

import static com.skyfit.lake.core.EvoCoreIT.PLAN;
import static com.skyfit.lake.core.EvoCoreIT.contract;
import static com.skyfit.lake.core.EvoCoreIT.entry;
import static com.skyfit.lake.core.EvoCoreIT.member;
import static com.skyfit.lake.core.EvoCoreIT.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.PgRetry;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large batch into an empty table is loaded without its secondary indexes and builds them again in the same
 * transaction: afterwards every index is there with the same definition (a new one, built once), a failure half
 * way leaves the old ones untouched, and a table that already holds rows, or a small batch, keeps its indexes.
 * The runner's threshold is set to one staging row here so a handful of rows takes the large-batch path.
 */
class BulkLoadIndexesIT {
    @TempDir
    Path folder;

    private Database db;
    private Staging staging;
    private EvoBronze bronze;
    private TransformRunner bulk;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        bronze = new EvoBronze(db, folder);
        bulk = new TransformRunner(db, new PgRetry(List.of()), 1);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    /** Index name to [definition, oid] of the table's indexes, primary key included. */
    private Map<String, List<Object>> indexes(String table) {
        Map<String, List<Object>> out = new TreeMap<>();
        for (Map<String, Object> r : staging.rows("SELECT x.relname AS name, pg_get_indexdef(i.indexrelid) AS def, "
                + "i.indexrelid::bigint AS oid, i.indisvalid AS valid FROM pg_index i "
                + "JOIN pg_class x ON x.oid = i.indexrelid WHERE i.indrelid = '" + table + "'::regclass")) {
            assertThat(r.get("valid")).as("index %s valid", r.get("name")).isEqualTo(true);
            out.put((String) r.get("name"), List.of(r.get("def"), r.get("oid")));
        }
        return out;
    }

    private static Map<String, Object> definitions(Map<String, List<Object>> indexes) {
        Map<String, Object> out = new TreeMap<>();
        indexes.forEach((name, v) -> out.put(name, v.get(0)));
        return out;
    }

    private static Object oid(Map<String, List<Object>> indexes, String name) {
        return indexes.get(name).get(1);
    }

    private long count(String table) {
        return (Long) staging.one("SELECT count(*) AS n FROM " + table).get("n");
    }

    @Test
    void aFirstLoadBuildsTheSecondaryIndexesAgainAndKeepsThePrimaryKey() {
        Map<String, List<Object>> before = indexes("core.evo_entries");
        assertThat(before).containsKeys("evo_entries_pkey", "evo_entries_member_idx", "evo_entries_branch_date_idx");
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
                entry("2024-05-01T07:12:06", 1002L, null, "Membership", "Turnstile 1", null),
                entry("2024-05-01T07:12:07", null, 55L, "Prospect", "Reception", null));

        TransformResult r = bulk.run(CoreTables.EVO_ENTRIES, false);

        assertThat(r.inserted()).isEqualTo(3);
        assertThat(count("core.evo_entries")).isEqualTo(3);
        Map<String, List<Object>> after = indexes("core.evo_entries");
        assertThat(definitions(after)).isEqualTo(definitions(before));
        assertThat(oid(after, "evo_entries_pkey")).isEqualTo(oid(before, "evo_entries_pkey"));
        assertThat(oid(after, "evo_entries_member_idx")).isNotEqualTo(oid(before, "evo_entries_member_idx"));
        assertThat(oid(after, "evo_entries_branch_date_idx")).isNotEqualTo(oid(before, "evo_entries_branch_date_idx"));
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_entries WHERE id_member = 1002").get("n"))
                .isEqualTo(1L);

        // the next batch goes into a table with rows: its indexes stay as they are
        bronze.load("entries", "20260103T060000Z-e2",
                entry("2024-05-02T08:00:00", 1003L, null, "Membership", "Turnstile 2", null));
        assertThat(bulk.run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(1);
        assertThat(indexes("core.evo_entries")).isEqualTo(after);
    }

    @Test
    void aFullRefreshEmptiesTheTableAndBuildsItsIndexesAgain() {
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
                entry("2024-05-01T07:12:06", 1002L, null, "Membership", "Turnstile 1", null));
        new TransformRunner(db).run(CoreTables.EVO_ENTRIES, false);
        Map<String, List<Object>> before = indexes("core.evo_entries");

        TransformResult r = bulk.run(CoreTables.EVO_ENTRIES, true);

        assertThat(r.inserted()).isEqualTo(2);
        Map<String, List<Object>> after = indexes("core.evo_entries");
        assertThat(definitions(after)).isEqualTo(definitions(before));
        assertThat(oid(after, "evo_entries_member_idx")).isNotEqualTo(oid(before, "evo_entries_member_idx"));
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_entries WHERE id_member = 1001").get("n"))
                .isEqualTo(1L);
    }

    @Test
    void aTransformThatFailsAfterTheDropLeavesEveryIndexAsItWas() {
        Map<String, List<Object>> before = indexes("core.evo_entries");
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null));
        // fails inside the transform's statement, after the indexes were dropped
        staging.execute("CREATE FUNCTION core.refuse_entries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "RAISE EXCEPTION 'refused by the test, member index present: %', "
                + "CASE WHEN to_regclass('core.evo_entries_member_idx') IS NULL THEN 'no' ELSE 'yes' END; END $$");
        staging.execute("CREATE TRIGGER refuse BEFORE INSERT ON core.evo_entries FOR EACH ROW "
                + "EXECUTE FUNCTION core.refuse_entries()");

        assertThatThrownBy(() -> bulk.run(CoreTables.EVO_ENTRIES, false))
                .isInstanceOf(TransformException.class).hasMessageContaining("refused by the test, member index present: no");

        assertThat(indexes("core.evo_entries")).isEqualTo(before);
        assertThat(count("core.evo_entries")).isZero();
        staging.execute("DROP TRIGGER refuse ON core.evo_entries");
        assertThat(bulk.run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(1);
        assertThat(definitions(indexes("core.evo_entries"))).isEqualTo(definitions(before));
    }

    @Test
    void aSmallFirstBatchKeepsItsIndexes() {
        Map<String, List<Object>> before = indexes("core.evo_entries");
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null));

        assertThat(new TransformRunner(db).run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(1);

        assertThat(indexes("core.evo_entries")).isEqualTo(before);
    }

    @Test
    void aStepThatWritesChildTablesRebuildsTheIndexesOfEachEmptyOne() {
        Map<String, List<Object>> sales = indexes("core.evo_sales");
        Map<String, List<Object>> items = indexes("core.evo_sale_items");
        Map<String, List<Object>> contracts = indexes("core.evo_member_memberships");
        bronze.load("sales", "20260102T060000Z-s1", sale(9001, false, "[" + PLAN + "]"));
        bronze.load("members", "20260102T060000Z-m1", member(1001, "Active",
                "[" + contract(501, 1001, "active", null) + "]"));

        assertThat(bulk.run(CoreTables.EVO_SALES, false).inserted()).isEqualTo(1);
        assertThat(bulk.run(CoreTables.EVO_MEMBERS, false).inserted()).isEqualTo(1);

        assertThat(count("core.evo_sale_items")).isEqualTo(1);
        assertThat(count("core.evo_member_memberships")).isEqualTo(1);
        assertThat(definitions(indexes("core.evo_sales"))).isEqualTo(definitions(sales));
        assertThat(oid(indexes("core.evo_sales"), "evo_sales_member_idx")).isNotEqualTo(oid(sales, "evo_sales_member_idx"));
        assertThat(definitions(indexes("core.evo_sale_items"))).isEqualTo(definitions(items));
        assertThat(definitions(indexes("core.evo_member_memberships"))).isEqualTo(definitions(contracts));
        assertThat(oid(indexes("core.evo_member_memberships"), "evo_member_memberships_sale_idx"))
                .isNotEqualTo(oid(contracts, "evo_member_memberships_sale_idx"));
    }

    @Test
    void aWrittenTableThatHoldsRowsKeepsItsIndexesWhileAnEmptyOneIsRebuilt() {
        // contracts arrive first through their own step; the members step then writes the same table
        bronze.load("member_memberships", "20260102T060000Z-c1", EvoCoreIT.canceled(601, 1001, "moved"));
        new TransformRunner(db).run(CoreTables.EVO_MEMBER_MEMBERSHIPS, false);
        Map<String, List<Object>> contracts = indexes("core.evo_member_memberships");
        Map<String, List<Object>> members = indexes("core.evo_members");
        bronze.load("members", "20260102T060000Z-m1", member(1001, "Active",
                "[" + contract(501, 1001, "active", null) + "]"));

        assertThat(bulk.run(CoreTables.EVO_MEMBERS, false).inserted()).isEqualTo(1);

        assertThat(indexes("core.evo_member_memberships")).isEqualTo(contracts);
        assertThat(oid(indexes("core.evo_members"), "evo_members_branch_idx"))
                .isNotEqualTo(oid(members, "evo_members_branch_idx"));
        assertThat(count("core.evo_member_memberships")).isEqualTo(2);
    }

    @Test
    void anIncrementalBatchLeavesTheIndexesOfAnEmptyChildTableAlone() {
        bronze.load("sales", "20260102T060000Z-s1", sale(9001, false, "[]"));
        bulk.run(CoreTables.EVO_SALES, false);
        assertThat(count("core.evo_sale_items")).isZero();
        Map<String, List<Object>> items = indexes("core.evo_sale_items");
        Map<String, List<Object>> sales = indexes("core.evo_sales");

        bronze.load("sales", "20260103T060000Z-s2", sale(9002, false, "[]"));
        assertThat(bulk.run(CoreTables.EVO_SALES, false).inserted()).isEqualTo(1);

        assertThat(indexes("core.evo_sale_items")).isEqualTo(items);
        assertThat(indexes("core.evo_sales")).isEqualTo(sales);
    }

    @Test
    void anIndexIsBuiltAgainAsDefinedAndOneWithWhatItsDefinitionDoesNotCarryIsKept() {
        staging.execute("CREATE INDEX evo_entries_blocked_idx ON core.evo_entries (lower(device)) INCLUDE (entry_type) "
                + "WHERE block_reason IS NOT NULL");
        staging.execute("CREATE INDEX evo_entries_noted_idx ON core.evo_entries (entry_type)");
        staging.execute("COMMENT ON INDEX core.evo_entries_noted_idx IS 'kept by the operator'");
        staging.execute("CREATE INDEX evo_entries_clustered_idx ON core.evo_entries (entry_date)");
        staging.execute("ALTER TABLE core.evo_entries CLUSTER ON evo_entries_clustered_idx");
        staging.execute("CREATE INDEX evo_entries_stats_idx ON core.evo_entries ((id_member + 0))");
        staging.execute("ALTER INDEX core.evo_entries_stats_idx ALTER COLUMN 1 SET STATISTICS 500");
        Map<String, List<Object>> before = indexes("core.evo_entries");
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", "Unpaid"));

        assertThat(bulk.run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(1);

        Map<String, List<Object>> after = indexes("core.evo_entries");
        assertThat(definitions(after)).isEqualTo(definitions(before));
        assertThat(oid(after, "evo_entries_blocked_idx")).isNotEqualTo(oid(before, "evo_entries_blocked_idx"));
        for (String kept : List.of("evo_entries_noted_idx", "evo_entries_clustered_idx", "evo_entries_stats_idx")) {
            assertThat(oid(after, kept)).as(kept).isEqualTo(oid(before, kept));
        }
        assertThat(staging.one("SELECT obj_description('core.evo_entries_noted_idx'::regclass, 'pg_class') AS c")
                .get("c")).isEqualTo("kept by the operator");
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void statusDoesNotWaitForATableALoadHolds() throws Exception {
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null));
        new TransformRunner(db).run(CoreTables.EVO_ENTRIES, false);
        try (java.sql.Connection load = db.connection()) {
            load.setAutoCommit(false);
            try (java.sql.Statement st = load.createStatement()) {
                st.execute("LOCK TABLE core.evo_entries IN ACCESS EXCLUSIVE MODE");
            }
            // were it to wait for the lock, it would wait for this thread: the timeout ends the test instead
            List<com.skyfit.lake.control.OpsQueries.Freshness> freshness =
                    new com.skyfit.lake.control.OpsQueries(db).coreFreshness();
            assertThat(freshness).filteredOn(f -> f.coreTable().equals("evo_entries")).singleElement()
                    .satisfies(f -> {
                        assertThat(f.lastRowUpdatedAt()).isNull();
                        assertThat(f.lastTransformAt()).isNotNull();
                        assertThat(f.loading()).isTrue();
                    });
            load.rollback();
        }
        assertThat(new com.skyfit.lake.control.OpsQueries(db).coreFreshness())
                .filteredOn(f -> f.coreTable().equals("evo_entries")).singleElement()
                .satisfies(f -> {
                    assertThat(f.lastRowUpdatedAt()).isNotNull();
                    assertThat(f.loading()).isFalse();
                });
    }

    @Test
    void theAppRoleWhichOwnsNoTableLoadsWithTheIndexesKept() throws Exception {
        Map<String, List<Object>> before = indexes("core.evo_entries");
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null));

        try (Database app = AppRole.connect(db, "skyfit-bulk-app", "bulk")) {
            assertThat(new TransformRunner(app, new PgRetry(List.of()), 1).run(CoreTables.EVO_ENTRIES, false)
                    .inserted()).isEqualTo(1);
        }

        assertThat(indexes("core.evo_entries")).isEqualTo(before);
        assertThat(count("core.evo_entries")).isEqualTo(1);
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aTableAnotherSessionHoldsKeepsItsIndexesAndTheLoadGoesOn() throws Exception {
        Map<String, List<Object>> before = indexes("core.evo_entries");
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null));
        try (java.sql.Connection reader = db.connection()) {
            reader.setAutoCommit(false);
            try (java.sql.Statement st = reader.createStatement()) {
                st.execute("SELECT count(*) FROM core.evo_entries"); // a reader's open transaction: ACCESS SHARE
            }

            assertThat(bulk.run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(1);

            reader.rollback();
        }
        assertThat(indexes("core.evo_entries")).isEqualTo(before);
        assertThat(count("core.evo_entries")).isEqualTo(1);
    }
}
