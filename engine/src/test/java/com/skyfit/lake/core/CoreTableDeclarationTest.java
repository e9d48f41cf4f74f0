package com.skyfit.lake.core;

import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.TIMESTAMPTZ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CoreTableDeclarationTest {

    private static CoreTable.Builder orders() {
        return CoreTable.declare("shop", "orders", "shop_orders").key(Column.of("id", BIGINT, "id"));
    }

    @Test
    void aDeclarationNamesItsStagingTableTransformFileAndQualifiedName() {
        CoreTable t = orders().columns(Column.of("updated_at", TIMESTAMPTZ, "updatedAt")).versionBy("updated_at").build();

        assertThat(t.stagingTable()).isEqualTo("stg_shop.orders_raw");
        assertThat(t.transformResource()).isEqualTo("sql/transforms/shop/shop_orders.sql");
        assertThat(t.qualifiedName()).isEqualTo("core.shop_orders");
        assertThat(t.transformSql()).contains("FROM stg_shop.orders_raw s", "INSERT INTO core.shop_orders",
                "coalesce(l.updated_at, '-infinity')", "'updatedAt not a date-time: '");
    }

    @Test
    void columnsThatWouldCollideWithTheTransformsOwnAreRefused() {
        assertThatThrownBy(() -> orders().columns(Column.text("run_id", "runId")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'run_id' cannot name a column");
        assertThatThrownBy(() -> orders().columns(Column.text("id_text", "x")).build())
                .hasMessageContaining("'id_text' cannot name a column");
        assertThatThrownBy(() -> orders().columns(Column.text("note", "a"), Column.text("note", "b")).build())
                .hasMessageContaining("'note' is declared twice");
        assertThatThrownBy(() -> orders().columns(Column.text("Note", "a")).build())
                .hasMessageContaining("'Note' cannot name a column");
    }

    @Test
    void aChildCannotReuseItsParentsKeyName() {
        ChildTable lines = new ChildTable("shop_order_lines", "lines", java.util.List.of(Column.of("id", BIGINT, "id")),
                java.util.List.of());
        assertThatThrownBy(() -> orders().child(lines).build())
                .hasMessageContaining("Child table shop_order_lines: 'id'");
    }

    @Test
    void versionAndDeleteColumnsMustBeDeclared() {
        assertThatThrownBy(() -> orders().versionBy("updated_at").build())
                .hasMessageContaining("version column 'updated_at' is not one of its columns");
        assertThatThrownBy(() -> orders().deletedWhen("gone").build())
                .hasMessageContaining("deleted column 'gone'");
        assertThatThrownBy(() -> CoreTable.declare("shop", "orders", "shop_orders").build())
                .hasMessageContaining("needs a key");
    }

    @Test
    void aDerivedKeyIsComputedOnceFromTheCastValuesAndNeverReadFromRaw() {
        CoreTable t = CoreTable.declare("shop", "visits", "shop_visits")
                .key(Column.derived("visit_key", ColumnType.TEXT, "shop_id_text || '@' || at").label("no visit key: shopId or at missing"))
                .columns(Column.of("shop_id", BIGINT, "shopId"), Column.of("at", TIMESTAMPTZ, "at")).build();
        String sql = t.transformSql();

        assertThat(sql).contains("SELECT k.*,\n", "shop_id_text || '@' || at AS visit_key\n", ") k\n",
                "CASE WHEN t.visit_key IS NULL THEN 'no visit key: shopId or at missing' END");
        assertThat(sql).doesNotContain("raw ->> 'visit_key'");
        // the key level sits on the casts, below the values that test it
        assertThat(sql.indexOf("AS visit_key")).isGreaterThan(sql.indexOf("t.visit_key IS NULL"))
                .isLessThan(sql.indexOf("ops.try_timestamptz(e.at_text) AS at"));
        assertThatThrownBy(() -> CoreTable.declare("shop", "visits", "shop_visits")
                .key(Column.derived("visit_key", ColumnType.TEXT, "shop_id_text"))
                .columns(Column.of("shop_id", BIGINT, "shopId"), Column.of("gone", ColumnType.BOOLEAN, "gone"))
                .deletedWhenMissing("gone").build())
                .hasMessageContaining("its key must be read, not derived");
    }

    @Test
    void pathsReadNestedFieldsAndTheFirstPresentWins() {
        assertThat(Column.text("city", "address.city", "city").read())
                .isEqualTo("coalesce(nullif(raw -> 'address' ->> 'city', ''), nullif(raw ->> 'city', ''))");
        assertThat(Column.ref("owner_id", BIGINT, "owner_id", "user_id").read())
                .isEqualTo("coalesce(ops.json_ref_text(raw -> 'owner_id'), ops.json_ref_text(raw -> 'user_id'))");
        assertThat(Column.of("x", BIGINT, "a", "b").label()).isEqualTo("a/b");
    }
}
