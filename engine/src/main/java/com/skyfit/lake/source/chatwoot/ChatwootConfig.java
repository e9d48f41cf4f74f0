package com.skyfit.lake.source.chatwoot;

import com.skyfit.lake.config.Redact;
import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.config.SourceSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Chatwoot settings: a read-only login on the Chatwoot PostgreSQL and the view to read. Every name that
 * reaches SQL (view, id column, watermark columns) is checked here to be a plain identifier, so a setting
 * can never inject SQL; {@link #quoted} is the only way they enter a statement.
 */
public record ChatwootConfig(String jdbcUrl, String user, Secret password, String sslMode, List<String> view,
        String idColumn, List<String> watermarkColumns, String scope, Duration overlap, int fetchSize, Duration clockSkew) {

    public static final String JDBC_URL = "CHATWOOT_SOURCE_JDBC_URL";
    public static final String USER = "CHATWOOT_SOURCE_USER";
    public static final String PASSWORD = "CHATWOOT_SOURCE_PASSWORD";
    public static final String SSL_MODE = "CHATWOOT_SOURCE_SSL_MODE";
    public static final String VIEW = "CHATWOOT_SOURCE_VIEW";
    public static final String ID_COLUMN = "CHATWOOT_SOURCE_ID_COLUMN";
    public static final String WATERMARK_COLUMNS = "CHATWOOT_SOURCE_WATERMARK_COLUMNS";
    public static final String FETCH_SIZE = "CHATWOOT_SOURCE_FETCH_SIZE";
    public static final String SCOPE = "CHATWOOT_SCOPE";
    public static final String OVERLAP_MINUTES = "CHATWOOT_OVERLAP_MINUTES";

    public static final String DEFAULT_VIEW = "vw_conversations_analytics_final";
    public static final String DEFAULT_ID_COLUMN = "conversation_id";
    public static final List<String> DEFAULT_WATERMARK_COLUMNS = List.of("conversation_updated_at", "last_activity_at");
    /** pgjdbc's sslmode values. */
    static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    public static ChatwootConfig fromSettings(Settings settings) {
        String url = settings.required(JDBC_URL, "JDBC URL of the Chatwoot PostgreSQL, e.g. jdbc:postgresql://host:5432/chatwoot");
        if (!url.startsWith("jdbc:postgresql://")) {
            // The value itself is not echoed: a JDBC URL may carry a password.
            throw new SettingsException(JDBC_URL, "must be a JDBC URL such as jdbc:postgresql://host:5432/chatwoot "
                    + "(got a value of another form)");
        }
        String user = settings.required(USER, "the read-only PostgreSQL user that may SELECT the view");
        Secret password = settings.secret(PASSWORD, "password of " + USER);
        // Unset: whatever sslmode the URL names (pgjdbc's default otherwise), never a silent downgrade of it.
        String ssl = settings.optional(SSL_MODE).map(v -> v.toLowerCase(Locale.ROOT)).orElse(null);
        if (ssl != null && !SSL_MODES.contains(ssl)) {
            throw new SettingsException(SSL_MODE, "must be one of " + SSL_MODES + ", got '" + ssl + "'");
        }
        List<String> view = new ArrayList<>();
        for (String part : settings.string(VIEW, DEFAULT_VIEW).split("\\.", -1)) {
            view.add(identifier(VIEW, part));
        }
        if (view.size() > 2) {
            throw new SettingsException(VIEW, "must be view or schema.view, got " + view.size() + " parts");
        }
        String id = identifier(ID_COLUMN, settings.string(ID_COLUMN, DEFAULT_ID_COLUMN));
        List<String> watermarks = new ArrayList<>();
        for (String c : settings.list(WATERMARK_COLUMNS, DEFAULT_WATERMARK_COLUMNS)) {
            watermarks.add(identifier(WATERMARK_COLUMNS, c));
        }
        if (watermarks.isEmpty()) {
            throw new SettingsException(WATERMARK_COLUMNS, "needs at least one timestamp column");
        }
        String scope = settings.string(SCOPE, "default").toLowerCase(Locale.ROOT);
        if (!scope.matches("[a-z][a-z0-9_]*")) {
            throw new SettingsException(SCOPE, "must be letters, digits and _ (starting with a letter), got '" + scope + "'");
        }
        Duration overlap = Duration.ofMinutes(settings.integer(OVERLAP_MINUTES, 10, 0, 7 * 24 * 60));
        int fetchSize = settings.integer(FETCH_SIZE, 1000, 10, 100_000);
        return new ChatwootConfig(url, user, password, ssl, List.copyOf(view), id, List.copyOf(watermarks), scope,
                overlap, fetchSize, SourceSettings.clockSkew(settings));
    }

    private static String identifier(String key, String value) {
        String v = value.trim();
        if (!IDENTIFIER.matcher(v).matches()) {
            throw new SettingsException(key, "'" + v + "' is not a plain SQL name (letters, digits, _ and $, "
                    + "starting with a letter or _, at most 63 characters)");
        }
        return v;
    }

    /** A checked name as a quoted identifier (case kept as written, like the catalog holds it). */
    static String quoted(String identifier) {
        if (!IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException("not a checked identifier");
        }
        return '"' + identifier + '"';
    }

    String quotedView() {
        return String.join(".", view.stream().map(ChatwootConfig::quoted).toList());
    }

    /** The JDBC URL with any password in it masked, for messages and logs. */
    public String describe() {
        return redact(jdbcUrl);
    }

    /** Masks the password wherever it appears, then what {@link Redact} masks in any URL or driver message. */
    String redact(String text) {
        return text == null ? null : Redact.url(password.redact(text));
    }
}
