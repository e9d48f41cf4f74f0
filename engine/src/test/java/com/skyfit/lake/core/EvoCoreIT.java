package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EVO core tables over records shaped as the EVO API sends them, written to bronze parts and loaded by the
 * real staging loader: every column, the contracts from both endpoints, sale items, the entry hash key.
 */
class EvoCoreIT {
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

    private static Timestamp at(String localDateTime) {
        return Timestamp.valueOf(LocalDateTime.parse(localDateTime));
    }

    private Map<String, Object> one(String sql) {
        return staging.one(sql);
    }

    static String member(long id, String status, String contracts) {
        return """
                {"idMember": %d, "firstName": "Ana", "lastName": "Souza", "document": "123.456.789-00",
                 "email": "ana@example.com", "gender": "F", "birthDate": "1990-04-02T00:00:00",
                 "registerDate": "2024-05-01T07:12:05", "conversionDate": null, "idBranch": 3,
                 "branchName": "SkyFit Centro", "accessBlocked": false, "blockedReason": null,
                 "membershipStatus": "%s", "gympassId": "GP-991", "codeTotalpass": null,
                 "lastAccessDate": "2024-06-10T18:30:00", "idEmployeeConsultant": 77,
                 "contacts": [{"idPhone": 501, "idMember": %d, "idContactType": 2, "contactType": "Cellphone",
                               "description": "11999990000", "ddi": "55"},
                              {"idPhone": 502, "idMember": %d, "idContactType": 4, "contactType": "Email",
                               "description": "ana@example.com", "ddi": null}],
                 "memberships": %s}""".formatted(id, status, id, id, contracts);
    }

    static String contract(long id, long member, String status, String cancelDate) {
        return """
                {"idMemberMembership": %d, "idMembership": 12, "idMember": %d, "idSale": 9001, "name": "PLANO ANUAL",
                 "startDate": "2024-05-01T00:00:00", "endDate": "2025-04-30T23:59:59", "cancelDate": %s,
                 "membershipStatus": "%s", "registerDate": "2024-05-01T07:12:05", "valueNextMonth": 99.90}"""
                .formatted(id, member, cancelDate == null ? "null" : "\"" + cancelDate + "\"", status);
    }

    static String canceled(long id, long member, String reason) {
        return """
                {"idMemberMembership": %d, "idMember": %d, "idMembership": 12, "idBranch": 4, "idSale": 9001,
                 "name": "PLANO ANUAL", "registerDate": "2024-05-01T07:12:05", "startDate": "2024-05-01T00:00:00",
                 "endDate": "2025-04-30T23:59:59", "cancelDate": "2024-08-01T10:00:00", "cancelReason": "%s",
                 "membershipStatus": "canceled", "valueNextMonth": 0}""".formatted(id, member, reason);
    }

    private Map<String, Object> contractRow(long id) {
        return one("SELECT * FROM core.evo_member_memberships WHERE scope = 'gym' AND id_member_membership = " + id);
    }

    @Test
    void membersBecomeRowsWithTheirContactsAndContracts() {
        bronze.load("members", "20260101T060000Z-m1",
                member(1001, "Active", "[" + contract(10, 1001, "active", null) + ", "
                        + contract(11, 1001, "canceled", "2024-03-01T09:00:00") + "]"),
                "{\"idMember\": 1002, \"membershipStatus\": \"Inactive\", \"accessBlocked\": true, "
                        + "\"blockedReason\": \"Pendencia financeira\", \"codeTotalpass\": \"TP-7\", \"contacts\": [], "
                        + "\"memberships\": []}");

        TransformResult r = runner.run(CoreTables.EVO_MEMBERS, false);

        assertThat(r.inserted()).isEqualTo(2);
        assertThat(r.warned()).isZero();
        assertThat(one("SELECT * FROM core.evo_members WHERE id_member = 1001"))
                .containsEntry("scope", "gym").containsEntry("first_name", "Ana").containsEntry("last_name", "Souza")
                .containsEntry("document", "123.456.789-00").containsEntry("email", "ana@example.com")
                .containsEntry("gender", "F").containsEntry("birth_date", java.sql.Date.valueOf("1990-04-02"))
                .containsEntry("register_date", at("2024-05-01T07:12:05")).containsEntry("conversion_date", null)
                .containsEntry("id_branch", 3L).containsEntry("branch_name", "SkyFit Centro")
                .containsEntry("access_blocked", false).containsEntry("membership_status", "Active")
                .containsEntry("gympass_id", "GP-991").containsEntry("code_totalpass", null)
                .containsEntry("last_access_date", at("2024-06-10T18:30:00"))
                .containsEntry("id_employee_consultant", 77L).containsEntry("_source_line", 1);
        assertThat(one("SELECT * FROM core.evo_members WHERE id_member = 1002"))
                .containsEntry("access_blocked", true).containsEntry("blocked_reason", "Pendencia financeira")
                .containsEntry("membership_status", "Inactive").containsEntry("code_totalpass", "TP-7");
        assertThat(staging.rows("SELECT id_member, id_phone, id_contact_type, contact_type, description, ddi, "
                + "is_deleted FROM core.evo_member_contacts ORDER BY id_phone")).containsExactly(
                Map.of("id_member", 1001L, "id_phone", 501L, "id_contact_type", 2, "contact_type", "Cellphone",
                        "description", "11999990000", "ddi", "55", "is_deleted", false),
                row("id_member", 1001L, "id_phone", 502L, "id_contact_type", 4, "contact_type", "Email",
                        "description", "ana@example.com", "ddi", null, "is_deleted", false));
        assertThat(contractRow(10)).containsEntry("id_member", 1001L).containsEntry("id_membership", 12L)
                .containsEntry("id_sale", 9001L).containsEntry("plan_name", "PLANO ANUAL")
                .containsEntry("id_branch", 3L) // the member's: a nested contract does not send its own
                .containsEntry("start_date", at("2024-05-01T00:00:00")).containsEntry("end_date", at("2025-04-30T23:59:59"))
                .containsEntry("cancel_date", null).containsEntry("membership_status", "active")
                .containsEntry("register_date", at("2024-05-01T07:12:05")).containsEntry("cancel_reason", null)
                .containsEntry("is_deleted", false).containsEntry("_run_id", "20260101T060000Z-m1");
        assertThat((BigDecimal) contractRow(10).get("value_next_month")).isEqualByComparingTo("99.90");
        assertThat(contractRow(11)).containsEntry("membership_status", "canceled")
                .containsEntry("cancel_date", at("2024-03-01T09:00:00"));
    }

    /** Map.of refuses nulls. */
    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private void transformContracts() {
        runner.runAll(List.of(CoreTables.EVO_MEMBERS, CoreTables.EVO_MEMBER_MEMBERSHIPS), false);
    }

    @Test
    void aContractKeepsTheNewestObservationOfBothEndpoints() {
        bronze.load("members", "20260101T060000Z-m1", member(1001, "Active", "[" + contract(10, 1001, "active", null) + "]"));
        bronze.load("member_memberships", "20260102T060000Z-c1", canceled(10, 1001, "Mudou de cidade"));
        transformContracts();

        // the canceled-contracts endpoint was read later: its state and reason win
        assertThat(contractRow(10)).containsEntry("membership_status", "canceled")
                .containsEntry("cancel_reason", "Mudou de cidade").containsEntry("id_branch", 4L)
                .containsEntry("cancel_date", at("2024-08-01T10:00:00")).containsEntry("_run_id", "20260102T060000Z-c1");

        // an older members read loaded late (its part was retried) does not undo the cancellation
        bronze.load("members", "20260101T050000Z-m0", member(1001, "Active", "[" + contract(10, 1001, "active", null) + "]"));
        transformContracts();
        assertThat(contractRow(10)).containsEntry("membership_status", "canceled")
                .containsEntry("_run_id", "20260102T060000Z-c1");

        // the full re-scan of members, read after: the member's current view of the contract wins, the reason stays
        bronze.load("members", "20260103T060000Z-m2", member(1001, "Inactive",
                "[" + contract(10, 1001, "expired", "2024-08-01T10:00:00") + "]"));
        transformContracts();
        assertThat(contractRow(10)).containsEntry("membership_status", "expired")
                .containsEntry("cancel_reason", "Mudou de cidade").containsEntry("_run_id", "20260103T060000Z-m2");
        assertThat(one("SELECT membership_status FROM core.evo_members WHERE id_member = 1001"))
                .containsEntry("membership_status", "Inactive");

        // an older canceled-contracts read loaded late does not overwrite the re-scan either
        bronze.load("member_memberships", "20260102T050000Z-c0", canceled(10, 1001, "Outro motivo"));
        transformContracts();
        assertThat(contractRow(10)).containsEntry("membership_status", "expired")
                .containsEntry("cancel_reason", "Mudou de cidade");

        // a contract only the canceled endpoint knows is a row of its own
        bronze.load("member_memberships", "20260104T060000Z-c2", canceled(12, 1001, "Financeiro"));
        transformContracts();
        assertThat(contractRow(12)).containsEntry("membership_status", "canceled").containsEntry("cancel_reason", "Financeiro");

        // a member whose first read is older than the canceled-contracts read transformed before it
        bronze.load("member_memberships", "20260105T060000Z-c3", canceled(20, 1003, "Saude"));
        transformContracts();
        bronze.load("members", "20260104T060000Z-m3", member(1003, "Active", "[" + contract(20, 1003, "active", null) + "]"));
        transformContracts();
        assertThat(contractRow(20)).containsEntry("membership_status", "canceled").containsEntry("cancel_reason", "Saude");
        assertThat(one("SELECT membership_status FROM core.evo_members WHERE id_member = 1003"))
                .containsEntry("membership_status", "Active");

        // a full refresh of either step rebuilds without losing the other's rows, and ends where incremental did
        List<Map<String, Object>> before = staging.rows("SELECT id_member_membership, membership_status, cancel_reason, "
                + "_run_id, _source_blob, _source_line FROM core.evo_member_memberships ORDER BY 1");
        runner.run(CoreTables.EVO_MEMBER_MEMBERSHIPS, true);
        runner.run(CoreTables.EVO_MEMBERS, true);
        assertThat(staging.rows("SELECT id_member_membership, membership_status, cancel_reason, _run_id, _source_blob, "
                + "_source_line FROM core.evo_member_memberships ORDER BY 1")).isEqualTo(before);
    }

    @Test
    void theTwoStepsThatWriteContractsNeverRunAtOnce() throws Exception {
        bronze.load("member_memberships", "20260102T060000Z-c1", canceled(10, 1001, "Mudou de cidade"));
        staging.execute("INSERT INTO ops.transform_state (core_table) VALUES ('core.evo_members')");
        java.util.concurrent.CompletableFuture<TransformResult> contracts;
        try (java.sql.Connection members = db.connection(); java.sql.Statement st = members.createStatement()) {
            members.setAutoCommit(false);
            st.executeQuery("SELECT 1 FROM ops.transform_state WHERE core_table = 'core.evo_members' FOR UPDATE").close();

            // while the members step holds its state row, the canceled-contracts step waits for it
            contracts = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> runner.run(CoreTables.EVO_MEMBER_MEMBERSHIPS, false));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (one("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND query LIKE '%transform_state%'").get("n").equals(0L) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(contracts).as("waiting for the members step").isNotDone();
            assertThat(one("SELECT count(*) AS n FROM core.evo_member_memberships").get("n")).isEqualTo(0L);
            members.commit();
        }
        assertThat(contracts.get(60, java.util.concurrent.TimeUnit.SECONDS).inserted()).isEqualTo(1);
    }

    static String sale(long id, boolean removed, String items) {
        return """
                {"idSale": %d, "idMember": 1001, "idProspect": null, "idBranch": 3, "idEmployeeSale": 77,
                 "saleDate": "2024-05-01T07:30:00", "removed": %s, "removalDate": %s, "observations": "balcao",
                 "saleItens": %s,
                 "receivables": [{"idReceivable": 7001, "ammount": 84.90, "dueDate": "2024-06-01T00:00:00",
                                  "status": {"id": 1, "name": "Open"}}]}"""
                .formatted(id, removed, removed ? "\"2024-05-02T09:00:00\"" : "null", items);
    }

    static final String PLAN = """
            {"idSaleItem": 1, "description": "PLANO ANUAL", "quantity": 1, "itemValue": 129.90, "saleValue": 119.90,
             "discount": 10.00, "idMembership": 12, "idProduct": null, "idService": null}""";
    static final String WATER = """
            {"idSaleItem": 2, "description": "AGUA 500ML", "quantity": 3, "itemValue": 4.50, "saleValue": 13.50,
             "discount": 0, "idMembership": null, "idProduct": 55, "idService": null}""";

    @Test
    void aSaleTotalsItsItemsWhichBecomeRowsAndARemovedSaleIsFlagged() {
        bronze.load("sales", "20260101T060000Z-s1", sale(9001, false, "[" + PLAN + ", " + WATER + "]"));
        runner.run(CoreTables.EVO_SALES, false);

        Map<String, Object> s = one("SELECT * FROM core.evo_sales WHERE id_sale = 9001");
        assertThat(s).containsEntry("id_member", 1001L).containsEntry("id_branch", 3L)
                .containsEntry("id_employee_sale", 77L).containsEntry("sale_date", at("2024-05-01T07:30:00"))
                .containsEntry("removed", false).containsEntry("items_count", 2).containsEntry("receivables_count", 1);
        assertThat((BigDecimal) s.get("total_value")).isEqualByComparingTo("133.40");
        assertThat((BigDecimal) s.get("receivables_total")).isEqualByComparingTo("84.90");
        assertThat(one("SELECT sum(sale_value) AS total FROM core.evo_sale_items WHERE id_sale = 9001 AND NOT is_deleted")
                .get("total")).isEqualTo(s.get("total_value"));
        Map<String, Object> plan = one("SELECT * FROM core.evo_sale_items WHERE id_sale = 9001 AND id_sale_item = 1");
        assertThat(plan).containsEntry("description", "PLANO ANUAL").containsEntry("id_membership", 12L)
                .containsEntry("id_product", null).containsEntry("is_deleted", false);
        assertThat((BigDecimal) plan.get("quantity")).isEqualByComparingTo("1");
        assertThat((BigDecimal) plan.get("item_value")).isEqualByComparingTo("129.90");
        assertThat((BigDecimal) plan.get("sale_value")).isEqualByComparingTo("119.90");
        assertThat((BigDecimal) plan.get("discount")).isEqualByComparingTo("10.00");
        assertThat(one("SELECT quantity, id_product FROM core.evo_sale_items WHERE id_sale_item = 2"))
                .containsEntry("id_product", 55L).extracting(m -> ((BigDecimal) m.get("quantity")).intValue()).isEqualTo(3);

        // removed later, and the water no longer on it: the sale is flagged, the item row stays flagged deleted
        bronze.load("sales", "20260102T060000Z-s2", sale(9001, true, "[" + PLAN + "]"));
        TransformResult r = runner.run(CoreTables.EVO_SALES, false);

        assertThat(r.updated()).isEqualTo(1);
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(one("SELECT removed, removal_date, total_value FROM core.evo_sales WHERE id_sale = 9001"))
                .containsEntry("removed", true).containsEntry("removal_date", at("2024-05-02T09:00:00"));
        assertThat(staging.rows("SELECT id_sale_item, is_deleted FROM core.evo_sale_items ORDER BY 1"))
                .containsExactly(Map.of("id_sale_item", 1L, "is_deleted", false),
                        Map.of("id_sale_item", 2L, "is_deleted", true));
    }

    static String receivable(String updateDate, int statusId, String statusName, String receivingDate, String paid) {
        return """
                {"idReceivable": 7001, "idSale": 9001, "idMemberPayer": 1001, "idBranch": 3,
                 "description": "PLANO ANUAL 1/12", "registrationDate": "2024-05-01T07:30:00",
                 "dueDate": "2024-06-01T00:00:00", "receivingDate": %s, "competenceDate": "2024-06-01T00:00:00",
                 "cancellationDate": null, "updateDate": "%s", "ammount": 84.90, "amountPaid": %s,
                 "status": {"id": %d, "name": "%s"}, "paymentType": "Pix"}"""
                .formatted(receivingDate == null ? "null" : "\"" + receivingDate + "\"", updateDate, paid, statusId,
                        statusName);
    }

    @Test
    void aReceivableReadsAmmountAndItsStatusAndTheLatestUpdateWins() {
        // the newer version arrives in an earlier part: updateDate, not load order, decides
        bronze.load("receivables", "20260102T060000Z-r2",
                receivable("2024-06-01T10:00:00", 2, "Received", "2024-06-01T10:00:00", "84.90"));
        bronze.load("receivables", "20260103T060000Z-r3", receivable("2024-05-01T07:30:00", 1, "Open", null, "0"));
        runner.run(CoreTables.EVO_RECEIVABLES, false);

        Map<String, Object> r = one("SELECT * FROM core.evo_receivables WHERE id_receivable = 7001");
        assertThat(r).containsEntry("id_sale", 9001L).containsEntry("id_member_payer", 1001L)
                .containsEntry("id_branch", 3L).containsEntry("description", "PLANO ANUAL 1/12")
                .containsEntry("registration_date", at("2024-05-01T07:30:00"))
                .containsEntry("due_date", at("2024-06-01T00:00:00")).containsEntry("receiving_date", at("2024-06-01T10:00:00"))
                .containsEntry("competence_date", at("2024-06-01T00:00:00")).containsEntry("cancellation_date", null)
                .containsEntry("update_date", at("2024-06-01T10:00:00")).containsEntry("status_id", 2)
                .containsEntry("status_name", "Received").containsEntry("payment_type", "Pix");
        assertThat((BigDecimal) r.get("amount")).isEqualByComparingTo("84.90");
        assertThat((BigDecimal) r.get("amount_paid")).isEqualByComparingTo("84.90");
    }

    static String entry(String date, Object member, Object prospect, String type, String device, String block) {
        return """
                {"date": "%s", "idMember": %s, "idProspect": %s, "idBranch": 3, "entryType": "%s",
                 "device": "%s", "blockReason": %s, "releasedBy": null}"""
                .formatted(date, member, prospect, type, device, block == null ? "null" : "\"" + block + "\"");
    }

    /**
     * The documented key, computed here independently of the SQL: the entry's second, then md5 of the normalised
     * fields (the date written to the microsecond).
     */
    static UUID entryKey(String date, String... quotedOrNull) throws Exception {
        byte[] md5 = MessageDigest.getInstance("MD5")
                .digest(String.join("|", quotedOrNull).getBytes(StandardCharsets.UTF_8));
        String hex = String.format("%012x", LocalDateTime.parse(date).toEpochSecond(java.time.ZoneOffset.UTC))
                + HexFormat.of().formatHex(md5).substring(0, 20);
        return UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
    }

    @Test
    void entriesAreKeyedByAStableHashSoARereadDayNeverDoubles() throws Exception {
        String[] day = {
            entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
            entry("2024-05-01T07:12:06", 1001L, null, "Membership", "Turnstile 1", null), // one second later
            entry("2024-05-01T08:00:00", 5L, null, "Gympass", "Turnstile 2", "Acesso bloqueado"),
            entry("2024-05-01T08:00:00", null, 5L, "Gympass", "Turnstile 2", "Acesso bloqueado"), // a prospect 5
        };
        bronze.load("entries", "20260102T060000Z-e1", day);
        TransformResult first = runner.run(CoreTables.EVO_ENTRIES, false);

        assertThat(first.inserted()).isEqualTo(4);
        assertThat(first.warned()).isZero();
        assertThat(one("SELECT * FROM core.evo_entries WHERE entry_key = '"
                + entryKey("2024-05-01T07:12:05", "'3'", "'2024-05-01T07:12:05.000000'", "'1001'", "NULL", "'Membership'", "'Turnstile 1'") + "'"))
                .containsEntry("entry_date", at("2024-05-01T07:12:05")).containsEntry("id_member", 1001L)
                .containsEntry("id_prospect", null).containsEntry("id_branch", 3L).containsEntry("entry_type", "Membership")
                .containsEntry("device", "Turnstile 1").containsEntry("block_reason", null);
        assertThat(one("SELECT id_member, id_prospect, block_reason FROM core.evo_entries WHERE entry_key = '"
                + entryKey("2024-05-01T08:00:00", "'3'", "'2024-05-01T08:00:00.000000'", "NULL", "'5'", "'Gympass'", "'Turnstile 2'") + "'"))
                .containsEntry("id_member", null).containsEntry("id_prospect", 5L)
                .containsEntry("block_reason", "Acesso bloqueado");

        // the day extracted again by a later run, with one late entry: only that one is new
        List<Map<String, Object>> before = staging.rows("SELECT entry_key, _run_id FROM core.evo_entries ORDER BY 1");
        String[] again = java.util.Arrays.copyOf(day, 5);
        again[4] = entry("2024-05-01T23:59:59", 1002L, null, "Totalpass", "Turnstile 1", null);
        bronze.load("entries", "20260103T060000Z-e2", again);
        TransformResult second = runner.run(CoreTables.EVO_ENTRIES, false);

        assertThat(second.inserted()).isEqualTo(1);
        assertThat(second.updated()).isZero();
        assertThat(second.unchanged()).isEqualTo(4);
        assertThat(one("SELECT count(*) AS n FROM core.evo_entries").get("n")).isEqualTo(5L);
        assertThat(staging.rows("SELECT entry_key, _run_id FROM core.evo_entries WHERE _run_id LIKE '%e1' ORDER BY 1"))
                .isEqualTo(before);

        // rebuilt from staging: the same keys
        List<Map<String, Object>> keys = staging.rows("SELECT entry_key FROM core.evo_entries ORDER BY 1");
        runner.run(CoreTables.EVO_ENTRIES, true);
        assertThat(staging.rows("SELECT entry_key FROM core.evo_entries ORDER BY 1")).isEqualTo(keys);
    }

    @Test
    void anEntryWithoutBranchOrDateIsKeptInvalidWithItsReason() {
        bronze.load("entries", "20260102T060000Z-e1", "{\"date\": null, \"idMember\": 1, \"idBranch\": 3}",
                "{\"date\": \"yesterday\", \"idMember\": 1, \"idBranch\": 3}",
                entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null));
        TransformResult r = runner.run(CoreTables.EVO_ENTRIES, false);

        assertThat(r.inserted()).isEqualTo(1);
        assertThat(one("SELECT validation_status, error_message FROM stg_evo.entries_raw WHERE line_no = 1"))
                .containsEntry("validation_status", "invalid")
                .containsEntry("error_message", "no entry key: idBranch missing, or date missing or not a local time at or after 1970");
        assertThat(one("SELECT validation_status, error_message FROM stg_evo.entries_raw WHERE line_no = 2"))
                .containsEntry("validation_status", "invalid")
                .containsEntry("error_message", "no entry key: idBranch missing, or date missing or not a local time at or after 1970; date not a date-time: yesterday");
    }

    @Test
    void anEmployeeAWholeListNoLongerHasIsFlaggedDeleted() {
        String employee = "{\"idEmployee\": %d, \"name\": \"E%d\", \"idBranch\": 3, \"active\": true}";
        for (String[] read : new String[][] {{"20260101T060000Z-w1", "2026-01-01 06:00:00"},
            {"20260102T060000Z-w2", "2026-01-02 06:00:00"}}) {
            db.execute("INSERT INTO ops.runs (run_id, source, scope, entity, load_type, triggered_by, started_at) "
                    + "VALUES (?, 'evo', 'gym', 'employees', 'full', 'manual', ?::timestamptz)", ps -> {
                        ps.setString(1, read[0]);
                        ps.setString(2, read[1] + "+00");
                    });
            // the whole list: no bound on either side
            db.execute("INSERT INTO ops.windows (run_id, window_start, window_end, status) "
                    + "VALUES (?, '-infinity', 'infinity', 'extracted')", ps -> ps.setString(1, read[0]));
        }
        bronze.load("employees", "20260101T060000Z-w1", employee.formatted(77, 77), employee.formatted(78, 78));
        runner.run(CoreTables.EVO_EMPLOYEES, false);
        bronze.load("employees", "20260102T060000Z-w2", employee.formatted(77, 77));
        runner.run(CoreTables.EVO_EMPLOYEES, false);

        long flagged = db.inTransaction(c -> MissingRows.afterRun(c, "evo", "employees", "gym", "20260102T060000Z-w2"));

        assertThat(flagged).isEqualTo(1);
        assertThat(staging.rows("SELECT id_employee, is_deleted, deleted_by_run FROM core.evo_employees ORDER BY 1"))
                .containsExactly(row("id_employee", 77L, "is_deleted", false, "deleted_by_run", null),
                        row("id_employee", 78L, "is_deleted", true, "deleted_by_run", "20260102T060000Z-w2"));
    }

    @Test
    void prospectsEmployeesAndBranches() {
        bronze.load("prospects", "20260101T060000Z-p1", """
                {"idProspect": 5, "firstName": "Bruno", "lastName": "Lima", "email": "bruno@example.com",
                 "phone": "11988887777", "registerDate": "2024-04-20T15:00:00", "conversionDate": "2024-05-01T07:12:05",
                 "idMember": 1001, "idBranch": 3, "idEmployee": 77, "origin": "Instagram"}""");
        bronze.load("employees", "20260101T060000Z-w1", """
                {"idEmployee": 77, "name": "Carla Dias", "email": "carla@example.com", "idBranch": 3,
                 "jobPosition": "Consultora", "active": true, "registerDate": "2023-01-10T09:00:00"}""");
        bronze.load("branches", "20260101T060000Z-b1", """
                {"idBranch": 3, "name": "SkyFit Centro", "internalName": "SF-CTR", "cnpj": "12.345.678/0001-90",
                 "city": "Sao Paulo", "state": "SP", "address": "Rua A, 1", "phone": "1133334444",
                 "email": "centro@example.com", "timeZone": "America/Sao_Paulo", "active": true}""");

        runner.runAll(List.of(CoreTables.EVO_PROSPECTS, CoreTables.EVO_EMPLOYEES, CoreTables.EVO_BRANCHES), false);

        assertThat(one("SELECT * FROM core.evo_prospects WHERE id_prospect = 5"))
                .containsEntry("first_name", "Bruno").containsEntry("last_name", "Lima")
                .containsEntry("email", "bruno@example.com").containsEntry("phone", "11988887777")
                .containsEntry("register_date", at("2024-04-20T15:00:00"))
                .containsEntry("conversion_date", at("2024-05-01T07:12:05")).containsEntry("id_member", 1001L)
                .containsEntry("id_branch", 3L).containsEntry("id_employee", 77L).containsEntry("origin", "Instagram");
        assertThat(one("SELECT * FROM core.evo_employees WHERE id_employee = 77"))
                .containsEntry("name", "Carla Dias").containsEntry("email", "carla@example.com")
                .containsEntry("id_branch", 3L).containsEntry("job_position", "Consultora").containsEntry("active", true)
                .containsEntry("register_date", at("2023-01-10T09:00:00")).containsEntry("is_deleted", false);
        assertThat(one("SELECT * FROM core.evo_branches WHERE id_branch = 3"))
                .containsEntry("name", "SkyFit Centro").containsEntry("internal_name", "SF-CTR")
                .containsEntry("cnpj", "12.345.678/0001-90").containsEntry("city", "Sao Paulo")
                .containsEntry("state", "SP").containsEntry("address", "Rua A, 1").containsEntry("phone", "1133334444")
                .containsEntry("email", "centro@example.com").containsEntry("time_zone", "America/Sao_Paulo")
                .containsEntry("active", true).containsEntry("is_deleted", false);
    }
}
