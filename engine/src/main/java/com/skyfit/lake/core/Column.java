package com.skyfit.lake.core;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One column of a core (or child) table and where its value comes from in the raw JSON.
 *
 * <p>A value is read from the first of its paths that is present and not empty, so one column covers every API
 * version (v1 {@code user_id}, v2 {@code owner_id}). A typed column is cast with the safe cast of its type; a
 * present value that does not cast becomes NULL in core and a warning on the staging row, named by label.
 *
 * @param name    column name in core
 * @param type    column type
 * @param read    SQL that yields the value as text (or as jsonb for JSONB), over {@code raw}; see {@link Read}
 * @param label   how warnings name the field, e.g. "owner_id/user_id"
 * @param derived SQL over the other columns' typed values instead of a read (e.g. a delete flag); no warning
 * @param stored  false for an input that only feeds derived columns (e.g. v1 active_flag)
 * @param orElse  SQL default when the value is absent, e.g. "false"
 * @param normalize a SQL function applied to the read text before the cast (e.g. ops.integral_text, so 5.0 reads
 *                as 5), or null; applied one level above the read, so the field is taken out of the document once
 *                however often the function's body uses its argument
 */
public record Column(String name, ColumnType type, String read, String label, String derived, boolean stored,
        String orElse, String normalize) {

    /** Reads from the first present path: each path is a field name, or names joined by '.' for nested fields. */
    public static Column of(String name, ColumnType type, String... paths) {
        return new Column(name, type, Read.firstOf(type, paths), String.join("/", paths), null, true, null, null);
    }

    /** A text column, read from the first present path. */
    public static Column text(String name, String... paths) {
        return of(name, ColumnType.TEXT, paths);
    }

    /**
     * A reference that Pipedrive v1 sends as an object ({"value": 7, "name": ..}) and v2 as the bare id:
     * ops.json_ref_text reads either.
     */
    public static Column ref(String name, ColumnType type, String... paths) {
        String read = Arrays.stream(paths).map(p -> "ops.json_ref_text(" + Read.json(p) + ")")
                .collect(Collectors.collectingAndThen(Collectors.toList(), Read::coalesce));
        return new Column(name, type, read, String.join("/", paths), null, true, null, null);
    }

    /** Any SQL over {@code raw} (text for cast types, jsonb for JSONB): for an API's odd corners. */
    public static Column sql(String name, ColumnType type, String label, String sql) {
        return new Column(name, type, sql, label, null, true, null, null);
    }

    /** Computed from the other columns (by name) after they are cast, e.g. a delete flag. */
    public static Column derived(String name, ColumnType type, String sql) {
        return new Column(name, type, null, name, sql, true, null, null);
    }

    /** Read and cast like a column, with warnings, but not stored: it only feeds derived columns. */
    public Column inputOnly() {
        return new Column(name, type, read, label, derived, false, orElse, normalize);
    }

    /** Stored as this SQL value when absent or not castable (e.g. "false" for a NOT NULL flag). */
    public Column orElse(String sql) {
        return new Column(name, type, read, label, derived, stored, sql, normalize);
    }

    /** Names the field in warnings when the paths do not say it well. */
    public Column label(String newLabel) {
        return new Column(name, type, read, newLabel, derived, stored, orElse, normalize);
    }

    /**
     * The read text passed through this SQL function before the cast, e.g. "ops.integral_text". A function inlined
     * with the read as its argument would take the field out of the document once per use of its argument.
     */
    public Column normalizedBy(String function) {
        return new Column(name, type, read, label, derived, stored, orElse, function);
    }

    boolean isDerived() {
        return derived != null;
    }

    /** A read that must be cast: the raw text is kept next to the typed value for the warning. */
    boolean isCast() {
        return !isDerived() && type.isCast();
    }

    /** Column name of the extracted value: the text of a cast column, else the value itself. */
    String readAs() {
        return isCast() ? name + "_text" : name;
    }

    /** Column name of the read before its normalising function (see {@link #normalizedBy}). */
    String readRaw() {
        return name + "_read";
    }

    /** Helpers that build the SQL reads from JSON paths. */
    static final class Read {
        private Read() {}

        static String firstOf(ColumnType type, String... paths) {
            List<String> reads = Arrays.stream(paths)
                    .map(p -> type == ColumnType.JSONB ? json(p) : "nullif(" + text(p) + ", '')").toList();
            return coalesce(reads);
        }

        static String coalesce(List<String> reads) {
            return reads.size() == 1 ? reads.get(0) : "coalesce(" + String.join(", ", reads) + ")";
        }

        /** raw -> 'a' -> 'b' */
        static String json(String path) {
            return Arrays.stream(path.split("\\.")).map(p -> "'" + p.replace("'", "''") + "'")
                    .collect(Collectors.joining(" -> ", "raw -> ", ""));
        }

        /** raw -> 'a' ->> 'b' */
        static String text(String path) {
            String json = json(path);
            int last = json.lastIndexOf(" -> ");
            return json.substring(0, last) + " ->> " + json.substring(last + 4);
        }
    }
}
