package com.skyfit.lake.source;

/**
 * A source request that failed for good: the message says what happened and what to do, and never
 * holds a credential (messages built from server text are redacted before they get here).
 */
public class SourceException extends RuntimeException {
    private final String source;
    private final String scope;
    private final int status;

    public SourceException(String source, String scope, int status, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
        this.scope = scope;
        this.status = status;
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
}
