package com.skyfit.lake.core;

import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.BOOLEAN;
import static com.skyfit.lake.core.ColumnType.INTEGER;
import static com.skyfit.lake.core.ColumnType.NUMERIC;
import static com.skyfit.lake.core.ColumnType.TEXT;
import static com.skyfit.lake.core.ColumnType.TIMESTAMPTZ;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A new core table with two child arrays, from its declaration alone: tables, transform, warnings, versions. */
class DeclaredTableIT {
    private static final String ORDERS = "stg_shop.orders_raw";

    static final CoreTable SHOP_ORDERS = CoreTable.declare("shop", "orders", "shop_orders")
            .key(Column.of("id", BIGINT, "id"))
            .columns(Column.text("customer", "customer.name"), Column.of("placed_at", TIMESTAMPTZ, "placedAt"),
                    Column.of("updated_at", TIMESTAMPTZ, "updatedAt"),
                    Column.of("cancelled", BOOLEAN, "cancelled").orElse("false"))
            .array(ArrayField.of("lines", "lines").count("line_count"))
            .child(new ChildTable("shop_order_lines", "lines", List.of(Column.of("line_id", BIGINT, "id")),
                    List.of(Column.text("sku", "sku"), Column.of("price", NUMERIC, "price"),
                            Column.of("quantity", INTEGER, "qty"))))
            .child(new ChildTable("shop_order_tags", "tags", List.of(ChildTable.position("position")),
                    List.of(Column.sql("tag", TEXT, "tag", "raw #>> '{}'"))))
            .versionBy("updated_at").deletedWhen("cancelled").build();

    private Database db;
    private Staging staging;
    private TransformRunner runner;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        runner = new TransformRunner(db);
        staging.execute("SELECT ops.create_staging_table('stg_shop', 'orders')");
        staging.execute(TableDdl.of(SHOP_ORDERS));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private static String order(long id, String updatedAt, String lines, String tags) {
        return """
                {"id": %d, "customer": {"name": "Ana"}, "placedAt": "2024-05-01T10:00:00Z", "updatedAt": "%s",
                 "lines": %s, "tags": %s}""".formatted(id, updatedAt, lines, tags);
    }

    private List<Map<String, Object>> lines() {
        return staging.rows("SELECT id, line_id, sku, price, quantity, is_deleted, _source_line FROM "
                + "core.shop_order_lines ORDER BY id, line_id");
    }

    private List<Map<String, Object>> tags() {
        return staging.rows("SELECT id, position, tag, is_deleted FROM core.shop_order_tags ORDER BY id, position");
    }

    @Test
    void ordersAndTheirArraysBecomeRowsAndFollowTheNewestVersion() {
        long bad = staging.insert(ORDERS, "eu", "p1", 1, "run-1", order(1, "2024-05-01T10:00:00Z",
                "[{\"id\": 10, \"sku\": \"A\", \"price\": 5.5, \"qty\": 2}, {\"id\": 11, \"sku\": \"B\", \"price\": \"abc\"}]",
                "[\"gift\", \"rush\"]"));
        staging.insert(ORDERS, "eu", "p1", 2, "run-1", order(2, "2024-05-01T10:00:00Z", "[]", "null"));
        long noId = staging.insert(ORDERS, "eu", "p1", 3, "run-1", "{\"customer\": {\"name\": \"Bo\"}}");

        TransformResult first = runner.run(SHOP_ORDERS, false);

        assertThat(first.perRun()).containsExactly(new TransformResult.RunCounts("run-1", 2, 2, 0, 0, 0));
        assertThat(staging.one("SELECT customer, line_count, cancelled FROM core.shop_orders WHERE id = 1"))
                .containsEntry("customer", "Ana").containsEntry("line_count", 2).containsEntry("cancelled", false);
        assertThat(lines()).containsExactly(
                Map.of("id", 1L, "line_id", 10L, "sku", "A", "price", new BigDecimal("5.5"), "quantity", 2,
                        "is_deleted", false, "_source_line", 1),
                row(1L, 11L, "B", null, null, false, 1));
        assertThat(tags()).extracting(t -> t.get("tag")).containsExactly("gift", "rush");
        assertThat(staging.one("SELECT validation_status, error_message FROM " + ORDERS + " WHERE stg_id = " + bad))
                .containsEntry("validation_status", "warning")
                .containsEntry("error_message", "lines[].price not a number: abc");
        assertThat(staging.one("SELECT validation_status, error_message FROM " + ORDERS + " WHERE stg_id = " + noId))
                .containsEntry("validation_status", "invalid").containsEntry("error_message", "id missing or not an integer: null");

        // a newer version drops line 11 and the second tag: their rows stay, flagged deleted
        staging.insert(ORDERS, "eu", "p2", 1, "run-2", order(1, "2024-05-02T10:00:00Z",
                "[{\"id\": 10, \"sku\": \"A\", \"price\": 6, \"qty\": 2}]", "[\"gift\"]"));
        // an older version arriving late touches neither the order nor its children
        staging.insert(ORDERS, "eu", "p2", 2, "run-2", order(1, "2024-04-30T10:00:00Z",
                "[{\"id\": 12, \"sku\": \"C\", \"price\": 1, \"qty\": 1}]", "[]"));
        TransformResult second = runner.run(SHOP_ORDERS, false);

        assertThat(second.perRun()).containsExactly(new TransformResult.RunCounts("run-2", 1, 0, 1, 0, 0));
        assertThat(lines()).containsExactly(row(1L, 10L, "A", new BigDecimal("6"), 2, false, 1),
                row(1L, 11L, "B", null, null, true, 1));
        assertThat(tags()).containsExactly(Map.of("id", 1L, "position", 1, "tag", "gift", "is_deleted", false),
                Map.of("id", 1L, "position", 2, "tag", "rush", "is_deleted", true));
        List<Map<String, Object>> settled = staging.rows("SELECT * FROM core.shop_order_lines ORDER BY line_id");

        staging.insert(ORDERS, "eu", "p3", 1, "run-3", order(1, "2024-04-29T10:00:00Z", "[]", "[]"));
        staging.execute("UPDATE ops.transform_state SET last_stg_id = 0 WHERE core_table = 'core.shop_orders'");
        TransformResult again = runner.run(SHOP_ORDERS, false);
        assertThat(again.inserted() + again.updated()).isZero();
        assertThat(staging.rows("SELECT * FROM core.shop_order_lines ORDER BY line_id")).isEqualTo(settled);

        TransformResult full = runner.run(SHOP_ORDERS, true);
        assertThat(full.inserted()).isEqualTo(2);
        assertThat(lines()).containsExactly(row(1L, 10L, "A", new BigDecimal("6"), 2, false, 1));
        assertThat(tags()).extracting(t -> t.get("tag")).containsExactly("gift");
    }

    @Test
    void childLineageNamesALiveStagingRowAfterItsPartsAreReloaded() {
        String v1 = order(1, "2024-05-01T10:00:00Z", "[{\"id\": 10, \"sku\": \"A\"}, {\"id\": 11, \"sku\": \"B\"}]", "[]");
        String v2 = order(1, "2024-05-02T10:00:00Z", "[{\"id\": 10, \"sku\": \"A\"}]", "[]");
        staging.insert(ORDERS, "eu", "p1", 1, "run-1", v1);
        runner.run(SHOP_ORDERS, false);
        staging.insert(ORDERS, "eu", "p2", 1, "run-2", v2);
        runner.run(SHOP_ORDERS, false);

        staging.execute("DELETE FROM " + ORDERS);
        staging.insert(ORDERS, "eu", "p1", 1, "run-1", v1);
        staging.insert(ORDERS, "eu", "p2", 1, "run-2", v2);
        TransformResult r = runner.run(SHOP_ORDERS, false);

        assertThat(r.inserted() + r.updated()).isZero();
        assertThat(staging.one("SELECT count(*) AS n FROM core.shop_order_lines c JOIN " + ORDERS + " s "
                + "ON s.stg_id = c._stg_id AND s.blob_path = c._source_blob AND s.line_no = c._source_line")
                .get("n")).isEqualTo(2L);
        assertThat(staging.one("SELECT count(*) AS n FROM core.shop_orders c JOIN " + ORDERS + " s "
                + "ON s.stg_id = c._stg_id AND s.blob_path = c._source_blob").get("n")).isEqualTo(1L);
        assertThat(lines()).extracting(l -> l.get("is_deleted")).containsExactly(false, true);
    }

    private static Map<String, Object> row(long id, long lineId, String sku, BigDecimal price, Integer qty,
            boolean deleted, int line) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id);
        m.put("line_id", lineId);
        m.put("sku", sku);
        m.put("price", price);
        m.put("quantity", qty);
        m.put("is_deleted", deleted);
        m.put("_source_line", line);
        return m;
    }
}
