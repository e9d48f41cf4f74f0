package com.skyfit.lake.core;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SELECT that turns one JSON document per row into typed columns plus a problem message, in levels:
 * <ol>
 *   <li>reads: each field as text (or jsonb), and each array, from {@code raw};
 *   <li>normalised: the reads a column passes through a function (ops.integral_text), only when there are any;
 *   <li>lengths: each array's length and its first three summed values (only when there are arrays);
 *   <li>casts: the safe ops.try_* cast of each text, the sums;
 *   <li>keys: a key derived from the typed values of the level below (only when the key is derived), so the
 *       fields it is made of are read and cast once, for the columns and the key alike;
 *   <li>values: what core stores (defaults, derived columns) and, for a row with a problem, its message.
 * </ol>
 * Each level ends in OFFSET 0, which keeps its values columns computed once: without it PostgreSQL would inline
 * every read into each cast and message that uses it, and decompress or copy the document again each time.
 *
 * @param passThrough columns of the source carried through every level unchanged (lineage, parent key)
 * @param labelPrefix put before every field label in messages, e.g. "saleItens[]."
 */
record RecordSql(List<String> passThrough, List<Column> key, List<Column> columns, List<ArrayField> arrays,
        List<ChildTable> children, String labelPrefix) {

    /**
     * The full nested SELECT over {@code from}: FROM items whose rows have a {@code raw} document and the
     * pass-through columns (named bare, so they must be unambiguous there).
     */
    String select(String from) {
        String level = "SELECT " + list(passThrough, readColumns()) + "\nFROM " + from + "\nOFFSET 0";
        List<String> normalised = reads().stream().filter(c -> c.normalize() != null)
                .map(c -> c.normalize() + "(n." + c.readRaw() + ") AS " + c.readAs()).toList();
        if (!normalised.isEmpty()) {
            level = "SELECT " + list(List.of("n.*"), normalised) + "\nFROM (\n" + indent(level) + "\n) n\nOFFSET 0";
        }
        if (arrays.stream().anyMatch(ArrayField::needsCount)) {
            level = "SELECT " + list(List.of("j.*"), lengthColumns()) + "\nFROM (\n" + indent(level) + "\n) j\nOFFSET 0";
        }
        level = "SELECT " + list(pass("e"), castColumns()) + "\nFROM (\n" + indent(level) + "\n) e\nOFFSET 0";
        List<String> derivedKeys = key.stream().filter(Column::isDerived)
                .map(k -> k.derived().strip() + " AS " + k.name()).toList();
        if (!derivedKeys.isEmpty()) {
            level = "SELECT " + list(List.of("k.*"), derivedKeys) + "\nFROM (\n" + indent(level) + "\n) k\nOFFSET 0";
        }
        return "SELECT " + list(pass("t"), valueColumns()) + "\nFROM (\n" + indent(level) + "\n) t";
    }

    private List<String> pass(String alias) {
        return passThrough.stream().map(c -> alias + "." + c).toList();
    }

    private List<Column> reads() {
        List<Column> out = new ArrayList<>();
        key.stream().filter(c -> !c.isDerived()).forEach(out::add);
        columns.stream().filter(c -> !c.isDerived()).forEach(out::add);
        return out;
    }

    private List<String> readColumns() {
        List<String> out = new ArrayList<>();
        reads().forEach(c -> out.add(c.read() + " AS " + (c.normalize() == null ? c.readAs() : c.readRaw())));
        arrays.forEach(a -> out.add(Column.Read.json(a.path()) + " AS " + a.name()));
        ownArrays().forEach(c -> out.add(Column.Read.json(c.path()) + " AS " + c.arrayColumn()));
        return out;
    }

    private List<String> lengthColumns() {
        List<String> out = new ArrayList<>();
        for (ArrayField a : arrays) {
            if (!a.needsCount()) {
                continue;
            }
            out.add("CASE jsonb_typeof(j." + a.name() + ") WHEN 'array' THEN jsonb_array_length(j." + a.name()
                    + ") END AS " + a.countColumn());
            for (ArrayField.Sum s : a.sums()) {
                for (int i = 0; i < 3; i++) {
                    out.add("ops.json_numeric_or_nan(j." + a.name() + " -> " + i + " -> " + quote(s.field()) + ") AS "
                            + s.name() + "_" + i);
                }
            }
        }
        return out;
    }

    private List<String> castColumns() {
        List<String> out = new ArrayList<>();
        for (Column c : reads()) {
            if (c.isCast()) {
                out.add("e." + c.readAs() + ", " + c.type().cast("e." + c.readAs()) + " AS " + c.name());
            } else {
                out.add("e." + c.name());
            }
        }
        for (ArrayField a : arrays) {
            out.add("e." + a.name());
            out.add("jsonb_typeof(e." + a.name() + ") AS " + a.name() + "_type");
            if (a.needsCount()) {
                out.add("e." + a.countColumn());
            }
            // sum() over the elements, NULL-skipping, NaN when any value is not a number (ops.json_numeric_or_nan).
            // Up to three elements (nearly every record) are added from columns of the level below: a sub-select
            // per row costs more than all the row's casts together.
            for (ArrayField.Sum s : a.sums()) {
                String n = "e." + s.name() + "_";
                out.add("CASE WHEN e." + a.countColumn() + " <= 3 THEN\n"
                        + "         CASE WHEN num_nonnulls(" + n + "0, " + n + "1, " + n + "2) > 0\n"
                        + "              THEN coalesce(" + n + "0, 0) + coalesce(" + n + "1, 0) + coalesce(" + n
                        + "2, 0) END\n"
                        + "     WHEN e." + a.countColumn() + " > 3 THEN\n"
                        + "         (SELECT sum(ops.json_numeric_or_nan(i -> " + quote(s.field())
                        + ")) FROM jsonb_array_elements(e." + a.name() + ") i)\n"
                        + "END AS " + s.name());
            }
        }
        for (ChildTable c : ownArrays()) {
            out.add("e." + c.arrayColumn());
            out.add("jsonb_typeof(e." + c.arrayColumn() + ") AS " + c.arrayColumn() + "_type");
        }
        return out;
    }

    private List<String> valueColumns() {
        List<String> plain = new ArrayList<>();
        List<String> out = new ArrayList<>();
        key.forEach(c -> plain.add("t." + c.name()));
        for (Column c : columns) {
            if (!c.stored()) {
                continue;
            }
            String v = c.isDerived() ? "(" + c.derived() + ")" : "t." + c.name();
            if (c.orElse() != null) {
                out.add("coalesce(" + v + ", " + c.orElse() + ") AS " + c.name());
            } else {
                if (c.isDerived()) {
                    out.add(v + " AS " + c.name());
                } else {
                    plain.add(v);
                }
            }
        }
        for (ArrayField a : arrays) {
            if (a.stored()) {
                plain.add("t." + a.name());
            }
            if (a.countAs() != null) {
                out.add("t." + a.countColumn() + " AS " + a.countAs());
            }
            a.sums().forEach(s -> out.add("nullif(t." + s.name() + ", 'NaN') AS " + s.name()));
        }
        ownArrays().forEach(c -> plain.add("t." + c.arrayColumn()));
        out.add(0, TransformSql.wrap(String.join(", ", plain), 7));
        out.add(problem());
        return out;
    }

    /** NULL, or every problem of the row joined by "; ". Checked first in one cheap test per row. */
    private String problem() {
        List<String> tests = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        List<Column> casts = reads().stream().filter(Column::isCast).toList();
        if (!casts.isEmpty()) {
            // every present text must have become a typed value
            tests.add("num_nonnulls(" + TransformSql.wrap(casts.stream().map(c -> "t." + c.readAs())
                    .collect(Collectors.joining(", ")), 13) + ")\n<> num_nonnulls(" + TransformSql.wrap(casts.stream()
                    .map(c -> "t." + c.name()).collect(Collectors.joining(", ")), 16) + ")");
        }
        for (Column k : key) {
            tests.add("t." + k.name() + " IS NULL");
            if (k.isDerived()) {
                // computed from other fields: its own NULL says nothing; the label says what it needs
                messages.add("CASE WHEN t." + k.name() + " IS NULL THEN " + quote(labelPrefix + k.label()) + " END");
                continue;
            }
            String missing = labelPrefix + k.label() + " missing" + (k.isCast() ? " or " + k.type().notA() : "");
            // a computed key (a hash) is not text: shown as text so 'null' is not read as a value of its type
            String shown = k.isCast() || k.type() == ColumnType.TEXT ? "t." + k.readAs() : "t." + k.readAs() + "::text";
            messages.add("CASE WHEN t." + k.name() + " IS NULL THEN " + quote(missing + ": ") + " || coalesce("
                    + shown + ", 'null') END");
        }
        for (Column c : casts) {
            if (!key.contains(c)) {
                messages.add("CASE WHEN t." + c.name() + " IS NULL AND t." + c.readAs() + " IS NOT NULL THEN "
                        + quote(labelPrefix + c.label() + " " + c.type().notA() + ": ") + " || t." + c.readAs()
                        + " END");
            }
        }
        for (ArrayField a : arrays) {
            arrayCheck(a.name(), a.path(), tests, messages);
            for (ArrayField.Sum s : a.sums()) {
                tests.add("t." + s.name() + " = 'NaN'");
                messages.add("CASE WHEN t." + s.name() + " = 'NaN' THEN "
                        + quote(labelPrefix + a.path() + "[]." + s.field() + " not a number: ")
                        + "\n    || (SELECT string_agg(i ->> " + quote(s.field()) + ", ', ') FROM jsonb_array_elements(t."
                        + a.name() + ") i\n        WHERE ops.json_numeric_or_nan(i -> " + quote(s.field())
                        + ") = 'NaN') END");
            }
        }
        ownArrays().forEach(c -> arrayCheck(c.arrayColumn(), c.path(), tests, messages));
        return "CASE WHEN " + String.join("\n       OR ", tests) + "\nTHEN concat_ws('; ',\n    "
                + String.join(",\n    ", messages) + ")\nEND AS problem";
    }

    private void arrayCheck(String column, String path, List<String> tests, List<String> messages) {
        tests.add("t." + column + "_type NOT IN ('array', 'null')");
        messages.add("CASE WHEN t." + column + "_type NOT IN ('array', 'null') THEN "
                + quote(labelPrefix + path + " not an array") + " END");
    }

    /** Children whose array is not also a stored array of the record: those carry the array themselves. */
    private List<ChildTable> ownArrays() {
        return children.stream().filter(c -> arrayColumn(c, arrays).equals(c.arrayColumn())).toList();
    }

    /**
     * The column of the parent's row that holds a child's array: a stored array of the same path when there is
     * one (the sale's items and evo_sale_items), so the materialized rows do not hold the array twice.
     */
    static String arrayColumn(ChildTable c, List<ArrayField> arrays) {
        return arrays.stream().filter(a -> a.stored() && a.path().equals(c.path())).map(ArrayField::name).findFirst()
                .orElse(c.arrayColumn());
    }

    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** The pass-through columns on the first line, then each computed column on a line of its own. */
    static String list(List<String> first, List<String> rest) {
        List<String> all = new ArrayList<>();
        if (!first.isEmpty()) {
            all.add(String.join(", ", first));
        }
        all.addAll(rest);
        return all.stream().map(s -> s.replace("\n", "\n       ")).collect(Collectors.joining(",\n       "));
    }

    static String indent(String sql) {
        return sql.lines().map(l -> l.isEmpty() ? l : "    " + l).collect(Collectors.joining("\n"));
    }
}
