package com.skyfit.lake.core;

import static com.skyfit.lake.core.EvoCoreIT.canceled;
import static com.skyfit.lake.core.EvoCoreIT.contract;
import static com.skyfit.lake.core.EvoCoreIT.member;
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
 * Which child rows a member read flags deleted: only when the member carries the array, and in the contracts table
 * (written by the members' memberships[] and by /api/v2/membermembership) only rows the members' read wrote.
 */
class EvoChildDeletesIT {
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

    /** Both steps, members first or canceled contracts first. */
    private void transform(boolean membersFirst) {
        runner.runAll(membersFirst ? List.of(CoreTables.EVO_MEMBERS, CoreTables.EVO_MEMBER_MEMBERSHIPS)
                : List.of(CoreTables.EVO_MEMBER_MEMBERSHIPS, CoreTables.EVO_MEMBERS), false);
    }

    private Map<Long, Boolean> deletedContracts() {
        Map<Long, Boolean> out = new java.util.TreeMap<>();
        staging.rows("SELECT id_member_membership, is_deleted FROM core.evo_member_memberships")
                .forEach(r -> out.put((Long) r.get("id_member_membership"), (Boolean) r.get("is_deleted")));
        return out;
    }

    private Map<Long, Boolean> deletedContacts() {
        Map<Long, Boolean> out = new java.util.TreeMap<>();
        staging.rows("SELECT id_phone, is_deleted FROM core.evo_member_contacts")
                .forEach(r -> out.put((Long) r.get("id_phone"), (Boolean) r.get("is_deleted")));
        return out;
    }

    /** The member record without its memberships and contacts keys. */
    private static String withoutArrays(long id) {
        return member(id, "Active", "null").replaceAll("(?s),\\s*\"contacts\": \\[.*\\],\\s*\"memberships\": null", "");
    }

    @Test
    void aMemberWithoutTheArrayOrWithNullLeavesItsChildrenAlone() {
        bronze.load("members", "20260101T060000Z-m1", member(1001, "Active", "[" + contract(10, 1001, "active", null)
                + ", " + contract(11, 1001, "active", null) + "]"));
        transform(true);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 11L, false));
        assertThat(deletedContacts()).isEqualTo(Map.of(501L, false, 502L, false));

        String bare = withoutArrays(1001);
        assertThat(bare).doesNotContain("memberships").doesNotContain("contacts");
        bronze.load("members", "20260102T060000Z-m2", bare);
        transform(true);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 11L, false));
        assertThat(deletedContacts()).isEqualTo(Map.of(501L, false, 502L, false));

        bronze.load("members", "20260103T060000Z-m3", member(1001, "Active", "null").replace(
                "\"contacts\": [", "\"contacts\": null, \"x\": ["));
        transform(true);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 11L, false));
        assertThat(deletedContacts()).isEqualTo(Map.of(501L, false, 502L, false));

        // an empty array does say the member has none any more
        bronze.load("members", "20260104T060000Z-m4", member(1001, "Active", "[" + contract(10, 1001, "active", null) + "]"));
        transform(true);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 11L, true));
    }

    @Test
    void aMemberReadNeverDeletesAContractOnlyTheCanceledEndpointWroteMembersFirst() {
        canceledContractThenMemberReads(true);
    }

    @Test
    void aMemberReadNeverDeletesAContractOnlyTheCanceledEndpointWroteContractsFirst() {
        canceledContractThenMemberReads(false);
    }

    private void canceledContractThenMemberReads(boolean membersFirst) {
        bronze.load("member_memberships", "20260101T060000Z-c1", canceled(20, 1001, "Mudou de cidade"));
        bronze.load("members", "20260102T060000Z-m1", member(1001, "Active", "[" + contract(10, 1001, "active", null) + "]"));
        transform(membersFirst);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 20L, false));

        bronze.load("members", "20260103T060000Z-m2", withoutArrays(1001));
        transform(membersFirst);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 20L, false));

        // the canceled endpoint read again, then the member again: nothing flips
        bronze.load("member_memberships", "20260104T060000Z-c2", canceled(20, 1001, "Mudou de cidade"));
        bronze.load("members", "20260105T060000Z-m3", member(1001, "Active", "[" + contract(10, 1001, "active", null) + "]"));
        transform(membersFirst);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 20L, false));
        assertThat(staging.one("SELECT membership_status, cancel_reason FROM core.evo_member_memberships "
                + "WHERE id_member_membership = 20")).containsEntry("membership_status", "canceled")
                .containsEntry("cancel_reason", "Mudou de cidade");
    }

    @Test
    void aContractTheMemberListedThenTheCanceledEndpointReadDoesNotFlipMembersFirst() {
        listedThenCanceled(true);
    }

    @Test
    void aContractTheMemberListedThenTheCanceledEndpointReadDoesNotFlipContractsFirst() {
        listedThenCanceled(false);
    }

    private void listedThenCanceled(boolean membersFirst) {
        bronze.load("members", "20260101T060000Z-m1", member(1001, "Active", "[" + contract(10, 1001, "active", null)
                + ", " + contract(20, 1001, "active", null) + "]"));
        transform(membersFirst);
        // canceled: the endpoint has it, the member no longer lists it (its list leaves canceled contracts out)
        bronze.load("member_memberships", "20260102T060000Z-c1", canceled(20, 1001, "Financeiro"));
        bronze.load("members", "20260103T060000Z-m2", member(1001, "Active", "[" + contract(10, 1001, "active", null) + "]"));
        transform(membersFirst);
        // The catalog (and so every batch) transforms the canceled contracts first. In the other order the member
        // read, newer than the canceled read not yet applied, flags the contract it wrote itself; the next read of
        // the canceled endpoint clears it, and from then on no read of either input flips it.
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 20L, membersFirst));

        for (int i = 0; i < 2; i++) {
            bronze.load("member_memberships", "2026010" + (4 + 2 * i) + "T060000Z-c", canceled(20, 1001, "Financeiro"));
            transform(membersFirst);
            assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 20L, false));
            bronze.load("members", "2026010" + (5 + 2 * i) + "T060000Z-m", member(1001, "Active",
                    "[" + contract(10, 1001, "active", null) + "]"));
            transform(membersFirst);
            assertThat(deletedContracts()).isEqualTo(Map.of(10L, false, 20L, false));
        }

        // a contract the member wrote and no longer lists is still flagged
        bronze.load("members", "20260109T060000Z-m9", member(1001, "Active", "[]"));
        transform(membersFirst);
        assertThat(deletedContracts()).isEqualTo(Map.of(10L, true, 20L, false));

        // a full refresh of both ends where the incremental runs did
        List<Map<String, Object>> before = staging.rows("SELECT id_member_membership, membership_status, is_deleted, "
                + "_run_id FROM core.evo_member_memberships ORDER BY 1");
        runner.run(CoreTables.EVO_MEMBERS, true);
        runner.run(CoreTables.EVO_MEMBER_MEMBERSHIPS, true);
        assertThat(staging.rows("SELECT id_member_membership, membership_status, is_deleted, _run_id "
                + "FROM core.evo_member_memberships ORDER BY 1")).isEqualTo(before);
    }
}
