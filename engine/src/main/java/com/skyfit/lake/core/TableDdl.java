package com.skyfit.lake.core;

import java.util.ArrayList;
import java.util.List;

/**
 * CREATE TABLE for a declared core table and its child tables: the key, the columns in order, then the lineage
 * columns every core row has (invariant 2). Migrations hold the tables that ship; this writes the statement a
 * new table's migration starts from, and lets a test check a declaration against the table it writes.
 */
public final class TableDdl {
    private TableDdl() {}

    public static String of(CoreTable t) {
        List<String> cols = new ArrayList<>();
        cols.add("scope text NOT NULL");
        t.key().forEach(k -> cols.add(k.name() + " " + k.type().sql() + " NOT NULL"));
        for (Column c : t.storedColumns()) {
            cols.add(c.name() + " " + c.type().sql() + (c.orElse() == null ? "" : " NOT NULL DEFAULT " + c.orElse()));
        }
        for (ArrayField a : t.arrays()) {
            if (a.stored()) {
                cols.add(a.name() + " jsonb");
            }
            if (a.countAs() != null) {
                cols.add(a.countAs() + " integer");
            }
            a.sums().forEach(s -> cols.add(s.name() + " numeric"));
        }
        List<String> key = new ArrayList<>(List.of("scope"));
        t.key().forEach(k -> key.add(k.name()));
        StringBuilder out = new StringBuilder(create(t.qualifiedName(), cols, key));
        for (ChildTable c : t.children()) {
            List<String> childCols = new ArrayList<>();
            List<String> childKey = new ArrayList<>(key);
            childCols.add("scope text NOT NULL");
            t.key().forEach(k -> childCols.add(k.name() + " " + k.type().sql() + " NOT NULL"));
            c.key().forEach(k -> {
                childCols.add(k.name() + " " + k.type().sql() + " NOT NULL");
                childKey.add(k.name());
            });
            c.columns().stream().filter(Column::stored).forEach(k -> childCols.add(k.name() + " " + k.type().sql()
                    + (k.orElse() == null ? "" : " NOT NULL DEFAULT " + k.orElse())));
            childCols.add("is_deleted boolean NOT NULL DEFAULT false");
            out.append(create(c.qualifiedName(), childCols, childKey));
        }
        return out.toString();
    }

    private static String create(String name, List<String> cols, List<String> key) {
        List<String> all = new ArrayList<>(cols);
        all.addAll(List.of("_stg_id bigint NOT NULL", "_source_blob text NOT NULL", "_source_line integer NOT NULL",
                "_run_id text NOT NULL", "_updated_at timestamptz NOT NULL DEFAULT now()",
                "PRIMARY KEY (" + String.join(", ", key) + ")"));
        return "CREATE TABLE " + name + " (\n    " + String.join(",\n    ", all) + "\n);\n";
    }
}
