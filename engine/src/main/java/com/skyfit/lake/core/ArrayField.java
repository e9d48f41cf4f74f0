package com.skyfit.lake.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON array of the record, read once per row: optionally stored as sent, its length, and sums of one numeric
 * field of its elements. A value that is present but not an array, or an element value that is not a number,
 * is a warning; the sum is then NULL.
 *
 * @param name    the array's column name (stored when {@code stored})
 * @param path    where it is in the raw JSON
 * @param stored  whether core keeps the array as sent (jsonb): {@link #keep()}
 * @param countAs column for its length, or null
 * @param sums    columns that sum one field of the elements
 */
public record ArrayField(String name, String path, boolean stored, String countAs, List<Sum> sums) {

    /** numeric column {@code name} = sum of every element's {@code field}, NULL-skipping. */
    public record Sum(String name, String field) {}

    public static ArrayField of(String name, String path) {
        return new ArrayField(name, path, false, null, List.of());
    }

    public ArrayField keep() {
        return new ArrayField(name, path, true, countAs, sums);
    }

    public ArrayField count(String column) {
        return new ArrayField(name, path, stored, column, sums);
    }

    public ArrayField sum(String column, String field) {
        List<Sum> more = new ArrayList<>(sums);
        more.add(new Sum(column, field));
        return new ArrayField(name, path, stored, countAs, List.copyOf(more));
    }

    /** The length, needed by counts and by the short-array sums. */
    boolean needsCount() {
        return countAs != null || !sums.isEmpty();
    }

    String countColumn() {
        return name + "_count";
    }
}
