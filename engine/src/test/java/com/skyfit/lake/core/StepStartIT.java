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
 * not cast (flagged 'warning') and one whose key does not (flagged 'invalid', and not read again once flagged).
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
        bronze.load("members", "20260101T060000Z-m1",
                member(1001, "Active", "[" + contract(10, 1001, "active", null) + ", "
                        + contract(11, 1001, "active", null) + "]"),
                member(1002, "Active", "null").replace("1990-04-02T00:00:00", "the second of April"),
                member(1003, "Active", "null").replaceFirst("\"idMember\": 1003", "\"idMember\": \"x1003\""));
        String started = state(true);

        try (StepStart start = StepStart.capture(db, CoreTables.EVO_MEMBERS)) {
            assertThat(start.copies()).containsEntry("core.evo_members", null)
                    .containsEntry("core.evo_member_contacts", null)
                    .containsEntry("core.evo_member_memberships", "bench.core_evo_member_memberships_before");
            assertThat(state(true)).as("capturing changes nothing").isEqualTo(started);

            TransformResult first = runner.run(CoreTables.EVO_MEMBERS, false);
            assertThat(first.inserted()).isEqualTo(2);
            assertThat(first.warned()).as("one warning, one invalid key").isEqualTo(2);
            String firstWrote = state(false);
            assertThat(state(true)).isNotEqualTo(started);
            assertThat(count("SELECT count(*) FROM stg_evo.members_raw WHERE validation_status = 'invalid'")).isOne();

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
                try (ResultSet rs = st.executeQuery("SELECT coalesce((SELECT last_stg_id FROM ops.transform_state "
                        + "WHERE core_table = 'core.evo_members'), 0)")) {
                    rs.next();
                    out.append("consumed ").append(rs.getLong(1)).append('\n');
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
