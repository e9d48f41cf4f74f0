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

    /**
     * The transform skips the probe of a key that sorts after the primary key's last entry (TransformSql.stored):
     * that holds only when the primary key is (scope, the declared key) in that order, sorted by each column's
     * default ordering, as the statement's row comparison and ORDER BY sort them.
     */
    @Test
    void everyPrimaryKeyIsTheScopeThenTheDeclaredKeyInDefaultOrder() {
        Staging staging = new Staging(db);
        for (CoreTable t : CoreTables.all().stream().filter(CoreTable::generated).toList()) {
            List<String> expected = new java.util.ArrayList<>(List.of("scope"));
            t.key().forEach(c -> expected.add(c.name()));
            List<Map<String, Object>> columns = staging.rows("""
                    SELECT a.attname::text AS name, k.ord, i.indcollation[k.ord - 1] AS index_collation,
                           a.attcollation AS column_collation, i.indoption[k.ord - 1] AS option,
                           opc.opcdefault AS default_opclass
                    FROM pg_index i
                    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    JOIN pg_opclass opc ON opc.oid = i.indclass[k.ord - 1]
                    WHERE i.indrelid = '%s'::regclass AND i.indisprimary
                    ORDER BY k.ord""".formatted(t.qualifiedName()));
            assertThat(columns).as(t.qualifiedName()).extracting(r -> r.get("name")).containsExactlyElementsOf(expected);
            assertThat(columns).as(t.qualifiedName() + ": default opclass, ascending, the column's own collation")
                    .allSatisfy(r -> {
                        assertThat(r.get("default_opclass")).isEqualTo(true);
                        assertThat(((Number) r.get("option")).intValue()).isZero();
                        assertThat(String.valueOf(r.get("index_collation")))
                                .isEqualTo(String.valueOf(r.get("column_collation")));
                    });
        }
    }
}
