package com.skyfit.lake.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Typed access to the app settings (environment variables, Function App settings, or the values a
 * command line or test passes). Every getter validates and fails with a {@link SettingsException}
 * naming the setting, so a wrong setting stops start-up with a message a user can act on.
 * Every key the platform reads is listed in local.settings.json.example and docs/settings.md.
 */
public final class Settings {
    public static final String PG_URL = "SKYFIT_PG_URL";
    public static final String PG_USER = "SKYFIT_PG_USER";
    public static final String PG_PASSWORD = "SKYFIT_PG_PASSWORD";
    public static final String HOME = "SKYFIT_HOME";
    public static final String BRONZE_URL = "SKYFIT_BRONZE_URL";
    public static final String STORAGE_CONNECTION_STRING = "SKYFIT_STORAGE_CONNECTION_STRING";
    public static final String PG_RETRY_SECONDS = "SKYFIT_PG_RETRY_SECONDS";
    /** Embedded PostgreSQL only: false trades crash safety for speed (the demo, recreated every time). */
    public static final String PG_FSYNC = "SKYFIT_PG_FSYNC";

    private final Map<String, String> values;
    /** Told every key read (set or not): how the documented-settings tests learn the keys a source reads. */
    private final java.util.function.Consumer<String> reads;

    private Settings(Map<String, String> values) {
        this(values, key -> {});
    }

    private Settings(Map<String, String> values, java.util.function.Consumer<String> reads) {
        this.values = Map.copyOf(values);
        this.reads = reads;
    }

    /** The same values, telling {@code reads} every key a reader asks for. */
    public Settings recordingReads(java.util.function.Consumer<String> reads) {
        return new Settings(values, reads);
    }

    public static Settings fromEnvironment() {
        return of(System.getenv());
    }

    public static Settings of(Map<String, String> values) {
        Map<String, String> clean = new HashMap<>();
        values.forEach((k, v) -> {
            if (k != null && v != null) {
                clean.put(k, v);
            }
        });
        return new Settings(clean);
    }

    /** A copy with some values replaced or added (later wins). */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(values);
        overrides.forEach((k, v) -> {
            if (v == null) {
                merged.remove(k);
            } else {
                merged.put(k, v);
            }
        });
        return new Settings(merged, reads);
    }

    public Settings with(String key, String value) {
        Map<String, String> m = new HashMap<>();
        m.put(key, value);
        return with(m);
    }

    public Optional<String> optional(String key) {
        reads.accept(key);
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public String required(String key, String what) {
        return optional(key).orElseThrow(() -> new SettingsException(key, "is required (" + what + ")"));
    }

    public Secret secret(String key, String what) {
        return Secret.of(required(key, what));
    }

    public Optional<Secret> optionalSecret(String key) {
        return optional(key).map(Secret::of);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(raw.get());
            if (v < min || v > max) {
                throw new SettingsException(key, "must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new SettingsException(key, "must be a whole number, got '" + raw.get() + "'");
        }
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(raw.get());
            if (v < min || v > max) {
                throw new SettingsException(key, "must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new SettingsException(key, "must be a whole number, got '" + raw.get() + "'");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new SettingsException(key, "must be true or false, got '" + raw.get() + "'");
        };
    }

    /** A comma-separated list of non-empty, trimmed items. */
    public List<String> list(String key, List<String> defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        for (String part : raw.get().split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }

    /** A comma-separated list of durations in seconds, e.g. "30,60,120,240". */
    public List<Duration> secondsList(String key, List<Duration> defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            return Arrays.stream(raw.get().split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(s -> Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000)))
                    .toList();
        } catch (NumberFormatException e) {
            throw new SettingsException(key, "must be comma-separated seconds such as 30,60,120,240, got '" + raw.get() + "'");
        }
    }

    /** Working folder of the command line (embedded database, local bronze), default ".skyfit". */
    public Path home() {
        return Path.of(string(HOME, ".skyfit")).toAbsolutePath().normalize();
    }

    public Map<String, String> asMap() {
        return values;
    }
}
