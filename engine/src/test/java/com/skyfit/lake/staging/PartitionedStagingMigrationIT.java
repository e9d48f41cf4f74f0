package com.skyfit.lake.staging;

import static com.skyfit.lake.staging.PartitionedStagingIT.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** A deployment whose EVO entries and sales staging already hold rows keeps every one of them, ids included. */
class PartitionedStagingMigrationIT {

    @Test
    void existingRowsMoveIntoMonthPartitionsWithTheirIdsAndNewIdsContinueAfterThem() {
        Map<String, String> s = TestPostgres.newEmptyDatabaseSettings();
        try (Database db = Database.external(s.get("SKYFIT_PG_URL"), s.get("SKYFIT_PG_USER"),
                Secret.of(s.get("SKYFIT_PG_PASSWORD")))) {
            flyway(db).target(lastVersionBefore(65)).load().migrate();
            assertThat(rows(db, "SELECT relkind::text FROM pg_class WHERE oid = 'stg_evo.sales_raw'::regclass"))
                    .containsExactly("r");
            db.execute("""
                    INSERT INTO stg_evo.sales_raw (scope, blob_path, line_no, run_id, raw, validation_status, error_message)
                    SELECT 'gym', 'bronze/evo/scope=gym/entity=sales/ingestion_date=2024-0' || (1 + g % 2)
                               || '-1' || (g % 2) || '/run_id=r' || (g % 2) || '/part-00000.jsonl.gz',
                           g, 'r' || (g % 2), jsonb_build_object('idSale', g),
                           CASE WHEN g = 7 THEN 'warning' ELSE 'valid' END, CASE WHEN g = 7 THEN 'kept' END
                    FROM generate_series(1, 500) g""", ps -> {});
            // a row typed in by hand, with no bronze path, and ids handed out but rolled back (a failed load)
            db.execute("INSERT INTO stg_evo.sales_raw (scope, blob_path, line_no, run_id, raw) "
                    + "VALUES ('gym', 'by hand', 1, 'manual', '{}')", ps -> {});
            rows(db, "SELECT nextval(pg_get_serial_sequence('stg_evo.sales_raw', 'stg_id'))::text "
                    + "FROM generate_series(1, 9)");
            db.execute("INSERT INTO stg_evo.entries_raw (scope, blob_path, line_no, run_id, raw) VALUES ('gym', "
                    + "'bronze/evo/scope=gym/entity=entries/ingestion_date=2024-03-31/run_id=e/part-00000.jsonl.gz', 1, "
                    + "'e', '{\"idMember\": 1}')", ps -> {});
            String before = rows(db, "SELECT md5(string_agg(stg_id || blob_path || line_no || run_id || raw::text "
                    + "|| validation_status || coalesce(error_message, '') || ingested_at, ',' ORDER BY stg_id)) "
                    + "FROM stg_evo.sales_raw").get(0);

            flyway(db).load().migrate();

            assertThat(rows(db, "SELECT relkind::text FROM pg_class WHERE oid = 'stg_evo.sales_raw'::regclass"))
                    .containsExactly("p");
            assertThat(rows(db, "SELECT md5(string_agg(stg_id || blob_path || line_no || run_id || raw::text "
                    + "|| validation_status || coalesce(error_message, '') || ingested_at, ',' ORDER BY stg_id)) "
                    + "FROM stg_evo.sales_raw")).containsExactly(before);
            assertThat(rows(db, "SELECT tableoid::regclass || ' ' || count(*) FROM stg_evo.sales_raw GROUP BY tableoid "
                    + "ORDER BY 1")).containsExactly("stg_evo.sales_raw_p202401 250", "stg_evo.sales_raw_p202402 250",
                    "stg_evo.sales_raw_undated 1");
            assertThat(rows(db, "SELECT tableoid::regclass || ' ' || ingestion_date FROM stg_evo.entries_raw"))
                    .containsExactly("stg_evo.entries_raw_p202403 2024-03-31");
            // the next id comes after every id the old table handed out, used or not
            db.execute("INSERT INTO stg_evo.sales_raw (scope, blob_path, line_no, run_id, raw) "
                    + "VALUES ('gym', 'by hand', 2, 'manual', '{}')", ps -> {});
            assertThat(rows(db, "SELECT max(stg_id)::text FROM stg_evo.sales_raw")).containsExactly("511");
            assertThat(rows(db, "SELECT count(*)::text FROM pg_class WHERE relname LIKE '%unpartitioned%'"))
                    .containsExactly("0");
        }
    }

    /** The newest migration version below the given one (the ranges before this one fill up independently). */
    private static String lastVersionBefore(int version) {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(
                java.nio.file.Path.of("..", "sql", "migrations"))) {
            return String.valueOf(files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d{3}__.*"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, 4))).filter(v -> v < version).max().orElseThrow());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(Database db) {
        return Flyway.configure().dataSource(db.dataSource()).locations("classpath:sql/migrations").schemas("ops")
                .createSchemas(true);
    }
}
