package com.skyfit.lake.pipeline;

import com.skyfit.lake.source.SourceException;

/**
 * An extract that no retry can fix: the error-table row that decided the failure says so (rejected
 * credentials, a refused request, an exhausted daily budget). Durable retry handlers recognise it by
 * this class's name in the failure details and fail the window at once instead of retrying for minutes.
 */
public final class PermanentExtractException extends DefaultIngestEngine.ExtractException {
    public PermanentExtractException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the failure carries an error-table row whose action is permanent. */
    public static boolean isPermanent(Throwable e) {
        return SourceException.in(e).map(SourceException::permanent).orElse(false);
    }
}
