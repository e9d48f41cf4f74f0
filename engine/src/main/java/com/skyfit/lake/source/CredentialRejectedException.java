package com.skyfit.lake.source;

/**
 * The server refused the scope's credential itself (HTTP 401): no request of that scope can succeed until the
 * setting changes, so the rest of the batch's windows of the scope fail without asking again (each refused
 * request spends the key's budget, and a run of thousands of windows would send thousands).
 */
public final class CredentialRejectedException extends SourceException {
    public CredentialRejectedException(String source, String scope, int status, ErrorTable.Row row, String message) {
        super(source, scope, status, row, message, null);
    }
}
