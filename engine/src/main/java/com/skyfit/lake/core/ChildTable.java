package com.skyfit.lake.core;

import java.util.List;

/**
 * A core table unnested from an array of the parent record (sale items, receivables): one row per element,
 * keyed by the parent's key and the element's own key. Its columns are read from the element as a parent's are
 * from the record ({@code raw} is the element). A child follows its parent's winning version: elements of a
 * newer version are upserted (written only when changed), and elements that version no longer has keep their
 * row with is_deleted = true.
 *
 * @param name    table name in the core schema
 * @param path    where the array is in the parent's raw JSON
 * @param key     the element's key columns (with the parent's scope and key, the primary key)
 * @param columns the element's other columns
 */
public record ChildTable(String name, String path, List<Column> key, List<Column> columns) {

    public ChildTable {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("Child table " + name + " needs a key");
        }
        key = List.copyOf(key);
        columns = List.copyOf(columns);
    }

    /** A key column holding the element's position in the array (1 = first), for elements without an id. */
    public static Column position(String name) {
        return Column.sql(name, ColumnType.INTEGER, name, "element_position::text");
    }

    /**
     * A column read from the element, or, when the element does not have it, the parent's value of the column of
     * the same name (e.g. a contract's branch is its member's). The parent's typed value is read from the row
     * the element is unnested from ({@code f}, see ChildSql).
     */
    public static Column orParent(Column column) {
        return new Column(column.name(), column.type(), "coalesce(" + column.read() + ", f." + column.name()
                + "::text)", column.label(), null, true, null, column.normalize());
    }

    public String qualifiedName() {
        return "core." + name;
    }

    /** Column name under which the parent's fields carry the array. */
    String arrayColumn() {
        return name + "_array";
    }
}
