package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every declaration describes the table its migration created: the same columns with the same types. */
class DeclarationsMatchTablesIT {
    private static final Map<String, String> LINEAGE = Map.of("_stg_id", "bigint", "_source_blob", "text",
            "_source_line", "integer", "_run_id", "text", "_updated_at", "timestamptz", "_read_at",
            "timestamptz");
    private static Database db;

    @BeforeAll
    static void start() {
        db = TestPostgres.newDatabase();
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void declaredColumnsAndTypesAreTheMigratedOnes() {
        Staging staging = new Staging(db);
        // a hand-written step declares no columns: its migration alone describes its table
        for (CoreTable t : CoreTables.all().stream().filter(CoreTable::generated).toList()) {
            Map<String, String> columns = new LinkedHashMap<>(TableDdl.columns(t));
            columns.putAll(LINEAGE);
            String declared = columns.entrySet().stream()
                    .map(e -> "('" + e.getKey() + "', '" + e.getValue().split(" ")[0] + "'::regtype)")
                    .collect(Collectors.joining(", "));
            List<Map<String, Object>> differences = staging.rows("""
                    SELECT coalesce(d.name, a.attname) AS name, d.type::text AS declared, a.atttypid::regtype::text AS migrated
                    FROM (VALUES %s) d(name, type)
                    FULL JOIN (SELECT attname::text, atttypid FROM pg_attribute
                               WHERE attrelid = '%s'::regclass AND attnum > 0 AND NOT attisdropped) a
                           ON a.attname = d.name
                    WHERE d.type IS DISTINCT FROM a.atttypid""".formatted(declared, t.qualifiedName()));
            assertThat(differences).as(t.qualifiedName()).isEmpty();
        }
    }
}
