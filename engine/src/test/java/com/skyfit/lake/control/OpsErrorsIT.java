package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.skyfit.lake.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Run errors as operators see them: the sentence and the SQLSTATE, no rows, statements or server context. */
class OpsErrorsIT {
    private static Database db;
    private static OpsQueries ops;

    @BeforeAll
    static void setUp() {
        db = TestPostgres.newDatabase();
        ops = new OpsQueries(db);
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void realDatabaseErrorsLoseTheirInternalsButKeepTheSentenceAndCode() throws Exception {
        // real failures from the real server, worded as the engine stores them today
        Database.DatabaseException badJson = catchThrowableOfType(Database.DatabaseException.class,
                () -> db.query("SELECT ('{\"token\": \"abc\", \"v\": ' || 'secret-row-value' || '}')::jsonb",
                        ps -> {}, rs -> 1));
        SQLException duplicate = duplicateKey();
        assertThat(badJson.getMessage()).contains("Detail:").contains("secret-row-value").contains("SELECT");
        assertThat(duplicate.getMessage()).contains("Detail:").contains("(run_id)=(dup)");
        insertRun("e1", "2026-03-01T06:00Z", badJson.getMessage());
        insertRun("e2", "2026-03-01T07:00Z", "3 bronze parts not loaded into staging; first: failed: bronze/x ("
                + duplicate.getMessage() + ")");
        insertFailedFile("bronze/pipedrive/bad.jsonl.gz", "PostgreSQL refused the load (SQLSTATE 22P02): "
                + badJson.getCause().getMessage());

        OpsQueries.RunRow e1 = ops.recentRuns("errs", 10).get(1);
        OpsQueries.RunRow e2 = ops.recentRuns("errs", 10).get(0);

        assertThat(e1.errorMessage()).isEqualTo("Database error (SQLSTATE 22P02): invalid input syntax for type json");
        assertThat(e2.errorMessage()).startsWith("3 bronze parts not loaded into staging; first: failed: bronze/x (")
                .contains("duplicate key value violates unique constraint").doesNotContain("Detail", "(run_id)=(dup)");
        assertThat(ops.failedFiles(10).get(0).errorMessage())
                .isEqualTo("PostgreSQL refused the load (SQLSTATE 22P02): invalid input syntax for type json");
        OpsQueries.Health health = ops.health(Instant.parse("2026-03-02T00:00:00Z"), Duration.ofDays(1));
        assertThat(String.join("\n", health.problems())).doesNotContain("Where:", "Detail:", "secret-row-value", "SELECT");
        assertThat(ErrorText.of(duplicate)).isEqualTo(
                "duplicate key value violates unique constraint \"runs_pkey\" (SQLSTATE 23505)");
    }

    @Test
    void stagingNamesAreQuotedWhereverTheyReachSql() throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("SELECT ops.create_staging_table('stg_odd-source', 'we\"ird')");
            st.execute("INSERT INTO \"stg_odd-source\".\"we\"\"ird_raw\" (scope, blob_path, line_no, run_id, raw,"
                    + " validation_status, error_message) VALUES ('main', 'bronze/x', 1, 'r', '\"x\"', 'invalid', 'bad')");
        }

        assertThat(ops.validationIssues()).anySatisfy(i -> {
            assertThat(i.stagingTable()).isEqualTo("stg_odd-source.we\"ird_raw");
            assertThat(i.rows()).isEqualTo(1);
            assertThat(i.example()).isEqualTo("bad");
        });
    }

    private static SQLException duplicateKey() throws SQLException {
        insertRun("dup", "2026-02-01T00:00Z", null);
        try {
            insertRun("dup", "2026-02-01T00:00Z", null);
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("the second insert should have failed");
    }

    private static void insertRun(String id, String startedAt, String error) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, started_at, status, load_type,
                                      triggered_by, error_message)
                VALUES (?, 'b', 'errs', 'main', 'deals', ?::timestamptz, 'failed', 'incremental', 'manual', ?)""")) {
            ps.setString(1, id);
            ps.setString(2, startedAt);
            ps.setString(3, error);
            ps.executeUpdate();
        }
    }

    private static void insertFailedFile(String path, String error) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO ops.bronze_files (blob_path, source, scope, entity, status, attempts, error_message)
                VALUES (?, 'errs', 'main', 'deals', 'failed', 1, ?)""")) {
            ps.setString(1, path);
            ps.setString(2, error);
            ps.executeUpdate();
        }
    }
}
