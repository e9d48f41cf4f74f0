package com.skyfit.lake.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Settings every source reads the same way: scope names, base URLs and the platform-wide limits of
 * reading an API. Scope names are normalized here and only here, so a scope written
 * {@code Commercial} in any setting, command option or request is the scope {@code commercial}.
 */
public final class SourceSettings {
    /** Hosts that may be reached over plain http (comma-separated); loopback always may. */
    public static final String ALLOW_HTTP_HOSTS = "SKYFIT_ALLOW_HTTP_HOSTS";
    /** Largest API response body read into memory, in MB. */
    public static final String HTTP_MAX_BODY_MB = "SKYFIT_HTTP_MAX_BODY_MB";
    /** How far past now a source's update time may move a watermark, in minutes. */
    public static final String CLOCK_SKEW_MINUTES = "SKYFIT_SOURCE_CLOCK_SKEW_MINUTES";

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private SourceSettings() {}

    /** The canonical form of a scope name: trimmed, lower case. */
    public static String normalizeScope(String raw) {
        return raw == null ? null : raw.trim().toLowerCase(Locale.ROOT);
    }

    /** Normalized scope names, or null for null (meaning "all"). */
    public static List<String> normalizeScopes(List<String> raw) {
        return raw == null ? null : raw.stream().map(SourceSettings::normalizeScope).toList();
    }

    /** The scopes a setting lists, normalized, checked and without duplicates; empty when absent. */
    public static List<String> scopes(Settings settings, String key) {
        Set<String> seen = new LinkedHashSet<>();
        for (String raw : settings.list(key, List.of())) {
            String name = normalizeScope(raw);
            if (!name.matches("[a-z][a-z0-9_]*")) {
                throw new SettingsException(key, "scope '" + raw + "' must be letters, digits and _ (starting with a letter)");
            }
            if (!seen.add(name)) {
                throw new SettingsException(key, "scope '" + raw + "' is listed twice");
            }
        }
        return List.copyOf(new ArrayList<>(seen));
    }

    /**
     * A source's base URL: https, or http for loopback and for hosts named in SKYFIT_ALLOW_HTTP_HOSTS
     * (a token sent over plain http can be read on the way); no query (credentials go in headers).
     */
    public static URI baseUrl(Settings settings, String key, String example) {
        String value = settings.required(key, "base URL, e.g. " + example);
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new SettingsException(key, "must be an https URL such as " + example + ", got '"
                    + Redact.url(value) + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new SettingsException(key, "must be an https URL such as " + example + ", got '"
                    + Redact.url(value) + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new SettingsException(key, "must not carry a query or user info (credentials have their own "
                    + "setting), got '" + Redact.url(value) + "'");
        }
        if (scheme.equals("http") && !httpAllowed(settings, uri.getHost())) {
            throw new SettingsException(key, "must use https (got http://" + uri.getHost() + "); plain http is "
                    + "allowed only for loopback and for hosts listed in " + ALLOW_HTTP_HOSTS);
        }
        return uri;
    }

    private static boolean httpAllowed(Settings settings, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (LOOPBACK.contains(h) || h.startsWith("127.")) {
            return true;
        }
        return settings.list(ALLOW_HTTP_HOSTS, List.of()).stream().anyMatch(a -> a.equalsIgnoreCase(h));
    }

    public static long maxBodyBytes(Settings settings) {
        return settings.integer(HTTP_MAX_BODY_MB, 64, 1, 1024) * 1024L * 1024L;
    }

    public static Duration clockSkew(Settings settings) {
        return Duration.ofMinutes(settings.integer(CLOCK_SKEW_MINUTES, 5, 0, 24 * 60));
    }

    /**
     * A source's overlap, at least the allowed clock skew: a watermark may sit up to the skew past the clock of the
     * run that set it, and the next window starts an overlap before it, so a smaller overlap skips what changed in
     * between.
     */
    public static Duration overlap(Settings settings, String key, int defaultMinutes) {
        Duration overlap = Duration.ofMinutes(settings.integer(key, defaultMinutes, 0, 7 * 24 * 60));
        Duration skew = clockSkew(settings);
        if (overlap.compareTo(skew) < 0) {
            throw new SettingsException(key, "must be at least " + CLOCK_SKEW_MINUTES + " (" + skew.toMinutes()
                    + " minutes): a watermark may lie that far ahead of the run's clock, got " + overlap.toMinutes());
        }
        return overlap;
    }
}
