package com.skyfit.lake.core;

import static com.skyfit.lake.core.EvoCoreIT.PLAN;
import static com.skyfit.lake.core.EvoCoreIT.WATER;
import static com.skyfit.lake.core.EvoCoreIT.contract;
import static com.skyfit.lake.core.EvoCoreIT.entry;
import static com.skyfit.lake.core.EvoCoreIT.member;
import static com.skyfit.lake.core.EvoCoreIT.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.PgRetry;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch larger than the runner's slice is transformed one slice of staging ids after another in one transaction.
 * The slice is set to two staging ids here, so a handful of rows crosses many slices: a key repeated in a later
 * slice (a newer version, an older one), a warning, an invalid line, children replaced by a later version. What the
 * slices write must be what one statement over the whole batch writes, and before the slices the staging table's new
 * BRIN page ranges are summarised (so each slice reads only its own pages).
 */
class TransformSlicesIT {
    @TempDir
    Path folder;

    private Database db;
    private Staging staging;
    private EvoBronze bronze;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        bronze = new EvoBronze(db, folder);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    /** Slices of two staging ids; a first load of them builds its secondary indexes after (threshold one id). */
    private TransformRunner sliced(Database on) {
        return new TransformRunner(on, new PgRetry(List.of()), 1, 2);
    }

    private List<Map<String, Object>> indexes(String table) {
        return staging.rows("SELECT x.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i "
                + "JOIN pg_class x ON x.oid = i.indexrelid WHERE i.indrelid = '" + table + "'::regclass "
                + "AND i.indisvalid ORDER BY 1");
    }

    private TransformRunner whole() {
        return new TransformRunner(db, new PgRetry(List.of()), TransformRunner.BULK_LOAD_ROWS, Long.MAX_VALUE);
    }

    /** The table's rows without their write time. */
    private List<Map<String, Object>> content(String table, String orderBy) {
        List<Map<String, Object>> rows = staging.rows("SELECT * FROM " + table + " ORDER BY " + orderBy);
        rows.forEach(r -> r.remove("_updated_at"));
        return rows;
    }

    private void loadEntries() {
        // run e1, read times unknown (sorts oldest): six lines, one with a value that does not cast, one invalid
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
                entry("2024-05-01T07:12:06", 1002L, null, "Membership", "Turnstile 1", null),
                entry("2024-05-01T07:12:07", null, 55L, "Prospect", "Reception", null),
                entry("2024-05-01T07:12:08", "\"abc\"", null, "Membership", "Turnstile 2", null),
                entry("not a date", 1003L, null, "Membership", "Turnstile 2", null),
                entry("2024-05-01T07:12:09", 1004L, null, "Membership", "Turnstile 2", null));
        // run e2, read now (the newest): the second entry again, now blocked, and a new one
        bronze.read("entries", "20260103T060000Z-e2",
                entry("2024-05-01T07:12:06", 1002L, null, "Membership", "Turnstile 1", "Debt"),
                entry("2024-05-02T08:00:00", 1005L, null, "Membership", "Turnstile 1", null));
        // run e3, read time unknown again: an older version of the same entry (must not win), and a new one
        bronze.load("entries", "20260104T060000Z-e3",
                entry("2024-05-01T07:12:06", 1002L, null, "Membership", "Turnstile 1", "Older"),
                entry("2024-05-02T08:00:01", 1006L, null, "Membership", "Turnstile 1", null));
    }

    @Test
    void entriesInSlicesAreWhatOneStatementWrites() {
        loadEntries();
        List<Map<String, Object>> indexesBefore = indexes("core.evo_entries");
        assertThat(indexesBefore).hasSize(3);

        TransformResult inSlices = sliced(db).run(CoreTables.EVO_ENTRIES, false);
        // a first load in slices drops the secondary indexes once and builds them again after the last slice
        assertThat(indexes("core.evo_entries")).isEqualTo(indexesBefore);
        List<Map<String, Object>> slicedRows = content("core.evo_entries", "entry_key");
        List<Map<String, Object>> slicedFlags = staging.rows(
                "SELECT stg_id, validation_status, error_message FROM stg_evo.entries_raw ORDER BY stg_id");

        TransformResult oneStatement = whole().run(CoreTables.EVO_ENTRIES, true);

        // the 7 keys (the line without a date has none), each written once
        assertThat(oneStatement.inserted()).isEqualTo(7);
        assertThat(inSlices.inserted()).isEqualTo(7);
        // the invalid line once flagged is no longer read: the rebuild warns of the other one only
        assertThat(inSlices.warned()).isEqualTo(2);
        assertThat(oneStatement.warned()).isEqualTo(1);
        assertThat(content("core.evo_entries", "entry_key")).isEqualTo(slicedRows).hasSize(7);
        assertThat(staging.rows("SELECT stg_id, validation_status, error_message FROM stg_evo.entries_raw "
                + "ORDER BY stg_id")).isEqualTo(slicedFlags);
        assertThat(staging.one("SELECT block_reason FROM core.evo_entries WHERE id_member = 1002"))
                .containsEntry("block_reason", "Debt");
        // slices, not one statement: the repeated key's later versions met the stored row, one newer (updated), one
        // older (unchanged); in one statement over the batch only the newest is a candidate
        assertThat(inSlices.updated()).isEqualTo(1);
        assertThat(inSlices.unchanged()).isEqualTo(1);
        assertThat(oneStatement.updated() + oneStatement.unchanged()).isZero();
        assertThat(staging.one("SELECT last_stg_id FROM ops.transform_state WHERE core_table = 'core.evo_entries'")
                .get("last_stg_id")).isEqualTo(10L);
    }

    @Test
    void childrenInSlicesAreWhatOneStatementWrites() {
        bronze.load("sales", "20260102T060000Z-s1",
                sale(9001, false, "[" + PLAN + "]"), sale(9002, false, "[" + PLAN + ", " + WATER + "]"),
                sale(9003, false, "[" + WATER + "]"));
        // the first sale again, read later: now with both items; the second removed
        bronze.read("sales", "20260103T060000Z-s2",
                sale(9001, false, "[" + PLAN + ", " + WATER + "]"), sale(9002, true, "[" + PLAN + "]"));
        bronze.load("members", "20260102T060000Z-m1",
                member(1001, "Active", "[" + contract(7001, 1001, "Active", null) + "]"),
                member(1002, "Active", "[" + contract(7002, 1002, "Active", null) + "]"),
                member(1003, "Active", "[]"));
        bronze.read("members", "20260103T060000Z-m2",
                member(1002, "Inactive", "[" + contract(7002, 1002, "Canceled", "2024-06-01T00:00:00") + ", "
                        + contract(7003, 1002, "Active", null) + "]"));

        for (CoreTable t : List.of(CoreTables.EVO_SALES, CoreTables.EVO_MEMBERS)) {
            sliced(db).run(t, false);
        }
        // an element a later slice's version no longer has stays as a row flagged deleted, as after two incremental
        // runs; one statement over the whole batch only ever writes the newest version's elements
        assertThat(staging.one("SELECT is_deleted, _run_id FROM core.evo_sale_items WHERE id_sale = 9002 "
                + "AND id_sale_item = 2")).containsEntry("is_deleted", true).containsEntry("_run_id", "20260103T060000Z-s2");
        Map<String, String> tables = Map.of("core.evo_sales", "id_sale",
                "core.evo_sale_items WHERE NOT is_deleted", "id_sale, id_sale_item",
                "core.evo_members", "id_member", "core.evo_member_contacts", "id_member, id_phone",
                "core.evo_member_memberships", "id_member_membership");
        Map<String, List<Map<String, Object>>> slicedRows = new java.util.TreeMap<>();
        tables.forEach((table, order) -> slicedRows.put(table, content(table, order)));

        for (CoreTable t : List.of(CoreTables.EVO_SALES, CoreTables.EVO_MEMBERS)) {
            whole().run(t, true);
        }

        tables.forEach((table, order) -> assertThat(content(table, order)).as(table).isEqualTo(slicedRows.get(table)));
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_sale_items WHERE id_sale = 9001").get("n"))
                .isEqualTo(2L);
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_member_memberships WHERE id_member = 1002")
                .get("n")).isEqualTo(2L);
        assertThat(staging.one("SELECT membership_status FROM core.evo_members WHERE id_member = 1002"))
                .containsEntry("membership_status", "Inactive");
    }

    @Test
    void aKeyUpdatedInSlicesAfterSlicesEndsAtItsNewestVersion() {
        String date = "2024-05-01T07:12:06";
        bronze.read("entries", "20260102T060000Z-e1", entry(date, 1002L, null, "Membership", "Turnstile 1", null),
                entry("2024-05-01T07:12:07", 1003L, null, "Membership", "Turnstile 1", null));
        bronze.read("entries", "20260103T060000Z-e2", entry(date, 1002L, null, "Membership", "Turnstile 1", "Debt"),
                entry("2024-05-01T07:12:08", 1004L, null, "Membership", "Turnstile 1", null));
        bronze.read("entries", "20260104T060000Z-e3", entry(date, 1002L, null, "Membership", "Turnstile 1", "Paid"),
                entry("2024-05-01T07:12:09", 1005L, null, "Membership", "Turnstile 1", null));

        TransformResult r = sliced(db).run(CoreTables.EVO_ENTRIES, false); // slices: (0,2], (2,4], (4,6]

        assertThat(r.inserted()).isEqualTo(4);
        assertThat(r.updated()).isEqualTo(2);
        assertThat(staging.one("SELECT block_reason, _run_id FROM core.evo_entries WHERE id_member = 1002"))
                .containsEntry("block_reason", "Paid").containsEntry("_run_id", "20260104T060000Z-e3");
    }

    private long summarizeNow() throws SQLException {
        // the function itself, which fails loudly (the runner's call only warns)
        return (Integer) staging.one("SELECT ops.summarize_staging_id_index('stg_evo', 'entries_raw') AS n").get("n");
    }

    /** A day of a busy gym: enough staging pages for several full BRIN ranges. */
    private void loadBusyDay(String runId, int entries, String blockReason) {
        String[] lines = new String[entries];
        for (int i = 0; i < entries; i++) {
            lines[i] = entry(java.time.LocalDateTime.of(2024, 5, 3, 6, 0).plusSeconds(i).toString(), 2000L + i, null,
                    "Membership", "Turnstile 1", blockReason);
        }
        bronze.load("entries", runId, lines);
    }

    @Test
    void aBatchReadInSlicesSummarisesTheStagingRangesFirst() throws SQLException {
        loadBusyDay("20260105T060000Z-e1", 8000, null);
        whole().run(CoreTables.EVO_ENTRIES, false); // one statement: nothing summarised
        assertThat(summarizeNow()).as("ranges the single statement left").isPositive();

        loadBusyDay("20260106T060000Z-e2", 8000, "Debt"); // the same entries again, read later, now refused
        TransformResult r = new TransformRunner(db, new PgRetry(List.of()), TransformRunner.BULK_LOAD_ROWS, 1000)
                .run(CoreTables.EVO_ENTRIES, false);
        assertThat(r.inserted()).isZero();
        assertThat(r.updated()).isEqualTo(8000);
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_entries WHERE block_reason = 'Debt'").get("n"))
                .isEqualTo(8000L);

        assertThat(summarizeNow()).as("ranges the sliced batch left").isZero();
    }

    @Test
    void theAppRoleSummarisesThroughTheDefinersFunction() throws Exception {
        loadBusyDay("20260105T060000Z-e1", 8000, null);
        try (Database app = AppRole.connect(db, "skyfit-slices-app", "slices")) {
            assertThat(new TransformRunner(app, new PgRetry(List.of()), TransformRunner.BULK_LOAD_ROWS, 1000)
                    .run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(8000);
        }
        assertThat(summarizeNow()).as("summarised by the app role").isZero();
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_entries").get("n")).isEqualTo(8000L);
    }

    /** The plan of a transform statement run under EXPLAIN (ANALYZE, FORMAT JSON): it runs, in the caller's transaction. */
    private static JsonNode explainAnalyze(java.sql.Statement st, String statement) throws Exception {
        try (java.sql.ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) "
                + statement.substring(statement.indexOf("WITH fields AS")))) {
            rs.next();
            return new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
        }
    }

    /** The plan node of a CTE, from EXPLAIN (ANALYZE, FORMAT JSON); fails the test when there is none. */
    private static JsonNode cte(JsonNode plan, String name) {
        JsonNode found = find(plan, name);
        assertThat(found).as("the plan of CTE " + name).isNotNull();
        return found;
    }

    private static JsonNode find(JsonNode node, String name) {
        if (("CTE " + name).equals(node.path("Subplan Name").asText())) {
            return node;
        }
        for (JsonNode child : node.path("Plans")) {
            JsonNode found = find(child, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The nodes a node reads its rows from, depth first: its subplans and init plans (CTEs included) left out. */
    private static List<JsonNode> input(JsonNode node) {
        List<JsonNode> out = new java.util.ArrayList<>(List.of(node));
        node.path("Plans").forEach(child -> {
            String relationship = child.path("Parent Relationship").asText();
            if (!relationship.equals("InitPlan") && !relationship.equals("SubPlan")) {
                out.addAll(input(child));
            }
        });
        return out;
    }

    /** Every node of a plan, depth first. */
    private static List<JsonNode> nodes(JsonNode node) {
        List<JsonNode> out = new java.util.ArrayList<>(List.of(node));
        node.path("Plans").forEach(child -> out.addAll(nodes(child)));
        return out;
    }

    @Test
    void aLaterSliceInsertsTheChildrenOfNewKeysPlainlyAndReadsStoredVersionsOnlyByProbe() throws Exception {
        bronze.load("sales", "20260102T060000Z-s1",
                sale(9001, false, "[" + PLAN + "]"), sale(9002, false, "[" + PLAN + ", " + WATER + "]"),
                sale(9003, false, "[" + WATER + "]"));
        bronze.read("sales", "20260103T060000Z-s2", sale(9001, false, "[" + PLAN + ", " + WATER + "]"));
        long first = (Long) staging.one("SELECT min(stg_id) - 1 AS n FROM stg_evo.sales_raw").get("n");
        String statement = TransformSql.of(CoreTables.EVO_SALES);
        JsonNode plan;
        try (Connection c = db.connection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // the runner's own step before the first slice: both tables are empty as the batch begins
            assertThat(TransformRunner.markEmptyAtStart(c, CoreTables.EVO_SALES.writtenTables()))
                    .containsExactly("core.evo_sales", "core.evo_sale_items");
            st.execute("SELECT set_config('skyfit.from_stg_id', '" + first + "', true), "
                    + "set_config('skyfit.to_stg_id', '" + (first + 2) + "', true)");
            st.execute(statement);
            // the second slice: a new sale (9003) while the items already hold the first slice's, and a newer
            // version of a stored one (9001)
            st.execute("SELECT set_config('skyfit.from_stg_id', '" + (first + 2) + "', true), "
                    + "set_config('skyfit.to_stg_id', '" + (first + 4) + "', true)");
            plan = explainAnalyze(st, statement);
            c.rollback();
        }
        // the new sale's item by the plain insert; the stored sale's two items (one changed version, one new) by the
        // upsert, which gets no other
        assertThat(cte(plan, "evo_sale_items_inserted").path("Actual Rows").asLong()).isEqualTo(1);
        assertThat(cte(plan, "evo_sale_items_upserted").path("Actual Rows").asLong()).isEqualTo(2);
        // the parent versions the children follow come from stored's probe: accepted reads no core table
        assertThat(nodes(cte(plan, "accepted"))).noneMatch(n -> n.has("Relation Name"));
        // stored: the primary key's last entry read once, then one probe of the primary key per staging row of the
        // slice whose key does not sort after it (the stored sale; the new one's id is past it), never a scan
        List<JsonNode> stored = nodes(cte(plan, "stored"));
        assertThat(stored).filteredOn(n -> "evo_sales".equals(n.path("Relation Name").asText()))
                .hasSize(2).allSatisfy(n -> {
                    assertThat(n.path("Node Type").asText()).isIn("Index Scan", "Index Only Scan");
                    assertThat(n.path("Index Name").asText()).isEqualTo("evo_sales_pkey");
                    assertThat(n.path("Actual Loops").asLong()).isEqualTo(1);
                    assertThat(n.path("Actual Rows").asLong()).isEqualTo(1);
                })
                .anySatisfy(n -> assertThat(n.path("Scan Direction").asText()).isEqualTo("Backward"))
                .anySatisfy(n -> assertThat(n.path("Index Cond").asText()).contains("id_sale = l_1.id_sale"));
    }

    /**
     * EXPLAIN (ANALYZE) of a second slice: the first one (its first two staging ids) run, then {@code fillers} (the
     * other keys the tables hold, as the earlier slices of a large batch leave them), the tables analysed, and the
     * join planned as a hash or a merge, never a nested loop: either would read every stored row of a table joined
     * by key alone.
     */
    private JsonNode laterSlicePlan(CoreTable table, String stagingTable, List<String> fillers) throws Exception {
        long first = (Long) staging.one("SELECT min(stg_id) - 1 AS n FROM " + stagingTable).get("n");
        long last = (Long) staging.one("SELECT max(stg_id) AS n FROM " + stagingTable).get("n");
        String statement = TransformSql.of(table);
        try (Connection c = db.connection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            TransformRunner.markEmptyAtStart(c, table.writtenTables());
            st.execute(TransformRunner.bound(statement, first, first + 2));
            for (String filler : fillers) {
                st.execute(filler);
            }
            st.execute("ANALYZE " + String.join(", ", table.writtenTables()));
            st.execute("SET LOCAL enable_nestloop = off");
            try {
                return explainAnalyze(st, TransformRunner.bound(statement, first + 2, last));
            } finally {
                c.rollback();
            }
        }
    }

    /** {@code count} copies of the row of {@code table} where {@code where}, each with {@code column} from {@code value}. */
    private static String copies(String table, String where, String column, String value, int count) {
        return "INSERT INTO " + table + " SELECT (jsonb_populate_record(NULL::" + table + ", to_jsonb(t) || "
                + "jsonb_build_object('" + column + "', " + value + "))).* FROM " + table + " t, generate_series(100000, "
                + (100000 + count - 1) + ") g WHERE " + where;
    }

    /** Each step reads its table once, by an index condition on the primary key, for the slice's stored keys only. */
    private static void readsByKeyOnly(JsonNode plan, String step, String table, long rows) {
        assertThat(nodes(cte(plan, step))).as(step)
                .filteredOn(n -> table.equals(n.path("Relation Name").asText())
                        && !"ModifyTable".equals(n.path("Node Type").asText()))
                .singleElement().satisfies(n -> {
                    assertThat(n.path("Node Type").asText()).as(step).isIn("Index Scan", "Index Only Scan");
                    assertThat(n.path("Index Name").asText()).as(step).isEqualTo(table + "_pkey");
                    assertThat(n.path("Index Cond").asText()).as(step + ": index condition").contains("ANY");
                    assertThat(n.path("Actual Loops").asLong()).as(step + ": scans").isEqualTo(1);
                    assertThat(n.path("Actual Rows").asLong()).as(step + ": rows read").isEqualTo(rows);
                });
    }

    @Test
    void aLaterSliceReadsTheStoredRowsOfItsOwnKeysOnly() throws Exception {
        bronze.load("sales", "20260102T060000Z-s1",
                sale(9001, false, "[" + PLAN + "]"), sale(9002, false, "[" + PLAN + ", " + WATER + "]"));
        // the second slice: a stored sale again, now with another item (the update; its old item removed), and a
        // new one
        bronze.read("sales", "20260103T060000Z-s2", sale(9001, false, "[" + WATER + "]"),
                sale(9003, false, "[" + WATER + "]"));
        JsonNode plan = laterSlicePlan(CoreTables.EVO_SALES, "stg_evo.sales_raw", List.of(
                copies("core.evo_sales", "t.id_sale = 9002", "id_sale", "g", 20000),
                copies("core.evo_sale_items", "t.id_sale = 9002", "id_sale", "g", 20000)));
        assertThat(cte(plan, "updated").path("Actual Rows").asLong()).as("the stored sale updated").isEqualTo(1);
        assertThat(cte(plan, "evo_sale_items_removed").path("Actual Rows").asLong()).as("its old item removed")
                .isEqualTo(1);
        // one sale, its one item
        readsByKeyOnly(plan, "updated", "evo_sales", 1);
        readsByKeyOnly(plan, "repointed", "evo_sales", 1);
        readsByKeyOnly(plan, "evo_sale_items_removed", "evo_sale_items", 1);
    }

    @Test
    void aLaterSliceOfATableWithoutChildrenReadsTheStoredRowsOfItsOwnKeysOnly() throws Exception {
        bronze.load("entries", "20260102T060000Z-e1",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
                entry("2024-05-01T07:12:06", 1002L, null, "Membership", "Turnstile 1", null));
        // the second slice: the second entry again, now blocked, and a new one
        bronze.read("entries", "20260103T060000Z-e2",
                entry("2024-05-01T07:12:06", 1002L, null, "Membership", "Turnstile 1", "Debt"),
                entry("2024-05-02T08:00:00", 1005L, null, "Membership", "Turnstile 1", null));
        JsonNode plan = laterSlicePlan(CoreTables.EVO_ENTRIES, "stg_evo.entries_raw", List.of(
                copies("core.evo_entries", "t.id_member = 1001", "entry_key", "gen_random_uuid()", 20000)));
        assertThat(cte(plan, "updated").path("Actual Rows").asLong()).as("the stored entry updated").isEqualTo(1);
        readsByKeyOnly(plan, "updated", "evo_entries", 1);
        readsByKeyOnly(plan, "repointed", "evo_entries", 1);
    }

    /**
     * A first load's slice and a later one (half its keys stored, half new, one new key sent twice), of 20,000 and
     * 20,001 rows: no step sorts the slice's rows. Whether a row is its key's newest and whether its key is stored
     * are looked up by staging id in a hash (NOT IN over a subquery, which PostgreSQL never plans as a join); an
     * anti-join by key was planned, at 500,000 rows, as a merge that sorted the whole slice, once for the insert and
     * again for the candidates' count. At 20,000 rows the planner hashes such an anti-join too, so the plan alone
     * would not tell the two forms apart: the statement's text does, and the plan shows the lookups hashed.
     */
    @Test
    void noStepSortsTheSlicesRows() throws Exception {
        String[] first = new String[20000];
        String[] second = new String[20001];
        for (int i = 0; i < 20000; i++) {
            String at = java.time.LocalDateTime.of(2024, 5, 3, 6, 0).plusSeconds(i).toString();
            first[i] = entry(at, 2000L + i, null, "Membership", "Turnstile 1", null);
            int j = i + 10000; // the first half of the second slice is stored, now refused; the rest is new
            second[i] = entry(java.time.LocalDateTime.of(2024, 5, 3, 6, 0).plusSeconds(j).toString(), 2000L + j,
                    null, "Membership", "Turnstile 1", j < 20000 ? "Debt" : null);
        }
        // the last new entry again, later in the same part: the newest of its key
        second[20000] = entry(java.time.LocalDateTime.of(2024, 5, 3, 6, 0).plusSeconds(29999).toString(), 31999L,
                null, "Membership", "Turnstile 1", "Later");
        bronze.load("entries", "20260105T060000Z-e1", first);
        bronze.read("entries", "20260106T060000Z-e2", second);
        long from = (Long) staging.one("SELECT min(stg_id) - 1 AS n FROM stg_evo.entries_raw").get("n");
        staging.execute("ANALYZE stg_evo.entries_raw"); // as autovacuum leaves it: the slices' sizes known
        String statement = TransformSql.of(CoreTables.EVO_ENTRIES);
        assertThat(statement).contains("l.stg_id NOT IN (SELECT stg_id FROM superseded)")
                .contains("l.stg_id NOT IN (SELECT stg_id FROM stored)").doesNotContain("NOT EXISTS (SELECT 1 FROM stored");
        List<JsonNode> plans = new java.util.ArrayList<>();
        Object blockReason;
        try (Connection c = db.connection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL work_mem = '" + TransformRunner.WORK_MEM + "'");
            TransformRunner.markEmptyAtStart(c, CoreTables.EVO_ENTRIES.writtenTables());
            plans.add(explainAnalyze(st, TransformRunner.bound(statement, from, from + 20000)));
            plans.add(explainAnalyze(st, TransformRunner.bound(statement, from + 20000, from + 40001)));
            try (java.sql.ResultSet rs = st.executeQuery(
                    "SELECT block_reason FROM core.evo_entries WHERE id_member = 31999")) {
                assertThat(rs.next()).isTrue();
                blockReason = rs.getString(1);
                assertThat(rs.next()).as("one row for the key sent twice").isFalse();
            }
            c.rollback();
        }
        assertThat(blockReason).isEqualTo("Later");
        assertThat(cte(plans.get(0), "inserted_first").path("Actual Rows").asLong()).isEqualTo(20000);
        assertThat(cte(plans.get(1), "superseded").path("Actual Rows").asLong()).isEqualTo(1);
        assertThat(cte(plans.get(1), "inserted").path("Actual Rows").asLong()).isEqualTo(10000);
        assertThat(cte(plans.get(1), "updated").path("Actual Rows").asLong()).isEqualTo(10000);
        // the primary key probed only for the keys not past the greatest one stored: the 10,000 stored ones, not the
        // 10,001 new ones after them (entries are keyed by their time first)
        assertThat(statement).contains("AND (l.scope, l.entry_key) <= (SELECT c.scope, c.entry_key FROM core.evo_entries c");
        assertThat(nodes(plans.get(1))).filteredOn(n -> n.path("Relation Name").asText().equals("evo_entries")
                        && n.path("Actual Loops").asLong() > 1)
                .extracting(n -> n.path("Actual Loops").asLong()).containsExactly(10000L);
        for (JsonNode plan : plans) {
            // the sorts of more than one row: the stored keys' arrays for the probes (10,000 in the second slice) and
            // the versions of the repeated keys (two)
            assertThat(nodes(plan)).filteredOn(n -> n.path("Node Type").asText().equals("Sort")
                            && n.path("Actual Rows").asLong() > 1)
                    .allSatisfy(sort -> assertThat(input(sort)).as("what a sort of more than one row reads")
                            .anyMatch(n -> List.of("stored", "repeated_keys").contains(n.path("CTE Name").asText())));
            assertThat(nodes(plan)).noneMatch(n -> n.path("Node Type").asText().equals("Merge Join"));
            // every lookup by staging id a hash built once, never a list read again for each row
            List<String> lookups = nodes(plan).stream().map(n -> n.path("Filter").asText())
                    .filter(f -> f.contains("stg_id = (")).toList();
            assertThat(lookups).isNotEmpty().allSatisfy(f -> assertThat(f).contains("hashed SubPlan"));
        }
    }

    @Test
    void aStoredKeyBelowTheGreatestIsStillFoundWhateverItsScope() {
        // the greatest stored key is (scope, key) together: a sale of scope 'gym' with an id above every id of the
        // later scope 'zzz' is still below ('zzz', 1), so it is probed and updated, never inserted again (a check
        // of the id alone would skip it and fail on the primary key); a new sale below the greatest is inserted
        bronze.load("sales", "20260102T060000Z-s1", sale(9001, false, "[" + PLAN + "]"));
        whole().run(CoreTables.EVO_SALES, false);
        staging.execute("INSERT INTO core.evo_sales SELECT (jsonb_populate_record(s, jsonb_build_object("
                + "'scope', 'zzz', 'id_sale', 1))).* FROM core.evo_sales s WHERE s.id_sale = 9001");
        bronze.load("sales", "20260103T060000Z-s2", sale(9001, true, "[" + PLAN + "]"),
                sale(5000, false, "[" + WATER + "]"));

        TransformResult r = whole().run(CoreTables.EVO_SALES, false);

        assertThat(r.updated()).isEqualTo(1);
        assertThat(r.inserted()).isEqualTo(1);
        assertThat(staging.one("SELECT removed FROM core.evo_sales WHERE scope = 'gym' AND id_sale = 9001"))
                .containsEntry("removed", true);
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_sales").get("n")).isEqualTo(3L);
    }

    @Test
    void aKeyOfSeveralColumnsIsProbedByItsLeadingColumnOnly() {
        // an array for every column of a three-column key would make the planner cost the primary key as the product
        // of their lengths and take another index, leaving the arrays to be searched row by row
        String statement = TransformSql.of(CoreTables.EVO_MEMBER_MEMBERSHIPS);
        assertThat(statement).contains("c.id_member = ANY (ARRAY(SELECT DISTINCT s.id_member FROM stored s ORDER BY 1))")
                .doesNotContain("c.id_member_membership = ANY");
    }

    @Test
    void childRowsLeftWithoutTheirParentMeetTheUpsertNotAPlainInsert() {
        // an item whose sale is not in core (an operator removed the sale; a restore of one table): the items are
        // not empty as the batch begins, so no slice inserts plainly, and the new sale's item meets its old row
        bronze.load("sales", "20260102T060000Z-s1",
                sale(9001, false, "[" + PLAN + "]"), sale(9002, false, "[" + WATER + "]"),
                sale(9003, false, "[" + PLAN + ", " + WATER + "]"));
        whole().run(CoreTables.EVO_SALES, false);
        staging.execute("DELETE FROM core.evo_sales");
        staging.execute("DELETE FROM ops.transform_state WHERE core_table = 'core.evo_sales'");
        staging.execute("UPDATE core.evo_sale_items SET description = 'stale'");
        // and an orphaned item the sale's version does not have
        staging.execute("UPDATE core.evo_sale_items SET id_sale_item = 99 WHERE id_sale = 9001");

        TransformResult r = sliced(db).run(CoreTables.EVO_SALES, false);

        assertThat(r.inserted()).isEqualTo(3);
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_sale_items WHERE description = 'stale' "
                + "AND NOT is_deleted").get("n")).isEqualTo(0L);
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_sale_items WHERE NOT is_deleted").get("n"))
                .isEqualTo(4L);
        // the element the sale no longer lists is flagged deleted, naming the version that dropped it
        assertThat(staging.one("SELECT is_deleted, _run_id FROM core.evo_sale_items WHERE id_sale = 9001 "
                + "AND id_sale_item = 99")).containsEntry("is_deleted", true)
                .containsEntry("_run_id", "20260102T060000Z-s1");
    }
}
