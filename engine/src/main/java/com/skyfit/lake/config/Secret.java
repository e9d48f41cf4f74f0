package com.skyfit.lake.config;

import java.util.Objects;

/**
 * A token, key or password. Its toString never reveals the value, so a secret that ends up in a
 * log line, an exception message or a record printed by mistake stays hidden (invariant 10).
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The raw value, for the one place that must send it (an HTTP header, a JDBC property). */
    public String reveal() {
        return value;
    }

    /** Replaces every occurrence of this secret in a text (for messages built from foreign input). */
    public String redact(String text) {
        if (text == null || value.isEmpty()) {
            return text;
        }
        return text.replace(value, "***");
    }

    @Override
    public String toString() {
        return "***";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
