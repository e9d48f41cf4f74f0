package com.skyfit.lake.core;

import static com.skyfit.lake.core.EvoCoreIT.canceled;
import static com.skyfit.lake.core.EvoCoreIT.contract;
import static com.skyfit.lake.core.EvoCoreIT.member;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bench.StepStart;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's rounds of a core step start from the same state (StepStart): every table the step writes, its
 * state row and its staging rows' flags put back exactly as they were, so its next run does the same work. Here the
 * members' step, which writes a table the canceled-contracts step wrote first, over a member with a field that does
 * not cast (flagged 'warning') and one whose key does not (flagged 'invalid', and not read again once flagged), after
 * an earlier batch it consumed, beside a line the loader flagged and a flag the run rewrites.
 */
class StepStartIT {
    @TempDir
    Path folder;
    private Database db;
    private EvoBronze bronze;
    private TransformRunner runner;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        bronze = new EvoBronze(db, folder);
        runner = new TransformRunner(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aRestoredStepStartsFromExactlyWhatItCapturedAndDoesTheSameWorkAgain() throws Exception {
        bronze.load("member_memberships", "20260101T050000Z-c1", canceled(12, 1001, "moved away"));
        runner.run(CoreTables.EVO_MEMBER_MEMBERSHIPS, false);
        // an earlier batch, consumed: its flagged row lies before the captured point and is never touched
        bronze.load("members", "20260101T040000Z-m0",
                member(1000, "Active", "null").replace("1990-04-02T00:00:00", "the first of April"));
        runner.run(CoreTables.EVO_MEMBERS, false);
        bronze.load("members", "20260101T060000Z-m1",
                member(1001, "Active", "[" + contract(10, 1001, "active", null) + ", "
                        + contract(11, 1001, "active", null) + "]"),
                member(1002, "Active", "null").replace("1990-04-02T00:00:00", "the second of April"),
                member(1003, "Active", "null").replaceFirst("\"idMember\": 1003", "\"idMember\": \"x1003\""),
                "{\"idMember\": 1004, \"firstName\": ");
        // flagged by the loader (a line that is not JSON), and one flagged earlier with a message the run replaces
        assertThat(count("SELECT count(*) FROM stg_evo.members_raw WHERE validation_status = 'invalid'")).isOne();
        execute("UPDATE stg_evo.members_raw SET validation_status = 'warning', error_message = 'an older message' "
                + "WHERE raw ->> 'idMember' = '1002'");
        String started = state(true);
        assertThat(started).contains("consumed 1\n").contains("warning an older message")
                .contains("warning birthDate not a date: the first of April");

        try (StepStart start = StepStart.capture(db, CoreTables.EVO_MEMBERS)) {
            assertThat(start.copies()).containsEntry("core.evo_members", "bench.core_evo_members_before")
                    .containsEntry("core.evo_member_contacts", "bench.core_evo_member_contacts_before")
                    .containsEntry("core.evo_member_memberships", "bench.core_evo_member_memberships_before");
            assertThat(state(true)).as("capturing changes nothing").isEqualTo(started);

            TransformResult first = runner.run(CoreTables.EVO_MEMBERS, false);
            assertThat(first.inserted()).as("1001 and 1002").isEqualTo(2);
            assertThat(first.warned()).as("1002's date, 1003's key").isEqualTo(2);
            String firstWrote = state(false);
            assertThat(firstWrote).doesNotContain("an older message").contains("the second of April");
            assertThat(count("SELECT count(*) FROM stg_evo.members_raw WHERE validation_status = 'invalid'"))
                    .isEqualTo(2);

            start.restore();
            assertThat(state(true)).as("every column, _updated_at included, the state row and the flags")
                    .isEqualTo(started);

            TransformResult again = runner.run(CoreTables.EVO_MEMBERS, false);
            assertThat(List.of(again.candidates(), again.inserted(), again.updated(), again.unchanged(),
                    again.deleted(), again.warned())).isEqualTo(List.of(first.candidates(), first.inserted(),
                    first.updated(), first.unchanged(), first.deleted(), first.warned()));
            assertThat(state(false)).as("what the second run left, but for write times").isEqualTo(firstWrote);
        }
        assertThat(count("SELECT count(*) FROM pg_tables WHERE schemaname = 'bench'")).as("copies dropped").isZero();
    }

    @Test
    void aPartitionedStagingTableHasItsFlagsSetBackToo() throws Exception {
        bronze.load("entries", "20260102T060000Z-e1",
                EvoCoreIT.entry("2026-01-02T07:00:00", 1, null, "Access", "Turnstile 1", null),
                EvoCoreIT.entry("2026-01-02T07:00:01", 2, null, "Access", "Turnstile 1", null),
                "{\"date\": null, \"idMember\": 3, \"idBranch\": 3}");
        assertThat(count("SELECT count(*) FROM pg_partition_tree('stg_evo.entries_raw') WHERE isleaf")).isPositive();
        String started = entriesState();
        try (StepStart start = StepStart.capture(db, CoreTables.EVO_ENTRIES)) {
            TransformResult first = runner.run(CoreTables.EVO_ENTRIES, false);
            assertThat(first.inserted()).isEqualTo(2);
            assertThat(first.warned()).as("the entry without a date has no key").isOne();
            assertThat(entriesState()).isNotEqualTo(started);
            start.restore();
            assertThat(entriesState()).isEqualTo(started);
            assertThat(runner.run(CoreTables.EVO_ENTRIES, false).warned()).isOne();
        }
    }

    private String entriesState() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM core.evo_entries), stg_id, "
                        + "validation_status, error_message FROM stg_evo.entries_raw ORDER BY stg_id")) {
            while (rs.next()) {
                out.append(rs.getLong(1)).append(' ').append(rs.getLong(2)).append(' ').append(rs.getString(3))
                        .append(' ').append(rs.getString(4)).append('\n');
            }
        }
        return out.toString();
    }

    private void execute(String sql) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The tables the members' step writes (as JSON, sorted), its state row and its staging rows' flags. */
    private String state(boolean withWriteTimes) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            for (String t : CoreTables.EVO_MEMBERS.writtenTables()) {
                String row = withWriteTimes ? "to_jsonb(x)" : "to_jsonb(x) - '_updated_at'";
                try (ResultSet rs = st.executeQuery("SELECT coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '') "
                        + "FROM (SELECT " + row + " AS r FROM " + t + " x) y")) {
                    rs.next();
                    out.append(t).append(":\n").append(rs.getString(1)).append('\n');
                }
            }
            if (withWriteTimes) {
                try (ResultSet rs = st.executeQuery("SELECT (SELECT last_stg_id FROM ops.transform_state "
                        + "WHERE core_table = 'core.evo_members')")) {
                    rs.next();
                    out.append("consumed ").append(rs.getString(1)).append('\n');
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT stg_id, validation_status, error_message "
                    + "FROM stg_evo.members_raw ORDER BY stg_id")) {
                while (rs.next()) {
                    out.append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(' ')
                            .append(rs.getString(3)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
