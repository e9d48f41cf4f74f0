package com.skyfit.lake.staging;

import static com.skyfit.lake.staging.PartitionedStagingIT.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Staging tables lose the unique B-tree over (blob_path, line_no) and gain the BRIN index over blob_path the
 * loader's delete uses: existing tables with their rows and partitions, and every table made later.
 */
class StagingKeyMigrationIT {
    /** Staging tables and partitions with a unique index, or without the BRIN index over blob_path. */
    private static final String OFF_PATTERN = """
            SELECT c.oid::regclass::text || CASE WHEN u.n > 0 THEN ' has a unique index' ELSE ' has no part index' END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE i.indisunique) AS n,
                                       count(*) FILTER (WHERE am.amname = 'brin' AND a.attname = 'blob_path') AS brin
                                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
                                LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                                WHERE i.indrelid = c.oid) x
            CROSS JOIN LATERAL (SELECT x.n) u
            WHERE n.nspname LIKE 'stg\\_%' AND c.relkind IN ('r', 'p') AND (x.n > 0 OR x.brin = 0)
            ORDER BY 1""";

    @Test
    void existingTablesKeepEveryRowAndNewTablesAreMadeTheSameWay() {
        Map<String, String> s = TestPostgres.newEmptyDatabaseSettings();
        try (Database db = Database.external(s.get("SKYFIT_PG_URL"), s.get("SKYFIT_PG_USER"),
                Secret.of(s.get("SKYFIT_PG_PASSWORD")))) {
            flyway(db).target("65").load().migrate();
            assertThat(rows(db, OFF_PATTERN)).contains("stg_evo.entries_raw has a unique index",
                    "stg_pipedrive.deals_raw has a unique index");
            rows(db, "SELECT ops.ensure_staging_partition('stg_evo', 'entries', d) "
                    + "FROM unnest(ARRAY[date '2024-01-10', date '2024-02-10']) d");
            db.execute("""
                    INSERT INTO stg_evo.entries_raw (scope, blob_path, line_no, run_id, ingestion_date, raw)
                    SELECT 'gym', 'bronze/evo/scope=gym/entity=entries/ingestion_date=2024-0' || (1 + g % 2)
                               || '-10/run_id=r/part-00000.jsonl.gz', g, 'r', date '2024-01-10' + 31 * (g % 2),
                           jsonb_build_object('idMember', g)
                    FROM generate_series(1, 300) g""", ps -> {});
            db.execute("""
                    INSERT INTO stg_pipedrive.deals_raw (scope, blob_path, line_no, run_id, raw)
                    SELECT 'main', 'bronze/pipedrive/scope=main/entity=deals/ingestion_date=2024-01-10/run_id=r/'
                               || 'part-00000.jsonl.gz', g, 'r', jsonb_build_object('id', g)
                    FROM generate_series(1, 200) g""", ps -> {});
            String before = checksum(db);

            flyway(db).load().migrate();

            assertThat(rows(db, OFF_PATTERN)).isEmpty();
            assertThat(checksum(db)).isEqualTo(before);
            assertThat(rows(db, "SELECT count(*)::text FROM pg_inherits WHERE inhparent = 'stg_evo.entries_raw'::regclass"))
                    .containsExactly("3");

            // a source added later: a plain table, then converted to month partitions with its rows
            rows(db, "SELECT ops.create_staging_table('stg_later', 'things')::text");
            db.execute("INSERT INTO stg_later.things_raw (scope, blob_path, line_no, run_id, raw) VALUES ('x', "
                    + "'bronze/later/scope=x/entity=things/ingestion_date=2024-05-02/run_id=r/part-00000.jsonl.gz', 1, "
                    + "'r', '{}')", ps -> {});
            rows(db, "SELECT ops.create_partitioned_staging_table('stg_later', 'things')::text");
            rows(db, "SELECT ops.ensure_staging_partition('stg_later', 'things', date '2024-06-01')");
            assertThat(rows(db, OFF_PATTERN)).isEmpty();
            assertThat(rows(db, "SELECT tableoid::regclass::text FROM stg_later.things_raw"))
                    .containsExactly("stg_later.things_raw_p202405");
        }
    }

    private static String checksum(Database db) {
        return rows(db, "SELECT (SELECT md5(string_agg(stg_id || blob_path || line_no || raw::text, ',' ORDER BY stg_id))"
                + " FROM stg_evo.entries_raw) || (SELECT md5(string_agg(stg_id || blob_path || line_no || raw::text, ','"
                + " ORDER BY stg_id)) FROM stg_pipedrive.deals_raw)").get(0);
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(Database db) {
        return Flyway.configure().dataSource(db.dataSource()).locations("classpath:sql/migrations").schemas("ops")
                .createSchemas(true);
    }
}
