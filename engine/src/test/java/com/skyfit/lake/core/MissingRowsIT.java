package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pass on its own, over ledger, staging and core rows written by hand into a real PostgreSQL. */
class MissingRowsIT {
    private static final CoreTable STAGES = CoreTables.PD_STAGES;
    private Database db;

    @BeforeEach
    void start() {
        db = TestPostgres.newDatabase();
        // core holds stages 1..4 of scope a, written by run r0, and stage 9 of scope b
        run("r0", "a", "2026-01-01 00:00:00", true);
        for (long id = 1; id <= 4; id++) {
            core("a", id, "r0");
        }
        core("b", 9, "r0");
    }

    @AfterEach
    void stop() {
        db.close();
    }

    @Test
    void aCompleteReadFlagsExactlyTheKeysItNoLongerHasOfItsScopeAndCountsThem() {
        run("r1", "a", "2026-01-02 00:00:00", true);
        staged("r1", "a", "{\"id\": 1}", "{\"id\": 3}");
        assertThat(afterRun("r1")).isEqualTo(2);
        assertThat(flagged("a")).containsExactly(2L, 4L);
        assertThat(flagged("b")).isEmpty();
        assertThat(db.queryFirst("SELECT rows_deleted FROM ops.runs WHERE run_id = 'r1'", ps -> {}, rs -> rs.getLong(1))
                .orElseThrow()).isEqualTo(2);
        assertThat(db.query("SELECT deleted_by_run FROM core.pd_stages WHERE is_deleted", ps -> {}, rs -> rs.getString(1)))
                .containsOnly("r1");
        // the same read again: already flagged rows are not counted twice
        assertThat(afterRun("r1")).isZero();
    }

    @Test
    void aBoundedWindowAnEmptyReadOrAnUnknownKeyFlagNothing() {
        run("r1", "a", "2026-01-02 00:00:00", false);
        staged("r1", "a", "{\"id\": 1}");
        assertThat(afterRun("r1")).isZero();

        run("r2", "a", "2026-01-03 00:00:00", true);
        assertThat(afterRun("r2")).isZero(); // listed nothing at all

        run("r3", "a", "2026-01-04 00:00:00", true);
        staged("r3", "a", "{\"id\": 1}", "{\"name\": \"no id\"}");
        assertThat(afterRun("r3")).isZero();

        run("r4", "a", "2026-01-05 00:00:00", true);
        staged("r4", "a", "{\"id\": 1}", "{\"id\": \"seven\"}");
        assertThat(afterRun("r4")).isZero();
        assertThat(flagged("a")).isEmpty();
    }

    @Test
    void aRowARunStartedLaterWroteStaysLive() {
        run("r1", "a", "2026-01-02 00:00:00", true);
        run("r2", "a", "2026-01-03 00:00:00", true);
        db.execute("UPDATE core.pd_stages SET _run_id = 'r2' WHERE scope = 'a' AND id = 4", ps -> {});
        staged("r1", "a", "{\"id\": 1}");
        assertThat(afterRun("r1")).isEqualTo(2);
        assertThat(flagged("a")).containsExactly(2L, 3L);
    }

    private long afterRun(String runId) {
        return db.inTransaction(c -> MissingRows.afterRun(c, "pipedrive", "stages",
                db.queryFirst("SELECT scope FROM ops.runs WHERE run_id = ?", ps -> ps.setString(1, runId),
                        rs -> rs.getString(1)).orElseThrow(), runId));
    }

    private void run(String runId, String scope, String startedAt, boolean unbounded) {
        db.execute("INSERT INTO ops.runs (run_id, source, scope, entity, load_type, triggered_by, started_at) "
                + "VALUES (?, 'pipedrive', ?, 'stages', 'incremental', 'manual', ?::timestamptz)", ps -> {
                    ps.setString(1, runId);
                    ps.setString(2, scope);
                    ps.setString(3, startedAt + "+00");
                });
        db.execute("INSERT INTO ops.windows (run_id, window_start, window_end, status) VALUES (?, "
                + (unbounded ? "'-infinity'" : "'2026-01-01'") + ", 'infinity', 'extracted')", ps -> ps.setString(1, runId));
        db.execute("INSERT INTO ops.bronze_files (blob_path, source, scope, entity, run_id, status) "
                + "VALUES (?, 'pipedrive', ?, 'stages', ?, 'loaded')", ps -> {
                    ps.setString(1, "part-" + runId);
                    ps.setString(2, scope);
                    ps.setString(3, runId);
                });
    }

    private void staged(String runId, String scope, String... records) {
        int line = 0;
        for (String r : records) {
            int n = ++line;
            db.execute("INSERT INTO stg_pipedrive.stages_raw (scope, blob_path, line_no, run_id, raw) "
                    + "VALUES (?, ?, ?, ?, ?::jsonb)", ps -> {
                        ps.setString(1, scope);
                        ps.setString(2, "part-" + runId);
                        ps.setInt(3, n);
                        ps.setString(4, runId);
                        ps.setString(5, r);
                    });
        }
    }

    private void core(String scope, long id, String runId) {
        db.execute("INSERT INTO core.pd_stages (scope, id, is_deleted, _stg_id, _source_blob, _source_line, _run_id) "
                + "VALUES (?, ?, false, 0, 'part-' || ?, ?, ?)", ps -> {
                    ps.setString(1, scope);
                    ps.setLong(2, id);
                    ps.setString(3, runId);
                    ps.setLong(4, id);
                    ps.setString(5, runId);
                });
    }

    private List<Long> flagged(String scope) {
        return db.query("SELECT id FROM core.pd_stages WHERE scope = ? AND is_deleted ORDER BY id",
                ps -> ps.setString(1, scope), rs -> rs.getLong(1));
    }
}
