package com.skyfit.lake.core;

import static com.skyfit.lake.core.ColumnType.BIGINT;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A transform over a staging table partitioned by ingestion month: rows of different partitions share addresses
 * (ctid), and a warning must reach only the row that has the problem.
 */
class PartitionedStagingIT {
    static final CoreTable THINGS = CoreTable.declare("part", "things", "part_things")
            .key(Column.of("id", BIGINT, "id")).columns(Column.of("n", BIGINT, "n")).build();

    private Database db;
    private Staging staging;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        staging.execute("""
                CREATE SCHEMA stg_part;
                CREATE TABLE stg_part.things_raw (
                    stg_id bigint GENERATED ALWAYS AS IDENTITY, scope text NOT NULL, blob_path text NOT NULL,
                    line_no integer NOT NULL, run_id text NOT NULL, ingested_at timestamptz NOT NULL DEFAULT now(),
                    raw jsonb NOT NULL, validation_status text NOT NULL DEFAULT 'valid', error_message text
                ) PARTITION BY RANGE (ingested_at);
                CREATE TABLE stg_part.things_raw_2026_01 PARTITION OF stg_part.things_raw
                    FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
                CREATE TABLE stg_part.things_raw_2026_02 PARTITION OF stg_part.things_raw
                    FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
                """ + TableDdl.of(THINGS));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aWarningFlagsOnlyItsOwnRowWhenPartitionsShareAddresses() {
        staging.execute("""
                INSERT INTO stg_part.things_raw (scope, blob_path, line_no, run_id, ingested_at, raw) VALUES
                    ('a', 'p1', 1, 'run-1', '2026-01-15', '{"id": 1, "n": 10}'),
                    ('a', 'p2', 1, 'run-2', '2026-02-15', '{"id": 2, "n": "ten"}')""");
        assertThat(staging.one("SELECT count(DISTINCT ctid) AS n FROM stg_part.things_raw").get("n"))
                .as("both rows are the first of their partition").isEqualTo(1L);

        TransformResult r = new TransformRunner(db).run(THINGS, false);

        assertThat(r.inserted()).isEqualTo(2);
        assertThat(r.warned()).isEqualTo(1);
        assertThat(staging.rows("SELECT line_no, blob_path, validation_status, error_message FROM stg_part.things_raw "
                + "ORDER BY blob_path")).containsExactly(
                rowOf("p1", "valid", null), rowOf("p2", "warning", "n not an integer: ten"));
    }

    private static Map<String, Object> rowOf(String blob, String status, String message) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("line_no", 1);
        m.put("blob_path", blob);
        m.put("validation_status", status);
        m.put("error_message", message);
        return m;
    }
}
