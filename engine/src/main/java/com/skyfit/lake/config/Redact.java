package com.skyfit.lake.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the secret parts of URLs, JDBC URLs and connection strings before they reach a message or a
 * log line: SAS signatures ({@code sig=}), passwords ({@code password=}, {@code user:pass@}), tokens and
 * keys in query strings or connection strings. Every message that prints a URL or a setting's value
 * goes through {@link #url(String)}.
 */
public final class Redact {
    private static final String MASK = "***";
    /** name=value pairs in a query, a JDBC URL's properties or a connection string (; separated). */
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "(?i)(^|[?&;\\s])(sig|signature|password|pwd|api_token|apitoken|token|access_token|secret|client_secret"
                    + "|accountkey|sharedaccesskey|sharedaccesssignature|key|code)=([^&;\\s'\"<>)]*)");
    /** user:password@ in the authority of a URL. */
    private static final Pattern USER_INFO = Pattern.compile(
            "(?i)(\\b[a-z][a-z0-9+.\\-]*:(?:[a-z0-9+.\\-]*:)?//[^/@:?#\\s]*:)([^/@?#\\s]*)@");

    private Redact() {}

    public static String url(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = USER_INFO.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
        return SECRET_PAIR.matcher(out).replaceAll("$1$2=" + Matcher.quoteReplacement(MASK));
    }
}
