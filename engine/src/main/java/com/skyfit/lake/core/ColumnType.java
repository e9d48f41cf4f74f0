package com.skyfit.lake.core;

/**
 * The types a core column can have, each with the safe cast that reads it from JSON text (the ops.try_*
 * functions return NULL instead of failing) and the words a warning uses when a value does not cast.
 */
public enum ColumnType {
    TEXT("text", null, null),
    JSONB("jsonb", null, null),
    /** Built by the column's own SQL (e.g. a comma-separated list split into words); never cast. */
    TEXT_ARRAY("text[]", null, null),
    /** Built by the column's own SQL (e.g. a hash of several fields as a key); never cast. */
    UUID("uuid", null, null),
    BIGINT("bigint", "ops.try_bigint", "an integer"),
    INTEGER("integer", "ops.try_integer", "an integer"),
    NUMERIC("numeric", "ops.try_numeric", "a number"),
    BOOLEAN("boolean", "ops.try_boolean", "a boolean"),
    DATE("date", "ops.try_date", "a date"),
    TIMESTAMP("timestamp", "ops.try_timestamp", "a date-time"),
    TIMESTAMPTZ("timestamptz", "ops.try_timestamptz", "a date-time");

    private final String sql;
    private final String cast;
    private final String noun;

    ColumnType(String sql, String cast, String noun) {
        this.sql = sql;
        this.cast = cast;
        this.noun = noun;
    }

    public String sql() {
        return sql;
    }

    /** True when the JSON text must be cast, and a present value that does not cast is a warning. */
    public boolean isCast() {
        return cast != null;
    }

    /** "ops.try_bigint(x)". */
    String cast(String text) {
        return cast + "(" + text + ")";
    }

    /** "not an integer". */
    String notA() {
        return "not " + noun;
    }
}
