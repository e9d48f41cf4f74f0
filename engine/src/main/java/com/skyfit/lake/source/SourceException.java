package com.skyfit.lake.source;

/**
 * A source request that failed for good: the message says what happened and what to do, and never
 * holds a credential (messages built from server text are redacted before they get here). It carries
 * the error-table action that decided it, so whether a later attempt can help is read from the
 * table's row and never decided again by the caller.
 */
public class SourceException extends RuntimeException {
    private final String source;
    private final String scope;
    private final int status;
    private final ErrorTable.Action action;
    private final String row;

    public SourceException(String source, String scope, int status, ErrorTable.Row row, String message,
                           Throwable cause) {
        this(source, scope, status, row.action(), row.name(), message, cause);
    }

    public SourceException(String source, String scope, int status, ErrorTable.Action action, String message,
                           Throwable cause) {
        this(source, scope, status, action, action.name().toLowerCase(java.util.Locale.ROOT), message, cause);
    }

    private SourceException(String source, String scope, int status, ErrorTable.Action action, String row,
                            String message, Throwable cause) {
        super(message, cause);
        this.source = source;
        this.scope = scope;
        this.status = status;
        this.action = action;
        this.row = row;
    }

    public String source() {
        return source;
    }

    public String scope() {
        return scope;
    }

    /** The HTTP status of the last answer, or 0 when there was none (connection failure). */
    public int status() {
        return status;
    }

    /** The action of the error-table row that decided this failure. */
    public ErrorTable.Action action() {
        return action;
    }

    /** The name of that row, e.g. "HTTP 401" or "daily budget". */
    public String row() {
        return row;
    }

    /** True when no later attempt of the same request can succeed (the row's action says so). */
    public boolean permanent() {
        return action.permanent();
    }

    /** The source failure behind an exception, if any (it may be wrapped). */
    public static java.util.Optional<SourceException> in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceException s) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }
}
