package com.skyfit.lake.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CREATE TABLE for a declared core table and its child tables: the key, the columns in order, then the lineage
 * columns every core row has (invariant 2). Migrations hold the tables that ship; this writes the statement a
 * new table's migration starts from, and lets a test check a declaration against the table it writes.
 */
public final class TableDdl {
    private TableDdl() {}

    public static String of(CoreTable t) {
        if (!t.generated()) {
            throw new IllegalArgumentException(t.qualifiedName() + " is hand-written: its CREATE TABLE is in its migration");
        }
        List<String> key = new ArrayList<>(List.of("scope"));
        t.key().forEach(k -> key.add(k.name()));
        StringBuilder out = new StringBuilder(create(t.qualifiedName(), columns(t), key));
        for (ChildTable c : t.children()) {
            Map<String, String> cols = new LinkedHashMap<>();
            List<String> childKey = new ArrayList<>(key);
            cols.put("scope", "text NOT NULL");
            t.key().forEach(k -> cols.put(k.name(), k.type().sql() + " NOT NULL"));
            c.key().forEach(k -> {
                cols.put(k.name(), k.type().sql() + " NOT NULL");
                childKey.add(k.name());
            });
            c.columns().stream().filter(Column::stored).forEach(k -> cols.put(k.name(), definition(k)));
            cols.put("is_deleted", "boolean NOT NULL DEFAULT false");
            out.append(create(c.qualifiedName(), cols, childKey));
        }
        return out.toString();
    }

    /** The table's columns and their definitions, in order, without the lineage columns. */
    static Map<String, String> columns(CoreTable t) {
        Map<String, String> cols = new LinkedHashMap<>();
        cols.put("scope", "text NOT NULL");
        t.key().forEach(k -> cols.put(k.name(), k.type().sql() + " NOT NULL"));
        t.storedColumns().forEach(c -> cols.put(c.name(), definition(c)));
        for (ArrayField a : t.arrays()) {
            if (a.stored()) {
                cols.put(a.name(), "jsonb");
            }
            if (a.countAs() != null) {
                cols.put(a.countAs(), "integer");
            }
            a.sums().forEach(s -> cols.put(s.name(), "numeric"));
        }
        if (t.flagsMissing()) {
            CoreTable.MISSING_COLUMNS.forEach(d -> cols.put(d.split(" ")[0], d.split(" ")[1]));
        }
        return cols;
    }

    private static String definition(Column c) {
        return c.type().sql() + (c.orElse() == null ? "" : " NOT NULL DEFAULT " + c.orElse());
    }

    private static String create(String name, Map<String, String> cols, List<String> key) {
        List<String> all = new ArrayList<>();
        cols.forEach((n, d) -> all.add(n + " " + d));
        all.addAll(List.of("_stg_id bigint NOT NULL", "_source_blob text NOT NULL", "_source_line integer NOT NULL",
                "_run_id text NOT NULL", "_updated_at timestamptz NOT NULL DEFAULT now()", "_read_at timestamptz",
                "PRIMARY KEY (" + String.join(", ", key) + ")"));
        return "CREATE TABLE " + name + " (\n    " + String.join(",\n    ", all) + "\n);\n";
    }
}
