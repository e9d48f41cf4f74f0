package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bench.TransformBenchmark;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** core.evo_sales over generated EVO-like sales (nested items and receivables), and the benchmark on a small set. */
class EvoSalesTransformIT {
    private static final String SALES = "stg_evo.sales_raw";

    /** :n sales of about 1 KB each; every 50th is removed. Sale g: 2 items worth 119.90 + g % 7 and 49.90. */
    static final String GENERATE = """
            INSERT INTO stg_evo.sales_raw (scope, blob_path, line_no, run_id, raw)
            SELECT 'gym', 'bronze/evo/scope=gym/entity=sales/part-' || lpad((g / 10000)::text, 5, '0') || '.jsonl.gz',
                   g %% 10000 + 1, '%s',
                   jsonb_build_object(
                     'idSale', g, 'idMember', 100000 + g %% 5000, 'idProspect', null, 'idEmployeeSale', g %% 40,
                     'saleDate', to_char(timestamp '2024-01-01' + g * interval '61 second', 'YYYY-MM-DD"T"HH24:MI:SS'),
                     'removed', g %% 50 = 0,
                     'removalDate', CASE WHEN g %% 50 = 0 THEN '2024-02-01T10:00:00' END,
                     'idBranch', 1 + g %% 12, 'observations', 'Venda no balcao ' || g,
                     'saleItens', jsonb_build_array(
                         jsonb_build_object('idSaleItem', g * 2, 'description', 'PLANO MENSAL', 'itemValue', 129.90,
                                            'saleValue', 119.90 + g %% 7, 'quantity', 1, 'discount', 10.00),
                         jsonb_build_object('idSaleItem', g * 2 + 1, 'description', 'TAXA DE MATRICULA',
                                            'itemValue', 49.90, 'saleValue', 49.90, 'quantity', 1, 'discount', 0)),
                     'receivables', jsonb_build_array(
                         jsonb_build_object('idReceivable', g * 3, 'ammount', 84.90, 'dueDate', '2024-02-01T00:00:00',
                                            'status', jsonb_build_object('id', 2, 'name', 'Recebido')),
                         jsonb_build_object('idReceivable', g * 3 + 1, 'ammount', 84.90 + g %% 7,
                                            'dueDate', '2024-03-01T00:00:00',
                                            'status', jsonb_build_object('id', 1, 'name', 'Em aberto'))))
            FROM generate_series(1, %d) g
            """;

    private Database db;
    private Staging staging;
    private TransformRunner runner;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        runner = new TransformRunner(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private void generate(int n, String runId) {
        staging.execute(String.format(GENERATE, runId, n));
    }

    private Map<String, Object> sale(long id) {
        return staging.one("SELECT * FROM core.evo_sales WHERE scope = 'gym' AND id_sale = " + id);
    }

    @Test
    void salesBecomeTypedRowsWithTotalsFromTheirItems() {
        generate(2000, "run-1");

        TransformResult r = runner.run(CoreTables.EVO_SALES, false);

        assertThat(r.perRun()).containsExactly(new TransformResult.RunCounts("run-1", 2000, 2000, 0, 0, 40));
        assertThat(r.warned()).isZero();
        Map<String, Object> s = sale(8);
        assertThat(s).containsEntry("id_member", 100008L).containsEntry("id_branch", 9L)
                .containsEntry("id_employee_sale", 8L).containsEntry("id_prospect", null)
                .containsEntry("removed", false).containsEntry("items_count", 2).containsEntry("receivables_count", 2);
        assertThat((BigDecimal) s.get("total_value")).isEqualByComparingTo("170.80");
        assertThat((BigDecimal) s.get("receivables_total")).isEqualByComparingTo("170.80");
        assertThat(staging.one("SELECT sale_date FROM core.evo_sales WHERE id_sale = 8").get("sale_date").toString())
                .isEqualTo(java.sql.Timestamp.valueOf(LocalDateTime.of(2024, 1, 1, 0, 8, 8)).toString());
        assertThat(staging.one("SELECT jsonb_array_length(items) AS n, items -> 0 ->> 'description' AS d "
                + "FROM core.evo_sales WHERE id_sale = 8")).containsEntry("n", 2).containsEntry("d", "PLANO MENSAL");
        assertThat(sale(50)).containsEntry("removed", true);
        assertThat(s).containsEntry("_source_line", 9).containsEntry("_run_id", "run-1");
    }

    @Test
    void theLastIngestedVersionWinsAndRerunsWriteNothing() {
        generate(100, "run-1");
        runner.run(CoreTables.EVO_SALES, false);

        String removed = staging.one("SELECT (raw || '{\"removed\": true, \"removalDate\": \"2024-03-01T09:00:00\"}')::text "
                + "AS r FROM " + SALES + " WHERE raw ->> 'idSale' = '7'").get("r").toString();
        staging.insert(SALES, "gym", "bronze/evo/rescan/part-00000.jsonl.gz", 1, "run-2", removed);
        staging.insert(SALES, "gym", "bronze/evo/rescan/part-00000.jsonl.gz", 2, "run-2", removed);
        TransformResult r = runner.run(CoreTables.EVO_SALES, false);

        assertThat(r.perRun()).containsExactly(new TransformResult.RunCounts("run-2", 1, 0, 1, 0, 1));
        assertThat(sale(7)).containsEntry("removed", true).containsEntry("_source_line", 2)
                .containsEntry("_run_id", "run-2");
        assertThat(runner.run(CoreTables.EVO_SALES, false).candidates()).isZero();

        TransformResult full = runner.run(CoreTables.EVO_SALES, true);
        assertThat(full.inserted()).isEqualTo(100);
        assertThat(sale(7)).containsEntry("removed", true);
    }

    @Test
    void badItemValuesWarnAndASaleWithoutIdIsInvalid() {
        long bad = staging.insert(SALES, "gym", "p1", 1, "run-1", """
                {"idSale": 1, "idMember": "x12", "saleDate": "2024-01-05T10:00:00",
                 "saleItens": [{"saleValue": "abc"}, {"saleValue": 10}], "receivables": []}""");
        long noId = staging.insert(SALES, "gym", "p1", 2, "run-1", """
                {"idMember": 5, "saleItens": [{"saleValue": 10}]}""");

        TransformResult r = runner.run(CoreTables.EVO_SALES, false);

        assertThat(r.inserted()).isEqualTo(1);
        assertThat(r.warned()).isEqualTo(2);
        assertThat(sale(1)).containsEntry("total_value", null).containsEntry("id_member", null)
                .containsEntry("items_count", 2).containsEntry("receivables_count", 0);
        Map<String, Object> warning = staging.one("SELECT validation_status, error_message FROM " + SALES
                + " WHERE stg_id = " + bad);
        assertThat(warning.get("validation_status")).isEqualTo("warning");
        assertThat((String) warning.get("error_message")).contains("idMember not an integer: x12")
                .contains("saleItens[].saleValue not a number: abc");
        assertThat(staging.one("SELECT validation_status FROM " + SALES + " WHERE stg_id = " + noId))
                .containsEntry("validation_status", "invalid");
    }

    @Test
    void sumsAndFieldsAreTheSameForShortLongAndCompressedSales() {
        // Arrays of every length from 0 to 6 (short ones are added inline, longer ones by a sub-select), with
        // nulls and missing values; sale 20 carries a long text so raw is stored compressed.
        staging.execute("""
                INSERT INTO stg_evo.sales_raw (scope, blob_path, line_no, run_id, raw)
                SELECT 'gym', 'p1', n, 'run-1', jsonb_build_object(
                         'idSale', n, 'idMember', 500 + n, 'saleDate', '2024-01-05T10:00:00',
                         'saleItens', (SELECT coalesce(jsonb_agg(CASE WHEN k % 3 = 2 THEN jsonb_build_object('idSaleItem', k)
                                                                      ELSE jsonb_build_object('idSaleItem', k, 'saleValue', k * 1.25)
                                                                 END), '[]')
                                       FROM generate_series(1, n % 7) k),
                         'receivables', (SELECT coalesce(jsonb_agg(jsonb_build_object('ammount',
                                                                   CASE WHEN k = 1 THEN NULL ELSE k * 10.5 END)), '[]')
                                         FROM generate_series(1, n % 7) k),
                         'observations', CASE WHEN n = 20 THEN repeat('Venda no balcao; ', 400) END)
                FROM generate_series(1, 20) n
                """);
        long longBad = staging.insert(SALES, "gym", "p1", 21, "run-1", """
                {"idSale": 21, "saleItens": [{"idSaleItem": 1, "saleValue": 1}, {"idSaleItem": 2, "saleValue": 2},
                               {"idSaleItem": 3, "saleValue": 3}, {"idSaleItem": 4, "saleValue": "x"}],
                 "receivables": {"ammount": 1}}""");

        TransformResult r = runner.run(CoreTables.EVO_SALES, false);

        assertThat(r.inserted()).isEqualTo(21);
        assertThat(r.warned()).isEqualTo(1);
        assertThat(staging.one("""
                SELECT count(*) AS n FROM core.evo_sales c JOIN stg_evo.sales_raw s ON s.stg_id = c._stg_id
                WHERE c.id_sale <= 20 AND (c.id_member, c.sale_date, c.total_value, c.receivables_total, c.items_count,
                                           c.receivables_count, c.items)
                      IS NOT DISTINCT FROM
                      ((s.raw ->> 'idMember')::bigint, (s.raw ->> 'saleDate')::timestamp,
                       (SELECT sum((i ->> 'saleValue')::numeric) FROM jsonb_array_elements(s.raw -> 'saleItens') i),
                       (SELECT sum((x ->> 'ammount')::numeric) FROM jsonb_array_elements(s.raw -> 'receivables') x),
                       jsonb_array_length(s.raw -> 'saleItens'), jsonb_array_length(s.raw -> 'receivables'),
                       s.raw -> 'saleItens')""").get("n")).isEqualTo(20L);
        assertThat(staging.one("SELECT pg_column_compression(raw) AS c FROM " + SALES + " WHERE raw ->> 'idSale' = '20'"))
                .containsEntry("c", "pglz");
        assertThat((BigDecimal) sale(20).get("total_value")).isEqualByComparingTo("17.50");
        assertThat(sale(21)).containsEntry("total_value", null).containsEntry("receivables_total", null);
        assertThat((String) staging.one("SELECT error_message FROM " + SALES + " WHERE stg_id = " + longBad)
                .get("error_message")).isEqualTo("saleItens[].saleValue not a number: x; receivables not an array; "
                        // the item's own sale_value (evo_sale_items) is NULL for the same reason
                        + "saleItens[].saleValue not a number: x");
    }

    @Test
    void aFullRefreshCountsEachWinnerOnceUnderItsOwnRun() {
        generate(10, "run-1");
        runner.run(CoreTables.EVO_SALES, false);
        String newer = staging.one("SELECT raw::text AS r FROM " + SALES + " WHERE raw ->> 'idSale' = '3'").get("r").toString();
        staging.insert(SALES, "gym", "bronze/evo/rescan/part-00000.jsonl.gz", 1, "run-2", newer);
        staging.insert(SALES, "gym", "bronze/evo/rescan/part-00000.jsonl.gz", 2, "run-2", newer);

        TransformResult incremental = runner.run(CoreTables.EVO_SALES, false);
        TransformResult full = runner.run(CoreTables.EVO_SALES, true);

        assertThat(incremental.perRun()).containsExactly(new TransformResult.RunCounts("run-2", 1, 0, 0, 1, 0));
        assertThat(full.perRun()).containsExactly(new TransformResult.RunCounts("run-1", 9, 9, 0, 0, 0),
                new TransformResult.RunCounts("run-2", 1, 1, 0, 0, 0));
        assertThat(sale(3)).containsEntry("_run_id", "run-2").containsEntry("_source_line", 2);
    }

    private static final String OLDER_SALE = """
            {"idSale": 1, "saleDate": "2024-01-05T10:00:00", "saleItens": [
             {"idSaleItem": 10, "description": "A", "saleValue": 1}, {"idSaleItem": 11, "description": "B", "saleValue": 2}]}""";
    /** The newer version drops item 10, changes 11 and lists 12 twice: the last of the two is kept. */
    private static final String NEWER_SALE = """
            {"idSale": 1, "saleDate": "2024-01-05T10:00:00", "saleItens": [
             {"idSaleItem": 11, "description": "B2", "saleValue": 3}, {"idSaleItem": 12, "description": "C", "saleValue": 4},
             {"idSaleItem": 12, "description": "C2", "saleValue": 5}]}""";

    private Map<Long, String> items(long sale) {
        Map<Long, String> out = new java.util.TreeMap<>();
        staging.rows("SELECT id_sale_item, description || ' ' || sale_value || ' ' || is_deleted || ' ' || _source_line AS v"
                + " FROM core.evo_sale_items WHERE id_sale = " + sale)
                .forEach(r -> out.put((Long) r.get("id_sale_item"), (String) r.get("v")));
        return out;
    }

    @Test
    void aFirstLoadWithASaleReadTwiceKeepsTheNewestItemsAsAnUpsertWould() {
        staging.insert(SALES, "gym", "bronze/evo/p/part-00000.jsonl.gz", 1, "run-1", OLDER_SALE);
        staging.insert(SALES, "gym", "bronze/evo/p/part-00000.jsonl.gz", 2, "run-1", NEWER_SALE);
        runner.run(CoreTables.EVO_SALES, false);
        Map<Long, String> firstLoad = items(1);

        assertThat(firstLoad).isEqualTo(Map.of(11L, "B2 3 false 2", 12L, "C2 5 false 2"));

        // The same batch when the items table already holds rows (another sale): the upsert path agrees.
        db.close();
        setUp();
        staging.insert(SALES, "gym", "bronze/evo/p/part-seed.jsonl.gz", 1, "run-0",
                "{\"idSale\": 2, \"saleItens\": [{\"idSaleItem\": 20, \"description\": \"Z\", \"saleValue\": 9}]}");
        runner.run(CoreTables.EVO_SALES, false);
        staging.insert(SALES, "gym", "bronze/evo/p/part-00000.jsonl.gz", 1, "run-1", OLDER_SALE);
        staging.insert(SALES, "gym", "bronze/evo/p/part-00000.jsonl.gz", 2, "run-1", NEWER_SALE);
        runner.run(CoreTables.EVO_SALES, false);
        assertThat(items(1)).isEqualTo(firstLoad);
        assertThat(items(2)).isEqualTo(Map.of(20L, "Z 9 false 1"));
    }

    @Test
    void benchmarkComparesTheTransformWithAPlainInsert() {
        generate(3000, "bench");

        TransformBenchmark.Result r = new TransformBenchmark().run(db);

        assertThat(r.rows()).isEqualTo(3000);
        assertThat(r.transform().inserted()).isEqualTo(3000);
        assertThat(r.transformSeconds()).isPositive();
        assertThat(r.baselineSeconds()).isPositive();
        assertThat(r.transformRatio()).isPositive();
        assertThat(staging.one("SELECT count(*) AS n FROM bench.evo_sales_baseline").get("n")).isEqualTo(3000L);
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_sales c JOIN bench.evo_sales_baseline b "
                + "USING (scope, id_sale) WHERE (c.total_value, c.sale_date, c.removed, c.items) "
                + "IS NOT DISTINCT FROM (b.total_value, b.sale_date, b.removed, b.items)").get("n")).isEqualTo(3000L);
        assertThat(staging.one("SELECT (SELECT count(*) FROM core.evo_sale_items) - "
                + "(SELECT count(*) FROM bench.evo_sale_items_baseline) AS n").get("n")).isEqualTo(0L);
    }
}
