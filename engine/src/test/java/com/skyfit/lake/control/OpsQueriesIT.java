package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.testing.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpsQueriesIT {
    private static Database db;
    private static OpsQueries ops;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestPostgres.newDatabase();
        ops = new OpsQueries(db);
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO ops.runs (run_id, batch_id, source, scope, entity, started_at, completed_at, status,
                                          load_type, triggered_by, rows_extracted, duration_seconds, error_message)
                    VALUES ('r1', 'b1', 'pipedrive', 'commercial', 'deals', '2026-03-01T06:00Z', '2026-03-01T06:05Z',
                            'success', 'incremental', 'scheduler', 120, 300, NULL),
                           ('r2', 'b2', 'pipedrive', 'commercial', 'deals', '2026-03-02T06:00Z', '2026-03-02T06:01Z',
                            'failed', 'incremental', 'scheduler', 0, 60, 'HTTP 401 from the source'),
                           ('r3', 'b2', 'pipedrive', 'commercial', 'persons', '2026-03-02T06:00Z', NULL,
                            'running', 'incremental', 'scheduler', 5, NULL, NULL),
                           ('r4', 'b3', 'evo', 'main', 'sales', '2026-03-02T07:00Z', '2026-03-02T07:02Z',
                            'success', 'backfill', 'api', 7, 120, NULL)
                    """);
            st.execute("""
                    INSERT INTO ops.bronze_files (blob_path, source, scope, entity, run_id, written_at, status, attempts,
                                                  error_message)
                    VALUES ('bronze/pipedrive/a.jsonl.gz', 'pipedrive', 'commercial', 'deals', 'r1', '2026-03-01T06:01Z',
                            'loaded', 1, NULL),
                           ('bronze/pipedrive/b.jsonl.gz', 'pipedrive', 'commercial', 'deals', 'r1', '2026-03-01T06:02Z',
                            'failed', 3, 'unexpected end of gzip stream')
                    """);
            st.execute("INSERT INTO ops.transform_state (core_table, last_run_at) VALUES ('core.deals', '2026-03-01T06:05Z')");
            st.execute("CREATE SCHEMA IF NOT EXISTS core");
            st.execute("CREATE TABLE core.persons (id bigint, _updated_at timestamptz)");
            st.execute("INSERT INTO core.persons VALUES (1, '2026-03-02T06:03Z'), (2, '2026-02-20T00:00Z')");
        }
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void recentRunsAreNewestFirstAndFilterBySource() {
        assertThat(ops.recentRuns(null, 10)).extracting(OpsQueries.RunRow::runId).containsExactly("r4", "r2", "r3", "r1");
        assertThat(ops.recentRuns("pipedrive", 2)).extracting(OpsQueries.RunRow::runId).containsExactly("r2", "r3");
        OpsQueries.RunRow r1 = ops.recentRuns("pipedrive", 10).get(2);
        assertThat(r1.runId()).isEqualTo("r1");
        assertThat(r1.startedAt()).isEqualTo(Instant.parse("2026-03-01T06:00:00Z"));
        assertThat(r1.durationSeconds()).isEqualTo(300.0);
        assertThat(r1.rowsExtracted()).isEqualTo(120);
    }

    @Test
    void latestRunPerEntityPicksTheNewestOfEach() {
        assertThat(ops.latestRunPerEntity()).extracting(r -> r.entity() + "=" + r.status())
                .containsExactly("sales=success", "deals=failed", "persons=running");
    }

    @Test
    void failedFilesNameThePartAndTheReason() {
        assertThat(ops.failedFiles(10)).singleElement().satisfies(f -> {
            assertThat(f.blobPath()).isEqualTo("bronze/pipedrive/b.jsonl.gz");
            assertThat(f.attempts()).isEqualTo(3);
            assertThat(f.errorMessage()).contains("gzip");
        });
        assertThat(ops.failedFileCount()).isEqualTo(1);
    }

    @Test
    void freshnessCombinesTheTransformLedgerAndTheRows() {
        assertThat(ops.coreFreshness()).filteredOn(f -> !f.coreTable().startsWith("pd_") && !f.coreTable().startsWith("evo_")
                        && !f.coreTable().startsWith("chatwoot_") && !f.coreTable().startsWith("zd_"))
                .containsExactly(
                new OpsQueries.Freshness("deals", Instant.parse("2026-03-01T06:05:00Z"), null),
                new OpsQueries.Freshness("persons", null, Instant.parse("2026-03-02T06:03:00Z")));
    }

    @Test
    void healthIsDegradedAndSaysWhy() {
        OpsQueries.Health h = ops.health(Instant.parse("2026-03-02T12:00:00Z"), Duration.ofHours(26));

        assertThat(h.status()).isEqualTo("degraded");
        assertThat(h.failedFiles()).isEqualTo(1);
        assertThat(h.problems()).containsExactly(
                "latest run of pipedrive/commercial/deals failed: HTTP 401 from the source",
                "1 bronze part(s) failed to load",
                "core.deals not updated since 2026-03-01T06:05:00Z");
    }
}
