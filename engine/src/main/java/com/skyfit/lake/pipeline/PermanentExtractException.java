package com.skyfit.lake.pipeline;

/**
 * An extract that no retry can fix: the source rejected the credentials or the request (4xx other than
 * 429), or the account's daily budget is used up. Durable retry handlers recognise it by this class's
 * name in the failure details and fail the window at once instead of retrying for minutes.
 */
public final class PermanentExtractException extends DefaultIngestEngine.ExtractException {
    public PermanentExtractException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True for failures a later attempt of the same window cannot fix. */
    public static boolean isPermanent(Throwable e) {
        if (e instanceof com.skyfit.lake.source.BudgetExhaustedException) {
            return true;
        }
        return e instanceof com.skyfit.lake.source.SourceException s && s.status() >= 400 && s.status() < 500
                && s.status() != 429;
    }
}
